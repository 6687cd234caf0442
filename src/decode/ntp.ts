/**
 * NTP: Network Time Protocol, versions 1-4 (RFC 1059, 1119, 1305, 5905), extension
 * fields (RFC 7822), and the header of the mode 6 control (RFC 1305 Appendix B,
 * RFC 9327) and mode 7 private (ntpd's ntpdc, no RFC) messages.
 *
 * Modes 1-5 (and the reserved mode 0):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             Root Delay (16.16 seconds, unsigned)              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Root Dispersion (16.16 seconds, unsigned)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          Reference ID                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Reference, Origin, Receive, Transmit Timestamps (4 x 64)   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Extension fields (RFC 7822): type (16) | length (16) | value |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Key Identifier (32) | Digest (MD5 16, SHA-1 20, ... bytes)   |  optional MAC
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Mode 6 (control, 12-byte header) and mode 7 (private, 8-byte header):
 *
 *   |00 | VN  |  6  |R|E|M| Opcode  |           Sequence            |
 *   |            Status             |        Association ID         |
 *   |            Offset             |             Count             |  then Count bytes of data
 *
 *   |R|M| VN  |  7  |A|  Sequence   | Implementation| Request code  |
 *   |  Err  |   Number of items     |  MBZ  |      Item size        |  then items x size bytes of data
 *
 * Timestamps are seconds since 1900 in 32 bits, so they wrap in 2036. Like
 * ntpd and Wireshark we read a seconds field whose top bit is clear as era 1
 * (2036-2104): NTP was not used before 1968, so the two readings never clash.
 *
 * Supported: every header field of modes 0-5; root delay and dispersion raw
 * and in seconds; reference IDs as text (ASCII for stratum 0-1, including the
 * kiss codes, dotted quad otherwise); era-aware timestamps; extension fields
 * skipped by their length and listed by type; the MAC (key id, digest length),
 * including the 4-byte crypto-NAK; the mode 6 and mode 7 headers, their data
 * skipped by length.
 * Not supported: MAC or NTS verification; extension field contents (Autokey,
 * NTS cookies); the contents of mode 6 data (name=value text) and mode 7
 * items; the authenticator of mode 6/7 messages (left in the data/trailer);
 * the NTPv5 draft (version 5 is reported as malformed).
 */
import { isoTimestamp } from '../capture/frame.js'
import { put16, put32, put8, putBytes, u16, u32, u8 } from './bytes.js'
import { ipv4ToString } from './format.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import { MAX_NTP_EXTENSION_FIELDS } from './limits.js'

/** Byte offset of each field from the start of a mode 0-5 message. */
export const Field = {
  /** Leap indicator (2 bits), version (3), mode (3). */
  LI_VN_MODE: 0,
  STRATUM: 1,
  POLL: 2,
  PRECISION: 3,
  ROOT_DELAY: 4,
  ROOT_DISPERSION: 8,
  REFERENCE_ID: 12,
  REFERENCE_TIME: 16,
  ORIGIN_TIME: 24,
  RECEIVE_TIME: 32,
  TRANSMIT_TIME: 40,
  /** First extension field or MAC byte. */
  EXTENSIONS: 48,
} as const

/** Size of a mode 0-5 header in bytes, the shortest such message. */
export const HEADER_LEN = 48

/** Byte offset of each field from the start of a mode 6 (control) message. */
export const ControlField = {
  LI_VN_MODE: 0,
  /** Response, Error, More bits and the 5-bit opcode. */
  FLAGS_OPCODE: 1,
  SEQUENCE: 2,
  STATUS: 4,
  ASSOCIATION_ID: 6,
  OFFSET: 8,
  COUNT: 10,
  DATA: 12,
} as const

/** Size of the mode 6 header in bytes. */
export const CONTROL_HEADER_LEN = 12

