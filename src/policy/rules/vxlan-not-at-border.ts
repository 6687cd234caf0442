/**
 * vxlan-not-at-border [2.7]: the PA underlay and its VXLAN/NVGRE tunnels stay inside the rack; on the
 * TOR-border links they are a leak or an unexpected tunnel. Only a border capture can tell; inside the
 * rack tunnels are the normal HNV data path. One finding per (kind, outer pair).
 */
import { and, dstIs, srcIs } from '../filter.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition, type TrafficMatch } from '../rule.js'
import { groupBy, inOrder, plural } from './grouping.js'
import { tunnelPackets, tunnelWheres } from './tunnel-evidence.js'

export const vxlanNotAtBorder: RuleDefinition = {
  id: 'vxlan-not-at-border',
  title: 'No VXLAN or NVGRE at the border',
  severity: 'medium',
  group: 'encapsulation',
  inputs: ['vantage'],
  description: 'any VXLAN or NVGRE at the `border` vantage',
  reference: '2.7',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: the vantage is unknown (the rule needs a border capture)')
    if (policy.vantage !== 'border') return notEvaluable(`vantage is ${policy.vantage}: tunnels are the normal data path inside the rack; needs a border capture`)

    const tunnels = obs.tunnels.filter((t) => t.kind === 'vxlan' || t.kind === 'nvgre')
    const findings: FindingDraft[] = []
    for (const [key, list] of groupBy(tunnels, (t) => `${t.kind} ${t.outerSrc}>${t.outerDst}`)) {
      const t = list[0]!
      const packets = tunnelPackets(list)
      const ids = [...new Set(list.map((x) => x.vni).filter((v): v is number => v !== null))].sort((a, b) => a - b)
      const name = t.kind === 'vxlan' ? 'VXLAN' : 'NVGRE'
      const traffic: TrafficMatch = { src: t.outerSrc, dst: t.outerDst }
      if (t.kind === 'vxlan') traffic.proto = 'udp'
      findings.push({
        key,
        message: `${plural(packets, `${name} packet`)} from ${t.outerSrc} to ${t.outerDst} at the border (${t.kind === 'vxlan' ? 'VNI' : 'VSID'} ${ids.join(', ') || 'none'}): the underlay leaks beyond the rack`,
        count: packets,
        evidence: inOrder(list.flatMap(tunnelWheres)),
        filter: and(t.kind === 'vxlan' ? 'vxlan' : 'gre', srcIs(t.outerSrc), dstIs(t.outerDst)),
        traffic,
      })
    }
    return evaluated(`${plural(tunnelPackets(tunnels), 'VXLAN/NVGRE packet')} at the border`, findings)
  },
}
