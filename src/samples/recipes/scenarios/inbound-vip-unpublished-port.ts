/**
 * inbound-vip-unpublished-port: a datacenter client reaches an infrastructure VIP on RDP (3389,
 * answered: frame `rdp-syn`, high) and tries 30015, a port the Extension Host retired (no answer:
 * frame `retired-syn`, low). Breaks inbound-vip-ports: two findings.
 */
import { at, Capture, DATACENTER_CLIENT, healthyDeployment, scenario, TcpConnection } from './deployment.js'

const VIP = '203.0.113.12'

export const inboundVipUnpublishedPort = scenario({
  name: 'inbound-vip-unpublished-port',
  description: 'inbound sessions to an infrastructure VIP on unpublished ports (one answered)',
  breaks: ['inbound-vip-ports'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    cap.mark('rdp-syn', new TcpConnection(cap, { client: DATACENTER_CLIENT, cport: 61300, server: VIP, sport: 3389 }).handshake(at('13:53:00')))
    cap.mark('retired-syn', new TcpConnection(cap, { client: DATACENTER_CLIENT, cport: 61301, server: VIP, sport: 30015 }).syn(at('13:53:05')))
    return cap.finish()
  },
})