/** Byte offset of each field from the start of a mode 7 (private) message. */
export const PrivateField = {
  /** Response and More bits, version (3), mode (3). */
  RM_VN_MODE: 0,
  /** Authenticated bit and the 7-bit sequence. */
  AUTH_SEQUENCE: 1,
  IMPLEMENTATION: 2,
  REQUEST_CODE: 3,
  /** Error code (4 bits) and number of items (12 bits). */
  ERR_ITEMS: 4,
  /** Must-be-zero (4 bits) and item size (12 bits). */
  MBZ_ITEM_SIZE: 6,
  DATA: 8,
} as const

/** Size of the mode 7 header in bytes. */
export const PRIVATE_HEADER_LEN = 8

/** The association modes (RFC 5905 Figure 10; 6 and 7 from RFC 1305 and ntpd). */
export const Mode = {
  Reserved: 0,
  SymmetricActive: 1,
  SymmetricPassive: 2,
  Client: 3,
  Server: 4,
  Broadcast: 5,
  Control: 6,
  Private: 7,
} as const

const MODE_NAMES = ['reserved', 'symmetric-active', 'symmetric-passive', 'client', 'server', 'broadcast', 'control', 'private']

/** Seconds from 1900-01-01 (the NTP epoch) to 1970-01-01 (the Unix epoch). */
export const NTP_UNIX_OFFSET = 2208988800

/** RFC 7822 §7.5: an extension field is at least 16 bytes (type, length and a 12-byte minimum value). */
const MIN_EXTENSION_LEN = 16
/** A MAC shorter than this (key id + MD5 digest) after an assumed extension field means that field was the MAC. */
const MIN_MAC_LEN = 20

/** A 64-bit NTP timestamp as on the wire: seconds since 1900 (mod 2^32) and a 32-bit binary fraction. */
export interface Timestamp {
  seconds: number
  fraction: number
}

/** The mode 6 header fields. */
export interface ControlFields {
  response: boolean
  error: boolean
  more: boolean
  opcode: number
  sequence: number
  status: number
  associationId: number
  offset: number
  /** Bytes of data the sender claims follow the header. */
  count: number
}

/** The mode 7 header fields (R/M live where the leap indicator is in other modes). */
export interface PrivateFields {
  response: boolean
  more: boolean
  auth: boolean
  sequence: number
  implementation: number
  requestCode: number
  err: number
  itemCount: number
  mbz: number
  itemSize: number
}

/** One extension field for `encode`: written as type, length, value, then zeros up to the length. */
export interface ExtensionField {
  type: number
  value: Uint8Array
  /** The Length field; default 4 + value.length rounded up to a multiple of 4. Set it to build bad fields. */
  length?: number
}

/**
 * A whole NTP message as a plain description: what `encode` writes. For mode 6
 * and 7 only leap (mode 6), version, mode, `control`/`private` and `data` are
 * used; for other modes `control`, `private` and `data` are ignored.
 */
export interface Fields {
  leap: number
  version: number
  mode: number
  stratum: number
  /** log2 seconds, signed (-128..127). */
  poll: number
  /** log2 seconds, signed (-128..127). */
  precision: number
  /** Raw 16.16 fixed point. */
  rootDelay: number
  rootDispersion: number
  /** Raw 32 bits: four ASCII bytes (see `refIdOf`) or an IPv4 address. */
  refId: number
  referenceTime: Timestamp
  originTime: Timestamp
  receiveTime: Timestamp
  transmitTime: Timestamp
  extensions: ExtensionField[]
  /** Key id of the MAC, or null for no MAC. A key id 0 with an empty digest is a crypto-NAK. */
  keyId: number | null
  digest: Uint8Array
  control: ControlFields
  private: PrivateFields
  /** Mode 6/7: the bytes after the header, written as given (padding and authenticator included). */
  data: Uint8Array
}

