/**
 * Ethernet II / IEEE 802.3 MAC header (LINKTYPE_ETHERNET, 1).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Destination MAC address (6 bytes)              |
 *   +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                               |                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *   |                  Source MAC address (6 bytes)                 |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   EtherType or 802.3 Length   |  payload ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Supported: both addresses and the type field, kept raw. A value up to
 * 1500 (`MAX_8023_LENGTH`) is an IEEE 802.3 length, not an EtherType: it is
 * kept as it is and the frame loop treats what follows as payload.
 * Not supported: 802.2 LLC / SNAP decoding, the FCS (LINKTYPE_ETHERNET
 * frames normally carry none; a trailing FCS stays at the end of the payload),
 * clamping the payload to an 802.3 length (the padding stays in the payload).
 * No field value is forbidden, so this decoder only reports truncation.
 */
import { put16, put8, u16, u8 } from './bytes.js'
import { hexColon } from './format.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { EthRecord } from './record.js'

/** Byte offset of each field from the start of the Ethernet header. */
export const Field = {
  DST: 0,
  SRC: 6,
  ETHER_TYPE: 12,
} as const

/** Header size in bytes (no 802.1Q tag; tags are their own `vlan` layers). */
export const HEADER_LEN = 14

/** Bytes in a MAC address. */
export const MAC_LEN = 6

/** IEEE 802.3: type field values up to 1500 are a payload length (values 1501-1535 are undefined). */
export const MAX_8023_LENGTH = 1500

/** The header fields exactly as they are on the wire. */
export interface Fields {
  /** Destination MAC, 6 bytes. */
  dst: Uint8Array
  /** Source MAC, 6 bytes. */
  src: Uint8Array
  /** EtherType, or an 802.3 length when <= 1500. */
  etherType: number
}

/** A decoded header: the wire fields plus where the payload lies. */
export interface Header extends Fields {
  /** Offset of the first byte after the type field, from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last captured byte (the frame's end, padding included). */
  payloadEnd: number
}

/**
 * A zeroed header to decode into. Allocate once, reuse for every packet: the
 * two address arrays are owned by the header and overwritten by each decode.
 */
export function create(): Header {
  return {
    dst: new Uint8Array(MAC_LEN), src: new Uint8Array(MAC_LEN), etherType: 0,
    payloadOffset: 0, payloadEnd: 0,
  }
}

/** True when the type field is an IEEE 802.3 length rather than an EtherType. */
export function isLength(h: Fields): boolean {
  return h.etherType <= MAX_8023_LENGTH
}

/**
 * Decode the Ethernet header that starts at `offset` into `out`. The MAC
 * addresses are copied into `out`'s own arrays, so `out` stays valid after the
 * frame buffer is reused. On an issue `out` must not be used.
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
    return truncated('eth', 'header', HEADER_LEN, have, offset, endSource)
  }

  // Twelve one-byte copies: cheaper than `set(subarray())`, which allocates a view.
  const dst = out.dst
  const src = out.src
  for (let i = 0; i < MAC_LEN; i++) {
    dst[i] = u8(bytes, offset + Field.DST + i)
    src[i] = u8(bytes, offset + Field.SRC + i)
  }
  out.etherType = u16(bytes, offset + Field.ETHER_TYPE)
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

/** Bytes `encode` writes. */
export function encodingLength(): number {
  return HEADER_LEN
}

/**
 * Write `f` at `offset` with no fixing up. Each address is written as 6 bytes:
 * a shorter array is padded with zeros, a longer one cut. Returns the offset
 * just past the header.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  for (let i = 0; i < MAC_LEN; i++) {
    put8(bytes, offset + Field.DST + i, f.dst[i] ?? 0)
    put8(bytes, offset + Field.SRC + i, f.src[i] ?? 0)
  }
  put16(bytes, offset + Field.ETHER_TYPE, f.etherType)
  return offset + HEADER_LEN
}

/** One line for debug output: "Ethernet 00:20:d2:5a:fb:3f -> ff:ff:ff:ff:ff:ff type=0x0800" (or "len=46"). */
export function describe(h: Header): string {
  const type = isLength(h) ? `len=${h.etherType}` : `type=0x${h.etherType.toString(16).padStart(4, '0')}`
  return `Ethernet ${hexColon(h.src, 0, MAC_LEN)} -> ${hexColon(h.dst, 0, MAC_LEN)} ${type}`
}

/** The `eth` layer of a decode record. */
export function toRecord(h: Header): EthRecord {
  return { type: 'eth', src: hexColon(h.src, 0, MAC_LEN), dst: hexColon(h.dst, 0, MAC_LEN), etherType: h.etherType }
}
