/**
 * root-hint-fallback: after deployment the infrastructure VIP asks a.root-servers.net directly
 * (Azure Stack Hub DNS fell back to its root hints). Breaks dns-root-hint-fallback: one finding,
 * two queries (frames `root-query`).
 */
import { at, Capture, dnsExchange, healthyDeployment, INFRA_VIP, scenario } from './deployment.js'

const A_ROOT = '198.41.0.4'

export const rootHintFallback = scenario({
  name: 'root-hint-fallback',
  description: 'an infrastructure VIP queries a root server after deployment (root-hint fallback)',
  breaks: ['dns-root-hint-fallback'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    const a = dnsExchange(cap, at('14:01:50'), INFRA_VIP, A_ROOT, 0x6001, 'contoso.example', { rcode: 0 })
    const b = dnsExchange(cap, at('14:01:51'), INFRA_VIP, A_ROOT, 0x6002, 'fabrikam.example', { rcode: 0 })
    cap.mark('root-query', a.query, b.query)
    return cap.finish()
  },
})
