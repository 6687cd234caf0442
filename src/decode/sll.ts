/**
 * Linux "cooked" capture header, version 1 (LINKTYPE_LINUX_SLL, 113):
 * what `tcpdump -i any` writes. https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Packet type          |          ARPHRD_ type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Link-layer address length    |                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *   |               Link-layer address (8 bytes, zero-padded)       |
 *   +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                               |         Protocol type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Supported: every field, kept raw. The protocol type is an EtherType for
 * most ARPHRD types; 1 (`PROTOCOL_8023`, Novell 802.3) and 4
 * (`PROTOCOL_8022`, 802.2 LLC) mean the payload is a bare 802.3 / LLC frame,
 * which the frame loop leaves as payload.
 * Not supported: the meaning of the protocol field for ARPHRD_NETLINK (824,
 * a netlink family), ARPHRD_IPGRE (778, a GRE protocol) and other non-Ethernet
 * ARPHRD types: the frame loop maps the value as an EtherType.
 * An address length above 8 is not an issue (Linux keeps only the first 8
 * bytes; InfiniBand reports 20); the record shows the bytes that are there.
 * No field value is forbidden, so this decoder only reports truncation.
 */
import { put16, put8, u16, u8 } from './bytes.js'
import { hexColon } from './format.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { SllRecord } from './record.js'

/** Byte offset of each field from the start of the SLL header. */
export const Field = {
  PACKET_TYPE: 0,
  ARPHRD: 2,
  ADDRESS_LENGTH: 4,
  ADDRESS: 6,
  PROTOCOL: 14,
} as const

export const HEADER_LEN = 16

/** Bytes of link-layer address the header has room for (SLL and SLL2 alike). */
export const ADDRESS_BYTES = 8

/** Linux `PACKET_*` values of the packet type field (SLL and SLL2 alike). */
export const PacketType = {
  HOST: 0,        // sent to us
  BROADCAST: 1,   // broadcast by somebody else
  MULTICAST: 2,   // multicast by somebody else
  OTHERHOST: 3,   // sent by somebody else to somebody else
  OUTGOING: 4,    // sent by us
} as const

/** Some `ARPHRD_*` values (linux/if_arp.h) seen in cooked captures. */
export const Arphrd = {
  ETHER: 1,
  IPGRE: 778,
  LOOPBACK: 772,
  NONE: 0xfffe,
  NETLINK: 824,
  IEEE80211_RADIOTAP: 803,
} as const

/** Protocol value: the payload is a Novell "raw 802.3" frame. */
export const PROTOCOL_8023 = 1
/** Protocol value: the payload starts with an 802.2 LLC header. */
export const PROTOCOL_8022 = 4

/** The header fields exactly as they are on the wire. */
export interface Fields {
  /** Linux PACKET_* value (see `PacketType`). */
  packetType: number
  /** ARPHRD_* type of the interface (see `Arphrd`). */
  arphrd: number
  /** Length in bytes of the link-layer address, as the header claims (may exceed 8). */
  addressLength: number
  /** The 8 address bytes as captured; only the first min(addressLength, 8) are meaningful. */
  address: Uint8Array
  /** EtherType of the payload (or `PROTOCOL_8023` / `PROTOCOL_8022`). */
  protocol: number
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
    packetType: 0, arphrd: 0, addressLength: 0, address: new Uint8Array(ADDRESS_BYTES), protocol: 0,
    payloadOffset: 0, payloadEnd: 0,
  }
}

/**
 * Decode the SLL header that starts at `offset` into `out`. The address bytes
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
    return truncated('sll', 'header', HEADER_LEN, have, offset, endSource)
  }

  out.packetType = u16(bytes, offset + Field.PACKET_TYPE)
  out.arphrd = u16(bytes, offset + Field.ARPHRD)
  out.addressLength = u16(bytes, offset + Field.ADDRESS_LENGTH)
  const address = out.address
  for (let i = 0; i < ADDRESS_BYTES; i++) address[i] = u8(bytes, offset + Field.ADDRESS + i)
  out.protocol = u16(bytes, offset + Field.PROTOCOL)
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

/** Bytes `encode` writes. */
export function encodingLength(): number {
  return HEADER_LEN
}

/**
 * Write `f` at `offset` with no fixing up: `addressLength` is written as given,
 * whatever `address` holds; the address is written as 8 bytes (a shorter array
 * is padded with zeros, a longer one cut). Returns the offset just past the header.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  put16(bytes, offset + Field.PACKET_TYPE, f.packetType)
  put16(bytes, offset + Field.ARPHRD, f.arphrd)
  put16(bytes, offset + Field.ADDRESS_LENGTH, f.addressLength)
  for (let i = 0; i < ADDRESS_BYTES; i++) put8(bytes, offset + Field.ADDRESS + i, f.address[i] ?? 0)
  put16(bytes, offset + Field.PROTOCOL, f.protocol)
  return offset + HEADER_LEN
}

/**
 * The link-layer address as the records print it: the first min(length, 8)
 * bytes as lowercase hex with colons, "" when the length is 0.
 */
export function addressToString(address: Uint8Array, addressLength: number): string {
  return hexColon(address, 0, Math.min(addressLength, ADDRESS_BYTES))
}

const PACKET_TYPE_NAMES = ['host', 'broadcast', 'multicast', 'otherhost', 'outgoing']

/** Name of a packet type for debug output ("outgoing"), or its number. */
export function packetTypeName(packetType: number): string {
  return PACKET_TYPE_NAMES[packetType] ?? String(packetType)
}

/** One line for debug output: "SLL outgoing 8e:36:06:44:ac:af arphrd=1 proto=0x0806". */
export function describe(h: Header): string {
  const src = addressToString(h.address, h.addressLength)
  return `SLL ${packetTypeName(h.packetType)} ${src || '-'} arphrd=${h.arphrd} proto=0x${h.protocol.toString(16).padStart(4, '0')}`
}

/** The `sll` layer of a decode record. */
export function toRecord(h: Header): SllRecord {
  return {
    type: 'sll', packetType: h.packetType, protocol: h.protocol,
    src: addressToString(h.address, h.addressLength), arphrd: h.arphrd,
  }
}
