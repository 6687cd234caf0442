/**
 * VXLAN: Virtual eXtensible Local Area Network, RFC 7348. Carried in UDP
 * (IANA port 4789; Linux uses 8472); the payload is a whole inner Ethernet frame.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|R|R|R|I|R|R|R|            Reserved                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Supported: the flags byte and the VNI. A clear I flag (RFC 7348 §5: it "MUST be set
 * to 1 for a valid VXLAN Network ID") is not a decode error here: the inner frame is
 * still decoded and the `vxlan-format` rule judges the flag, as policy.
 * Not supported: Group Policy (VXLAN-GBP) and GPE bits; they are kept in `flags`.
 */
import { put24, put8, u24, u8 } from './bytes.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { VxlanRecord } from './record.js'

export const Field = {
  FLAGS: 0,
  VNI: 4,
} as const

export const HEADER_LEN = 8

/** RFC 7348 §5: the I flag, set when the VNI is valid. */
export const FLAG_VNI_VALID = 0x08

export interface Fields {
  /** The first byte of the header. */
  flags: number
  vni: number
}

export interface Header extends Fields {
  payloadOffset: number
  payloadEnd: number
}

export function create(): Header {
  return { flags: 0, vni: 0, payloadOffset: 0, payloadEnd: 0 }
}

export function decode(bytes: Uint8Array, offset: number, end: number, out: Header, endSource: LenSource = 'capture'): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) return truncated('vxlan', 'header', HEADER_LEN, have, offset, endSource)
  out.flags = u8(bytes, offset + Field.FLAGS)
  out.vni = u24(bytes, offset + Field.VNI)
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

export function encodingLength(): number {
  return HEADER_LEN
}

export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  bytes.fill(0, offset, offset + HEADER_LEN)
  put8(bytes, offset + Field.FLAGS, f.flags)
  put24(bytes, offset + Field.VNI, f.vni)
  return offset + HEADER_LEN
}

export function describe(h: Header): string {
  return `VXLAN vni=${h.vni} flags=0x${h.flags.toString(16).padStart(2, '0')}`
}

export function toRecord(h: Header): VxlanRecord {
  return { type: 'vxlan', vni: h.vni, flags: h.flags }
}
