/**
 * dns-ntp-source-moves-to-vip [2.2]: after deployment, DNS to the forwarders and
 * NTP to the time server come from the public VIPs, not from the DVM. Judged from
 * completeAt + graceSeconds on; the grace window is judged by no transition rule.
 * An info finding says when no VIP-sourced DNS reached the forwarders after
 * completion at all (the capture may simply not hold any).
 */
import { and, port, srcIs } from '../filter.js'
import { evaluated, isAfter, notEvaluable, type RuleDefinition } from '../rule.js'
import { DNS_PORT, NamesByKey, isPort53 } from './dns-names.js'
import { addressIn, requestFilter, timeFrom } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { NTP_REQUEST_MODES } from './ntp-to-configured-server.js'
import { isoText, missingAllOf, missingInputs, plural, transitionNotReached } from './policy-inputs.js'

export const dnsNtpSourceMovesToVip: RuleDefinition = {
  id: 'dns-ntp-source-moves-to-vip',
  title: 'DNS and NTP move from the DVM to the public VIPs',
  severity: 'high',
  group: 'transition',
  inputs: ['hosts.dvm', 'networks.publicVip', 'hosts.dnsForwarders', 'hosts.ntpServers', 'deployment.completeAt'],
  requires: [['hosts.dvm'], ['networks.publicVip'], ['hosts.dnsForwarders', 'hosts.ntpServers'], ['deployment.completeAt']],
  description:
    'DNS to the forwarders or NTP to the time server still comes from the DVM; also info when no VIP-sourced DNS is seen after completion.',
  reference: '2.2',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.dvm', 'networks.publicVip']) ??
      missingAllOf(ctx.policy, ['hosts.dnsForwarders', 'hosts.ntpServers']) ?? transitionNotReached(ctx.phase)
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const completeAt = ctx.phase.completeAt!
    const after = completeAt + ctx.phase.graceSeconds
    const groups = new FindingGroups()
    const names = new NamesByKey()
    const dnsProtos = new Map<string, Set<'udp' | 'tcp'>>()
    let dvmDns = 0
    let dvmNtp = 0
    let vipDns = 0

    for (const q of ctx.obs.dns) {
      if (!isPort53(q) || !p.dnsForwarders.has(q.server.ip)) continue
      if (p.publicVip.has(q.client.ip) && q.query.t >= completeAt) vipDns++
      if (!p.dvm.has(q.client.ip) || !isAfter(ctx.phase, q.query.t)) continue
      dvmDns++
      const key = `dns ${q.client.ip}>${q.server.ip}`
      names.add(key, q.name)
      let s = dnsProtos.get(key)
      if (!s) { s = new Set(); dnsProtos.set(key, s) }
      s.add(q.proto)
      groups.add(key, () => ({
        message: `the DVM ${q.client.ip} still sent DNS to the forwarder ${q.server.ip} after deployment completed (from ${isoText(after)})`,
        filter: '',
        traffic: { src: q.client.ip, dst: q.server.ip, proto: q.proto, dstPort: DNS_PORT },
      }), q.query)
    }

    for (const x of ctx.obs.ntp) {
      if (!NTP_REQUEST_MODES.has(x.mode) || !p.ntpServers.has(x.server.ip)) continue
      if (!p.dvm.has(x.client.ip) || !isAfter(ctx.phase, x.request.t)) continue
      dvmNtp++
      const c = x.client.ip
      const s = x.server.ip
      groups.add(`ntp ${c}>${s}`, () => ({
        message: `the DVM ${c} still sent NTP requests to the time server ${s} after deployment completed (from ${isoText(after)})`,
        filter: and(requestFilter(c, s, new Set(['udp']), x.server.port), timeFrom(after)),
        traffic: { src: c, dst: s, proto: 'udp', dstPort: x.server.port },
      }), x.request)
    }

    const findings = groups.list()
    for (const d of findings) {
      if (!d.key.startsWith('dns ')) continue
      const [c, s] = d.key.slice(4).split('>') as [string, string]
      const over = dnsProtos.get(d.key)!
      d.message += names.suffix(d.key)
      d.filter = and(requestFilter(c, s, over, DNS_PORT), timeFrom(after))
      if (over.size > 1 && d.traffic) delete d.traffic.proto
    }

    if (!p.dnsForwarders.empty && vipDns === 0) {
      const pool = p.publicVip.prefixes.map((x) => x.text)
      const forwarders = p.dnsForwarders.prefixes.map((x) => x.text.replace(/\/(32|128)$/, ''))
      findings.push({
        key: 'no-vip-dns',
        severity: 'info',
        message: `no DNS query from the public VIPs (${pool.join(', ')}) to the forwarders was seen after deployment completed (${isoText(completeAt)})`,
        count: 0,
        evidence: [],
        filter: and(...pool.map((x) => srcIs(x)), addressIn('dst', forwarders), or53(), timeFrom(completeAt)),
      })
    }

    let reason = `after ${isoText(after)}: ${plural(dvmDns, 'DNS query', 'DNS queries')} and ${plural(dvmNtp, 'NTP request')} from the DVM; ` +
      `${plural(vipDns, 'DNS query', 'DNS queries')} from the public VIPs to the forwarders since completion`
    if (p.dnsForwarders.empty) reason += ' (DNS not examined: hosts.dnsForwarders is not set)'
    if (p.ntpServers.empty) reason += ' (NTP not examined: hosts.ntpServers is not set)'
    return evaluated(reason, findings)
  },
}

/** DNS requests over either transport. */
function or53(): string {
  return `${port('udp', 'dst', DNS_PORT)} || ${port('tcp', 'dst', DNS_PORT)}`
}
