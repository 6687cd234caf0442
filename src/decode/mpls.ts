/**
 * MPLS label stack (RFC 3032), after EtherType 0x8847 (unicast) or 0x8848 (multicast).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Label                  | TC  |S|      TTL      |  one entry, repeated
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  until S (bottom of stack) is 1
 *
 * Supported: the whole stack as one layer (as Wireshark shows it), up to
 * MAX_MPLS_LABELS entries; what follows the bottom entry is told by its first
 * nibble (4 IPv4, 6 IPv6), as label-switching routers do for plain IP.
 * Not supported: pseudowire control words and Ethernet-over-MPLS (payload).
 */
import { put32, u32 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import { MAX_MPLS_LABELS } from './limits.js'
import type { MplsRecord } from './record.js'

export const ENTRY_LEN = 4
export const HEADER_LEN = ENTRY_LEN

export interface Entry {
  label: number
  tc: number
  bottom: boolean
  ttl: number
}

export interface Fields {
  entries: Entry[]
}

export interface Header extends Fields {
  /** Entries in use in `entries` (the array is reused across frames). */
  count: number
  /** IP version nibble of the first payload byte (4, 6) or 0 when neither / no byte. */
  payloadVersion: number
  payloadOffset: number
  payloadEnd: number
}

export function create(): Header {
  return { entries: [], count: 0, payloadVersion: 0, payloadOffset: 0, payloadEnd: 0 }
}

export function decode(bytes: Uint8Array, offset: number, end: number, out: Header, endSource: LenSource = 'capture'): Decoded {
  let p = offset
  out.count = 0
  for (;;) {
    if (end - p < ENTRY_LEN) return truncated('mpls', 'header', p - offset + ENTRY_LEN, end - offset, offset, endSource)
    if (out.count === MAX_MPLS_LABELS) {
      return malformed('mpls', 'labels', out.count + 1, `<= ${MAX_MPLS_LABELS} stacked labels`, offset)
    }
    const v = u32(bytes, p)
    const e = out.entries[out.count] ?? (out.entries[out.count] = { label: 0, tc: 0, bottom: false, ttl: 0 })
    e.label = Math.floor(v / 0x1000)
    e.tc = (v >>> 9) & 0x7
    e.bottom = ((v >>> 8) & 1) === 1
    e.ttl = v & 0xff
    out.count++
    p += ENTRY_LEN
    if (e.bottom) break
  }
  out.payloadOffset = p
  out.payloadEnd = end
  const nibble = p < end ? bytes[p]! >> 4 : 0
  out.payloadVersion = nibble === 4 || nibble === 6 ? nibble : 0
  return OK
}

export function encodingLength(f: Fields): number {
  return f.entries.length * ENTRY_LEN
}

export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  let p = offset
  for (const e of f.entries) {
    put32(bytes, p, ((e.label & 0xfffff) * 0x1000 + ((e.tc & 7) << 9) + ((e.bottom ? 1 : 0) << 8) + (e.ttl & 0xff)) >>> 0)
    p += ENTRY_LEN
  }
  return p
}

export function describe(h: Header): string {
  return `MPLS ${h.entries.slice(0, h.count).map((e) => `label=${e.label} ttl=${e.ttl}`).join(' / ')}`
}

export function toRecord(h: Header): MplsRecord {
  return { type: 'mpls', labels: h.entries.slice(0, h.count).map((e) => ({ label: e.label, tc: e.tc, ttl: e.ttl })) }
}
