/**
 * BSD loopback encapsulation: LINKTYPE_NULL (0) and LINKTYPE_LOOP (108).
 * https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Address family (AF_* value of the capturing host)         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  packet (IPv4, IPv6, ...)
 *
 * LINKTYPE_NULL writes the family in the byte order of the host that captured,
 * which the file does not record, so the order is detected from the value:
 * the order in which it is a known IP family (`Family`), else the order in
 * which it fits in 16 bits (every AF_* value does; this is Wireshark's rule),
 * else little-endian. LINKTYPE_LOOP (OpenBSD) is always network byte order:
 * the caller says so with `networkOrder`.
 *
 * Supported: the family for IPv4 (2) and IPv6 (10 Linux, 24 NetBSD/OpenBSD,
 * 28 FreeBSD, 30 Darwin), in either byte order.
 * Not supported: other families (OSI, IPX, ...): they are kept as numbers and
 * the payload is left undecoded. No value is forbidden, so this decoder only
 * reports truncation.
 */
import { put32, put32le, u32, u32le } from './bytes.js'
import { OK, truncated, type Decoded } from './issue.js'
import type { NullRecord } from './record.js'

/** Byte offset of each field from the start of the header. */
export const Field = {
  FAMILY: 0,
} as const

export const HEADER_LEN = 4

/** BSD AF_* values that carry IP (they differ between systems for IPv6). */
export const Family = {
  INET: 2,
  INET6_LINUX: 10,
  INET6_BSD: 24,       // NetBSD, OpenBSD, BSD/OS (and Npcap's loopback adapter)
  INET6_FREEBSD: 28,   // FreeBSD, DragonFly BSD
  INET6_DARWIN: 30,    // macOS, iOS
} as const

/** The header fields exactly as they are on the wire. */
export interface Fields {
  /** The address family, read in the byte order it was written in. */
  family: number
  /** True when the family was written big-endian (always so for LINKTYPE_LOOP). */
  bigEndian: boolean
}

/** A decoded header: the wire fields plus where the payload lies. */
export interface Header extends Fields {
  /** Offset of the first payload byte, from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last captured byte. */
  payloadEnd: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return { family: 0, bigEndian: false, payloadOffset: 0, payloadEnd: 0 }
}

/** 4 for AF_INET, 6 for any AF_INET6 value, 0 for anything else. */
export function ipVersion(family: number): 4 | 6 | 0 {
  if (family === Family.INET) return 4
  if (family === Family.INET6_LINUX || family === Family.INET6_BSD ||
      family === Family.INET6_FREEBSD || family === Family.INET6_DARWIN) return 6
  return 0
}

/**
 * Decode the loopback header that starts at `offset` into `out`.
 * `networkOrder` is true for LINKTYPE_LOOP (108): the family is then always
 * big-endian. For LINKTYPE_NULL (0) the order is detected (see the file
 * comment). This layer always starts a frame, so its end is the capture's:
 * the fifth parameter is the byte order, not an `endSource`.
 * On an issue `out` must not be used.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  networkOrder = false,
): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) {
    return truncated('null', 'header', HEADER_LEN, have, offset, 'capture')
  }

  const be = u32(bytes, offset + Field.FAMILY)
  const le = u32le(bytes, offset + Field.FAMILY)
  let bigEndian: boolean
  if (networkOrder) bigEndian = true
  else if (ipVersion(le) !== 0) bigEndian = false
  else if (ipVersion(be) !== 0) bigEndian = true
  else if (le <= 0xffff) bigEndian = false   // the two high bytes are zero: a small little-endian value
  else bigEndian = be <= 0xffff

  out.family = bigEndian ? be : le
  out.bigEndian = bigEndian
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

/** Bytes `encode` writes. */
export function encodingLength(): number {
  return HEADER_LEN
}

/** Write `f.family` at `offset` in the byte order `f.bigEndian` says. Returns the offset just past it. */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  if (f.bigEndian) put32(bytes, offset + Field.FAMILY, f.family)
  else put32le(bytes, offset + Field.FAMILY, f.family)
  return offset + HEADER_LEN
}

/** One line for debug output: "Null family=2 (IPv4, little-endian)". */
export function describe(h: Header): string {
  const v = ipVersion(h.family)
  const what = v === 0 ? 'unknown' : `IPv${v}`
  return `Null family=${h.family} (${what}, ${h.bigEndian ? 'big' : 'little'}-endian)`
}

/** The `null` layer of a decode record. */
export function toRecord(h: Header): NullRecord {
  return { type: 'null', family: h.family }
}
