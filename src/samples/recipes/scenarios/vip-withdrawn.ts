/**
 * vip-withdrawn: both TORs withdraw the infrastructure VIP 203.0.113.10/32 for good (frames
 * `withdraw-10`: critical), and withdraw 203.0.113.74/32, which TOR1 announces again 20 s later;
 * a client connects to 203.0.113.74 in between (frame `no-route-syn`). Breaks slb-vip-advertised.
 */
import { at, Capture, healthyDeployment, scenario, tlsConnect } from './deployment.js'

export const vipWithdrawn = scenario({
  name: 'vip-withdrawn',
  description: 'an infrastructure VIP withdrawn for good; another withdrawn and re-announced, with traffic to it in between',
  breaks: ['slb-vip-advertised'],
  record() {
    const cap = new Capture()
    const { sessions } = healthyDeployment(cap)
    sessions.forEach((s, i) => {
      cap.mark('withdraw-10', s.torUpdate(at('13:54:00', 100 * i), { withdrawn: ['203.0.113.10/32'] }))
      cap.mark('withdraw-74', s.torUpdate(at('13:54:01', 100 * i), { withdrawn: ['203.0.113.74/32'] }))
    })
    cap.mark('no-route-syn', tlsConnect(cap, at('13:54:10'), '192.0.2.201', 51600, '203.0.113.74', 'app.east.cloudapp.cloud.fabrikam.com').syn)
    cap.mark('reannounce-74', sessions[0]!.torUpdate(at('13:54:21'), { nlri: ['203.0.113.74/32'] }))
    return cap.finish()
  },
})
