/**
 * Address and prefix matching for rules and observers. Addresses arrive as the
 * text hubcap's decoders print (dotted quad, RFC 5952), so matching parses the
 * text (IPv4 into a number, IPv6 into bytes) and compares prefixes.
 * Strict validation of what users write lives in load.ts (ip-address); this
 * parser only has to accept what it produced.
 */
import { u32 } from '../decode/bytes.js'

export interface Prefix {
  /** 4 or 16 bytes. */
  bytes: Uint8Array
  length: number
  /** The text it was parsed from, normalised (`10.0.0.0/8`, `2001:db8::/32`). */
  text: string
}

/** Parses `a.b.c.d`, an IPv6 address, or either with `/len`. Null when it is not one. */
export function parsePrefix(text: string): Prefix | null {
  const slash = text.indexOf('/')
  const addr = slash < 0 ? text : text.slice(0, slash)
  const bytes = parseAddress(addr)
  if (!bytes) return null
  const max = bytes.length * 8
  let length = max
  if (slash >= 0) {
    const l = text.slice(slash + 1)
    if (!/^\d{1,3}$/.test(l)) return null
    length = Number(l)
    if (length > max) return null
  }
  return { bytes, length, text: slash < 0 ? `${addr}/${max}` : text }
}

/** 4 or 16 bytes of an address in text form, or null. */
export function parseAddress(text: string): Uint8Array | null {
  if (text.includes(':')) return parseIpv6(text)
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!
    if (!/^\d{1,3}$/.test(p)) return null
    const v = Number(p)
    if (v > 255) return null
    out[i] = v
  }
  return out
}

function parseIpv6(text: string): Uint8Array | null {
  const zone = text.indexOf('%')
  const t = zone >= 0 ? text.slice(0, zone) : text
  const halves = t.split('::')
  if (halves.length > 2) return null
  const groups = (s: string): number[] | null => {
    if (s === '') return []
    const out: number[] = []
    const parts = s.split(':')
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseAddress(p)
        if (!v4 || v4.length !== 4) return null
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null
        out.push(parseInt(p, 16))
      }
    }
    return out
  }
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  if (!head || !tail) return null
  const fill = 8 - head.length - tail.length
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail]
  const out = new Uint8Array(16)
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff })
  return out
}

/** True when `addr` (4 or 16 bytes) lies inside `p`. Families never match each other. */
export function prefixContains(p: Prefix, addr: Uint8Array): boolean {
  if (addr.length !== p.bytes.length) return false
  const whole = p.length >> 3
  for (let i = 0; i < whole; i++) if (addr[i] !== p.bytes[i]) return false
  const rest = p.length & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((addr[whole]! ^ p.bytes[whole]!) & mask) === 0
}

/** True when prefix `inner` lies wholly inside `outer`. */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return inner.length >= outer.length && prefixContains(outer, inner.bytes)
}

/**
 * The dotted quad `text` as an unsigned 32-bit number, or -1 when it is not one: what parseAddress
 * accepts for IPv4 (four parts of 1-3 digits, each at most 255), without allocating.
 */
export function ipv4Number(text: string): number {
  const n = text.length
  if (n < 7 || n > 15) return -1
  let value = 0
  let part = 0
  let digits = 0
  let parts = 0
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x2e // the end closes the last part like a dot
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return -1
      part = part * 10 + (c - 0x30)
    } else if (c === 0x2e) {
      if (digits === 0 || part > 255 || ++parts > 4) return -1
      value = value * 256 + part
      part = 0
      digits = 0
    } else {
      return -1
    }
  }
  return parts === 4 ? value : -1
}

/**
 * A set of prefixes (and single addresses) tested against address text. IPv4 text is read into a number
 * and compared with each IPv4 prefix's network and mask, which costs less than a lookup in a cache (the
 * rules test every flow's endpoints against a dozen sets, and a capture may hold a hundred thousand
 * addresses); IPv6 answers are parsed once and cached.
 */
export class AddressSet {
  readonly prefixes: readonly Prefix[]
  /** The IPv4 prefixes as network numbers and masks (unsigned), in the same order. */
  private readonly nets: number[] = []
  private readonly masks: number[] = []
  private readonly hasIpv6: boolean
  private readonly cache = new Map<string, boolean>()

  constructor(texts: readonly (string | null | undefined)[]) {
    const list: Prefix[] = []
    for (const t of texts) {
      if (!t) continue
      const p = parsePrefix(t)
      if (!p) throw new TypeError(`not an address or prefix: ${t}`)
      list.push(p)
      if (p.bytes.length === 4) {
        const mask = p.length === 0 ? 0 : (0xffffffff << (32 - p.length)) >>> 0
        this.nets.push((u32(p.bytes, 0) & mask) >>> 0)
        this.masks.push(mask)
      }
    }
    this.prefixes = list
    this.hasIpv6 = list.some((p) => p.bytes.length === 16)
  }

  get empty(): boolean {
    return this.prefixes.length === 0
  }

  has(ip: string): boolean {
    const v4 = ipv4Number(ip)
    if (v4 >= 0) {
      const nets = this.nets
      const masks = this.masks
      for (let i = 0; i < nets.length; i++) if (((v4 & masks[i]!) >>> 0) === nets[i]) return true
      return false
    }
    if (!this.hasIpv6) return false
    const hit = this.cache.get(ip)
    if (hit !== undefined) return hit
    const bytes = parseAddress(ip)
    const yes = bytes !== null && this.prefixes.some((p) => prefixContains(p, bytes))
    if (this.cache.size > 100_000) this.cache.clear()
    this.cache.set(ip, yes)
    return yes
  }
}
