/**
 * dvm-reached-from-outside: during deployment a datacenter host (inside `permitted`, so switch
 * management rules stay quiet) opens RDP to the DVM, which answers, and pings it.
 * Breaks dvm-outbound-only: one high finding (the SYN, frame `inbound-syn`) and one low (the echo).
 */
import { at, Capture, DVM, healthyDeployment, ip4, scenario, TcpConnection } from './deployment.js'

const INTRUDER = '192.0.2.77'

export const dvmReachedFromOutside = scenario({
  name: 'dvm-reached-from-outside',
  description: 'a datacenter host opens RDP to the DVM (answered) and pings it during deployment',
  breaks: ['dvm-outbound-only'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    const rdp = new TcpConnection(cap, { client: INTRUDER, cport: 61000, server: DVM, sport: 3389 })
    cap.mark('inbound-syn', rdp.handshake(at('13:53:00')))
    rdp.send(at('13:53:00', 20), true, Uint8Array.from([3, 0, 0, 11, 6, 0xe0, 0, 0, 0, 0, 0]))
    cap.add(at('13:53:05'), ip4(cap, INTRUDER, DVM).icmp(8, 0, 0x00010001).payload(new Uint8Array(32)).build(), 'echo')
    cap.add(at('13:53:05', 1), ip4(cap, DVM, INTRUDER).icmp(0, 0, 0x00010001).payload(new Uint8Array(32)).build())
    return cap.finish()
  },
})
