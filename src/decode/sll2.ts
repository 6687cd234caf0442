/**
 * Linux "cooked" capture header, version 2 (LINKTYPE_LINUX_SLL2, 276): SLL
 * with the interface index. https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Protocol type         |       Reserved (MBZ)          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Interface index                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          ARPHRD_ type         |  Packet type  | Address length|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                                                               |
 *   +        Link-layer address (8 bytes, zero-padded)              +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Supported: every field, kept raw; the packet type, ARPHRD and protocol
 * values mean what they mean in SLL (see `sll.ts`, whose constants apply).
 * Not supported: the same as `sll.ts`. A non-zero reserved field is kept in
 * `reserved` and is not an issue: it says nothing about the payload.
 * No field value is forbidden, so this decoder only reports truncation.
 */
import { put16, put32, put8, u16, u32, u8 } from './bytes.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { Sll2Record } from './record.js'
import { ADDRESS_BYTES, addressToString, packetTypeName } from './sll.js'

/** Byte offset of each field from the start of the SLL2 header. */
export const Field = {
  PROTOCOL: 0,
  RESERVED: 2,
  IF_INDEX: 4,
  ARPHRD: 8,
  PACKET_TYPE: 10,
  ADDRESS_LENGTH: 11,
  ADDRESS: 12,
} as const

export const HEADER_LEN = 20

/** The header fields exactly as they are on the wire. */
export interface Fields {
  /** EtherType of the payload (or `sll.PROTOCOL_8023` / `sll.PROTOCOL_8022`). */
  protocol: number
  /** Must be zero; kept as captured. */
  reserved: number
  /** Linux interface index the packet was seen on (unsigned 32-bit). */
  ifIndex: number
  /** ARPHRD_* type of the interface (see `sll.Arphrd`). */
  arphrd: number
  /** Linux PACKET_* value (see `sll.PacketType`). */
  packetType: number
  /** Length in bytes of the link-layer address, as the header claims (may exceed 8). */
  addressLength: number
  /** The 8 address bytes as captured; only the first min(addressLength, 8) are meaningful. */
  address: Uint8Array
}

/** A decoded header: the wire fields plus where the payload lies. */
export interface Header extends Fields {
  /** Offset of the first payload byte, from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last captured byte. */
  payloadEnd: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet; `address` is owned by it. */
export function create(): Header {
  return {
    protocol: 0, reserved: 0, ifIndex: 0, arphrd: 0, packetType: 0, addressLength: 0,
    address: new Uint8Array(ADDRESS_BYTES), payloadOffset: 0, payloadEnd: 0,
  }
}

/**
 * Decode the SLL2 header that starts at `offset` into `out`. The address bytes
 * are copied into `out.address`. On an issue `out` must not be used.
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
    return truncated('sll2', 'header', HEADER_LEN, have, offset, endSource)
  }

  out.protocol = u16(bytes, offset + Field.PROTOCOL)
  out.reserved = u16(bytes, offset + Field.RESERVED)
  out.ifIndex = u32(bytes, offset + Field.IF_INDEX)
  out.arphrd = u16(bytes, offset + Field.ARPHRD)
  out.packetType = u8(bytes, offset + Field.PACKET_TYPE)
  out.addressLength = u8(bytes, offset + Field.ADDRESS_LENGTH)
  const address = out.address
  for (let i = 0; i < ADDRESS_BYTES; i++) address[i] = u8(bytes, offset + Field.ADDRESS + i)
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

/** Bytes `encode` writes. */
export function encodingLength(): number {
  return HEADER_LEN
}

/**
 * Write `f` at `offset` with no fixing up (`reserved` and `addressLength` as
 * given); the address is written as 8 bytes (a shorter array is padded with
 * zeros, a longer one cut). Returns the offset just past the header.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  put16(bytes, offset + Field.PROTOCOL, f.protocol)
  put16(bytes, offset + Field.RESERVED, f.reserved)
  put32(bytes, offset + Field.IF_INDEX, f.ifIndex)
  put16(bytes, offset + Field.ARPHRD, f.arphrd)
  put8(bytes, offset + Field.PACKET_TYPE, f.packetType)
  put8(bytes, offset + Field.ADDRESS_LENGTH, f.addressLength)
  for (let i = 0; i < ADDRESS_BYTES; i++) put8(bytes, offset + Field.ADDRESS + i, f.address[i] ?? 0)
  return offset + HEADER_LEN
}

/** One line for debug output: "SLL2 if=26 outgoing 8e:36:06:44:ac:af arphrd=1 proto=0x0806". */
export function describe(h: Header): string {
  const src = addressToString(h.address, h.addressLength)
  return `SLL2 if=${h.ifIndex} ${packetTypeName(h.packetType)} ${src || '-'} arphrd=${h.arphrd} proto=0x${h.protocol.toString(16).padStart(4, '0')}`
}

/** The `sll2` layer of a decode record. */
export function toRecord(h: Header): Sll2Record {
  return {
    type: 'sll2', packetType: h.packetType, protocol: h.protocol,
    src: addressToString(h.address, h.addressLength), arphrd: h.arphrd, ifIndex: h.ifIndex,
  }
}
