/**
 * ICMP for IPv4, RFC 792 (next-hop MTU: RFC 1191).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |     Code      |          Checksum             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Rest of header (depends on type)              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  data: for error messages, the IP header + the first 8 bytes  |
 *   |  (or more, RFC 1812) of the datagram that caused the error    |
 *
 * Rest of header: echo identifier << 16 | sequence (types 0, 8), gateway
 * address (redirect, 5), pointer << 24 (parameter problem, 12), unused << 16 |
 * next-hop MTU (destination unreachable code 4, "fragmentation needed").
 *
 * Supported: the four header fields; `quotesDatagram` tells the frame loop
 * when the data is a quoted IPv4 datagram; `nextHopMtu` for "fragmentation
 * needed". Echo identifier and sequence stay inside `rest`.
 * Not supported: checksum verification (offloaded checksums), RFC 4884
 * extension objects (their length byte is kept inside `rest`), timestamp and
 * address-mask bodies. Unknown types and codes are facts, not issues; no value
 * is forbidden, so this decoder only reports truncation.
 */
import { put16, put32, put8, u16, u32, u8 } from './bytes.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { IcmpRecord } from './record.js'

/** Byte offset of each field from the start of the ICMP header. */
export const Field = {
  TYPE: 0,
  CODE: 1,
  CHECKSUM: 2,
  REST: 4,
} as const

export const HEADER_LEN = 8

/** ICMPv4 message types (IANA "icmp-parameters"), the ones hubcap names. */
export const Type = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  SOURCE_QUENCH: 4,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  ROUTER_ADVERTISEMENT: 9,
  ROUTER_SOLICITATION: 10,
  TIME_EXCEEDED: 11,
  PARAMETER_PROBLEM: 12,
} as const

/** Destination unreachable code 4: "fragmentation needed and DF set" (RFC 792, RFC 1191). */
export const CODE_FRAGMENTATION_NEEDED = 4

/** The header fields exactly as they are on the wire. */
export interface Fields {
  type: number
  code: number
  checksum: number
  /** The 4 bytes after the checksum as one unsigned 32-bit number (meaning depends on `type`). */
  rest: number
}

/** A decoded header: the wire fields plus where the data lies. */
export interface Header extends Fields {
  /** Offset of the first byte after the 8-byte header, from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last captured byte of the message. */
  payloadEnd: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return { type: 0, code: 0, checksum: 0, rest: 0, payloadOffset: 0, payloadEnd: 0 }
}

/**
 * Decode the ICMP header that starts at `offset` into `out`. `end` is where the
 * IPv4 datagram ends. On an issue `out` must not be used.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  endSource: LenSource = 'capture',
): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) {
    return truncated('icmp', 'header', HEADER_LEN, have, offset, endSource)
  }

  out.type = u8(bytes, offset + Field.TYPE)
  out.code = u8(bytes, offset + Field.CODE)
  out.checksum = u16(bytes, offset + Field.CHECKSUM)
  out.rest = u32(bytes, offset + Field.REST)
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

/**
 * True for the error messages whose data is the start of the datagram that
 * caused them: destination unreachable (3), source quench (4), redirect (5),
 * time exceeded (11) and parameter problem (12). The data then starts with an
 * IPv4 header.
 */
export function quotesDatagram(h: Fields): boolean {
  const t = h.type
  return t === Type.DEST_UNREACHABLE || t === Type.SOURCE_QUENCH || t === Type.REDIRECT ||
    t === Type.TIME_EXCEEDED || t === Type.PARAMETER_PROBLEM
}

/**
 * The next-hop MTU in bytes of a "fragmentation needed" message (type 3 code 4):
 * the low 16 bits of `rest` (RFC 1191 §4). 0 from a router older than RFC 1191.
 * null for every other message.
 */
export function nextHopMtu(h: Fields): number | null {
  if (h.type !== Type.DEST_UNREACHABLE || h.code !== CODE_FRAGMENTATION_NEEDED) return null
  return h.rest & 0xffff
}

/** Bytes `encode` writes. */
export function encodingLength(): number {
  return HEADER_LEN
}

/** Write `f` at `offset` with no fixing up (the checksum as given). Returns the offset just past the header. */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  put8(bytes, offset + Field.TYPE, f.type)
  put8(bytes, offset + Field.CODE, f.code)
  put16(bytes, offset + Field.CHECKSUM, f.checksum)
  put32(bytes, offset + Field.REST, f.rest)
  return offset + HEADER_LEN
}

/** One line for debug output: "ICMP type=3 code=4 mtu=1400" or "ICMP type=8 code=0 id=8 seq=1". */
export function describe(h: Header): string {
  const base = `ICMP type=${h.type} code=${h.code}`
  const mtu = nextHopMtu(h)
  if (mtu !== null) return `${base} mtu=${mtu}`
  if (h.type === Type.ECHO_REQUEST || h.type === Type.ECHO_REPLY) {
    return `${base} id=${h.rest >>> 16} seq=${h.rest & 0xffff}`
  }
  return base
}

/** The `icmp` layer of a decode record (`quoted` is added by the caller). */
export function toRecord(h: Header): IcmpRecord {
  return { type: 'icmp', icmpType: h.type, code: h.code }
}