/** A decoded message. Which parts are valid depends on `mode`. */
export interface Header {
  leap: number
  version: number
  mode: number
  stratum: number
  poll: number
  precision: number
  rootDelay: number
  rootDispersion: number
  refId: number
  referenceTime: Timestamp
  originTime: Timestamp
  receiveTime: Timestamp
  transmitTime: Timestamp
  /** Extension field types in wire order (modes 0-5). */
  extensionTypes: number[]
  /** Key id of the MAC, or null when there is none (always null in modes 6 and 7). */
  keyId: number | null
  /** Bytes of the MAC's digest after the key id (0 for a crypto-NAK or no MAC). */
  digestLength: number
  /** Mode 6 header; valid when mode is 6. */
  control: ControlFields
  /** Mode 7 header; valid when mode is 7. */
  private: PrivateFields
  /** Mode 6/7: where the data lies, in bytes from the start of the buffer (cut to what was captured). */
  dataOffset: number
  dataEnd: number
  /** NTP is the last layer: both are one past the last byte of the message. */
  payloadOffset: number
  payloadEnd: number
}

function createControl(): ControlFields {
  return { response: false, error: false, more: false, opcode: 0, sequence: 0, status: 0, associationId: 0, offset: 0, count: 0 }
}

function createPrivate(): PrivateFields {
  return {
    response: false, more: false, auth: false, sequence: 0, implementation: 0, requestCode: 0,
    err: 0, itemCount: 0, mbz: 0, itemSize: 0,
  }
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return {
    leap: 0, version: 0, mode: 0, stratum: 0, poll: 0, precision: 0, rootDelay: 0, rootDispersion: 0, refId: 0,
    referenceTime: { seconds: 0, fraction: 0 }, originTime: { seconds: 0, fraction: 0 },
    receiveTime: { seconds: 0, fraction: 0 }, transmitTime: { seconds: 0, fraction: 0 },
    extensionTypes: [], keyId: null, digestLength: 0, control: createControl(), private: createPrivate(),
    dataOffset: 0, dataEnd: 0, payloadOffset: 0, payloadEnd: 0,
  }
}

/**
 * A plausible NTP message at `offset`, for port-based dispatch: version 1-4 and
 * at least the header its mode needs. Cheap; reads at most one byte.
 */
export function looksLikeNtp(bytes: Uint8Array, offset: number, end: number): boolean {
  const have = end - offset
  if (have < PRIVATE_HEADER_LEN || offset < 0 || end > bytes.length) return false
  const b0 = u8(bytes, offset)
  const version = (b0 >> 3) & 7
  if (version < 1 || version > 4) return false
  const mode = b0 & 7
  if (mode === Mode.Private) return true
  if (mode === Mode.Control) return have >= CONTROL_HEADER_LEN
  return have >= HEADER_LEN
}

