/**
 * IPv4: Internet Protocol version 4, RFC 791 (options: RFC 791 §3.1, IANA "IP Option Numbers").
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Identification        |R|D|M|      Fragment Offset    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Source Address                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Destination Address                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options (IHL > 5)          |    Padding    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   R = reserved ("evil") bit, D = Don't Fragment, M = More Fragments.
 *
 * Supported: every header field; the option list (type numbers, walked by
 * length and checked to stay inside the header); payload bounds from Total
 * Length (bytes past it are link padding); Total Length 0 from TSO/GSO on the
 * capturing host; fragment fields (offset in bytes).
 * Not supported: checksum verification (offloaded checksums are not filled in
 * on the sending host), option contents (only type numbers are kept),
 * fragment reassembly (another module; this file only reads the fragment
 * fields).
 */
import { put16, put32, put8, putBytes, u16, u32, u8 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import { ipv4ToString } from './format.js'
import { MAX_IPV4_OPTIONS } from './limits.js'
import type { Ipv4Record } from './record.js'

/** Byte offset of each field from the start of the IPv4 header. */
export const Field = {
  /** Version (high nibble) and IHL (low nibble, 32-bit words). */
  VERSION_IHL: 0,
  TOS: 1,
  TOTAL_LENGTH: 2,
  ID: 4,
  /** Flags (top 3 bits) and Fragment Offset (low 13 bits, 8-byte units). */
  FLAGS_FRAGMENT: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
  OPTIONS: 20,
} as const

/** Header size without options, in bytes; IHL 5. */
export const HEADER_LEN = 20
/** Largest header, in bytes: IHL 15. */
export const MAX_HEADER_LEN = 60

/** Flag bits in the 16-bit flags/fragment-offset word. */
export const Flag = {
  RESERVED: 0x8000,
  DF: 0x4000,
  MF: 0x2000,
} as const
const FRAGMENT_OFFSET_MASK = 0x1fff

/** Option types with no length byte (RFC 791 §3.1, "Case 1: A single octet of option-type"). */
export const Option = {
  EOL: 0,
  NOP: 1,
} as const

/** The header fields exactly as they are on the wire (options aside: `encode` takes them as raw bytes). */
export interface Fields {
  /** 4 for a valid header; kept as sent so `encode` can write other values. */
  version: number
  /** Header length in 32-bit words (5..15). */
  ihl: number
  /** Type of service byte: DSCP (high 6 bits) and ECN (low 2 bits). */
  tos: number
  /** Header plus payload, in bytes, as the sender claims; 0 under TSO/GSO (see `Header.tso`). */
  totalLength: number
  id: number
  /** The reserved bit (RFC 3514's "evil bit"): must be zero, kept as sent. */
  reserved: boolean
  df: boolean
  mf: boolean
  /** Fragment offset in BYTES (the 13-bit field x 8). `encode` writes `fragmentOffset >>> 3`. */
  fragmentOffset: number
  ttl: number
  protocol: number
  /** Header checksum as sent; not verified. */
  checksum: number
  /** Source address as an unsigned 32-bit number (10.0.0.1 = 0x0a000001). */
  src: number
  /** Destination address as an unsigned 32-bit number. */
  dst: number
}

/** A decoded header: the wire fields plus derived lengths and where the payload lies. */
export interface Header extends Fields {
  /** Header length in bytes (ihl x 4). */
  headerLength: number
  /**
   * Option type numbers in wire order, EOL and NOP left out. Reused: the array
   * belongs to this header and is overwritten by the next decode into it.
   */
  options: number[]
  /**
   * Total Length was 0: the capturing host handed the packet to the NIC before
   * TSO/GSO split it, so the length field was never filled in. The datagram is
   * taken to end at the captured `end` (Wireshark does the same).
   */
  tso: boolean
  /** Offset of the first payload byte (just past the options), from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last payload byte that was captured (never past `declaredEnd`). */
  payloadEnd: number
  /**
   * `offset + totalLength`: where the sender says the datagram ends, even when
   * the snap length cut the frame before it (tshark's tcp.len counts to here).
   * Under TSO (`tso`), the captured end.
   */
  declaredEnd: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return {
    version: 0, ihl: 0, tos: 0, totalLength: 0, id: 0, reserved: false, df: false, mf: false,
    fragmentOffset: 0, ttl: 0, protocol: 0, checksum: 0, src: 0, dst: 0,
    headerLength: 0, options: [], tso: false, payloadOffset: 0, payloadEnd: 0, declaredEnd: 0,
  }
}

/**
 * Decode the IPv4 header that starts at `offset` into `out`.
 *
 * `end` is where the enclosing layer (usually the capture) says the bytes end,
 * and `endSource` says which length set it. On a 'header' issue or a malformed
 * one, `out` is left partly written and must not be used. A 'payload' issue
 * (Total Length claims more than `end` holds) keeps the header and cuts the
 * payload at `end`.
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
    return truncated('ipv4', 'header', HEADER_LEN, have, offset, endSource)
  }

  const versionIhl = u8(bytes, offset + Field.VERSION_IHL)
  const version = versionIhl >> 4
  if (version !== 4) {
    return malformed('ipv4', 'version', version, '4', offset)
  }
  // RFC 791: "the minimum value for a correct header is 5".
  const ihl = versionIhl & 0x0f
  if (ihl < 5) {
    return malformed('ipv4', 'ihl', ihl, '>= 5 (32-bit words)', offset)
  }
  const headerLength = ihl * 4
  if (have < headerLength) {
    return truncated('ipv4', 'header', headerLength, have, offset, endSource)
  }
  const totalLength = u16(bytes, offset + Field.TOTAL_LENGTH)
  if (totalLength !== 0 && totalLength < headerLength) {
    return malformed('ipv4', 'totalLength', totalLength, `>= ${headerLength} (the header length)`, offset)
  }

  const flagsFragment = u16(bytes, offset + Field.FLAGS_FRAGMENT)
  out.version = version
  out.ihl = ihl
  out.tos = u8(bytes, offset + Field.TOS)
  out.totalLength = totalLength
  out.id = u16(bytes, offset + Field.ID)
  out.reserved = (flagsFragment & Flag.RESERVED) !== 0
  out.df = (flagsFragment & Flag.DF) !== 0
  out.mf = (flagsFragment & Flag.MF) !== 0
  out.fragmentOffset = (flagsFragment & FRAGMENT_OFFSET_MASK) * 8
  out.ttl = u8(bytes, offset + Field.TTL)
  out.protocol = u8(bytes, offset + Field.PROTOCOL)
  out.checksum = u16(bytes, offset + Field.CHECKSUM)
  out.src = u32(bytes, offset + Field.SRC)
  out.dst = u32(bytes, offset + Field.DST)
  out.headerLength = headerLength
  out.payloadOffset = offset + headerLength

  const optionIssue = readOptions(bytes, offset + HEADER_LEN, offset + headerLength, out.options)
  if (optionIssue !== OK) return optionIssue

  if (totalLength === 0) {
    // TSO/GSO: the capturing host saw the "super packet" before the NIC split
    // it and never set Total Length. Not malformed; the capture says where it ends.
    out.tso = true
    out.payloadEnd = end
    out.declaredEnd = end
    return OK
  }
  out.tso = false
  out.declaredEnd = offset + totalLength
  // Bytes past Total Length are link-layer padding (Ethernet pads to 60 bytes).
  if (totalLength <= have) {
    out.payloadEnd = offset + totalLength
    return OK
  }
  out.payloadEnd = end
  return truncated('ipv4', 'payload', totalLength, have, offset, endSource)
}

/**
 * Walk the options between `start` and `headerEnd`, pushing each type number
 * (EOL and NOP left out) onto `types`. Returns OK or the malformed option.
 */
function readOptions(bytes: Uint8Array, start: number, headerEnd: number, types: number[]): Decoded {
  types.length = 0
  let p = start
  for (let n = 0; p < headerEnd; n++) {
    // Unreachable with 40 option bytes (each option takes at least one), but
    // every loop over untrusted input has its cap.
    if (n === MAX_IPV4_OPTIONS) {
      return malformed('ipv4', 'options', n, `<= ${MAX_IPV4_OPTIONS} options`, p)
    }
    const type = u8(bytes, p)
    if (type === Option.EOL) break // RFC 791: "the end of the option list"; the rest is padding
    if (type === Option.NOP) { p++; continue }
    if (p + 1 >= headerEnd) {
      return malformed('ipv4', 'options', type, 'a length byte inside the header', p)
    }
    const length = u8(bytes, p + 1)
    // The length counts the type and length bytes themselves, so it is at least 2.
    if (length < 2) {
      return malformed('ipv4', 'options', length, '>= 2 (option length)', p)
    }
    if (p + length > headerEnd) {
      return malformed('ipv4', 'options', length, `<= ${headerEnd - p} (bytes left in the header)`, p)
    }
    types.push(type)
    p += length
  }
  return OK
}

/** True for any fragment of a larger datagram: more to come, or not the first piece. */
export function isFragment(h: Header): boolean {
  return h.mf || h.fragmentOffset > 0
}

const NO_OPTIONS: ArrayLike<number> = new Uint8Array(0)

/** Bytes `encode` writes: the fixed header plus the raw option bytes. */
export function encodingLength(options: ArrayLike<number> = NO_OPTIONS): number {
  return HEADER_LEN + options.length
}

/**
 * Write `f` at `offset`, then `options` verbatim, with no fixing up (IHL, Total
 * Length and the checksum are written as given), so tests can build malformed
 * headers too. Returns the offset just past the options.
 */
export function encode(
  f: Fields,
  bytes: Uint8Array,
  offset: number,
  options: ArrayLike<number> = NO_OPTIONS,
): number {
  put8(bytes, offset + Field.VERSION_IHL, ((f.version & 0x0f) << 4) | (f.ihl & 0x0f))
  put8(bytes, offset + Field.TOS, f.tos)
  put16(bytes, offset + Field.TOTAL_LENGTH, f.totalLength)
  put16(bytes, offset + Field.ID, f.id)
  put16(
    bytes,
    offset + Field.FLAGS_FRAGMENT,
    (f.reserved ? Flag.RESERVED : 0) | (f.df ? Flag.DF : 0) | (f.mf ? Flag.MF : 0) |
      ((f.fragmentOffset >>> 3) & FRAGMENT_OFFSET_MASK),
  )
  put8(bytes, offset + Field.TTL, f.ttl)
  put8(bytes, offset + Field.PROTOCOL, f.protocol)
  put16(bytes, offset + Field.CHECKSUM, f.checksum)
  put32(bytes, offset + Field.SRC, f.src)
  put32(bytes, offset + Field.DST, f.dst)
  return putBytes(bytes, offset + HEADER_LEN, options)
}

/** One line for debug output: "IPv4 10.0.0.1 -> 10.0.0.2 proto=6 ttl=64 id=7 len=40 DF frag=1480+". */
export function describe(h: Header): string {
  let s = `IPv4 ${ipv4ToString(h.src)} -> ${ipv4ToString(h.dst)} proto=${h.protocol} ttl=${h.ttl}` +
    ` id=${h.id} len=${h.tso ? 'tso' : h.totalLength}`
  if (h.df) s += ' DF'
  if (isFragment(h)) s += ` frag=${h.fragmentOffset}${h.mf ? '+' : ''}`
  if (h.options.length > 0) s += ` opts=${h.options.join(',')}`
  return s
}

/** The `ipv4` layer of a decode record (`reassembled` and `quoted` are added by the caller). */
export function toRecord(h: Header): Ipv4Record {
  return {
    type: 'ipv4',
    src: ipv4ToString(h.src),
    dst: ipv4ToString(h.dst),
    proto: h.protocol,
    ttl: h.ttl,
    id: h.id,
    df: h.df,
    mf: h.mf,
    fragmentOffset: h.fragmentOffset,
    headerLength: h.headerLength,
    totalLength: h.totalLength,
    options: h.options.slice(),
  }
}
