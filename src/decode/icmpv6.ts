/**
 * ICMPv6: Internet Control Message Protocol for IPv6, RFC 4443 (neighbour
 * discovery message types: RFC 4861).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |     Code      |          Checksum             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Rest of header (depends on type)              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  message body: for error messages (types 1-4), "as much of    |
 *   |  invoking packet as possible without the ICMPv6 packet        |
 *   |  exceeding the minimum IPv6 MTU" (RFC 4443 §3)                |
 *
 * Rest of header: the MTU (packet too big, 2), a pointer (parameter problem,
 * 4), identifier << 16 | sequence (echo, 128 and 129), flags and reserved bits
 * (neighbour discovery).
 *
 * Supported: the four header fields; `quotesDatagram` tells the frame loop
 * when the body is a quoted IPv6 packet; `mtu` for "packet too big". Echo
 * identifier and sequence stay inside `rest`.
 * Not supported: checksum verification (it needs the IPv6 pseudo-header, and
 * captures on the sender hold offloaded checksums), neighbour discovery
 * options, MLD and RPL bodies. Unknown types and codes are facts, not issues;
 * no value is forbidden, so this decoder only reports truncation.
 */
import { put16, put32, put8, u16, u32, u8 } from './bytes.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { IcmpRecord } from './record.js'

/** Byte offset of each field from the start of the ICMPv6 header. */
export const Field = {
  TYPE: 0,
  CODE: 1,
  CHECKSUM: 2,
  REST: 4,
} as const

export const HEADER_LEN = 8

/** ICMPv6 message types (IANA "icmpv6-parameters"), the ones hubcap names. */
export const Type = {
  DEST_UNREACHABLE: 1,
  PACKET_TOO_BIG: 2,
  TIME_EXCEEDED: 3,
  PARAMETER_PROBLEM: 4,
  ECHO_REQUEST: 128,
  ECHO_REPLY: 129,
  ROUTER_SOLICITATION: 133,
  ROUTER_ADVERTISEMENT: 134,
  NEIGHBOR_SOLICITATION: 135,
  NEIGHBOR_ADVERTISEMENT: 136,
  REDIRECT: 137,
} as const

/** The header fields exactly as they are on the wire. */
export interface Fields {
  type: number
  code: number
  checksum: number
  /** The 4 bytes after the checksum as one unsigned 32-bit number (meaning depends on `type`). */
  rest: number
}

/** A decoded header: the wire fields plus where the body lies. */
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
 * Decode the ICMPv6 header that starts at `offset` into `out`. `end` is where
 * the IPv6 packet ends. On an issue `out` must not be used.
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
    return truncated('icmpv6', 'header', HEADER_LEN, have, offset, endSource)
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
 * True for the error messages whose body is the start of the packet that
 * caused them: destination unreachable (1), packet too big (2), time exceeded
 * (3) and parameter problem (4). The body then starts with an IPv6 header.
 * (Other types below 128 are errors too, RFC 4443 §2.1, but none of them has
 * a defined body; redirect, 137, carries the packet inside an option.)
 */
export function quotesDatagram(h: Fields): boolean {
  return h.type >= Type.DEST_UNREACHABLE && h.type <= Type.PARAMETER_PROBLEM
}

/** The MTU in bytes of a "packet too big" message (type 2): all of `rest`. null for every other message. */
export function mtu(h: Fields): number | null {
  return h.type === Type.PACKET_TOO_BIG ? h.rest : null
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

/** One line for debug output: "ICMPv6 type=2 code=0 mtu=1280" or "ICMPv6 type=128 code=0 id=9 seq=1". */
export function describe(h: Header): string {
  const base = `ICMPv6 type=${h.type} code=${h.code}`
  const m = mtu(h)
  if (m !== null) return `${base} mtu=${m}`
  if (h.type === Type.ECHO_REQUEST || h.type === Type.ECHO_REPLY) {
    return `${base} id=${h.rest >>> 16} seq=${h.rest & 0xffff}`
  }
  return base
}

/** The `icmpv6` layer of a decode record (`quoted` is added by the caller). */
export function toRecord(h: Header): IcmpRecord {
  return { type: 'icmpv6', icmpType: h.type, code: h.code }
}