/**
 * Decode the NTP message from `offset` to `end` (the UDP payload) into `out`.
 *
 * A 'header' issue or a malformed one leaves `out` partly written: do not use it.
 * A 'payload' issue keeps the header: mode 6/7 data cut by the capture, or a
 * 1-3 byte trailer where a MAC's key id should be.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  endSource: LenSource = 'udp.length',
): Decoded {
  const have = end - offset
  if (have < 1) return truncated('ntp', 'header', HEADER_LEN, have, offset, endSource)
  const b0 = u8(bytes, offset)
  const version = (b0 >> 3) & 7
  const mode = b0 & 7
  const need = mode === Mode.Private ? PRIVATE_HEADER_LEN : mode === Mode.Control ? CONTROL_HEADER_LEN : HEADER_LEN
  if (have < need) return truncated('ntp', 'header', need, have, offset, endSource)
  // RFC 5905 §7.3: "VN ... currently 4"; versions 1-3 are the earlier RFCs. 0 predates
  // the field (RFC 958) and 5 is the NTPv5 draft, whose header differs.
  if (version < 1 || version > 4) return malformed('ntp', 'version', version, '1-4', offset)

  out.leap = b0 >> 6
  out.version = version
  out.mode = mode
  out.extensionTypes.length = 0
  out.keyId = null
  out.digestLength = 0
  out.dataOffset = out.dataEnd = offset + need
  out.payloadOffset = out.payloadEnd = end
  if (mode === Mode.Control) return decodeControl(bytes, offset, end, out, endSource)
  if (mode === Mode.Private) return decodePrivate(bytes, offset, end, out, endSource)

  out.stratum = u8(bytes, offset + Field.STRATUM)
  out.poll = (u8(bytes, offset + Field.POLL) << 24) >> 24
  out.precision = (u8(bytes, offset + Field.PRECISION) << 24) >> 24
  out.rootDelay = u32(bytes, offset + Field.ROOT_DELAY)
  out.rootDispersion = u32(bytes, offset + Field.ROOT_DISPERSION)
  out.refId = u32(bytes, offset + Field.REFERENCE_ID)
  readTimestamp(bytes, offset + Field.REFERENCE_TIME, out.referenceTime)
  readTimestamp(bytes, offset + Field.ORIGIN_TIME, out.originTime)
  readTimestamp(bytes, offset + Field.RECEIVE_TIME, out.receiveTime)
  readTimestamp(bytes, offset + Field.TRANSMIT_TIME, out.transmitTime)

  // RFC 7822 §7.5 leaves extension fields and a MAC to be told apart by length. As Wireshark
  // does: take fields while they look valid (length >= 16 and inside the message); if what
  // is left is too short to be a MAC (not 0, not a 4-byte crypto-NAK, under 20 bytes), the last
  // "field" was the MAC after all.
  let efsEnd = offset + HEADER_LEN
  let lastLen = 0
  let count = 0
  while (end - efsEnd >= MIN_EXTENSION_LEN) {
    const len = u16(bytes, efsEnd + 2)
    if (len < MIN_EXTENSION_LEN || len > end - efsEnd) break
    if (++count > MAX_NTP_EXTENSION_FIELDS) {
      return malformed('ntp', 'extensions', count, `<= ${MAX_NTP_EXTENSION_FIELDS} extension fields`, offset)
    }
    efsEnd += len
    lastLen = len
  }
  const macLen = end - efsEnd
  const cryptoNak = macLen === 4 && u32(bytes, efsEnd) === 0
  if (macLen !== 0 && !cryptoNak && macLen < MIN_MAC_LEN && lastLen > 0) {
    efsEnd -= lastLen
    count--
  }
  for (let at = offset + HEADER_LEN, k = 0; k < count; k++) {
    out.extensionTypes.push(u16(bytes, at))
    at += u16(bytes, at + 2)
  }
  const rest = end - efsEnd
  if (rest === 0) return OK
  if (rest < 4) return truncated('ntp', 'payload', efsEnd - offset + 4, have, offset, endSource)
  out.keyId = u32(bytes, efsEnd)
  out.digestLength = rest - 4
  return OK
}

function decodeControl(bytes: Uint8Array, offset: number, end: number, out: Header, endSource: LenSource): Decoded {
  const c = out.control
  const flags = u8(bytes, offset + ControlField.FLAGS_OPCODE)
  c.response = (flags & 0x80) !== 0
  c.error = (flags & 0x40) !== 0
  c.more = (flags & 0x20) !== 0
  c.opcode = flags & 0x1f
  c.sequence = u16(bytes, offset + ControlField.SEQUENCE)
  c.status = u16(bytes, offset + ControlField.STATUS)
  c.associationId = u16(bytes, offset + ControlField.ASSOCIATION_ID)
  c.offset = u16(bytes, offset + ControlField.OFFSET)
  c.count = u16(bytes, offset + ControlField.COUNT)
  return dataBounds(offset, end, out, CONTROL_HEADER_LEN, c.count, endSource)
}

function decodePrivate(bytes: Uint8Array, offset: number, end: number, out: Header, endSource: LenSource): Decoded {
  const p = out.private
  const b0 = u8(bytes, offset)
  p.response = (b0 & 0x80) !== 0
  p.more = (b0 & 0x40) !== 0
  const b1 = u8(bytes, offset + PrivateField.AUTH_SEQUENCE)
  p.auth = (b1 & 0x80) !== 0
  p.sequence = b1 & 0x7f
  p.implementation = u8(bytes, offset + PrivateField.IMPLEMENTATION)
  p.requestCode = u8(bytes, offset + PrivateField.REQUEST_CODE)
  const errItems = u16(bytes, offset + PrivateField.ERR_ITEMS)
  p.err = errItems >> 12
  p.itemCount = errItems & 0x0fff
  const mbzSize = u16(bytes, offset + PrivateField.MBZ_ITEM_SIZE)
  p.mbz = mbzSize >> 12
  p.itemSize = mbzSize & 0x0fff
  return dataBounds(offset, end, out, PRIVATE_HEADER_LEN, p.itemCount * p.itemSize, endSource)
}

/** Mode 6/7: the data the header announces, cut to what is there. */
function dataBounds(offset: number, end: number, out: Header, headerLen: number, dataLen: number, endSource: LenSource): Decoded {
  out.dataOffset = offset + headerLen
  if (headerLen + dataLen <= end - offset) {
    out.dataEnd = out.dataOffset + dataLen
    return OK
  }
  out.dataEnd = end
  return truncated('ntp', 'payload', headerLen + dataLen, end - offset, offset, endSource)
}

