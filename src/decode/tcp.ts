/**
 * TCP: Transmission Control Protocol, RFC 9293. Options: MSS (RFC 9293 §3.2),
 * window scale and timestamps (RFC 7323), SACK (RFC 2018), MD5 signature
 * (RFC 2385). The AE bit (formerly NS, RFC 3540) is RFC 9768's AccECN flag.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Sequence Number                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Acknowledgment Number                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
 *   |       |     | |R|E|G|K|H|T|N|N|                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Checksum            |         Urgent Pointer        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options                    |    Padding    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Supported: every header field (seq/ack raw, window unscaled); options EOL,
 * NOP, MSS, window scale, SACK permitted, SACK, timestamps, MD5 signature;
 * any other option is skipped by its length.
 * Not supported: checksum verification (offloaded on the sending host), MD5
 * digest checking, TCP-AO (29), MPTCP (30), Fast Open cookies (34) and other
 * option contents. A known option whose length is not its fixed size is
 * skipped unread, as Wireshark does (an expert note there, not "Malformed").
 * Sequence analysis lives in src/flow.
 */
import { put16, put32, put8, putBytes, u16, u32, u8 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import { MAX_TCP_OPTIONS } from './limits.js'
import type { TcpOptionsRecord, TcpRecord } from './record.js'

/** Byte offset of each field from the start of the TCP header. */
export const Field = {
  SRC_PORT: 0,
  DST_PORT: 2,
  SEQ: 4,
  ACK: 8,
  /** Data Offset (high nibble, 32-bit words), 3 reserved bits, the AE bit (lowest). */
  DATA_OFFSET: 12,
  FLAGS: 13,
  WINDOW: 14,
  CHECKSUM: 16,
  URGENT: 18,
  OPTIONS: 20,
} as const

/** Header size without options, in bytes; Data Offset 5. */
export const HEADER_LEN = 20
/** Largest header, in bytes: Data Offset 15. */
export const MAX_HEADER_LEN = 60

/** The 8 flag bits of byte 13, as the contract numbers them. */
export const Flag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const

/** Option kinds (IANA "TCP Option Kind Numbers") and the fixed lengths this decoder checks. */
export const Option = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  MD5: 19,
} as const
const MSS_LEN = 4
const WINDOW_SCALE_LEN = 3
const SACK_PERMITTED_LEN = 2
const SACK_BLOCK_LEN = 8
const TIMESTAMPS_LEN = 10
const MD5_LEN = 18

/** The header fields exactly as they are on the wire (options aside: `encode` takes them as raw bytes). */
export interface Fields {
  srcPort: number
  dstPort: number
  /** Sequence number, raw (not relative to the ISN). */
  seq: number
  /** Acknowledgment number, raw; present on the wire even without the ACK flag. */
  ack: number
  /** Header length in 32-bit words (5..15). */
  dataOffset: number
  /** The 3 reserved bits between Data Offset and AE, as a number 0..7. */
  reserved: number
  /** The AE bit (formerly NS): bit 8 of tshark's 12-bit tcp.flags. */
  ae: boolean
  /** The 8 flag bits FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128 (see `Flag`). */
  flags: number
  /** Window, raw (unscaled: the scale factor is known only from the SYNs). */
  window: number
  checksum: number
  /** Urgent pointer, raw. */
  urgent: number
}

/** A decoded header: the wire fields, the known options, and where the payload lies. */
export interface Header extends Fields {
  /** Header length in bytes (dataOffset x 4). */
  headerLength: number
  /** MSS option value in bytes; -1 when absent. */
  mss: number
  /** Window scale shift count as sent (RFC 7323 caps its use at 14); -1 when absent. */
  windowScale: number
  sackPermitted: boolean
  /**
   * SACK blocks as flat pairs [left0, right0, left1, right1, ...] of raw
   * sequence numbers; empty when absent. Reused: overwritten by the next decode.
   */
  sack: number[]
  /** Timestamps option present (`tsVal`, `tsEcr` valid). */
  hasTimestamps: boolean
  /** TSval (u32); 0 when absent. */
  tsVal: number
  /** TSecr (u32); 0 when absent. */
  tsEcr: number
  /** An MD5 signature option (RFC 2385, BGP sessions) is present. */
  md5: boolean
  /** Offset of the first payload byte (just past the options), from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last captured payload byte: the enclosing layer's `end`. */
  payloadEnd: number
  /**
   * Payload bytes. `decode` sets the captured count (`payloadEnd - payloadOffset`);
   * the frame loop overwrites it with the IP header's claim (declaredEnd -
   * payloadOffset, tshark's tcp.len), which counts bytes the snap length cut.
   */
  payloadLength: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return {
    srcPort: 0, dstPort: 0, seq: 0, ack: 0, dataOffset: 0, reserved: 0, ae: false, flags: 0,
    window: 0, checksum: 0, urgent: 0,
    headerLength: 0, mss: -1, windowScale: -1, sackPermitted: false, sack: [],
    hasTimestamps: false, tsVal: 0, tsEcr: 0, md5: false,
    payloadOffset: 0, payloadEnd: 0, payloadLength: 0,
  }
}

