/**
 * mgmt-from-outside: a host outside the permitted networks reaches switch management over SSH
 * (frame `mgmt-ssh`) and the HLH over HTTPS (frame `hlh-https`), both answered; its telnet attempt
 * to another switch gets no answer (the ACL works: no finding). Breaks
 * mgmt-from-permitted-networks: two findings.
 */
import { at, Capture, healthyDeployment, HLH, scenario, TcpConnection } from './deployment.js'

const OUTSIDER = '198.51.100.99'

export const mgmtFromOutside = scenario({
  name: 'mgmt-from-outside',
  description: 'switch management and the HLH answer a host outside the permitted networks',
  breaks: ['mgmt-from-permitted-networks'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    cap.mark('mgmt-ssh', new TcpConnection(cap, { client: OUTSIDER, cport: 60001, server: '10.10.1.58', sport: 22 }).handshake(at('13:53:00')))
    cap.mark('hlh-https', new TcpConnection(cap, { client: OUTSIDER, cport: 60002, server: HLH, sport: 443 }).handshake(at('13:53:05')))
    cap.mark('blocked', new TcpConnection(cap, { client: OUTSIDER, cport: 60003, server: '10.10.1.57', sport: 23 }).syn(at('13:53:10')))
    return cap.finish()
  },
})
