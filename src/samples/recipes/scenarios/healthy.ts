/**
 * healthy: the deployment as the domain notes expect it, seen at the border. Every rule that a
 * border capture can judge passes; sdn-mux-asn-2byte is not-evaluable (MUX-TOR BGP stays inside
 * the rack). Captured on both border uplinks (pcapng, two interfaces): border i's BGP session and
 * the DNS/TLS through forwarder i cross uplink i. See deployment.ts for the time line.
 */
import { Capture, healthyDeployment, scenario } from './deployment.js'

export const healthy = scenario({
  name: 'healthy',
  description: 'a healthy deployment at the border: DNS, NTP and TLS to every required endpoint from the DVM, then from an infrastructure VIP; BGP with every expected VIP announced; seen on both border uplinks (pcapng, two interfaces)',
  breaks: [],
  record() {
    const cap = new Capture({ interfaces: ['border1-uplink', 'border2-uplink'] })
    healthyDeployment(cap)
    return cap.finish()
  },
})
