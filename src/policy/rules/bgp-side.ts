/**
 * BGP helpers shared by the route rules: which speakers are the Azure Stack side (rules.md "Who
 * announces"), prefix tests, and display filters for the UPDATEs that carried a prefix.
 */
import type { Observations, RouteEvent, Where } from '../../observe/model.js'
import { parsePrefix, prefixCovers, type Prefix } from '../cidr.js'
import { and, framesIn, or, srcIs } from '../filter.js'
import type { PolicyView } from '../view.js'

/**
 * Speakers whose announcements are the Azure Stack side's: the TOR addresses of `bgp.peers`, and any
 * speaker that sent an AS_PATH starting with azsAsn or slbAsn, or an OPEN with one of them. Withdraws
 * carry no AS_PATH, so the speaker, once known, vouches for them.
 */
export function azureSideSpeakers(obs: Observations, p: PolicyView): Set<string> {
  const b = p.policy.bgp ?? {}
  const asns = new Set<number>([b.azsAsn, b.slbAsn].filter((n): n is number => typeof n === 'number'))
  const out = new Set<string>((b.peers ?? []).map((x) => x.tor))
  for (const r of obs.routes) {
    const head = r.asPath[0]
    if (r.kind === 'announce' && head !== undefined && asns.has(head)) out.add(r.peer)
  }
  for (const s of obs.bgpSessions) {
    for (const o of s.opens) if (asns.has(o.as4 ?? o.myAs)) out.add(o.from)
  }
  return out
}

/** True when the policy says enough to tell the Azure Stack side: peers, azsAsn or slbAsn. */
export function canTellAzureSide(p: PolicyView): boolean {
  const b = p.policy.bgp ?? {}
  return (b.peers?.length ?? 0) > 0 || typeof b.azsAsn === 'number' || typeof b.slbAsn === 'number'
}

/** True when some prefix of `set` covers all of `prefix` (unparsable prefixes are never inside). */
export function prefixInside(prefix: string, set: readonly Prefix[]): boolean {
  const p = parsePrefix(prefix)
  return p !== null && set.some((outer) => prefixCovers(outer, p))
}

/** Route events in time order (capture order where times tie or are missing). */
export function routesInTimeOrder(routes: readonly RouteEvent[]): RouteEvent[] {
  return routes
    .map((r, i) => ({ r, i }))
    .sort((x, y) => timeOrder(x.r.at, y.r.at) || x.i - y.i)
    .map((x) => x.r)
}

function timeOrder(a: Where, b: Where): number {
  const ta = Number.isNaN(a.t) ? Infinity : a.t
  const tb = Number.isNaN(b.t) ? Infinity : b.t
  if (ta !== tb) return ta < tb ? -1 : 1
  return a.fileIndex - b.fileIndex || a.frame - b.frame
}

/**
 * The UPDATEs in which `peers` announced (or withdrew) `prefix`: Wireshark's IPv4 NLRI fields;
 * IPv6 prefixes travel in MP_REACH/MP_UNREACH, so for them the frames are named instead.
 */
export function updateFilter(kind: 'announce' | 'withdraw', peers: readonly string[], prefix: string, frames: readonly number[]): string {
  const p = parsePrefix(prefix)
  if (!p || p.bytes.length !== 4) return framesIn(frames)
  const net = Array.from(p.bytes).join('.')
  const field = kind === 'announce' ? 'bgp.nlri_prefix' : 'bgp.withdrawn_prefix'
  return and('bgp.type == 2', or(...peers.map(srcIs)), `${field} == ${net}`, `bgp.prefix_length == ${p.length}`)
}
