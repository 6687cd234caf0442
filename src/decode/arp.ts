/**
 * ARP: Address Resolution Protocol, RFC 826 (also RARP, RFC 903, and InARP,
 * RFC 2390, which share the format).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Hardware type         |         Protocol type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  HW addr len  | Proto addr len|           Operation           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Sender hardware address (HW addr len bytes)                  |
 *   |  Sender protocol address (Proto addr len bytes)               |
 *   |  Target hardware address (HW addr len bytes)                  |
 *   |  Target protocol address (Proto addr len bytes)               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Supported: every field, for any address lengths (Ethernet/IPv4 is 6/4,
 * 28 bytes in all). The whole message, addresses included, must be captured:
 * a shorter one is a 'header' truncation with `need` = 8 + 2 × (hlen + plen).
 * Not supported: checking that the lengths suit the types (hardware type 1
 * with hlen 6, protocol 0x0800 with plen 4) and operation 0 (reserved by
 * RFC 5494): unusual values are facts, not issues, and the record prints such
 * addresses in hex. No field value is forbidden, so this decoder only reports
 * truncation.
 */
import { put16, put8, u16, u8 } from './bytes.js'
import { hex, hexColon, ipv4BytesToString } from './format.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { ArpRecord } from './record.js'

/** Byte offset of each fixed field from the start of the ARP message. */
export const Field = {
  HARDWARE_TYPE: 0,
  PROTOCOL_TYPE: 2,
  HARDWARE_LENGTH: 4,
  PROTOCOL_LENGTH: 5,
  OPERATION: 6,
  /** The four addresses follow here, their sizes set by the two length fields. */
  ADDRESSES: 8,
} as const

/** The fixed part, before the addresses, in bytes. */
export const MIN_HEADER_LEN = 8

/** The whole message for Ethernet hardware and IPv4 protocol addresses (6/4). */
export const ETHERNET_IPV4_LEN = 28

/** Hardware type: Ethernet (10 Mb and every later speed). */
export const HARDWARE_ETHERNET = 1
/** Protocol type: IPv4 (an EtherType). */
export const PROTOCOL_IPV4 = 0x0800

/** Operation codes (IANA "arp-parameters"). */
export const Operation = {
  REQUEST: 1,
  REPLY: 2,
  RARP_REQUEST: 3,
  RARP_REPLY: 4,
  INARP_REQUEST: 8,
  INARP_REPLY: 9,
} as const

/** The message fields exactly as they are on the wire. */
export interface Fields {
  hardwareType: number
  /** An EtherType: 0x0800 for IPv4. */
  protocolType: number
  /** Bytes in each hardware address, as the message claims. */
  hardwareLength: number
  /** Bytes in each protocol address, as the message claims. */
  protocolLength: number
  operation: number
  senderHardware: Uint8Array
  senderProtocol: Uint8Array
  targetHardware: Uint8Array
  targetProtocol: Uint8Array
}

/** A decoded message: the wire fields plus where it ends. */
export interface Header extends Fields {
  /**
   * Offset just past the target protocol address. ARP carries no payload:
   * `payloadOffset === payloadEnd`, and any bytes up to the frame's end are
   * link-layer padding.
   */
  payloadOffset: number
  payloadEnd: number
}

/**
 * A zeroed header to decode into, with room for Ethernet/IPv4 addresses.
 * Allocate once, reuse for every packet: the address arrays are owned by the
 * header, and `decode` replaces one only when a message's address length
 * differs from the array's (so steady Ethernet/IPv4 traffic allocates nothing).
 */
export function create(): Header {
  return {
    hardwareType: 0, protocolType: 0, hardwareLength: 0, protocolLength: 0, operation: 0,
    senderHardware: new Uint8Array(6), senderProtocol: new Uint8Array(4),
    targetHardware: new Uint8Array(6), targetProtocol: new Uint8Array(4),
    payloadOffset: 0, payloadEnd: 0,
  }
}

/** Bytes of a whole message with these address lengths. */
export function messageLength(hardwareLength: number, protocolLength: number): number {
  return MIN_HEADER_LEN + 2 * (hardwareLength + protocolLength)
}

/** Copy `len` bytes at `from` into `into`, or into a new array when `into` has another size. */
function copyAddress(bytes: Uint8Array, from: number, len: number, into: Uint8Array): Uint8Array {
  const a = into.length === len ? into : new Uint8Array(len)
  for (let i = 0; i < len; i++) a[i] = u8(bytes, from + i)
  return a
}

