/**
 * slb-vip-advertised [2.6]: the SLB MUXes announce every VIP as a /32 (the TOR may aggregate the pool
 * toward the border: an aggregate covers). Only the Azure Stack side's announcements count (rules.md
 * "Who announces"); the border's default route covers nothing. The route table is replayed in time
 * order per (speaker, prefix), and a VIP has a route while any Azure Stack speaker announces its /32 or
 * a shorter prefix (not 0.0.0.0/0) containing it. Findings:
 * - an expected VIP never announced nor covered (judged when the capture shows the Azure Stack side
 *   announcing, or starting a session: routes are sent when a session starts);
 * - a VIP withdrawn and not re-announced by the end of the capture: critical for an infrastructure VIP;
 * - flows to a VIP that started while it had no route (after a withdraw, before the re-announcement).
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import type { RouteEvent } from '../../observe/model.js'
import { parseAddress, parsePrefix, prefixContains, type Prefix } from '../cidr.js'
import { and, dstIs, framesIn } from '../filter.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import { azureSideSpeakers, canTellAzureSide, routesInTimeOrder, updateFilter } from './bgp-side.js'
import { flowWhere } from './flow-evidence.js'
import { parseInstant } from '../phase.js'
import { groupBy, inOrder, plural } from './grouping.js'

/** A stretch of time in which a VIP had no route, opened by withdraws. `end` is Infinity while open. */
interface Gap { start: number; end: number; withdraws: RouteEvent[] }

interface VipHistory {
  vip: string
  bytes: Uint8Array
  everCovered: boolean
  covered: boolean
  /** Withdraws of prefixes covering it since it was last announced. */
  pending: RouteEvent[]
  gaps: Gap[]
}

/** `203.0.113.10/32` -> `203.0.113.10`; null for anything shorter than a host route. */
function hostAddress(prefix: string): string | null {
  const p = parsePrefix(prefix)
  return p && p.length === p.bytes.length * 8 ? prefix.slice(0, prefix.indexOf('/')) : null
}

/** True when `p` gives `vip` a route: the /32 itself or an aggregate, never the default route. */
const covers = (p: Prefix, vip: Uint8Array) => p.length > 0 && prefixContains(p, vip)

export const slbVipAdvertised: RuleDefinition = {
  id: 'slb-vip-advertised',
  title: 'Every VIP is announced as a /32 (or covered by an aggregate)',
  severity: 'high',
  group: 'bgp',
  inputs: ['bgp.expectedVips', 'networks.publicVip', 'networks.infraVip', 'bgp.peers', 'bgp.azsAsn', 'bgp.slbAsn'],
  // Any one of peers/azsAsn/slbAsn tells the Azure Stack side's announcements.
  requires: [['bgp.expectedVips'], ['networks.publicVip'], ['bgp.peers', 'bgp.azsAsn', 'bgp.slbAsn']],
  description: 'an expected VIP never announced as a /32 (or covered by an aggregate announcement); a VIP /32 withdrawn and not re-announced: critical when the VIP is in `infraVip`; traffic to a VIP while it had no route',
  reference: '2.6',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs bgp.expectedVips and networks.publicVip')
    if (policy.expectedVips.empty) return notEvaluable('bgp.expectedVips is not set')
    if (policy.publicVip.empty) return notEvaluable('networks.publicVip is not set')
    if (!canTellAzureSide(policy)) return notEvaluable('cannot tell the Azure Stack side\'s announcements: set bgp.peers, bgp.azsAsn or bgp.slbAsn')

    const speakers = azureSideSpeakers(obs, policy)
    const events = routesInTimeOrder(obs.routes.filter((r) => speakers.has(r.peer)))
    const sessionStartSeen = obs.bgpSessions.some((s) => s.opens.some((o) => speakers.has(o.from)))
    const announceSeen = events.some((r) => r.kind === 'announce')
    if (events.length === 0 && !sessionStartSeen) {
      return notEvaluable('no UPDATE and no session start from the Azure Stack side in the capture (routes are sent when a session starts)')
    }

    // The VIPs followed: the expected ones and every host route of the pool the Azure Stack side sent.
    const expected = policy.policy.bgp?.expectedVips ?? []
    const vips = new Map<string, VipHistory>()
    const track = (vip: string) => {
      const bytes = parseAddress(vip)
      if (bytes && !vips.has(vip)) vips.set(vip, { vip, bytes, everCovered: false, covered: false, pending: [], gaps: [] })
    }
    for (const v of expected) track(v)
    for (const r of events) {
      const host = hostAddress(r.prefix)
      if (host !== null && policy.publicVip.has(host)) track(host)
    }

    replay(events, [...vips.values()])

    const findings: FindingDraft[] = []
    for (const h of vips.values()) {
      if (announceSeen || sessionStartSeen) {
        if (expected.includes(h.vip) && !h.everCovered && h.gaps.length === 0) findings.push(neverAnnounced(h.vip, events.length, speakers.size))
      }
      const last = h.gaps[h.gaps.length - 1]
      if (last && last.end === Infinity) findings.push(withdrawnForGood(h.vip, last, policy.infraVip.has(h.vip)))
    }

    // Flows to a VIP that began inside one of its no-route gaps.
    const toVips = obs.flows.filter((f) => f.vni === null && vips.has(f.responder.ip))
    const blackholed = toVips.filter((f) => {
      const t = parseInstant(f.firstTs)
      return vips.get(f.responder.ip)!.gaps.some((g) => t >= g.start && t < g.end)
    })
    for (const [key, flows] of groupBy<FlowRecord>(blackholed, (f) => `no-route ${f.responder.ip}`)) {
      const vip = flows[0]!.responder.ip
      const evidence = inOrder(flows.map((f) => flowWhere(obs, f)))
      findings.push({
        key,
        message: `${plural(flows.length, 'flow')} to VIP ${vip} started while the Azure Stack side announced no route to it (withdrawn, not yet re-announced)`,
        count: flows.length,
        evidence,
        filter: and(dstIs(vip), framesIn(evidence.map((w) => w.frame))),
        flow: flows[0]!,
        traffic: { dst: vip },
      })
    }

    return evaluated(
      `${plural(expected.length, 'expected VIP')}, ${plural(events.length, 'route event')} from the Azure Stack side (${plural(speakers.size, 'speaker')}), ${plural(toVips.length, 'flow')} to VIPs`,
      findings,
    )
  },
}

