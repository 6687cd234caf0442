/**
 * private-never-beyond-border [2.4]: the private /20 (storage, internal VIPs, containers) is not
 * routed beyond the border switches: a prefix list (BGP) or an ACL (static) stops it on TOR -> border.
 * At the border vantage, any packet to or from it, and any BGP announcement of a prefix inside it,
 * is a leak. Inside the rack (tor/host vantage) private traffic is normal, so the rule needs the border.
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import type { Observations, RouteEvent } from '../../observe/model.js'
import { addrIs, and } from '../filter.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition, type TrafficMatch } from '../rule.js'
import { prefixInside, updateFilter } from './bgp-side.js'
import { matchProto } from './flow-direction.js'
import { flowWhere } from './flow-evidence.js'
import { groupBy, inOrder, plural } from './grouping.js'

export const privateNeverBeyondBorder: RuleDefinition = {
  id: 'private-never-beyond-border',
  title: 'The private network never appears beyond the border',
  severity: 'high',
  group: 'segmentation',
  inputs: ['networks.private', 'vantage'],
  description: 'a packet with a source or destination in the private network, or a BGP route inside it, at the border',
  reference: '2.4',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs networks.private and the border vantage')
    if (policy.private.empty) return notEvaluable('networks.private is not set')
    if (policy.vantage !== 'border') {
      return notEvaluable(`vantage is ${policy.vantage}: private addresses are normal inside the rack; only a border capture shows a leak`)
    }

    // Tunnelled flows carry tenant (CA) addresses; a tunnel at the border is vxlan-not-at-border's finding.
    const leaking = obs.flows.filter((f) => f.vni === null && (policy.private.has(f.initiator.ip) || policy.private.has(f.responder.ip)))
    const findings: FindingDraft[] = []
    for (const [key, flows] of groupBy(leaking, (f) => `${f.initiator.ip}>${f.responder.ip}`)) {
      findings.push(flowLeak(key, flows, obs, policy.policy.networks?.private ?? ''))
    }

    const announced = obs.routes.filter((r) => r.kind === 'announce' && prefixInside(r.prefix, policy.private.prefixes))
    for (const [key, events] of groupBy(announced, (r) => `route ${r.peer} ${r.prefix}`)) {
      findings.push(routeLeak(key, events))
    }
    return evaluated(
      `${plural(obs.flows.length, 'flow')} and ${plural(obs.routes.filter((r) => r.kind === 'announce').length, 'BGP announcement')} at the border; ${leaking.length} flows and ${announced.length} announcements in the private network`,
      findings,
    )
  },
}

function flowLeak(key: string, flows: FlowRecord[], obs: Observations, privateNet: string): FindingDraft {
  const first = flows[0]!
  const packets = flows.reduce((n, f) => n + f.packets.fwd + f.packets.rev, 0)
  const traffic: TrafficMatch = { src: first.initiator.ip, dst: first.responder.ip }
  const proto = new Set(flows.map((f) => f.proto)).size === 1 ? matchProto(first.proto) : undefined
  if (proto) traffic.proto = proto
  return {
    key,
    message: `${plural(packets, 'packet')} in ${plural(flows.length, 'flow')} from ${first.initiator.ip} to ${first.responder.ip} at the border: the private network ${privateNet} is routed beyond it`,
    count: packets,
    evidence: inOrder(flows.map((f) => flowWhere(obs, f))),
    filter: and(addrIs(first.initiator.ip), addrIs(first.responder.ip)),
    flow: first,
    traffic,
  }
}

function routeLeak(key: string, events: RouteEvent[]): FindingDraft {
  const first = events[0]!
  const evidence = inOrder(events.map((r) => r.at))
  return {
    key,
    message: `${first.peer} announced ${first.prefix}, inside the private network, to ${first.to} (${plural(events.length, 'announcement')})`,
    count: events.length,
    evidence,
    filter: updateFilter('announce', [first.peer], first.prefix, evidence.map((w) => w.frame)),
    traffic: { src: first.peer, dst: first.to, proto: 'tcp' },
  }
}
