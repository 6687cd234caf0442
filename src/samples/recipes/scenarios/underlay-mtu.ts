/**
 * underlay-mtu (vantage tor, where VXLAN is the normal data path): a VXLAN outer datagram arrives
 * in two IPv4 fragments (frames `fragment`), and the PA gateway sends ICMP fragmentation-needed
 * (MTU 1500) to the sending host (frame `frag-needed`). Breaks underlay-mtu: two findings.
 */
import { packet } from '../../packet.js'
import { at, Capture, healthyDeployment, ip4, scenario } from './deployment.js'

const HOST_A = '10.30.0.5'
const HOST_B = '10.30.1.7'
const PA_GATEWAY = '10.30.0.1'

export const underlayMtu = scenario({
  name: 'underlay-mtu',
  description: 'at the TOR: a fragmented VXLAN outer datagram and ICMP fragmentation-needed',
  breaks: ['underlay-mtu'],
  policyOptions: { vantage: 'tor' },
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    // The whole outer datagram first (checksums over everything), then cut after its IP header.
    const outer = packet().ipv4(HOST_A, HOST_B).udp(49153, 4789).vxlan(5001)
      .eth('00:1d:d8:b7:1c:01', '00:1d:d8:b7:1c:02').ipv4('192.168.10.4', '192.168.10.5').tcp(40000, 443, { seq: 1, ack: 1, flags: 0x18 })
      .payload(new Uint8Array(1448).map((_, i) => i & 0xff)).build()
    const ipPayload = outer.subarray(20)
    const eth = () => packet().eth('00:15:5d:0a:00:02', '00:1b:21:0a:0b:01')
    cap.add(at('13:53:00'), eth().ipv4(HOST_A, HOST_B, { id: 0x7777, mf: true, protocol: 17 }).payload(ipPayload.subarray(0, 1480)).build(), 'fragment')
    cap.add(at('13:53:00', 1), eth().ipv4(HOST_A, HOST_B, { id: 0x7777, fragmentOffset: 1480, protocol: 17 }).payload(ipPayload.subarray(1480)).build(), 'fragment')
    cap.add(at('13:53:01'), ip4(cap, PA_GATEWAY, HOST_A).icmp(3, 4, 1500).payload(outer.subarray(0, 28)).build(), 'frag-needed')
    return cap.finish()
  },
})