function readTimestamp(bytes: Uint8Array, o: number, t: Timestamp): void {
  t.seconds = u32(bytes, o)
  t.fraction = u32(bytes, o + 4)
}

/** The Unix time of a timestamp, era-aware (top bit clear = 2036-2104), nanoseconds truncated. */
export function toUnix(t: Timestamp): { sec: number; nsec: number } {
  const sec = t.seconds >= 0x80000000 ? t.seconds - NTP_UNIX_OFFSET : t.seconds + 0x100000000 - NTP_UNIX_OFFSET
  return { sec, nsec: fractionToNanos(t.fraction) }
}

/**
 * floor(fraction * 10^9 / 2^32), exactly: the product needs 62 bits, more than a
 * double holds, so split the fraction into 16-bit halves.
 */
export function fractionToNanos(fraction: number): number {
  const hi = Math.floor(fraction / 0x10000)
  const lo = fraction % 0x10000
  const a = hi * 1e9                       // < 2^46, exact
  const q = Math.floor(a / 0x10000)
  const r = a - q * 0x10000
  return q + Math.floor((r * 0x10000 + lo * 1e9) / 0x100000000)
}

/** ISO 8601 with nine digits, or null for the all-zero timestamp ("unknown" in RFC 5905). */
export function timestampToIso(t: Timestamp): string | null {
  if (t.seconds === 0 && t.fraction === 0) return null
  const { sec, nsec } = toUnix(t)
  return isoTimestamp(sec, nsec)
}

/**
 * The timestamp of a Unix time, for `encode`: the seconds wrap into the 32-bit field
 * and the fraction is rounded up, so that decoding gives back exactly `nsec`.
 */
export function timestamp(unixSec: number, nsec = 0): Timestamp {
  const seconds = (((unixSec + NTP_UNIX_OFFSET) % 0x100000000) + 0x100000000) % 0x100000000
  const fraction = Number((BigInt(Math.floor(nsec)) * 0x100000000n + 999_999_999n) / 1_000_000_000n)
  return { seconds, fraction }
}

/** The raw reference id of up to four ASCII characters ("GPS", "INIT", "RATE"), NUL-padded. */
export function refIdOf(text: string): number {
  let v = 0
  for (let i = 0; i < 4; i++) v = v * 256 + (i < text.length ? text.charCodeAt(i) & 0xff : 0)
  return v
}

/**
 * The contract's text of a reference id: for stratum 0 (kiss codes) and 1 (reference
 * clocks) ASCII with trailing NULs removed and other unprintable bytes as `\xNN`; for
 * every other stratum a dotted quad.
 */
export function refIdText(refId: number, stratum: number): string {
  if (stratum > 1) return ipv4ToString(refId)
  const b = [(refId >>> 24) & 0xff, (refId >>> 16) & 0xff, (refId >>> 8) & 0xff, refId & 0xff]
  let n = 4
  while (n > 0 && b[n - 1] === 0) n--
  let s = ''
  for (let i = 0; i < n; i++) {
    const c = b[i]!
    s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : `\\x${c < 16 ? '0' : ''}${c.toString(16)}`
  }
  return s
}

