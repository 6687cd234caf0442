/**
 * GRE: Generic Routing Encapsulation, RFC 2784 with the key and sequence
 * extensions of RFC 2890; NVGRE (RFC 7637); and the enhanced GRE of PPTP
 * (RFC 2637, version 1).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Checksum (optional)      |       Reserved1 (Optional)    |   C (or R, RFC 1701)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Key (optional)                        |   K
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Sequence Number (Optional)                    |   S
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Acknowledgment Number (Optional)                |   A (version 1)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Supported: every optional field; the protocol type is an EtherType (0x0800,
 * 0x86dd, 0x6558 transparent Ethernet bridging = NVGRE when keyed, 0x88be/0x22eb
 * ERSPAN). For NVGRE the key is VSID (24 bits) + FlowID (8 bits). Version 1 keys
 * carry payload length << 16 | call id (PPTP).
 * Not supported: RFC 1701 source routing (R with routing entries): malformed,
 * as RFC 2784 removed it; versions other than 0 and 1 are malformed.
 */
import { put16, put32, u16, u32 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import type { GreRecord } from './record.js'

export const Field = {
  FLAGS_VERSION: 0,
  PROTOCOL: 2,
} as const

export const HEADER_LEN = 4

export const Flag = {
  CHECKSUM: 0x8000,
  ROUTING: 0x4000,
  KEY: 0x2000,
  SEQUENCE: 0x1000,
  ACK: 0x0080,
} as const

/** Transparent Ethernet bridging: an inner Ethernet frame follows (NVGRE when the key is present). */
export const PROTOCOL_TEB = 0x6558

export interface Fields {
  version: number
  protocol: number
  checksum: number | null
  key: number | null
  sequence: number | null
  ack: number | null
}

export interface Header extends Fields {
  /** Bytes of the GRE header, optional fields included. */
  headerLength: number
  payloadOffset: number
  payloadEnd: number
}

export function create(): Header {
  return {
    version: 0, protocol: 0, checksum: null, key: null, sequence: null, ack: null,
    headerLength: HEADER_LEN, payloadOffset: 0, payloadEnd: 0,
  }
}

export function decode(bytes: Uint8Array, offset: number, end: number, out: Header, endSource: LenSource = 'capture'): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) return truncated('gre', 'header', HEADER_LEN, have, offset, endSource)
  const fv = u16(bytes, offset + Field.FLAGS_VERSION)
  out.version = fv & 0x7
  out.protocol = u16(bytes, offset + Field.PROTOCOL)
  if (out.version > 1) return malformed('gre', 'version', out.version, '0 (GRE) or 1 (PPTP)', offset)
  if (fv & Flag.ROUTING) return malformed('gre', 'routing', 1, 'R clear (RFC 1701 source routing is not supported)', offset)
  let len = HEADER_LEN
  const hasChecksum = (fv & Flag.CHECKSUM) !== 0
  const hasKey = (fv & Flag.KEY) !== 0
  const hasSeq = (fv & Flag.SEQUENCE) !== 0
  const hasAck = out.version === 1 && (fv & Flag.ACK) !== 0
  len += (hasChecksum ? 4 : 0) + (hasKey ? 4 : 0) + (hasSeq ? 4 : 0) + (hasAck ? 4 : 0)
  if (have < len) return truncated('gre', 'header', len, have, offset, endSource)
  let p = offset + HEADER_LEN
  out.checksum = hasChecksum ? u16(bytes, p) : null
  if (hasChecksum) p += 4
  out.key = hasKey ? u32(bytes, p) : null
  if (hasKey) p += 4
  out.sequence = hasSeq ? u32(bytes, p) : null
  if (hasSeq) p += 4
  out.ack = hasAck ? u32(bytes, p) : null
  if (hasAck) p += 4
  out.headerLength = len
  out.payloadOffset = offset + len
  out.payloadEnd = end
  return OK
}

export function encodingLength(f: Fields): number {
  return HEADER_LEN + (f.checksum !== null ? 4 : 0) + (f.key !== null ? 4 : 0) + (f.sequence !== null ? 4 : 0) +
    (f.version === 1 && f.ack !== null ? 4 : 0)
}

export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  const hasAck = f.version === 1 && f.ack !== null
  const fv = (f.checksum !== null ? Flag.CHECKSUM : 0) | (f.key !== null ? Flag.KEY : 0) |
    (f.sequence !== null ? Flag.SEQUENCE : 0) | (hasAck ? Flag.ACK : 0) | (f.version & 7)
  put16(bytes, offset, fv)
  put16(bytes, offset + 2, f.protocol)
  let p = offset + HEADER_LEN
  if (f.checksum !== null) { put16(bytes, p, f.checksum); put16(bytes, p + 2, 0); p += 4 }
  if (f.key !== null) { put32(bytes, p, f.key); p += 4 }
  if (f.sequence !== null) { put32(bytes, p, f.sequence); p += 4 }
  if (hasAck) { put32(bytes, p, f.ack!); p += 4 }
  return p
}

/** NVGRE (RFC 7637): a keyed GRE header carrying Ethernet; the key is VSID << 8 | FlowID. */
export function isNvgre(h: Header): boolean {
  return h.version === 0 && h.protocol === PROTOCOL_TEB && h.key !== null
}

export function describe(h: Header): string {
  const key = h.key === null ? '' : isNvgre(h) ? ` vsid=${Math.floor(h.key / 256)} flow=${h.key & 0xff}` : ` key=${h.key}`
  return `GRE v${h.version} protocol=0x${h.protocol.toString(16).padStart(4, '0')}${key}`
}

export function toRecord(h: Header): GreRecord {
  const r: GreRecord = { type: 'gre', protocol: h.protocol, key: h.key, version: h.version, sequence: h.sequence }
  if (isNvgre(h)) { r.vsid = Math.floor(h.key! / 256); r.flowId = h.key! & 0xff }
  return r
}