/**
 * Decode the ARP message that starts at `offset` into `out`. Addresses are
 * copied into `out`'s arrays, each exactly as long as its length field says.
 * On an issue `out` must not be used.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  endSource: LenSource = 'capture',
): Decoded {
  const have = end - offset
  if (have < MIN_HEADER_LEN) {
    return truncated('arp', 'header', MIN_HEADER_LEN, have, offset, endSource)
  }
  const hlen = u8(bytes, offset + Field.HARDWARE_LENGTH)
  const plen = u8(bytes, offset + Field.PROTOCOL_LENGTH)
  const need = messageLength(hlen, plen)
  if (have < need) {
    return truncated('arp', 'header', need, have, offset, endSource)
  }

  out.hardwareType = u16(bytes, offset + Field.HARDWARE_TYPE)
  out.protocolType = u16(bytes, offset + Field.PROTOCOL_TYPE)
  out.hardwareLength = hlen
  out.protocolLength = plen
  out.operation = u16(bytes, offset + Field.OPERATION)
  let o = offset + Field.ADDRESSES
  out.senderHardware = copyAddress(bytes, o, hlen, out.senderHardware)
  o += hlen
  out.senderProtocol = copyAddress(bytes, o, plen, out.senderProtocol)
  o += plen
  out.targetHardware = copyAddress(bytes, o, hlen, out.targetHardware)
  o += hlen
  out.targetProtocol = copyAddress(bytes, o, plen, out.targetProtocol)
  o += plen
  out.payloadOffset = o
  out.payloadEnd = o
  return OK
}

/** Bytes `encode` writes for `f`: the fixed part plus the four arrays as they are. */
export function encodingLength(f: Fields): number {
  return MIN_HEADER_LEN + f.senderHardware.length + f.senderProtocol.length +
    f.targetHardware.length + f.targetProtocol.length
}

/**
 * Write `f` at `offset` with no fixing up: the length fields are written as
 * given and each address array is written whole, whether or not its size
 * matches them (so tests can build inconsistent messages). Returns the offset
 * just past the last address.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  put16(bytes, offset + Field.HARDWARE_TYPE, f.hardwareType)
  put16(bytes, offset + Field.PROTOCOL_TYPE, f.protocolType)
  put8(bytes, offset + Field.HARDWARE_LENGTH, f.hardwareLength)
  put8(bytes, offset + Field.PROTOCOL_LENGTH, f.protocolLength)
  put16(bytes, offset + Field.OPERATION, f.operation)
  let o = offset + Field.ADDRESSES
  for (const a of [f.senderHardware, f.senderProtocol, f.targetHardware, f.targetProtocol]) {
    bytes.set(a, o)
    o += a.length
  }
  return o
}

/** A hardware address as the record prints it: lowercase hex with colons ("" when empty). */
export function hardwareToString(a: Uint8Array): string {
  return hexColon(a, 0, a.length)
}

/** A protocol address as the record prints it: a dotted quad for IPv4 (0x0800, 4 bytes), else hex. */
export function protocolToString(protocolType: number, a: Uint8Array): string {
  return protocolType === PROTOCOL_IPV4 && a.length === 4 ? ipv4BytesToString(a) : hex(a)
}

const OPERATION_NAMES: Record<number, string> = {
  1: 'request', 2: 'reply', 3: 'rarp-request', 4: 'rarp-reply', 8: 'inarp-request', 9: 'inarp-reply',
}

/** One line for debug output: "ARP request 172.21.79.97 (00:20:d2:5a:fb:3f) -> 172.21.79.100". */
export function describe(h: Header): string {
  const op = OPERATION_NAMES[h.operation] ?? `op=${h.operation}`
  const spa = protocolToString(h.protocolType, h.senderProtocol)
  const tpa = protocolToString(h.protocolType, h.targetProtocol)
  return `ARP ${op} ${spa} (${hardwareToString(h.senderHardware)}) -> ${tpa}`
}

/** The `arp` layer of a decode record. */
export function toRecord(h: Header): ArpRecord {
  return {
    type: 'arp', hardwareType: h.hardwareType, protocolType: h.protocolType, operation: h.operation,
    senderMac: hardwareToString(h.senderHardware), senderIp: protocolToString(h.protocolType, h.senderProtocol),
    targetMac: hardwareToString(h.targetHardware), targetIp: protocolToString(h.protocolType, h.targetProtocol),
  }
}