/** A description with every field present: a version 4 client request with all times zero, changed by `overrides`. */
export function fields(overrides: Partial<Fields> = {}): Fields {
  return {
    leap: 0, version: 4, mode: Mode.Client, stratum: 0, poll: 0, precision: 0, rootDelay: 0, rootDispersion: 0, refId: 0,
    referenceTime: { seconds: 0, fraction: 0 }, originTime: { seconds: 0, fraction: 0 },
    receiveTime: { seconds: 0, fraction: 0 }, transmitTime: { seconds: 0, fraction: 0 },
    extensions: [], keyId: null, digest: new Uint8Array(0), control: createControl(), private: createPrivate(),
    data: new Uint8Array(0), ...overrides,
  }
}

function extensionLength(e: ExtensionField): number {
  return e.length ?? ((4 + e.value.length + 3) & ~3)
}

/** Bytes `encode` writes for `f`. */
export function encodingLength(f: Fields): number {
  if (f.mode === Mode.Control) return CONTROL_HEADER_LEN + f.data.length
  if (f.mode === Mode.Private) return PRIVATE_HEADER_LEN + f.data.length
  let n = HEADER_LEN
  for (const e of f.extensions) n += Math.max(4 + e.value.length, extensionLength(e))
  if (f.keyId !== null) n += 4 + f.digest.length
  return n
}

/**
 * Write `f` at `offset`, byte for byte, with no fixing up (a Count or extension
 * Length that disagrees with the data is written as given). Returns the offset
 * just past the message.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  if (f.mode === Mode.Control) {
    const c = f.control
    put8(bytes, offset, (f.leap << 6) | ((f.version & 7) << 3) | Mode.Control)
    put8(bytes, offset + 1, (c.response ? 0x80 : 0) | (c.error ? 0x40 : 0) | (c.more ? 0x20 : 0) | (c.opcode & 0x1f))
    put16(bytes, offset + ControlField.SEQUENCE, c.sequence)
    put16(bytes, offset + ControlField.STATUS, c.status)
    put16(bytes, offset + ControlField.ASSOCIATION_ID, c.associationId)
    put16(bytes, offset + ControlField.OFFSET, c.offset)
    put16(bytes, offset + ControlField.COUNT, c.count)
    return putBytes(bytes, offset + CONTROL_HEADER_LEN, f.data)
  }
  if (f.mode === Mode.Private) {
    const p = f.private
    put8(bytes, offset, (p.response ? 0x80 : 0) | (p.more ? 0x40 : 0) | ((f.version & 7) << 3) | Mode.Private)
    put8(bytes, offset + 1, (p.auth ? 0x80 : 0) | (p.sequence & 0x7f))
    put8(bytes, offset + PrivateField.IMPLEMENTATION, p.implementation)
    put8(bytes, offset + PrivateField.REQUEST_CODE, p.requestCode)
    put16(bytes, offset + PrivateField.ERR_ITEMS, ((p.err & 0xf) << 12) | (p.itemCount & 0xfff))
    put16(bytes, offset + PrivateField.MBZ_ITEM_SIZE, ((p.mbz & 0xf) << 12) | (p.itemSize & 0xfff))
    return putBytes(bytes, offset + PRIVATE_HEADER_LEN, f.data)
  }
  put8(bytes, offset, ((f.leap & 3) << 6) | ((f.version & 7) << 3) | (f.mode & 7))
  put8(bytes, offset + Field.STRATUM, f.stratum)
  put8(bytes, offset + Field.POLL, f.poll)
  put8(bytes, offset + Field.PRECISION, f.precision)
  put32(bytes, offset + Field.ROOT_DELAY, f.rootDelay)
  put32(bytes, offset + Field.ROOT_DISPERSION, f.rootDispersion)
  put32(bytes, offset + Field.REFERENCE_ID, f.refId)
  writeTimestamp(bytes, offset + Field.REFERENCE_TIME, f.referenceTime)
  writeTimestamp(bytes, offset + Field.ORIGIN_TIME, f.originTime)
  writeTimestamp(bytes, offset + Field.RECEIVE_TIME, f.receiveTime)
  writeTimestamp(bytes, offset + Field.TRANSMIT_TIME, f.transmitTime)
  let o = offset + HEADER_LEN
  for (const e of f.extensions) {
    const len = extensionLength(e)
    put16(bytes, o, e.type)
    put16(bytes, o + 2, len)
    putBytes(bytes, o + 4, e.value)
    const written = Math.max(4 + e.value.length, len)
    bytes.fill(0, o + 4 + e.value.length, o + written)
    o += written
  }
  if (f.keyId !== null) {
    put32(bytes, o, f.keyId)
    o = putBytes(bytes, o + 4, f.digest)
  }
  return o
}

function writeTimestamp(bytes: Uint8Array, o: number, t: Timestamp): void {
  put32(bytes, o, t.seconds)
  put32(bytes, o + 4, t.fraction)
}

/** One line for debug output: "NTPv4 server stratum 2 ref 10.5.27.10 xmt 2017-06-19T14:19:18.494546877Z". */
export function describe(h: Header): string {
  const head = `NTPv${h.version} ${MODE_NAMES[h.mode]}`
  if (h.mode === Mode.Control) {
    const c = h.control
    return `${head} opcode ${c.opcode} seq ${c.sequence}${c.response ? ' response' : ''}${c.error ? ' error' : ''} count ${c.count}`
  }
  if (h.mode === Mode.Private) {
    const p = h.private
    return `${head} impl ${p.implementation} req ${p.requestCode} seq ${p.sequence}${p.response ? ' response' : ''} items ${p.itemCount}x${p.itemSize}`
  }
  return `${head} stratum ${h.stratum} ref ${refIdText(h.refId, h.stratum)} xmt ${timestampToIso(h.transmitTime) ?? 'zero'}`
}

