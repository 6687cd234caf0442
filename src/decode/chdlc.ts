/**
 * Cisco HDLC (LINKTYPE_C_HDLC, 104): the framing of Cisco serial and POS links.
 *
 *    0               1               2               3
 *   +---------------+---------------+-------------------------------+
 *   |    Address    |    Control    |   Protocol (an EtherType)     |
 *   +---------------+---------------+-------------------------------+
 *
 * Supported: all three fields; the protocol is an EtherType (0x0800 IPv4,
 * 0x86dd IPv6, 0x8847 MPLS) and goes through the EtherType dispatch.
 * Not supported: SLARP (0x8035 on these links) and CDP payloads, kept as payload.
 */
import { put16, put8, u16, u8 } from './bytes.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { ChdlcRecord } from './record.js'

export const Field = {
  ADDRESS: 0,
  CONTROL: 1,
  PROTOCOL: 2,
} as const

export const HEADER_LEN = 4

export interface Fields {
  /** 0x0f unicast, 0x8f broadcast. */
  address: number
  control: number
  protocol: number
}

export interface Header extends Fields {
  payloadOffset: number
  payloadEnd: number
}

export function create(): Header {
  return { address: 0, control: 0, protocol: 0, payloadOffset: 0, payloadEnd: 0 }
}

export function decode(bytes: Uint8Array, offset: number, end: number, out: Header, endSource: LenSource = 'capture'): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) return truncated('chdlc', 'header', HEADER_LEN, have, offset, endSource)
  out.address = u8(bytes, offset + Field.ADDRESS)
  out.control = u8(bytes, offset + Field.CONTROL)
  out.protocol = u16(bytes, offset + Field.PROTOCOL)
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

export function encodingLength(): number {
  return HEADER_LEN
}

export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  put8(bytes, offset + Field.ADDRESS, f.address)
  put8(bytes, offset + Field.CONTROL, f.control)
  put16(bytes, offset + Field.PROTOCOL, f.protocol)
  return offset + HEADER_LEN
}

export function describe(h: Header): string {
  return `Cisco HDLC address=0x${h.address.toString(16)} protocol=0x${h.protocol.toString(16).padStart(4, '0')}`
}

export function toRecord(h: Header): ChdlcRecord {
  return { type: 'chdlc', address: h.address, protocol: h.protocol }
}
