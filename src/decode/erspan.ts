/**
 * ERSPAN: Cisco's Encapsulated Remote SPAN, carried in GRE (draft-foschiano-erspan).
 * GRE protocol 0x88be is type II (with a GRE sequence number) or type I (without,
 * and without an ERSPAN header); 0x22eb is type III. The payload is the mirrored
 * Ethernet frame.
 *
 *   Type II (8 bytes):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Ver  |          VLAN         | COS | En|T|    Session ID     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Reserved         |                  Index                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Type III (12 bytes, + 8 when the O bit announces a platform sub-header):
 *   | Ver | VLAN | COS | BSO | T | Session ID | Timestamp (32) | SGT (16) | P|FT|HW ID|D|Gra|O |
 *
 * Supported: version, VLAN, session id; the header length for types I, II and III.
 * Not supported: the type III platform sub-header contents (skipped).
 */
import { put16, put32, u16, u8 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import type { ErspanRecord } from './record.js'

export const HEADER_LEN_II = 8
export const HEADER_LEN_III = 12
export const PLATFORM_SUBHEADER_LEN = 8
export const HEADER_LEN = HEADER_LEN_II

export interface Fields {
  /** 1 = type II, 2 = type III (the header's Ver field); 0 = type I (no header). */
  version: number
  vlan: number
  sessionId: number
}

export interface Header extends Fields {
  headerLength: number
  payloadOffset: number
  payloadEnd: number
}

export function create(): Header {
  return { version: 0, vlan: 0, sessionId: 0, headerLength: 0, payloadOffset: 0, payloadEnd: 0 }
}

/**
 * `type` comes from the GRE header: 1 for 0x88be without a sequence number (type I,
 * no ERSPAN header), 2 for 0x88be with one, 3 for 0x22eb.
 */
export function decode(bytes: Uint8Array, offset: number, end: number, out: Header, type: 1 | 2 | 3, endSource: LenSource = 'capture'): Decoded {
  const have = end - offset
  if (type === 1) {
    out.version = 0; out.vlan = 0; out.sessionId = 0; out.headerLength = 0
    out.payloadOffset = offset; out.payloadEnd = end
    return OK
  }
  const base = type === 2 ? HEADER_LEN_II : HEADER_LEN_III
  if (have < base) return truncated('erspan', 'header', base, have, offset, endSource)
  const first = u16(bytes, offset)
  out.version = first >> 12
  if (out.version !== type - 1) return malformed('erspan', 'version', out.version, `${type - 1} for ERSPAN type ${type === 2 ? 'II' : 'III'}`, offset)
  out.vlan = first & 0x0fff
  out.sessionId = u16(bytes, offset + 2) & 0x03ff
  let len = base
  if (type === 3 && (u8(bytes, offset + 11) & 0x01) !== 0) len += PLATFORM_SUBHEADER_LEN
  if (have < len) return truncated('erspan', 'header', len, have, offset, endSource)
  out.headerLength = len
  out.payloadOffset = offset + len
  out.payloadEnd = end
  return OK
}

export function encodingLength(f: Fields): number {
  return f.version === 0 ? 0 : f.version === 1 ? HEADER_LEN_II : HEADER_LEN_III
}

export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  const len = encodingLength(f)
  if (len === 0) return offset
  bytes.fill(0, offset, offset + len)
  put16(bytes, offset, ((f.version & 0xf) << 12) | (f.vlan & 0x0fff))
  put16(bytes, offset + 2, f.sessionId & 0x03ff)
  put32(bytes, offset + 4, 0)
  return offset + len
}

export function describe(h: Header): string {
  return `ERSPAN type ${['I', 'II', 'III'][h.version] ?? '?'} session=${h.sessionId} vlan=${h.vlan}`
}

export function toRecord(h: Header): ErspanRecord {
  return { type: 'erspan', version: h.version, vlan: h.vlan, sessionId: h.sessionId }
}
