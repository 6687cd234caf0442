/**
 * Report model from the run: captures, decode counts, flows, the protocol summaries drawn from
 * the observations, the phase, and the rule results. Pure: the same inputs give the same report
 * (arrays sorted, keys in the model's order).
 */
import { isoTimestamp, secondsAndNanos } from '../capture/frame.js'
import type { CaptureInfo } from '../capture/open.js'
import type { AnalyzeResult } from '../engine/analyze.js'
import type { Observations, Where } from '../observe/model.js'
import { RoleResolver } from '../observe/roles.js'
import { parsePrefix, prefixCovers } from '../policy/cidr.js'
import { verdictOf, type Evaluation } from '../policy/evaluate.js'
import type { Severity } from '../policy/model.js'
import type { PhaseInfo } from '../policy/rule.js'
import type { EndpointsResult } from '../policy/rules/required-endpoints.js'
import type { PolicyView } from '../policy/view.js'
import { VERSION } from '../version.js'
import {
  REPORT_SCHEMA, type BgpSessionSummary, type ClientActivity, type NtpServerSummary, type Report, type ReportBgp, type ReportDns, type ReportNtp,
  type ReportVxlan, type ResolverSummary, type RouteHistoryEntry,
} from './model.js'

/** Rows kept per summary list: enough to read, bounded for captures with millions of names. */
export const MAX_REPORT_BINDINGS = 500
export const MAX_REPORT_ROUTES = 2000
export const MAX_REPORT_TUNNEL_PAIRS = 500

export interface ReportInputs {
  result: AnalyzeResult
  captures: CaptureInfo[]
  policy: { file: string; name: string | null; sha256: string } | null
  view: PolicyView | null
  phase: PhaseInfo
  evaluation: Evaluation
  endpoints: EndpointsResult | null
  failOn: Severity
  /** ISO time of the run, only with --stamp. */
  generatedAt?: string
}

export function buildReport(i: ReportInputs): Report {
  const obs = i.result.observations
  const roles = i.view ? new RoleResolver(i.view) : null
  const roleOf = (ip: string): string | null => roles?.roleOf(ip) ?? null
  const report: Report = {
    schema: REPORT_SCHEMA,
    tool: { name: 'hubcap', version: VERSION },
    ...(i.generatedAt ? { generatedAt: i.generatedAt } : {}),
    policy: i.policy,
    captures: i.captures.map((c, index) => {
      const span = obs.spans.find((s) => s.fileIndex === index)
      return {
        file: c.file, format: c.format ?? 'pcap', compressed: c.compressed, linkTypes: [...c.linkTypes], packets: c.packets, bytes: c.bytes,
        firstTs: span?.first?.ts || null, lastTs: span?.last?.ts || null,
        warnings: c.warnings.map((w) => ({ offset: w.offset, message: w.message })),
      }
    }),
    decode: { ...i.result.decode },
    flows: {
      count: i.result.flows.count, top: i.result.flows.top, byProto: i.result.flows.byProto, byState: i.result.flows.byState,
      evicted: i.result.flows.evicted,
    },
    dns: dnsSummary(obs, i.phase, roleOf),
    ntp: ntpSummary(obs, i.phase, roleOf),
    bgp: bgpSummary(obs, i.view),
    vxlan: vxlanSummary(obs),
    endpoints: {
      cloud: i.endpoints?.cloud ?? i.view?.policy.cloud ?? null,
      items: (i.endpoints?.endpoints ?? []).map((e) => ({
        name: e.name, purpose: e.purpose, required: e.required, ports: [...e.ports], state: e.state, addresses: [...e.addresses],
      })),
    },
    phase: {
      deploymentComplete: i.phase.completeAt === null ? null : isoSeconds(i.phase.completeAt),
      source: i.phase.source,
      evidence: [...i.phase.evidence],
      graceSeconds: i.phase.graceSeconds,
    },
    rules: i.evaluation.rules,
    findings: i.evaluation.findings,
    verdict: verdictOf(i.evaluation.findings, i.failOn),
    suppressed: i.evaluation.suppressed,
    observationsDropped: { ...obs.dropped },
  }
  return report
}

/** Seconds since the epoch -> ISO 8601 with nine digits (millisecond precision is what a policy gives). */
export function isoSeconds(t: number): string {
  return isoTimestamp(...secondsAndNanos(t))
}

