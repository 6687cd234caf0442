/**
 * underlay-mtu [2.7]: the VXLAN/NVGRE overhead needs an L2 fabric MTU of at least 1674 bytes. Outer
 * tunnel datagrams that arrive fragmented, and ICMP fragmentation-needed (v4 type 3 code 4) or
 * packet-too-big (v6 type 2), show a path whose MTU is too small. One finding per outer pair for
 * fragments, per (sender, receiver) for the ICMP errors.
 */
import type { IcmpErrorObs } from '../../observe/model.js'
import { and, dstIs, framesIn, or, srcIs } from '../filter.js'
import { evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import { groupBy, inOrder, plural } from './grouping.js'
import { fragmentedWheres } from './tunnel-evidence.js'

const isMtuError = (e: IcmpErrorObs) => (e.family === 4 ? e.icmpType === 3 && e.code === 4 : e.icmpType === 2)

export const underlayMtu: RuleDefinition = {
  id: 'underlay-mtu',
  title: 'The underlay MTU carries the tunnel overhead',
  severity: 'medium',
  group: 'encapsulation',
  inputs: [],
  description: 'fragmented VXLAN outer packets, ICMP fragmentation-needed / packet-too-big',
  reference: '2.7',
  evaluate({ obs }) {
    const findings: FindingDraft[] = []
    const fragmented = obs.tunnels.filter((t) => t.fragmented > 0)
    for (const [key, list] of groupBy(fragmented, (t) => `fragmented ${t.outerSrc}>${t.outerDst}`)) {
      const t = list[0]!
      const count = list.reduce((n, x) => n + x.fragmented, 0)
      const evidence = inOrder(list.flatMap(fragmentedWheres))
      const kinds = [...new Set(list.map((x) => x.kind.toUpperCase()))].join('/')
      findings.push({
        key,
        message: `${plural(count, `${kinds} outer datagram`)} from ${t.outerSrc} to ${t.outerDst} arrived fragmented: the underlay MTU is below the tunnel overhead (needs 1674)`,
        count,
        evidence,
        filter: t.outerSrc.includes(':')
          ? framesIn(evidence.map((w) => w.frame))
          : and(srcIs(t.outerSrc), dstIs(t.outerDst), or('ip.flags.mf == 1', 'ip.frag_offset > 0')),
        traffic: { src: t.outerSrc, dst: t.outerDst },
      })
    }

    const errors = obs.icmpErrors.filter(isMtuError)
    for (const [key, list] of groupBy(errors, (e) => `icmp ${e.from}>${e.to}`)) {
      const e = list[0]!
      const mtus = list.map((x) => x.mtu).filter((m): m is number => m !== null)
      const about = [...new Set(list.map((x) => x.quoted?.dst).filter((d): d is string => !!d))]
      const kind = e.family === 4 ? 'ICMP fragmentation-needed' : 'ICMPv6 packet-too-big'
      findings.push({
        key,
        message: `${e.from} sent ${plural(list.length, kind)} to ${e.to}${mtus.length ? ` (MTU ${Math.min(...mtus)})` : ''}${about.length ? ` about ${about.join(', ')}` : ''}`,
        count: list.length,
        evidence: inOrder(list.map((x) => x.at)),
        filter: e.family === 4
          ? and('icmp.type == 3', 'icmp.code == 4', srcIs(e.from), dstIs(e.to))
          : and('icmpv6.type == 2', srcIs(e.from), dstIs(e.to)),
        traffic: { src: e.from, dst: e.to, proto: e.family === 4 ? 'icmp' : 'icmpv6' },
      })
    }
    return evaluated(
      `${plural(obs.tunnels.reduce((n, t) => n + t.packets, 0), 'tunnel packet')} (${fragmented.reduce((n, t) => n + t.fragmented, 0)} fragmented), ${plural(obs.icmpErrors.length, 'ICMP error')} (${errors.length} about the MTU)`,
      findings,
    )
  },
}
