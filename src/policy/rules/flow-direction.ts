/**
 * What the segmentation rules need to know about a flow record's direction: whether its initiator
 * really opened it, whether the other side answered, and a display filter and traffic match for the
 * initiator -> responder direction. Flows are judged by addresses and ports, never by link: a reply
 * that came back on the other uplink is in the same record (rules.md "Flows are keyed by ...").
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import type { Observations } from '../../observe/model.js'
import { and, dstIs, port, srcIs } from '../filter.js'
import type { Severity } from '../model.js'
import type { FindingDraft, TrafficMatch } from '../rule.js'
import { flowWhere } from './flow-evidence.js'
import { inOrder } from './grouping.js'

/**
 * True when the initiator is known to have opened the flow: a TCP SYN was seen (history `S`,
 * not picked up mid-stream), or for other protocols the first packet (the tracker's initiator).
 */
export function initiatedByInitiator(f: FlowRecord): boolean {
  if (f.proto !== 'tcp') return true
  return !f.initiatorInferred && f.history.includes('S')
}

/** TCP: the responder sent a SYN-ACK (history `h`); UDP, ICMP and others: any packet came back. */
export function answered(f: FlowRecord): boolean {
  if (f.proto === 'tcp') return f.history.includes('h')
  return f.packets.rev > 0
}

const MATCHABLE = new Set(['tcp', 'udp', 'icmp', 'icmpv6'])

/** The proto a policy `allow` entry can name, or undefined for other IP protocols. */
export function matchProto(proto: string): TrafficMatch['proto'] {
  return MATCHABLE.has(proto) ? (proto as TrafficMatch['proto']) : undefined
}

/** Display filter for the initiator -> responder direction of flows like `f` (same addresses, proto, responder port). */
export function directionFilter(f: FlowRecord): string {
  const p = f.proto
  const svc = (p === 'tcp' || p === 'udp') && f.responder.port !== null
    ? port(p, 'dst', f.responder.port)
    : p === 'icmp' || p === 'icmpv6' ? p
    : p.startsWith('ip-') ? `${f.initiator.ip.includes(':') ? 'ipv6.nxt' : 'ip.proto'} == ${p.slice(3)}` : null
  return and(srcIs(f.initiator.ip), dstIs(f.responder.ip), svc)
}

/** Traffic match of the initiator -> responder direction (what `allow` entries are compared with). */
export function directionTraffic(f: FlowRecord): TrafficMatch {
  const t: TrafficMatch = { src: f.initiator.ip, dst: f.responder.ip }
  const proto = matchProto(f.proto)
  if (proto) t.proto = proto
  if ((f.proto === 'tcp' || f.proto === 'udp') && f.responder.port !== null) t.dstPort = f.responder.port
  return t
}

/** `tcp/443`, `udp/53`, `icmp`: the service part of messages and keys. */
export function service(f: FlowRecord): string {
  return f.responder.port === null ? f.proto : `${f.proto}/${f.responder.port}`
}

/**
 * One finding about a group of flows with the same direction (initiator -> responder): the first
 * packet of each as evidence, the first flow's filter, record and traffic match (for allow entries).
 */
export function directionFinding(obs: Observations, key: string, message: string, flows: readonly FlowRecord[], severity?: Severity): FindingDraft {
  const first = flows[0]!
  return {
    key,
    ...(severity ? { severity } : {}),
    message,
    count: flows.length,
    evidence: inOrder(flows.map((f) => flowWhere(obs, f))),
    filter: directionFilter(first),
    flow: first,
    traffic: directionTraffic(first),
  }
}
