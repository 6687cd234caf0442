/**
 * UDP: User Datagram Protocol, RFC 768.
 *
 *    0      7 8     15 16    23 24    31
 *   +--------+--------+--------+--------+
 *   |   Source Port   |Destination Port |
 *   +--------+--------+--------+--------+
 *   |     Length      |    Checksum     |
 *   +--------+--------+--------+--------+
 *   |          data octets ...
 *
 * Supported: all header fields; payload bounds taken from the Length field.
 * Not supported: checksum verification (a capture taken on the sending host
 * holds offloaded checksums that the NIC has not filled in yet), IPv6
 * jumbograms (Length 0, RFC 2675; reported as malformed), UDP-Lite.
 */
import { put16, u16 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import type { UdpRecord } from './record.js'

/** Byte offset of each field from the start of the UDP header. */
export const Field = {
  SRC_PORT: 0,
  DST_PORT: 2,
  LENGTH: 4,
  CHECKSUM: 6,
} as const

/** Header size in bytes; also the smallest valid Length. */
export const HEADER_LEN = 8

/** The header fields exactly as they are on the wire. */
export interface Fields {
  srcPort: number
  dstPort: number
  /** Header plus payload, in bytes, as the sender claims. */
  length: number
  checksum: number
}

/** A decoded header: the wire fields plus where the payload lies in the frame. */
export interface Header extends Fields {
  /** Offset of the first payload byte, from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last payload byte that was captured (never past `offset + length`). */
  payloadEnd: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return { srcPort: 0, dstPort: 0, length: 0, checksum: 0, payloadOffset: 0, payloadEnd: 0 }
}

/**
 * Decode the UDP header that starts at `offset` into `out`.
 *
 * `end` is where the enclosing layer says the datagram ends, and `endSource`
 * says which length set it. On a 'header' issue or a malformed one, `out`
 * is left partly written and must not be used. A 'payload' issue keeps the
 * header and cuts the payload at `end`.
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
    return truncated('udp', 'header', HEADER_LEN, have, offset, endSource)
  }

  // RFC 768: Length "is the length in octets of this user datagram including
  // this header and the data. (This means the minimum value of the length is eight.)"
  const length = u16(bytes, offset + Field.LENGTH)
  if (length < HEADER_LEN) {
    return malformed('udp', 'length', length, `>= ${HEADER_LEN}`, offset)
  }

  out.srcPort = u16(bytes, offset + Field.SRC_PORT)
  out.dstPort = u16(bytes, offset + Field.DST_PORT)
  out.length = length
  out.checksum = u16(bytes, offset + Field.CHECKSUM)
  out.payloadOffset = offset + HEADER_LEN

  // Bytes past `length` are link-layer padding (Ethernet pads frames to 60
  // bytes), so the payload ends at `length`, not at `end`.
  if (length <= have) {
    out.payloadEnd = offset + length
    return OK
  }
  out.payloadEnd = end
  return truncated('udp', 'payload', length, have, offset, endSource)
}

/** Bytes `encode` writes. */
export function encodingLength(): number {
  return HEADER_LEN
}

/**
 * Write `f` at `offset`, byte for byte, with no fixing up, so tests can build
 * malformed headers too. Returns the offset just past the header.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  put16(bytes, offset + Field.SRC_PORT, f.srcPort)
  put16(bytes, offset + Field.DST_PORT, f.dstPort)
  put16(bytes, offset + Field.LENGTH, f.length)
  put16(bytes, offset + Field.CHECKSUM, f.checksum)
  return offset + HEADER_LEN
}

/** One line for debug output: "UDP 33000 -> 53 len=40". */
export function describe(h: Header): string {
  return `UDP ${h.srcPort} -> ${h.dstPort} len=${h.length}`
}

/** The `udp` layer of a decode record (`quoted` is added by the caller). */
export function toRecord(h: Header): UdpRecord {
  return { type: 'udp', srcPort: h.srcPort, dstPort: h.dstPort, length: h.length }
}
