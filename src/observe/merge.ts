/**
 * One Observations from the shards' parts: the same result whatever the split of frames among
 * them (both directions of a flow always reach one part: src/engine/route.ts).
 *
 * Every list is concatenated and sorted by where its first evidence is (file index, frame), then
 * by a total tie-breaker (the entry's JSON). Two entries with the same first frame come from the
 * same part (a frame goes to one shard), so the tie-breaker only makes the order independent of
 * how entries were built; route events are the exception: the events of one frame keep their wire
 * order (a withdrawal and a re-announcement in one segment must stay in that order), which is the
 * same in every split because the frame is in one part.
 *
 * Joined rather than concatenated:
 *   - tunnels: one aggregate collects packets on every shard its inner pairs route to (and an ICMP
 *     error's on the shard of the pair it quotes), so aggregates with the same identity are summed,
 *     their first/last and evidence frames joined;
 *   - dnsBindings: each part keeps a (name, address) once, at its first answer; the merge keeps the
 *     earliest of the parts';
 *   - spans: per file, the earliest first frame and the latest last frame;
 *   - dropped, flowCount: summed (every flow is counted by one shard: flow/share.ts).
 * Lists longer than their bound (limits.ts) after the merge keep their first entries; the rest is
 * added to `dropped`. Each part kept its first entries too, so the merged list is the one a single
 * part would have kept.
 */
import type { FlowRecord } from '../flow/flow-record.js'
import { compareFlowRecords } from '../flow/tracker.js'
import { compareFlowStart } from './earliest.js'
import * as limits from './limits.js'
import type { CaptureSpan, Observations, TunnelObservation, Where } from './model.js'

export function mergeObservations(parts: Observations[]): Observations {
  const dropped = new Map<string, number>()
  const drop = (list: string, n: number) => { if (n > 0) dropped.set(list, (dropped.get(list) ?? 0) + n) }
  for (const p of parts) for (const [k, n] of Object.entries(p.dropped)) drop(k, n)
  const all = <K extends keyof Observations>(k: K) => parts.flatMap((p) => p[k] as unknown[]) as Observations[K]

  /** `weight`: what an entry cut here adds to `dropped` (1, or for tunnels its frames: see below). */
  const ordered = <T>(list: T[], name: string, first: (e: T) => Where, bound: number, tie: 'json' | 'wire' = 'json', weight?: (e: T) => number): T[] => {
    const sorted = sortByEvidence(list, first, tie)
    if (sorted.length > bound) {
      drop(name, weight ? sorted.slice(bound).reduce((n, e) => n + weight(e), 0) : sorted.length - bound)
      sorted.length = bound
    }
    return sorted
  }

  const flows = keepEarliestFlows(all('flows'), drop)
  const bindings = dedupeBindings(sortByEvidence(all('dnsBindings'), (b) => b.at, 'json'))
  const out: Observations = {
    flows,
    flowCount: parts.reduce((n, p) => n + p.flowCount, 0),
    dns: ordered(all('dns'), 'dns', (x) => x.query, limits.MAX_DNS_TRANSACTIONS),
    dnsBindings: ordered(bindings, 'dnsBindings', (x) => x.at, limits.MAX_DNS_BINDINGS),
    dnsOrphanResponses: ordered(all('dnsOrphanResponses'), 'dnsOrphanResponses', (x) => x.at, limits.MAX_DNS_ORPHANS),
    ntp: ordered(all('ntp'), 'ntp', (x) => x.request, limits.MAX_NTP_EXCHANGES),
    bgpSessions: ordered(all('bgpSessions'), 'bgpSessions', (x) => x.first, limits.MAX_BGP_SESSIONS),
    routes: ordered(all('routes'), 'routes', (x) => x.at, limits.MAX_ROUTE_EVENTS, 'wire'),
    tls: ordered(all('tls'), 'tls', (x) => x.at, limits.MAX_TLS),
    http: ordered(all('http'), 'http', (x) => x.at, limits.MAX_HTTP),
    // A builder with a full tunnel list counts each frame of a tunnel it cannot keep (it cannot tell
    // new aggregates apart without keeping them); an aggregate cut here counts its frames too, so the
    // count is the same however the frames were split over workers.
    tunnels: ordered(joinTunnels(all('tunnels')), 'tunnels', (x) => x.first, limits.MAX_TUNNELS, 'json', (t) => t.packets),
    icmpErrors: ordered(all('icmpErrors'), 'icmpErrors', (x) => x.at, limits.MAX_ICMP_ERRORS),
    spans: joinSpans(all('spans')),
    dropped: {},
  }
  for (const k of [...dropped.keys()].sort()) out.dropped[k] = dropped.get(k)!
  return out
}