/**
 * Decode the TCP header that starts at `offset` into `out`.
 *
 * `end` is where the enclosing layer (IP's length, or the capture) says the
 * segment ends, and `endSource` says which length set it. TCP has no length
 * of its own, so the payload runs to `end`. On any issue (a 'header' cut, a
 * Data Offset below 5, a malformed option) `out` must not be used.
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
    return truncated('tcp', 'header', HEADER_LEN, have, offset, endSource)
  }
  const offsetByte = u8(bytes, offset + Field.DATA_OFFSET)
  // RFC 9293 §3.1: the header "is an integer multiple of 32 bits" and at least 20 bytes.
  const dataOffset = offsetByte >> 4
  if (dataOffset < 5) {
    return malformed('tcp', 'dataOffset', dataOffset, '>= 5 (32-bit words)', offset)
  }
  const headerLength = dataOffset * 4
  if (have < headerLength) {
    return truncated('tcp', 'header', headerLength, have, offset, endSource)
  }

  out.srcPort = u16(bytes, offset + Field.SRC_PORT)
  out.dstPort = u16(bytes, offset + Field.DST_PORT)
  out.seq = u32(bytes, offset + Field.SEQ)
  out.ack = u32(bytes, offset + Field.ACK)
  out.dataOffset = dataOffset
  out.reserved = (offsetByte >> 1) & 0x07
  out.ae = (offsetByte & 0x01) !== 0
  out.flags = u8(bytes, offset + Field.FLAGS)
  out.window = u16(bytes, offset + Field.WINDOW)
  out.checksum = u16(bytes, offset + Field.CHECKSUM)
  out.urgent = u16(bytes, offset + Field.URGENT)
  out.headerLength = headerLength

  const optionIssue = readOptions(bytes, offset + HEADER_LEN, offset + headerLength, out)
  if (optionIssue !== OK) return optionIssue

  out.payloadOffset = offset + headerLength
  out.payloadEnd = end
  out.payloadLength = end - out.payloadOffset
  return OK
}

/** Walk the options between `start` and `headerEnd` into `h`'s option fields. */
function readOptions(bytes: Uint8Array, start: number, headerEnd: number, h: Header): Decoded {
  h.mss = -1
  h.windowScale = -1
  h.sackPermitted = false
  h.sack.length = 0
  h.hasTimestamps = false
  h.tsVal = 0
  h.tsEcr = 0
  h.md5 = false

  let p = start
  for (let n = 0; p < headerEnd; n++) {
    // Unreachable with 40 option bytes (each option takes at least one), but
    // every loop over untrusted input has its cap.
    if (n === MAX_TCP_OPTIONS) {
      return malformed('tcp', 'options', n, `<= ${MAX_TCP_OPTIONS} options`, p)
    }
    const kind = u8(bytes, p)
    if (kind === Option.EOL) break // RFC 9293: the rest of the option space is padding
    if (kind === Option.NOP) { p++; continue }
    if (p + 1 >= headerEnd) {
      return malformed('tcp', 'options', kind, 'a length byte inside the header', p)
    }
    const length = u8(bytes, p + 1)
    // The length counts the kind and length bytes themselves, so it is at least 2.
    if (length < 2) {
      return malformed('tcp', 'options', length, '>= 2 (option length)', p)
    }
    if (p + length > headerEnd) {
      return malformed('tcp', 'options', length, `<= ${headerEnd - p} (bytes left in the header)`, p)
    }
    switch (kind) {
      case Option.MSS:
        if (length === MSS_LEN) h.mss = u16(bytes, p + 2)
        break
      case Option.WINDOW_SCALE:
        if (length === WINDOW_SCALE_LEN) h.windowScale = u8(bytes, p + 2)
        break
      case Option.SACK_PERMITTED:
        if (length === SACK_PERMITTED_LEN) h.sackPermitted = true
        break
      case Option.SACK:
        if (length > 2 && (length - 2) % SACK_BLOCK_LEN === 0) {
          for (let q = p + 2; q < p + length; q += 4) h.sack.push(u32(bytes, q))
        }
        break
      case Option.TIMESTAMPS:
        if (length === TIMESTAMPS_LEN) {
          h.hasTimestamps = true
          h.tsVal = u32(bytes, p + 2)
          h.tsEcr = u32(bytes, p + 6)
        }
        break
      case Option.MD5:
        if (length === MD5_LEN) h.md5 = true
        break
      default:
        break // unknown kinds are not errors: skipped by length
    }
    p += length
  }
  return OK
}

/**
 * The flags as tshark's 12-bit tcp.flags: reserved bits 9..11, AE bit 8,
 * then the 8 flags. Equal to `flags` whenever AE and the reserved bits are clear.
 */
export function flags12(h: Fields): number {
  return (h.reserved << 9) | (h.ae ? 0x100 : 0) | h.flags
}

const NO_OPTIONS: ArrayLike<number> = new Uint8Array(0)

/** Bytes `encode` writes: the fixed header plus the raw option bytes. */
export function encodingLength(options: ArrayLike<number> = NO_OPTIONS): number {
  return HEADER_LEN + options.length
}

