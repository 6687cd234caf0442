/**
 * bgp-no-updates: both TOR sessions come up and exchange KEEPALIVEs, but the TORs announce only
 * the infrastructure /24: no public VIP route at all (the MUXes have not programmed them).
 * Breaks bgp-established-no-updates (one finding per session pair, first KEEPALIVE cited) and
 * slb-vip-advertised (each expected VIP never announced: three findings without frames). Frames
 * `first-keepalive`: the first KEEPALIVE of each session.
 */
import { Capture, healthyDeployment, INFRASTRUCTURE, scenario } from './deployment.js'

export const bgpNoUpdates = scenario({
  name: 'bgp-no-updates',
  description: 'established BGP sessions with KEEPALIVEs but no public VIP route',
  breaks: ['bgp-established-no-updates', 'slb-vip-advertised'],
  record() {
    const cap = new Capture()
    const { established } = healthyDeployment(cap, { announcements: [INFRASTRUCTURE] })
    cap.mark('first-keepalive', ...established.map((e) => e.keepalive))
    return cap.finish()
  },
})
