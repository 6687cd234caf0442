/**
 * private-leak: the private network shows up at the border: a storage address opens a connection
 * to the internet (frame `private-syn`, 3 packets) and TOR1 announces 172.16.0.0/25 (frame
 * `private-route`). Breaks private-never-beyond-border: a flow finding and a route finding.
 */
import { at, Capture, healthyDeployment, scenario, TcpConnection } from './deployment.js'

export const privateLeak = scenario({
  name: 'private-leak',
  description: 'a private (storage) address and a private prefix announcement at the border',
  breaks: ['private-never-beyond-border'],
  record() {
    const cap = new Capture()
    const { sessions } = healthyDeployment(cap)
    cap.mark('private-syn', new TcpConnection(cap, { client: '172.16.1.10', cport: 61100, server: '198.51.100.40', sport: 443 }).handshake(at('13:53:00')))
    cap.mark('private-route', sessions[0]!.torUpdate(at('13:53:30'), { nlri: ['172.16.0.0/25'] }))
    return cap.finish()
  },
})
