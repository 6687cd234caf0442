/**
 * VLAN tag: IEEE 802.1Q C-tag (TPID 0x8100), 802.1ad S-tag (TPID 0x88a8) and
 * the pre-standard QinQ TPID 0x9100.
 *
 * The TPID is the type field of the header before the tag (Ethernet, another
 * tag, SLL), so this layer starts at the Tag Control Information:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | PCP |D|      VLAN ID (VID)    |      EtherType (next)         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   PCP: priority code point (3 bits); D: drop eligible indicator (DEI, 1 bit)
 *
 * Supported: every TCI field, the inner type field kept raw, the TPID that
 * introduced the tag (passed in by the caller, for the decode record).
 * Not supported: checking the TPID against the tag's position (an S-tag inside
 * a C-tag is decoded as it is). VID 0 (priority tag) and VID 0xfff (reserved
 * by 802.1Q) are facts, not issues. No field value is forbidden, so this
 * decoder only reports truncation; the tag count is bounded by the frame loop
 * (`limits.MAX_VLAN_TAGS`).
 */
import { put16, u16 } from './bytes.js'
import { OK, truncated, type Decoded, type LenSource } from './issue.js'
import type { VlanRecord } from './record.js'

/** Byte offset of each field from the first byte after the TPID. */
export const Field = {
  TCI: 0,
  ETHER_TYPE: 2,
} as const

/** Tag bytes after the TPID. */
export const HEADER_LEN = 4

/** IEEE 802.1Q customer tag. */
export const TPID_CTAG = 0x8100
/** IEEE 802.1ad service tag (QinQ outer tag). */
export const TPID_STAG = 0x88a8
/** Pre-standard QinQ outer tag used by some vendors. */
export const TPID_QINQ_LEGACY = 0x9100

/** Largest VLAN ID: 12 bits. 0xfff itself is reserved by 802.1Q but still decoded. */
export const MAX_VID = 0xfff

/** The tag fields exactly as they are on the wire (the TPID is not part of them). */
export interface Fields {
  /** Priority code point, 0..7. */
  pcp: number
  /** Drop eligible indicator (formerly CFI). */
  dei: boolean
  /** VLAN identifier, 0..4095. */
  id: number
  /** Type field of what follows the tag (EtherType, another TPID, or an 802.3 length). */
  etherType: number
}

/** A decoded tag: the wire fields, the TPID that introduced it, and where the payload lies. */
export interface Header extends Fields {
  /** The type field before this tag (0x8100, 0x88a8 or 0x9100); set by `decode` from its argument. */
  tpid: number
  /** Offset of the first byte after the tag, from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last captured byte. */
  payloadEnd: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return { pcp: 0, dei: false, id: 0, etherType: 0, tpid: TPID_CTAG, payloadOffset: 0, payloadEnd: 0 }
}

/**
 * Decode the tag whose TCI starts at `offset` (just past the TPID) into `out`.
 * `tpid` is the type field that announced the tag; it is stored in `out.tpid`.
 * On an issue `out` must not be used.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  endSource: LenSource = 'capture',
  tpid: number = TPID_CTAG,
): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) {
    return truncated('vlan', 'header', HEADER_LEN, have, offset, endSource)
  }

  const tci = u16(bytes, offset + Field.TCI)
  out.pcp = tci >>> 13
  out.dei = (tci & 0x1000) !== 0
  out.id = tci & MAX_VID
  out.etherType = u16(bytes, offset + Field.ETHER_TYPE)
  out.tpid = tpid
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = end
  return OK
}

/** Bytes `encode` writes (the TCI and the inner type; the TPID belongs to the header before). */
export function encodingLength(): number {
  return HEADER_LEN
}

/**
 * Write `f` at `offset` (the byte after the TPID). Each field is masked to its
 * bit width, nothing else is fixed up. Returns the offset just past the tag.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  const tci = ((f.pcp & 0x7) << 13) | (f.dei ? 0x1000 : 0) | (f.id & MAX_VID)
  put16(bytes, offset + Field.TCI, tci)
  put16(bytes, offset + Field.ETHER_TYPE, f.etherType)
  return offset + HEADER_LEN
}

/** One line for debug output: "VLAN 0x88a8 id=200 pcp=0 dei=0 type=0x8100". */
export function describe(h: Header): string {
  const hex4 = (v: number) => `0x${v.toString(16).padStart(4, '0')}`
  return `VLAN ${hex4(h.tpid)} id=${h.id} pcp=${h.pcp} dei=${h.dei ? 1 : 0} type=${hex4(h.etherType)}`
}

/** The `vlan` layer of a decode record. */
export function toRecord(h: Header): VlanRecord {
  return { type: 'vlan', id: h.id, pcp: h.pcp, dei: h.dei, tpid: h.tpid, etherType: h.etherType }
}
