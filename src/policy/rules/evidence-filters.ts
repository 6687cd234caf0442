/**
 * Display-filter pieces the deployment and transition rules share, on top of
 * ../filter.ts: a query direction for DNS/NTP, a time bound for phase rules, name
 * patterns, and frame lists for evidence no field describes.
 */
import type { Where } from '../../observe/model.js'
import { and, dstIs, framesIn, literal, or, port, srcIs } from '../filter.js'

/** evaluate.ts keeps at most this many evidence frames per finding (the contract's "at most 20"). */
export const FILTER_FRAMES = 20

/**
 * `frame.number in {...}` for the frames evaluate.ts will cite: those of the
 * first evidence's file, first ones first, at most FILTER_FRAMES.
 */
export function framesOf(evidence: readonly Where[]): string {
  const first = evidence[0]
  if (!first) return framesIn([])
  const frames = evidence.filter((w) => w.file === first.file).map((w) => w.frame)
  return framesIn([...new Set(frames)].sort((a, b) => a - b).slice(0, FILTER_FRAMES))
}

/** Seconds as Wireshark's frame.time_epoch wants them: no exponent, at most nine decimals. */
function epochText(t: number): string {
  return t.toFixed(9).replace(/\.?0+$/, '')
}

/** Packets at or after `t` (seconds since the epoch). */
export function timeFrom(t: number): string {
  return `frame.time_epoch >= ${epochText(t)}`
}

/** Packets before `t`. */
export function timeBefore(t: number): string {
  return `frame.time_epoch < ${epochText(t)}`
}

/** Requests to a service port over the protocols used: `udp.dstport == 53`, or either when both were seen. */
export function servicePort(protos: ReadonlySet<'udp' | 'tcp'>, n: number): string {
  const parts: string[] = []
  if (protos.has('udp')) parts.push(port('udp', 'dst', n))
  if (protos.has('tcp')) parts.push(port('tcp', 'dst', n))
  return or(...parts)
}

/** `ip.src == c && ip.dst == s && udp.dstport == 53` (either protocol as seen). */
export function requestFilter(client: string, server: string, protos: ReadonlySet<'udp' | 'tcp'>, dstPort: number): string {
  return and(srcIs(client), dstIs(server), servicePort(protos, dstPort))
}

/** `field in {a b}` for addresses of one family (`ip.dst in {...}`), or the single `==` form. */
export function addressIn(side: 'src' | 'dst' | 'addr', ips: readonly string[]): string {
  const v6 = ips.some((ip) => ip.includes(':'))
  const field = `${v6 ? 'ipv6' : 'ip'}.${side}`
  if (ips.length === 1) return `${field} == ${ips[0]}`
  return `${field} in {${ips.join(' ')}}`
}

/** Escapes regular-expression syntax in a DNS name. */
function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * A name field equal to `pattern`, or for `*.suffix` any name ending in `.suffix`
 * (Wireshark's `matches` is case-insensitive, as DNS names are).
 */
export function namePattern(field: string, pattern: string): string {
  if (pattern.startsWith('*.')) return `${field} matches ${literal(`${regexEscape(pattern.slice(1))}$`)}`
  return `${field} == ${literal(pattern)}`
}
