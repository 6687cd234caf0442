/**
 * Geneve: Generic Network Virtualization Encapsulation, RFC 8926. UDP port 6081.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Variable-Length Options                    |
 *
 * Supported: the fixed header; options are skipped by Opt Len (4-byte units); the
 * protocol type is an EtherType (0x6558 = an inner Ethernet frame).
 * Not supported: decoding individual options. Version other than 0 is malformed
 * (RFC 8926 §3.4: a packet with an unknown version MUST be dropped).
 */
import { put16, put24, put8, u16, u24, u8 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import type { GeneveRecord } from './record.js'

export const Field = {
  VER_OPTLEN: 0,
  FLAGS: 1,
  PROTOCOL: 2,
  VNI: 4,
} as const

export const HEADER_LEN = 8

export interface Fields {
  version: number
  /** Length of the options in bytes (the wire field is in 4-byte words). */
  optionsLength: number
  oam: boolean
  critical: boolean
  protocol: number
  vni: number
}

export interface Header extends Fields {
  payloadOffset: number
  payloadEnd: number
}

export function create(): Header {
  return { version: 0, optionsLength: 0, oam: false, critical: false, protocol: 0, vni: 0, payloadOffset: 0, payloadEnd: 0 }
}

export function decode(bytes: Uint8Array, offset: number, end: number, out: Header, endSource: LenSource = 'capture'): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) return truncated('geneve', 'header', HEADER_LEN, have, offset, endSource)
  const first = u8(bytes, offset + Field.VER_OPTLEN)
  out.version = first >> 6
  if (out.version !== 0) return malformed('geneve', 'version', out.version, '0', offset)
  out.optionsLength = (first & 0x3f) * 4
  const flags = u8(bytes, offset + Field.FLAGS)
  out.oam = (flags & 0x80) !== 0
  out.critical = (flags & 0x40) !== 0
  out.protocol = u16(bytes, offset + Field.PROTOCOL)
  out.vni = u24(bytes, offset + Field.VNI)
  const headerEnd = offset + HEADER_LEN + out.optionsLength
  if (headerEnd > end) return truncated('geneve', 'header', HEADER_LEN + out.optionsLength, have, offset, endSource)
  out.payloadOffset = headerEnd
  out.payloadEnd = end
  return OK
}

export function encodingLength(f: Fields): number {
  return HEADER_LEN + f.optionsLength
}

/** Writes the header; option bytes (optionsLength of them) are zero-filled for the caller to set. */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  put8(bytes, offset + Field.VER_OPTLEN, ((f.version & 3) << 6) | ((f.optionsLength >> 2) & 0x3f))
  put8(bytes, offset + Field.FLAGS, (f.oam ? 0x80 : 0) | (f.critical ? 0x40 : 0))
  put16(bytes, offset + Field.PROTOCOL, f.protocol)
  put24(bytes, offset + Field.VNI, f.vni)
  put8(bytes, offset + 7, 0)
  bytes.fill(0, offset + HEADER_LEN, offset + HEADER_LEN + f.optionsLength)
  return offset + HEADER_LEN + f.optionsLength
}

export function describe(h: Header): string {
  return `Geneve vni=${h.vni} protocol=0x${h.protocol.toString(16).padStart(4, '0')} options=${h.optionsLength}`
}

export function toRecord(h: Header): GeneveRecord {
  return { type: 'geneve', vni: h.vni, protocol: h.protocol, optionsLength: h.optionsLength }
}