/** Replays the Azure Stack side's route events in order, keeping each VIP's coverage and gaps. */
function replay(events: readonly RouteEvent[], vips: VipHistory[]): void {
  const announced = new Map<string, { prefix: Prefix; on: boolean }>()
  const coveredNow = (vip: Uint8Array) => [...announced.values()].some((s) => s.on && covers(s.prefix, vip))
  for (const r of events) {
    const prefix = parsePrefix(r.prefix)
    if (!prefix) continue
    const key = `${r.peer} ${prefix.text}`
    // A withdraw of a route never seen announced was announced before the capture began.
    const before = announced.get(key)?.on ?? r.kind === 'withdraw'
    announced.set(key, { prefix, on: r.kind === 'announce' })
    for (const h of vips) {
      if (!covers(prefix, h.bytes)) continue
      if (r.kind === 'announce') {
        h.everCovered = true
        h.pending = []
        const open = h.gaps[h.gaps.length - 1]
        if (open && open.end === Infinity) open.end = r.at.t
        h.covered = true
        continue
      }
      h.pending.push(r)
      const wasCovered = h.covered || before
      h.covered = coveredNow(h.bytes)
      if (wasCovered && !h.covered) h.gaps.push({ start: r.at.t, end: Infinity, withdraws: [...h.pending] })
    }
  }
}

function neverAnnounced(vip: string, events: number, speakers: number): FindingDraft {
  return {
    key: `never ${vip}`,
    message: `expected VIP ${vip} was never announced by the Azure Stack side, neither as a /32 nor inside an aggregate (${plural(events, 'route event')} from ${plural(speakers, 'speaker')} examined)`,
    count: 1,
    evidence: [],
    // Shows no packet: the announcement that should be there.
    filter: and('bgp.type == 2', `bgp.nlri_prefix == ${vip}`),
    traffic: { dst: vip },
  }
}

function withdrawnForGood(vip: string, gap: Gap, infra: boolean): FindingDraft {
  const evidence = inOrder(gap.withdraws.map((r) => r.at))
  const peers = [...new Set(gap.withdraws.map((r) => r.peer))]
  const prefixes = [...new Set(gap.withdraws.map((r) => r.prefix))]
  return {
    key: `withdrawn ${vip}`,
    ...(infra ? { severity: 'critical' as const } : {}),
    message: `VIP ${vip} was withdrawn (${prefixes.join(', ')} by ${peers.join(', ')}) and not re-announced before the capture ended${infra ? ': an infrastructure VIP, so portal, ARM, DNS or identity behind it is unreachable' : ''}`,
    count: gap.withdraws.length,
    evidence,
    filter: prefixes.length === 1
      ? updateFilter('withdraw', peers, prefixes[0]!, evidence.map((w) => w.frame))
      : framesIn(evidence.map((w) => w.frame)),
    traffic: { dst: vip },
  }
}
