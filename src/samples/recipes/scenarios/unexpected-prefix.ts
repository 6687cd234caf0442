/**
 * unexpected-prefix: TOR1 announces 198.18.0.0/15 (frame `odd-prefix`) and a default route
 * (frame `default-route`), neither a routable network of the stamp. Breaks bgp-unexpected-prefix:
 * two findings.
 */
import { at, Capture, healthyDeployment, scenario } from './deployment.js'

export const unexpectedPrefix = scenario({
  name: 'unexpected-prefix',
  description: 'a TOR announces a prefix outside the stamp and a default route',
  breaks: ['bgp-unexpected-prefix'],
  record() {
    const cap = new Capture()
    const { sessions } = healthyDeployment(cap)
    cap.mark('odd-prefix', sessions[0]!.torUpdate(at('13:53:00'), { nlri: ['198.18.0.0/15'] }))
    cap.mark('default-route', sessions[0]!.torUpdate(at('13:53:01'), { nlri: ['0.0.0.0/0'] }))
    return cap.finish()
  },
})
