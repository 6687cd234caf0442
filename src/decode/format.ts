/**
 * Text forms of addresses, built only at the edge (decode records, reports).
 * Decoders keep numbers and byte arrays; these turn them into the contract's strings.
 */

/**
 * Recent IPv4 texts, direct-mapped by a hash of the address. A capture names few hosts many times, and
 * flow records and observations keep one string per address they hold: with the cache they share one
 * flat string per host instead of each keeping a rope of seven pieces (~200 bytes) built by a template.
 */
const IPV4_CACHE_BITS = 12
const ipv4CacheAddr = new Float64Array(1 << IPV4_CACHE_BITS).fill(-1)
const ipv4CacheText: string[] = new Array<string>(1 << IPV4_CACHE_BITS).fill('')

/** Dotted quad of an unsigned 32-bit IPv4 address. */
export function ipv4ToString(a: number): string {
  const u = a >>> 0
  const slot = Math.imul(u, 0x9e3779b1) >>> (32 - IPV4_CACHE_BITS)
  if (ipv4CacheAddr[slot] === u) return ipv4CacheText[slot]!
  // join builds a flat string (a template literal longer than 12 characters is a rope).
  const text = [u >>> 24, (u >>> 16) & 0xff, (u >>> 8) & 0xff, u & 0xff].join('.')
  ipv4CacheAddr[slot] = u
  ipv4CacheText[slot] = text
  return text
}

const INTERNED: Record<string, unknown> = Object.create(null) as Record<string, unknown>

/**
 * `s` as V8's one shared copy of that text (a property lookup internalizes its key; the string table is
 * weak, so nothing is kept that is not used elsewhere). For text an observation keeps (DNS names, TLS
 * server names): repeated names then share one flat string, and a rope built by concatenation is replaced
 * by it at the next garbage collection. A null (a name the message did not carry) passes through.
 */
export function intern<T extends string | null>(s: T): T {
  if (s !== null) void INTERNED[s]
  return s
}

/** Dotted quad of 4 bytes at `o`. */
export function ipv4BytesToString(b: Uint8Array, o = 0): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`
}

/**
 * RFC 5952 text of 16 bytes at `o`: lowercase hex, no leading zeros, the
 * longest run (first on a tie) of two or more zero groups as `::`, and the
 * IPv4-mapped form `::ffff:a.b.c.d` in dotted quad (RFC 5952 §5).
 */
export function ipv6ToString(b: Uint8Array, o = 0): string {
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((b[o + i] ?? 0) << 8) | (b[o + i + 1] ?? 0))
  const mapped = groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
    groups[4] === 0 && groups[5] === 0xffff
  if (mapped) return `::ffff:${ipv4BytesToString(b, o + 12)}`
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) { bestStart = i; bestLen = j - i }
    i = j
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':')
  if (bestStart < 0) return hex(groups)
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`
}

/** Lowercase colon-separated hex of `len` bytes at `o` (MAC addresses, SLL addresses). */
export function hexColon(b: Uint8Array, o: number, len: number): string {
  let s = ''
  for (let i = 0; i < len; i++) {
    const v = b[o + i] ?? 0
    s += (i ? ':' : '') + (v < 16 ? '0' : '') + v.toString(16)
  }
  return s
}

/** Lowercase hex with no separators (the contract's "hex"). */
export function hex(b: Uint8Array, o = 0, end = b.length): string {
  let s = ''
  for (let i = o; i < end; i++) {
    const v = b[i] ?? 0
    s += (v < 16 ? '0' : '') + v.toString(16)
  }
  return s
}
