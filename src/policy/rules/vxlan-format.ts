/**
 * vxlan-format [2.7]: HNV VXLAN (RFC 7348) has the I flag (0x08) set, a VNI (the VSID) in
 * 4096..16777214, and provider (PA) addresses outside. Each breach is low, one finding per outer pair
 * (per VNI for the range check). The same inner (CA) pair seen under two VNIs crosses a tenant
 * boundary and is medium.
 */
import type { TunnelObservation } from '../../observe/model.js'
import { addrIs, and, dstIs, srcIs } from '../filter.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import { groupBy, inOrder, plural } from './grouping.js'
import { tunnelPackets, tunnelWheres } from './tunnel-evidence.js'

const I_FLAG = 0x08
const VNI_MIN = 4096
const VNI_MAX = 16777214

const outerKey = (t: TunnelObservation) => `${t.outerSrc}>${t.outerDst}`

export const vxlanFormat: RuleDefinition = {
  id: 'vxlan-format',
  title: 'VXLAN follows the HNV format',
  severity: 'low',
  group: 'encapsulation',
  inputs: ['networks.pa'],
  description: 'VXLAN with the I flag clear, a VNI outside 4096–16777214, outer addresses outside `pa`; the same inner pair under two VNIs is medium',
  reference: '2.7',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs networks.pa')
    if (policy.pa.empty) return notEvaluable('networks.pa is not set')

    const vxlan = obs.tunnels.filter((t) => t.kind === 'vxlan')
    const findings: FindingDraft[] = []
    const add = (key: string, list: TunnelObservation[], message: (packets: number) => string, filter: string) => {
      const packets = tunnelPackets(list)
      const first = list[0]!
      findings.push({
        key, message: message(packets), count: packets, evidence: inOrder(list.flatMap(tunnelWheres)), filter,
        traffic: { src: first.outerSrc, dst: first.outerDst, proto: 'udp' },
      })
    }

    for (const [key, list] of groupBy(vxlan.filter((t) => (t.flags & I_FLAG) === 0), outerKey)) {
      const t = list[0]!
      const flags = [...new Set(list.map((x) => `0x${x.flags.toString(16).padStart(2, '0')}`))].join(', ')
      add(`i-flag ${key}`, list, (n) => `${plural(n, 'VXLAN packet')} from ${t.outerSrc} to ${t.outerDst} with the I flag clear (flags ${flags})`,
        and('vxlan.flag_i == 0', srcIs(t.outerSrc), dstIs(t.outerDst)))
    }

    const outOfRange = vxlan.filter((t) => t.vni !== null && (t.vni < VNI_MIN || t.vni > VNI_MAX))
    for (const [key, list] of groupBy(outOfRange, (t) => `${t.vni} ${outerKey(t)}`)) {
      const t = list[0]!
      add(`vni ${key}`, list, (n) => `${plural(n, 'VXLAN packet')} from ${t.outerSrc} to ${t.outerDst} with VNI ${t.vni}, outside the HNV range ${VNI_MIN}-${VNI_MAX}`,
        and(`vxlan.vni == ${t.vni}`, srcIs(t.outerSrc), dstIs(t.outerDst)))
    }

    const outsidePa = vxlan.filter((t) => !policy.pa.has(t.outerSrc) || !policy.pa.has(t.outerDst))
    for (const [key, list] of groupBy(outsidePa, outerKey)) {
      const t = list[0]!
      const off = [t.outerSrc, t.outerDst].filter((ip) => !policy.pa.has(ip)).join(' and ')
      add(`outer ${key}`, list, (n) => `${plural(n, 'VXLAN packet')} from ${t.outerSrc} to ${t.outerDst}: ${off} outside the provider network ${policy.policy.networks?.pa}`,
        and('vxlan', srcIs(t.outerSrc), dstIs(t.outerDst)))
    }

    // One inner (CA) pair, either direction, carried under more than one VNI.
    const inner = vxlan.filter((t) => t.innerSrc !== null && t.innerDst !== null && t.vni !== null)
    for (const [key, list] of groupBy(inner, (t) => [t.innerSrc!, t.innerDst!].sort().join(' '))) {
      const vnis = [...new Set(list.map((t) => t.vni!))].sort((a, b) => a - b)
      if (vnis.length < 2) continue
      const [a, b] = key.split(' ') as [string, string]
      const packets = tunnelPackets(list)
      findings.push({
        key: `inner ${key}`,
        severity: 'medium',
        message: `inner pair ${a} / ${b} seen under ${vnis.length} VNIs (${vnis.join(', ')}) in ${plural(packets, 'packet')}: traffic crosses a virtual network boundary`,
        count: packets,
        evidence: inOrder(list.flatMap(tunnelWheres)),
        filter: and('vxlan', addrIs(a), addrIs(b)),
        traffic: { src: list[0]!.innerSrc!, dst: list[0]!.innerDst! },
      })
    }

    return evaluated(`${plural(tunnelPackets(vxlan), 'VXLAN packet')} in ${plural(vxlan.length, 'tunnel group')}`, findings)
  },
}
