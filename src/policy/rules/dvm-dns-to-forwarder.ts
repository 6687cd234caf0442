/**
 * dvm-dns-to-forwarder [2.1]: during deployment the DVM and the BMC network send
 * DNS only to the configured forwarders. Evidence: each query to another server,
 * and TCP/53 attempts that never carried a query (blocked before the first byte).
 */
import { evaluated, isDuring, notEvaluable, type RuleDefinition } from '../rule.js'
import { NamesByKey, isPort53, DNS_PORT } from './dns-names.js'
import { requestFilter } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { flowStart, flowWhere } from './flow-evidence.js'
import { missingInputs, plural } from './policy-inputs.js'

export const dvmDnsToForwarder: RuleDefinition = {
  id: 'dvm-dns-to-forwarder',
  title: 'DNS from the DVM and BMC network goes to the forwarders',
  severity: 'critical',
  group: 'deployment',
  inputs: ['hosts.dvm', 'networks.bmc', 'hosts.dnsForwarders'],
  description: 'DNS (UDP or TCP 53) from the DVM or BMC network to any server other than a forwarder.',
  reference: '2.1',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.dvm', 'networks.bmc', 'hosts.dnsForwarders'])
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const fromAsh = (ip: string) => p.dvm.has(ip) || p.bmc.has(ip)
    const groups = new FindingGroups()
    const names = new NamesByKey()
    const protos = new Map<string, Set<'udp' | 'tcp'>>()
    const servers = new Set<string>()
    let examined = 0
    let emptyTcp = 0

    const note = (key: string, proto: 'udp' | 'tcp') => {
      let s = protos.get(key)
      if (!s) { s = new Set(); protos.set(key, s) }
      s.add(proto)
    }

    for (const q of ctx.obs.dns) {
      if (!isPort53(q) || !fromAsh(q.client.ip) || !isDuring(ctx.phase, q.query.t)) continue
      examined++
      servers.add(q.server.ip)
      if (p.dnsForwarders.has(q.server.ip)) continue
      const key = `${q.client.ip}>${q.server.ip}`
      note(key, q.proto)
      names.add(key, q.name)
      groups.add(key, () => ({
        message: '',
        filter: '',
        traffic: { src: q.client.ip, dst: q.server.ip, proto: q.proto, dstPort: DNS_PORT },
      }), q.query)
    }

    // A TCP/53 connection that never carried a query has no DNS transaction; its SYN is the evidence.
    for (const f of ctx.obs.flows) {
      if (f.proto !== 'tcp' || f.responder.port !== DNS_PORT || f.initiatorInferred) continue
      if (!fromAsh(f.initiator.ip) || !isDuring(ctx.phase, flowStart(f)) || f.history.includes('D')) continue
      emptyTcp++
      servers.add(f.responder.ip)
      if (p.dnsForwarders.has(f.responder.ip)) continue
      const key = `${f.initiator.ip}>${f.responder.ip}`
      note(key, 'tcp')
      groups.add(key, () => ({
        message: '',
        filter: '',
        flow: f,
        traffic: { src: f.initiator.ip, dst: f.responder.ip, proto: 'tcp', dstPort: DNS_PORT },
      }), flowWhere(ctx.obs, f))
    }

    const findings = groups.list()
    for (const d of findings) {
      const [client, server] = d.key.split('>') as [string, string]
      const over = protos.get(d.key) ?? new Set<'udp' | 'tcp'>()
      d.message = `DNS from ${client} to ${server}, which is not a configured forwarder${names.suffix(d.key)}`
      d.filter = requestFilter(client, server, over, DNS_PORT)
      // Both protocols seen: the allow entry matches either.
      if (over.size > 1 && d.traffic) delete d.traffic.proto
    }
    let reason = `${plural(examined, 'DNS query', 'DNS queries')} from the DVM and the BMC network during deployment`
    if (emptyTcp > 0) reason += ` and ${plural(emptyTcp, 'TCP/53 connection')} without a query`
    reason += `, to ${plural(servers.size, 'server')}; ${plural(findings.length, 'source/server pair')} outside the forwarders`
    return evaluated(reason, findings)
  },
}
