/**
 * healthy: the deployment as the domain notes expect it, seen at the border. Every rule that a
 * border capture can judge passes; sdn-mux-asn-2byte is not-evaluable (MUX-TOR BGP stays inside
 * the rack). See deployment.ts for the time line.
 */
import { Capture, healthyDeployment, scenario } from './deployment.js'

export const healthy = scenario({
  name: 'healthy',
  description: 'a healthy deployment at the border: DNS, NTP and TLS to every required endpoint from the DVM, then from an infrastructure VIP; BGP with every expected VIP announced',
  breaks: [],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    return cap.finish()
  },
})
