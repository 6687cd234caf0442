/**
 * dvm-dns-to-other-resolver: during deployment the DVM asks a public resolver that is not a
 * configured forwarder (it answers). Breaks dvm-dns-to-forwarder: one finding for the pair,
 * two queries (frames `other-resolver-query`).
 */
import { at, Capture, DVM, dnsExchange, healthyDeployment, scenario } from './deployment.js'

const OTHER_RESOLVER = '198.51.100.53'

export const dvmDnsToOtherResolver = scenario({
  name: 'dvm-dns-to-other-resolver',
  description: 'the DVM sends DNS to a resolver that is not a configured forwarder during deployment',
  breaks: ['dvm-dns-to-forwarder'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    const a = dnsExchange(cap, at('13:53:00'), DVM, OTHER_RESOLVER, 0x4001, 'go.microsoft.com', { address: '198.51.100.90' })
    const b = dnsExchange(cap, at('13:53:02'), DVM, OTHER_RESOLVER, 0x4002, 'download.windowsupdate.com', { address: '198.51.100.91' })
    cap.mark('other-resolver-query', a.query, b.query)
    return cap.finish()
  },
})