function phaseOf(phase: PhaseInfo, t: number): string {
  if (phase.completeAt === null) return 'all'
  if (t < phase.completeAt) return 'during'
  if (t < phase.completeAt + phase.graceSeconds) return 'grace'
  return 'after'
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const PHASE_ORDER: Record<string, number> = { during: 0, grace: 1, after: 2, all: 3 }

/** First and last frame of something seen over time. */
interface Span { first: Where; last: Where }

/** A frame's time for the report: null for a frame without one (pcapng simple packet block; Where.ts is ''). */
const tsOf = (w: Where): string | null => w.ts || null

function widenSpan(s: Span, w: Where): void {
  // A frame without a time (t NaN) never beats one with a time, and gives way to the first that has one.
  if (w.t < s.first.t || Number.isNaN(s.first.t)) s.first = w
  if (w.t > s.last.t || Number.isNaN(s.last.t)) s.last = w
}

/** One client's count and first/last frame within a group (server and phase). */
interface Activity extends Span { count: number }

/** Requests to one server in one phase: their span, and each client's activity. */
interface Group extends Span { clients: Map<string, Activity> }

function newGroup(w: Where): Group {
  return { first: w, last: w, clients: new Map() }
}

function note(g: Group, w: Where, client: string): void {
  widenSpan(g, w)
  const a = g.clients.get(client)
  if (a) { a.count++; widenSpan(a, w) } else g.clients.set(client, { count: 1, first: w, last: w })
}

/** The group's clients, sorted, and their activity in that order. */
function clientsOf(g: Group, roleOf: (ip: string) => string | null): { clients: string[]; byClient: ClientActivity[] } {
  const clients = [...g.clients.keys()].sort(cmp)
  const byClient = clients.map((client) => {
    const a = g.clients.get(client)!
    return { client, role: roleOf(client), count: a.count, firstTs: tsOf(a.first), lastTs: tsOf(a.last) }
  })
  return { clients, byClient }
}

function dnsSummary(obs: Observations, phase: PhaseInfo, roleOf: (ip: string) => string | null): ReportDns {
  interface Resolver extends Group { server: string; phase: string; queries: number; answered: number; unanswered: number; rcodes: Record<string, number> }
  const groups = new Map<string, Resolver>()
  let answered = 0
  for (const q of obs.dns) {
    const p = phaseOf(phase, q.query.t)
    const key = `${q.server.ip}|${p}`
    let g = groups.get(key)
    if (!g) {
      g = { ...newGroup(q.query), server: q.server.ip, phase: p, queries: 0, answered: 0, unanswered: 0, rcodes: {} }
      groups.set(key, g)
    }
    note(g, q.query, q.client.ip)
    g.queries++
    if (q.response) {
      g.answered++
      answered++
      const r = String(q.response.rcode)
      g.rcodes[r] = (g.rcodes[r] ?? 0) + 1
    } else g.unanswered++
  }
  const resolvers: ResolverSummary[] = [...groups.values()]
    .map((g) => {
      const { clients, byClient } = clientsOf(g, roleOf)
      return {
        server: g.server, phase: g.phase, clients, queries: g.queries,
        answered: g.answered, unanswered: g.unanswered, rcodes: sortedRecord(g.rcodes), firstTs: tsOf(g.first), lastTs: tsOf(g.last),
        byClient,
      }
    })
    .sort((a, b) => (PHASE_ORDER[a.phase]! - PHASE_ORDER[b.phase]!) || b.queries - a.queries || cmp(a.server, b.server))
  const byName = new Map<string, { name: string; addresses: string[]; at: Where }>()
  for (const b of obs.dnsBindings) {
    const e = byName.get(b.name)
    if (e) { if (!e.addresses.includes(b.address)) e.addresses.push(b.address) } else byName.set(b.name, { name: b.name, addresses: [b.address], at: b.at })
  }
  const bindings = [...byName.values()].slice(0, MAX_REPORT_BINDINGS)
    .map((b) => ({ name: b.name, addresses: b.addresses, firstTs: tsOf(b.at), frame: b.at.frame, file: b.at.file }))
  return { queries: obs.dns.length, answered, unanswered: obs.dns.length - answered, resolvers, bindings, bindingsTotal: byName.size }
}

function ntpSummary(obs: Observations, phase: PhaseInfo, roleOf: (ip: string) => string | null): ReportNtp {
  interface Server extends Group { server: string; phase: string; requests: number; replies: number; modes: Set<number>; strata: Set<number> }
  const groups = new Map<string, Server>()
  for (const x of obs.ntp) {
    const p = phaseOf(phase, x.request.t)
    const key = `${x.server.ip}|${p}`
    let g = groups.get(key)
    if (!g) {
      g = { ...newGroup(x.request), server: x.server.ip, phase: p, requests: 0, replies: 0, modes: new Set(), strata: new Set() }
      groups.set(key, g)
    }
    note(g, x.request, x.client.ip)
    g.requests++
    g.modes.add(x.mode)
    if (x.reply) { g.replies++; g.strata.add(x.reply.stratum) }
  }
  const servers: NtpServerSummary[] = [...groups.values()].map((g) => {
    const { clients, byClient } = clientsOf(g, roleOf)
    return {
      server: g.server, phase: g.phase, clients, requests: g.requests, replies: g.replies,
      modes: [...g.modes].sort((a, b) => a - b), strata: [...g.strata].sort((a, b) => a - b),
      firstTs: tsOf(g.first), lastTs: tsOf(g.last), byClient,
    }
  }).sort((a, b) => (PHASE_ORDER[a.phase]! - PHASE_ORDER[b.phase]!) || b.requests - a.requests || cmp(a.server, b.server))
  return { exchanges: obs.ntp.length, servers }
}

function bgpSummary(obs: Observations, view: PolicyView | null): ReportBgp {
  const sessions: BgpSessionSummary[] = obs.bgpSessions.map((s) => ({
    a: `${s.a.ip}:${s.a.port}`,
    b: `${s.b.ip}:${s.b.port}`,
    asns: [...new Set(s.opens.map((o) => o.as4 ?? o.myAs))].sort((x, y) => x - y),
    established: s.keepalives > 0 || s.updates > 0,
    opens: s.opens.length,
    updates: s.updates,
    keepalives: s.keepalives,
    notifications: s.notifications.map((n) => ({ from: n.from, code: n.code, subcode: n.subcode, text: n.text, ts: tsOf(n.at), frame: n.at.frame })),
    reset: s.reset !== null,
    firstTs: tsOf(s.first),
    lastTs: tsOf(s.last),
    file: s.first.file,
  }))
  // Route history: per (peer, prefix), an announcement opens an entry and a withdrawal closes it.
  const routes: RouteHistoryEntry[] = []
  const open = new Map<string, RouteHistoryEntry>()
  const latest = new Map<string, 'announce' | 'withdraw'>()
  for (const r of obs.routes) {
    const key = `${r.peer}|${r.prefix}`
    latest.set(r.prefix, r.kind)
    if (r.kind === 'announce') {
      const cur = open.get(key)
      if (cur) { cur.nextHop = r.nextHop; cur.asPath = [...r.asPath]; continue } // an implicit replacement
      const e: RouteHistoryEntry = {
        prefix: r.prefix, peer: r.peer, nextHop: r.nextHop, asPath: [...r.asPath], announcedTs: tsOf(r.at), announcedFrame: r.at.frame,
        withdrawnTs: null, withdrawnFrame: null, file: r.at.file,
      }
      open.set(key, e)
      routes.push(e)
    } else {
      const cur = open.get(key)
      if (cur) { cur.withdrawnTs = tsOf(r.at); cur.withdrawnFrame = r.at.frame; open.delete(key); continue }
      routes.push({ prefix: r.prefix, peer: r.peer, nextHop: null, asPath: [], announcedTs: null, announcedFrame: null, withdrawnTs: tsOf(r.at), withdrawnFrame: r.at.frame, file: r.at.file })
    }
  }
  const vips: ReportBgp['vips'] = []
  for (const p of view?.expectedVips.prefixes ?? []) {
    const vip = p.text.replace(/\/(32|128)$/, '')
    const exact = `${vip}/${p.bytes.length * 8}`
    const state = latest.get(exact)
    if (state === 'announce') { vips.push({ vip, state: 'announced', prefix: exact }); continue }
    if (state === 'withdraw') { vips.push({ vip, state: 'withdrawn', prefix: exact }); continue }
    const cover = [...open.values()].find((e) => {
      const q = parsePrefix(e.prefix)
      return q !== null && q.length > 0 && prefixCovers(q, p)
    })
    vips.push(cover ? { vip, state: 'covered', prefix: cover.prefix } : { vip, state: 'missing', prefix: null })
  }
  return { sessions, routes: routes.slice(0, MAX_REPORT_ROUTES), vips }
}

function vxlanSummary(obs: Observations): ReportVxlan {
  const vnis = new Set<number>()
  for (const t of obs.tunnels) if (t.vni !== null) vnis.add(t.vni)
  const pairs = new Map<string, ReportVxlan['pairs'][number]>()
  for (const t of obs.tunnels) {
    const key = `${t.kind}|${t.outerSrc}|${t.outerDst}|${t.vni ?? '-'}`
    const p = pairs.get(key)
    if (p) { p.packets += t.packets; p.fragmented += t.fragmented; continue }
    pairs.set(key, { kind: t.kind, outerSrc: t.outerSrc, outerDst: t.outerDst, vni: t.vni, packets: t.packets, fragmented: t.fragmented, firstTs: tsOf(t.first), file: t.first.file, frame: t.first.frame })
  }
  return { vnis: [...vnis].sort((a, b) => a - b), pairs: [...pairs.values()].slice(0, MAX_REPORT_TUNNEL_PAIRS) }
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const k of Object.keys(r).sort()) out[k] = r[k]!
  return out
}
