/**
 * dns-root-hint-fallback [2.2]: when the forwarders fail, Azure Stack Hub's DNS
 * falls back to the root hints (UseRootHint, on by default). Queries from the DVM
 * or the public VIPs to a root server address show it happening.
 */
import { evaluated, notEvaluable, type RuleDefinition } from '../rule.js'
import { AddressSet } from '../cidr.js'
import { DNS_PORT, NamesByKey, isPort53 } from './dns-names.js'
import { requestFilter } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { absentInputs, missingAllOf, missingInputs, plural } from './policy-inputs.js'

/**
 * The IANA root servers a-m (root-servers.org), IPv4 and IPv6, with b's
 * addresses before its 2023 renumbering (resolvers' hint files keep them for years).
 */
export const ROOT_SERVERS: readonly string[] = [
  '198.41.0.4', '2001:503:ba3e::2:30',
  '170.247.170.2', '2801:1b8:10::b', '199.9.14.201', '2001:500:200::b',
  '192.33.4.12', '2001:500:2::c',
  '199.7.91.13', '2001:500:2d::d',
  '192.203.230.10', '2001:500:a8::e',
  '192.5.5.241', '2001:500:2f::f',
  '192.112.36.4', '2001:500:12::d0d',
  '198.97.190.53', '2001:500:1::53',
  '192.36.148.17', '2001:7fe::53',
  '192.58.128.30', '2001:503:c27::2:30',
  '193.0.14.129', '2001:7fd::1',
  '199.7.83.42', '2001:500:9f::42',
  '202.12.27.33', '2001:dc3::35',
]

const ROOTS = new AddressSet(ROOT_SERVERS)

export const dnsRootHintFallback: RuleDefinition = {
  id: 'dns-root-hint-fallback',
  title: 'No DNS fallback to the root servers',
  severity: 'medium',
  group: 'deployment',
  inputs: ['hosts.dnsForwarders', 'hosts.dvm', 'networks.publicVip'],
  requires: [['hosts.dnsForwarders'], ['hosts.dvm', 'networks.publicVip']],
  description: 'DNS queries from the DVM or public VIPs to a root server address.',
  reference: '2.2',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.dnsForwarders']) ??
      missingAllOf(ctx.policy, ['hosts.dvm', 'networks.publicVip'])
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const groups = new FindingGroups()
    const names = new NamesByKey()
    const protos = new Map<string, Set<'udp' | 'tcp'>>()
    let examined = 0

    for (const q of ctx.obs.dns) {
      if (!isPort53(q) || !(p.dvm.has(q.client.ip) || p.publicVip.has(q.client.ip))) continue
      examined++
      if (!ROOTS.has(q.server.ip)) continue
      const key = `${q.client.ip}>${q.server.ip}`
      names.add(key, q.name)
      let s = protos.get(key)
      if (!s) { s = new Set(); protos.set(key, s) }
      s.add(q.proto)
      groups.add(key, () => ({
        message: '',
        filter: '',
        traffic: { src: q.client.ip, dst: q.server.ip, proto: q.proto, dstPort: DNS_PORT },
      }), q.query)
    }

    const findings = groups.list()
    for (const d of findings) {
      const [c, s] = d.key.split('>') as [string, string]
      const over = protos.get(d.key)!
      d.message = `${c} queried the root server ${s}: the forwarders failed and the root-hint fallback fired${names.suffix(d.key)}`
      d.filter = requestFilter(c, s, over, DNS_PORT)
      if (over.size > 1 && d.traffic) delete d.traffic.proto
    }
    const sources = ['hosts.dvm', 'networks.publicVip'] as const
    let reason = `${plural(examined, 'DNS query', 'DNS queries')} from the DVM and the public VIPs, ${findings.reduce((n, d) => n + d.count, 0)} to root servers`
    const absent = absentInputs(p, [...sources])
    if (absent.length > 0) reason += ` (not examined: ${absent.join(', ')} not set)`
    return evaluated(reason, findings)
  },
}