/**
 * Sorted by (file index, frame) of the first evidence; ties by JSON, or kept in their order ('wire':
 * Array.prototype.sort is stable). The JSON is built once per entry, and only for entries that tie.
 */
function sortByEvidence<T>(list: T[], first: (e: T) => Where, tie: 'json' | 'wire'): T[] {
  const rows = list.map((e, i) => ({ e, w: first(e), i, json: null as string | null }))
  const json = (r: (typeof rows)[number]) => (r.json ??= JSON.stringify(r.e))
  rows.sort((a, b) => {
    if (a.w.fileIndex !== b.w.fileIndex) return a.w.fileIndex - b.w.fileIndex
    if (a.w.frame !== b.w.frame) return a.w.frame - b.w.frame
    if (tie === 'wire') return 0
    const x = json(a)
    const y = json(b)
    return x < y ? -1 : x > y ? 1 : 0
  })
  return rows.map((r) => r.e)
}

/** The earliest flows up to the bound (as each part kept its earliest), in the tracker's output order. */
function keepEarliestFlows(flows: FlowRecord[], drop: (list: string, n: number) => void): FlowRecord[] {
  if (flows.length > limits.MAX_KEPT_FLOW_RECORDS) {
    flows.sort(compareFlowStart)
    drop('flows', flows.length - limits.MAX_KEPT_FLOW_RECORDS)
    flows.length = limits.MAX_KEPT_FLOW_RECORDS
  }
  return flows.sort(compareFlowRecords)
}

/** The first binding of each (name, address), names compared without case, in the given (sorted) order. */
function dedupeBindings(list: Observations['dnsBindings']): Observations['dnsBindings'] {
  const seen = new Set<string>()
  return list.filter((b) => {
    const key = `${b.name.toLowerCase()}\n${b.address}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function tunnelKey(t: TunnelObservation): string {
  return JSON.stringify([t.first.fileIndex, t.kind, t.outerSrc, t.outerDst, t.vni, t.flags, t.innerSrc, t.innerDst])
}

/** Aggregates of one identity (per file) summed; evidence frames joined, the first ones kept. */
function joinTunnels(list: TunnelObservation[]): TunnelObservation[] {
  const byKey = new Map<string, TunnelObservation>()
  for (const t of list) {
    const key = tunnelKey(t)
    const e = byKey.get(key)
    if (!e) {
      byKey.set(key, { ...t, frames: t.frames.slice(), fragmentedFrames: t.fragmentedFrames.slice() })
      continue
    }
    e.packets += t.packets
    e.fragmented += t.fragmented
    if (t.first.frame < e.first.frame) e.first = t.first
    if (t.last.frame > e.last.frame) e.last = t.last
    e.frames = firstFrames(e.frames, t.frames)
    e.fragmentedFrames = firstFrames(e.fragmentedFrames, t.fragmentedFrames)
  }
  return [...byKey.values()]
}

function firstFrames(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y).slice(0, limits.MAX_EVIDENCE_FRAMES)
}

/** One span per file: the earliest first and the latest last (by frame number) of the parts'. */
function joinSpans(list: CaptureSpan[]): CaptureSpan[] {
  const byFile = new Map<number, CaptureSpan>()
  for (const s of list) {
    const e = byFile.get(s.fileIndex)
    if (!e) {
      byFile.set(s.fileIndex, { ...s })
      continue
    }
    if (s.first && (!e.first || s.first.frame < e.first.frame)) e.first = s.first
    if (s.last && (!e.last || s.last.frame > e.last.frame)) e.last = s.last
    if (e.file === '' && s.file !== '') e.file = s.file
  }
  return [...byFile.values()].sort((a, b) => a.fileIndex - b.fileIndex)
}
