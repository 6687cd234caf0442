/**
 * ipv4-only [2.4]: Azure Stack Hub does not support IPv6, neither for infrastructure nor tenants.
 * Switch operating systems still send link-local neighbour discovery on their ports; that is not a
 * finding. Flow records do not keep ICMPv6 types, so neighbour discovery is recognised by its shape:
 * ICMPv6 between link-local, multicast or unspecified addresses (where ND types 133-137 live). Every
 * other IPv6 flow is evidence, one finding per (source, destination) pair.
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import { parseAddress } from '../cidr.js'
import { addrIs, and } from '../filter.js'
import { evaluated, type FindingDraft, type RuleDefinition, type TrafficMatch } from '../rule.js'
import { matchProto } from './flow-direction.js'
import { flowWhere } from './flow-evidence.js'
import { groupBy, inOrder, plural } from './grouping.js'

/** fe80::/10, ff00::/8 (multicast) or :: (the source of duplicate address detection). */
function linkScoped(ip: string): boolean {
  const b = parseAddress(ip)
  if (!b || b.length !== 16) return false
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return true
  if (b[0] === 0xff) return true
  return b.every((x) => x === 0)
}

/** Neighbour discovery as flows show it: ICMPv6 that never leaves the link. */
export function isNeighbourDiscovery(f: FlowRecord): boolean {
  return f.proto === 'icmpv6' && linkScoped(f.initiator.ip) && linkScoped(f.responder.ip)
}

export const ipv4Only: RuleDefinition = {
  id: 'ipv4-only',
  title: 'IPv4 only',
  severity: 'low',
  group: 'segmentation',
  inputs: [],
  description: 'IPv6 other than link-local neighbour discovery',
  reference: '2.4',
  evaluate({ obs }) {
    const v6 = obs.flows.filter((f) => f.initiator.ip.includes(':'))
    const offending = v6.filter((f) => !isNeighbourDiscovery(f))
    const findings: FindingDraft[] = []
    for (const [key, flows] of groupBy(offending, (f) => `${f.initiator.ip}>${f.responder.ip}`)) {
      const first = flows[0]!
      const packets = flows.reduce((n, f) => n + f.packets.fwd + f.packets.rev, 0)
      const protos = [...new Set(flows.map((f) => f.proto))]
      const traffic: TrafficMatch = { src: first.initiator.ip, dst: first.responder.ip }
      const proto = protos.length === 1 ? matchProto(first.proto) : undefined
      if (proto) traffic.proto = proto
      findings.push({
        key,
        message: `IPv6 from ${first.initiator.ip} to ${first.responder.ip}: ${plural(packets, 'packet')} in ${plural(flows.length, 'flow')} (${protos.join(', ')}); Azure Stack Hub supports IPv4 only`,
        count: packets,
        evidence: inOrder(flows.map((f) => flowWhere(obs, f))),
        filter: and(addrIs(first.initiator.ip), addrIs(first.responder.ip)),
        flow: first,
        traffic,
      })
    }
    return evaluated(
      `${plural(v6.length, 'IPv6 flow')} of ${plural(obs.flows.length, 'flow')}; ${v6.length - offending.length} link-local neighbour discovery`,
      findings,
    )
  },
}
