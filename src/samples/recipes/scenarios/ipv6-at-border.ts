/**
 * ipv6-at-border: an IPv6 TCP handshake crosses the border (frame `ipv6-syn`, 3 packets); the
 * healthy capture's link-local neighbour solicitation stays allowed. Written as classic pcap.
 * Breaks ipv4-only: one finding (one pair, 3 packets).
 */
import { packet } from '../../packet.js'
import { at, Capture, healthyDeployment, scenario } from './deployment.js'

const A = '2001:db8:10::5'
const B = '2001:db8:20::80'

export const ipv6AtBorder = scenario({
  name: 'ipv6-at-border',
  description: 'IPv6 traffic (a TCP handshake) at the border, besides link-local neighbour discovery',
  breaks: ['ipv4-only'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    const eth = () => packet().eth('00:15:5d:0a:00:02', '00:1b:21:0a:0b:01')
    cap.add(at('13:53:00'), eth().ipv6(A, B).tcp(61200, 443, { seq: 100, flags: 0x02 }, { mss: 1440 }).build(), 'ipv6-syn')
    cap.add(at('13:53:00', 10), eth().ipv6(B, A).tcp(443, 61200, { seq: 900, ack: 101, flags: 0x12 }, { mss: 1440 }).build())
    cap.add(at('13:53:00', 11), eth().ipv6(A, B).tcp(61200, 443, { seq: 101, ack: 901, flags: 0x10 }).build())
    return cap.finish('pcap')
  },
})
