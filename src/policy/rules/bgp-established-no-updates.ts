/**
 * bgp-established-no-updates [2.6]: sessions that come up and exchange KEEPALIVEs while no UPDATE
 * carries a prefix of the public VIP pool: the VIPs are not programmed on the MUXes, or a filter
 * drops them (the symptom of microsoft/SDN#174). Routes are sent once, when a session starts, so only
 * sessions whose OPEN the capture saw are judged; one finding per pair of speakers.
 */
import type { BgpSession } from '../../observe/model.js'
import { parsePrefix, prefixCovers, type Prefix } from '../cidr.js'
import { addrIs, and } from '../filter.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import { groupBy, inOrder, plural } from './grouping.js'

const pairOf = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`)

/** A prefix inside the pool, or an aggregate covering it (never the default route). */
function touchesPool(prefix: string, pool: readonly Prefix[]): boolean {
  const p = parsePrefix(prefix)
  if (!p) return false
  return pool.some((vip) => prefixCovers(vip, p) || (p.length > 0 && prefixCovers(p, vip)))
}

export const bgpEstablishedNoUpdates: RuleDefinition = {
  id: 'bgp-established-no-updates',
  title: 'Established BGP sessions carry the public VIP routes',
  severity: 'high',
  group: 'bgp',
  inputs: ['networks.publicVip'],
  description: 'a session reaches KEEPALIVE exchange but carries no UPDATE with a prefix in the public VIP pool for the whole capture',
  reference: '2.6',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs networks.publicVip')
    if (policy.publicVip.empty) return notEvaluable('networks.publicVip is not set')
    const pool = policy.publicVip.prefixes

    const carried = new Set<string>()
    for (const r of obs.routes) if (touchesPool(r.prefix, pool)) carried.add(pairOf(r.peer, r.to))

    const established = obs.bgpSessions.filter((s) => s.opens.length > 0 && s.keepalives > 0)
    const midStream = obs.bgpSessions.filter((s) => s.opens.length === 0).length
    const silent = established.filter((s) => !carried.has(pairOf(s.a.ip, s.b.ip)))
    const findings: FindingDraft[] = []
    for (const [key, list] of groupBy<BgpSession>(silent, (s) => pairOf(s.a.ip, s.b.ip))) {
      const [x, y] = key.split(' ') as [string, string]
      const keepalives = list.reduce((n, s) => n + s.keepalives, 0)
      const updates = list.reduce((n, s) => n + s.updates, 0)
      findings.push({
        key,
        message: `BGP between ${x} and ${y} is established (${plural(keepalives, 'KEEPALIVE')}, ${plural(updates, 'UPDATE')}) but no UPDATE carried a prefix of the public VIP pool ${policy.policy.networks?.publicVip}`,
        count: keepalives,
        evidence: inOrder(list.map((s) => s.firstKeepalive ?? s.first)),
        filter: and('bgp.type == 4', addrIs(x), addrIs(y)),
        traffic: { src: list[0]!.a.ip, dst: list[0]!.b.ip, proto: 'tcp', dstPort: list[0]!.b.port },
      })
    }
    return evaluated(
      `${plural(established.length, 'established BGP session')} seen from their OPEN (${midStream} picked up mid-stream, not judged), ${plural(obs.routes.length, 'route event')}`,
      findings,
    )
  },
}
