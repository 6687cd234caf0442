/**
 * Checks a schema cannot express: how the networks and hosts of one policy fit
 * together. Kept to the relations the Azure Stack Hub network plan fixes, so a
 * real plan never trips them:
 * - `infraVip` and every `bgp.expectedVips` lie inside `publicVip`;
 * - `infraAccessible` lies inside `infrastructure`;
 * - `switchMgmt` lies inside `switchInfra` (it is carved from it);
 * - `hosts.dvm`, `hlh`, `hlhBmc` and every `oemToolVms` lie inside `bmc`;
 * - a `bgp.peers` pair names two different addresses;
 * - an `allow` entry matches something narrower than "every finding of the rule"
 *   (that is `rules.<id>.enabled: false`, which the report shows as disabled).
 * Each check runs only when both sides are present; the policy has already
 * passed the schema, so every address here is valid.
 */
import { parseAddress, parsePrefix, prefixContains, prefixCovers } from './cidr.js'
import type { Policy } from './model.js'
import type { SchemaProblem } from './schema.js'

export function consistencyProblems(policy: Policy): SchemaProblem[] {
  const out: SchemaProblem[] = []
  const n = policy.networks ?? {}
  const h = policy.hosts ?? {}
  const b = policy.bgp ?? {}

  const networkInside = (key: keyof typeof n, outerKey: keyof typeof n): void => {
    const inner = n[key]
    const outer = n[outerKey]
    if (typeof inner !== 'string' || typeof outer !== 'string') return
    const i = parsePrefix(inner)
    const o = parsePrefix(outer)
    if (i && o && !prefixCovers(o, i)) out.push({ path: ['networks', key], message: `not inside networks.${outerKey} (${outer})`, value: inner })
  }
  networkInside('infraVip', 'publicVip')
  networkInside('infraAccessible', 'infrastructure')
  networkInside('switchMgmt', 'switchInfra')

  const addressInside = (path: (string | number)[], address: string, outerKey: keyof typeof n): void => {
    const outer = n[outerKey]
    if (typeof outer !== 'string') return
    const o = parsePrefix(outer)
    const a = parseAddress(address)
    if (o && a && !prefixContains(o, a)) out.push({ path, message: `not inside networks.${outerKey} (${outer})`, value: address })
  }
  b.expectedVips?.forEach((vip, i) => addressInside(['bgp', 'expectedVips', i], vip, 'publicVip'))
  for (const key of ['dvm', 'hlh', 'hlhBmc'] as const) {
    const address = h[key]
    if (address !== undefined) addressInside(['hosts', key], address, 'bmc')
  }
  h.oemToolVms?.forEach((vm, i) => addressInside(['hosts', 'oemToolVms', i], vm, 'bmc'))

  b.peers?.forEach((pair, i) => {
    const border = parseAddress(pair.border)
    const tor = parseAddress(pair.tor)
    if (border && tor && border.join('.') === tor.join('.')) {
      out.push({ path: ['bgp', 'peers', i], message: 'border and tor are the same address', value: pair.border })
    }
  })

  policy.allow?.forEach((entry, i) => {
    const { rule: _rule, why: _why, ...matchers } = entry
    if (Object.keys(matchers).length === 0) {
      out.push({ path: ['allow', i], message: `matches every finding of ${entry.rule}: give src, dst, proto or a port, or set rules.${entry.rule}.enabled: false` })
    }
  })
  return out
}