/** The `ntp` layer of a decode record. Keys of the contract first, in its order; additions after. */
export interface NtpRecord {
  type: 'ntp'
  version: number
  mode: number
  /** null in modes 6 and 7, which have no such field. */
  stratum: number | null
  /** The leap indicator; null in mode 7, whose first two bits are the R and M flags. */
  leap: number | null
  /** log2 seconds, signed. */
  poll: number | null
  precision: number | null
  /** Dotted quad for stratum >= 2; ASCII (kiss code or clock name) for stratum 0-1. */
  refId: string | null
  /** ISO 8601 with nine digits; null when the field is zero. */
  transmitTime: string | null
  /** Seconds (the 16.16 field / 65536). */
  rootDelay: number | null
  rootDispersion: number | null
  referenceTime: string | null
  originTime: string | null
  receiveTime: string | null
  /** Extension field types in wire order. */
  extensions: number[]
  /** MAC key id, or null without a MAC. */
  keyId: number | null
  /** MAC digest bytes after the key id (0 for a crypto-NAK). */
  digestLength: number
  /** Mode 6 only. */
  control?: ControlFields
  /** Mode 7 only. */
  private?: PrivateFields
}

/** The `ntp` layer of a decode record. */
export function toRecord(h: Header): NtpRecord {
  if (h.mode === Mode.Control || h.mode === Mode.Private) {
    const r: NtpRecord = {
      type: 'ntp', version: h.version, mode: h.mode, stratum: null, leap: h.mode === Mode.Control ? h.leap : null,
      poll: null, precision: null, refId: null, transmitTime: null, rootDelay: null, rootDispersion: null,
      referenceTime: null, originTime: null, receiveTime: null, extensions: [], keyId: null, digestLength: 0,
    }
    if (h.mode === Mode.Control) r.control = { ...h.control }
    else r.private = { ...h.private }
    return r
  }
  return {
    type: 'ntp', version: h.version, mode: h.mode, stratum: h.stratum, leap: h.leap, poll: h.poll,
    precision: h.precision, refId: refIdText(h.refId, h.stratum), transmitTime: timestampToIso(h.transmitTime),
    rootDelay: h.rootDelay / 65536, rootDispersion: h.rootDispersion / 65536,
    referenceTime: timestampToIso(h.referenceTime), originTime: timestampToIso(h.originTime),
    receiveTime: timestampToIso(h.receiveTime), extensions: h.extensionTypes.slice(), keyId: h.keyId,
    digestLength: h.digestLength,
  }
}