/**
 * Write `f` at `offset`, then `options` verbatim, with no fixing up (Data
 * Offset and the checksum are written as given), so tests can build malformed
 * headers too. Returns the offset just past the options.
 */
export function encode(
  f: Fields,
  bytes: Uint8Array,
  offset: number,
  options: ArrayLike<number> = NO_OPTIONS,
): number {
  put16(bytes, offset + Field.SRC_PORT, f.srcPort)
  put16(bytes, offset + Field.DST_PORT, f.dstPort)
  put32(bytes, offset + Field.SEQ, f.seq)
  put32(bytes, offset + Field.ACK, f.ack)
  put8(bytes, offset + Field.DATA_OFFSET, ((f.dataOffset & 0x0f) << 4) | ((f.reserved & 0x07) << 1) | (f.ae ? 1 : 0))
  put8(bytes, offset + Field.FLAGS, f.flags)
  put16(bytes, offset + Field.WINDOW, f.window)
  put16(bytes, offset + Field.CHECKSUM, f.checksum)
  put16(bytes, offset + Field.URGENT, f.urgent)
  return putBytes(bytes, offset + HEADER_LEN, options)
}

/**
 * Option bytes for `encode`, for tests, sample recipes and benchmarks: the
 * options of `o` in the order MSS, SACK permitted, timestamps, window scale,
 * SACK, MD5 (a zero digest), each 4-byte aligned with NOPs as Linux and BSD
 * send them. Allocates; not for the decode path.
 */
export function encodeOptions(o: TcpOptionsRecord): Uint8Array {
  const out: number[] = []
  const u32be = (v: number) => out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
  if (o.mss !== undefined) out.push(Option.MSS, MSS_LEN, (o.mss >>> 8) & 0xff, o.mss & 0xff)
  if (o.sackPermitted) out.push(Option.NOP, Option.NOP, Option.SACK_PERMITTED, SACK_PERMITTED_LEN)
  if (o.timestamp !== undefined) {
    out.push(Option.NOP, Option.NOP, Option.TIMESTAMPS, TIMESTAMPS_LEN)
    u32be(o.timestamp[0])
    u32be(o.timestamp[1])
  }
  if (o.windowScale !== undefined) out.push(Option.NOP, Option.WINDOW_SCALE, WINDOW_SCALE_LEN, o.windowScale & 0xff)
  if (o.sack !== undefined && o.sack.length > 0) {
    out.push(Option.NOP, Option.NOP, Option.SACK, 2 + SACK_BLOCK_LEN * o.sack.length)
    for (const [left, right] of o.sack) { u32be(left); u32be(right) }
  }
  if (o.md5) {
    out.push(Option.MD5, MD5_LEN)
    for (let i = 0; i < MD5_LEN - 2; i++) out.push(0)
    out.push(Option.EOL, Option.EOL)
  }
  return Uint8Array.from(out)
}

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [Flag.SYN, 'SYN'], [Flag.FIN, 'FIN'], [Flag.RST, 'RST'], [Flag.PSH, 'PSH'],
  [Flag.ACK, 'ACK'], [Flag.URG, 'URG'], [Flag.ECE, 'ECE'], [Flag.CWR, 'CWR'],
]

/** One line for debug output: "TCP 46656 -> 80 [SYN] seq=797190859 ack=0 win=27200 len=0". */
export function describe(h: Header): string {
  const names: string[] = []
  for (const [bit, name] of FLAG_NAMES) if ((h.flags & bit) !== 0) names.push(name)
  if (h.ae) names.push('AE')
  return `TCP ${h.srcPort} -> ${h.dstPort} [${names.join(',')}] seq=${h.seq} ack=${h.ack}` +
    ` win=${h.window} len=${h.payloadLength}`
}

/** The options of `h` as a record: only the options present, keys in record.ts order. */
export function optionsRecord(h: Header): TcpOptionsRecord {
  const r: TcpOptionsRecord = {}
  if (h.mss >= 0) r.mss = h.mss
  if (h.windowScale >= 0) r.windowScale = h.windowScale
  if (h.sackPermitted) r.sackPermitted = true
  if (h.sack.length > 0) {
    const blocks: Array<[number, number]> = []
    for (let i = 0; i + 1 < h.sack.length; i += 2) blocks.push([h.sack[i] ?? 0, h.sack[i + 1] ?? 0])
    r.sack = blocks
  }
  if (h.hasTimestamps) r.timestamp = [h.tsVal, h.tsEcr]
  if (h.md5) r.md5 = true
  return r
}

/**
 * The `tcp` layer of a decode record (`quoted` is added by the caller).
 * `flags` is tshark's 12-bit value (`flags12`): the 8 contract flags, plus 256
 * for AE and the reserved bits above it when a sender sets them.
 */
export function toRecord(h: Header): TcpRecord {
  return {
    type: 'tcp',
    srcPort: h.srcPort,
    dstPort: h.dstPort,
    seq: h.seq,
    ack: h.ack,
    flags: flags12(h),
    window: h.window,
    payloadLength: h.payloadLength,
    headerLength: h.headerLength,
    options: optionsRecord(h),
  }
}
