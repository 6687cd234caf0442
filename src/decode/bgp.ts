/**
 * BGP-4: Border Gateway Protocol, RFC 4271, over TCP port 179.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                                                               |
 *   +                     Marker (16 x 0xff)                        +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Length               |      Type     |  body ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   OPEN (1)          version(1) myAs(2) holdTime(2) bgpId(4) optParamLen(1) params
 *   UPDATE (2)        withdrawnLen(2) withdrawn  attrLen(2) attributes  NLRI    (bgp-update.ts)
 *   NOTIFICATION (3)  code(1) subcode(1) data
 *   KEEPALIVE (4)     (no body)
 *   ROUTE-REFRESH (5) afi(2) subtype(1) safi(1)                      (RFC 2918, RFC 7313)
 *
 * BGP is a byte stream: the caller (TCP reassembly, another module) hands over
 * contiguous in-order bytes; `frameMessage` says how long the message at an offset
 * is (0 = need more bytes, -1 = not a BGP header there) and `resync` finds the next
 * plausible header after garbage. `decode` then decodes one framed message.
 * `decodeMessages` does all three over a buffer, for a frame loop or a test.
 *
 * Per-connection context (`BgpSession`, from `createSession`, updated by
 * `observeOpen` with each side's OPEN) says whether AS numbers are 4 octets wide
 * (RFC 6793: both sides sent capability 65), whether messages may exceed 4096
 * bytes (RFC 8654: both sent capability 6) and which address families carry
 * add-path identifiers in each direction (RFC 7911: the sender offered "send"
 * and the receiver "receive"). Without both OPENs (a capture started mid-session)
 * the AS_PATH width is guessed per attribute, as tshark and tcpdump do: 2-octet
 * unless the 2-octet reading is inconsistent (a segment type outside 1-4, a walk
 * that does not end exactly at the attribute's end, or an ASN of 0, which RFC 7607
 * forbids and which is what the high half of a small 4-octet ASN looks like),
 * then 4-octet when that reading is consistent. Add-path identifiers are likewise
 * assumed only when the plain reading of an NLRI field is invalid and the add-path
 * reading is valid (Wireshark's detect_add_path_prefix4).
 *
 * Supported: every message type; OPEN optional parameters in both length forms
 * (RFC 9072), capabilities multiprotocol (1), route refresh (2, 128 Cisco),
 * extended next hop (5), extended message (6), multiple labels (8), role (9,
 * RFC 9234), graceful restart (64), 4-octet AS (65), add-path (69), enhanced route
 * refresh (70), FQDN (73), others kept by code, length and hex value; UPDATE path
 * attributes (see bgp-update.ts) with NLRI for AFI 1/2 and SAFI 1 (unicast),
 * 2 (multicast), 4 (labeled, RFC 8277) and 128 (MPLS VPN, RFC 4364); NOTIFICATION
 * with the shutdown communication of Cease subcodes 2 and 4 (RFC 9003).
 * Not supported: ORF entries of ROUTE-REFRESH (RFC 5291; kept in the length),
 * NLRI of other AFI/SAFI (EVPN, flowspec, BGP-LS: counted as undecoded bytes),
 * BGPsec, attribute-set contents (128), dynamic capability.
 *
 * Issues: `decode` collects every issue of a message in `out.issues` and returns
 * the first. The offset of an issue is that of the offending field or element
 * (attribute, prefix, capability), from the start of the buffer decoded, so one
 * message with several problems can be located exactly. A message whose header
 * is valid (`out.framed`) is still reported as far as it decoded.
 *
 * Shutdown communication text (RFC 9003) is decoded as UTF-8 with invalid
 * sequences replaced by U+FFFD (never an exception); the raw bytes stay in `data`.
 * Control characters are kept as they are: escaping is the renderer's job.
 */
import { u16, u32, u8 } from './bytes.js'
import { capabilityRecord, decodeCapabilities } from './bgp-open.js'
import { createUpdate, decodeUpdate, resetUpdate, updateToRecord, type UpdateBody } from './bgp-update.js'
import { ipv4ToString, hex } from './format.js'
import { OK, malformed, truncated, type DecodeIssue, type Decoded, type LenSource } from './issue.js'

export { build, encode, encodingLength, parsePrefix, sessionFor } from './bgp-encode.js'
export type {
  AsPathSpec, CapabilitySpec, Fields, KeepaliveSpec, MpReachSpec, MpUnreachSpec, NotificationSpec, OpenSpec,
  RawAttributeSpec, RouteRefreshSpec, UpdateSpec,
} from './bgp-encode.js'
export { extendedCommunityText, guessAsnWidth, prefixText, rdText, type AsPath, type MpNlri, type Prefix, type UpdateBody } from './bgp-update.js'

/** Byte offset of each header field from the start of the message. */
export const Field = {
  MARKER: 0,
  LENGTH: 16,
  TYPE: 18,
  BODY: 19,
} as const

/** OPEN body fields, from the start of the message. */
export const OpenField = {
  VERSION: 19,
  MY_AS: 20,
  HOLD_TIME: 22,
  BGP_ID: 24,
  OPT_PARAM_LEN: 28,
  OPT_PARAMS: 29,
} as const

/** UPDATE body fields, from the start of the message (the rest moves with the lengths). */
export const UpdateField = {
  WITHDRAWN_LEN: 19,
  WITHDRAWN: 21,
} as const

/** NOTIFICATION body fields, from the start of the message. */
export const NotificationField = {
  CODE: 19,
  SUBCODE: 20,
  DATA: 21,
} as const

/** ROUTE-REFRESH body fields, from the start of the message (RFC 7313 turned "reserved" into the subtype). */
export const RouteRefreshField = {
  AFI: 19,
  SUBTYPE: 21,
  SAFI: 22,
} as const

/** Marker + Length + Type: the smallest message (a KEEPALIVE). */
export const HEADER_LEN = 19
export const MARKER_LEN = 16
/** RFC 4271 §4.1: the largest message. */
export const MAX_MESSAGE_LEN = 4096
/** RFC 8654: the largest message once both sides advertised the extended message capability (6). */
export const MAX_EXTENDED_MESSAGE_LEN = 65535

export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const

/** Smallest valid length per message type (RFC 4271 §4.2-4.5, RFC 2918 §3). */
const MIN_LENGTH = [0, 29, 23, 21, 19, 23] as const

export const Capability = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  MULTIPLE_LABELS: 8,
  ROLE: 9,
  GRACEFUL_RESTART: 64,
  AS4: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GRACEFUL_RESTART: 71,
  FQDN: 73,
  ROUTE_REFRESH_CISCO: 128,
} as const

/** RFC 6793: the 2-octet placeholder for a 4-octet ASN. */
export const AS_TRANS = 23456

/** Which end of the connection sent a message; the caller picks the numbering and keeps it. */
export type Side = 0 | 1

/** What one side's OPEN advertised, as far as decoding the other messages needs. */
export interface OpenSummary {
  /** Capability 65's ASN, or null without it. */
  as4: number | null
  extendedMessage: boolean
  /** Add-path (capability 69): AFI * 256 + SAFI -> 1 receive, 2 send, 3 both. */
  addPath: Map<number, number>
}

/** Per-connection decoding context. One per TCP connection, both directions. */
export interface BgpSession {
  /** true when both OPENs carried capability 65, false when one of them did not, null before that is known. */
  as4: boolean | null
  /** Both OPENs carried capability 6 (RFC 8654): UPDATE, NOTIFICATION and ROUTE-REFRESH may reach 65535 bytes. */
  extendedMessage: boolean
  /**
   * Per sending side, the AFI * 256 + SAFI keys whose NLRI carry a 4-byte path identifier (RFC 7911 §3:
   * the sender offered send and the receiver receive). null until both OPENs were seen.
   */
  addPath: [Set<number>, Set<number>] | null
  /** The OPEN each side sent, once seen. */
  opens: [OpenSummary | null, OpenSummary | null]
}

export function createSession(): BgpSession {
  return { as4: null, extendedMessage: false, addPath: null, opens: [null, null] }
}

/**
 * Record what `side`'s OPEN (a decoded OPEN header) advertised and, once both
 * sides' OPENs are known, what the session negotiated. A later OPEN from the same
 * side (a new session on the same connection would be a new connection, but a
 * capture may repeat one) replaces the earlier one.
 */
export function observeOpen(session: BgpSession, h: Header, side: Side): void {
  if (h.type !== MessageType.OPEN || !h.framed) return
  const summary: OpenSummary = { as4: h.open.as4 < 0 ? null : h.open.as4, extendedMessage: false, addPath: new Map() }
  for (const c of h.open.capabilities) {
    if (c.code === Capability.EXTENDED_MESSAGE) summary.extendedMessage = true
    if (c.code === Capability.ADD_PATH && c.families) {
      for (const f of c.families) summary.addPath.set(f.afi * 256 + f.safi, f.value & 3)
    }
  }
  session.opens[side] = summary
  const theirs = session.opens[side === 0 ? 1 : 0]
  // One OPEN without capability 65 already settles it: the session uses 2-octet ASNs (RFC 6793 §4).
  if (summary.as4 === null) session.as4 = false
  if (!theirs) return
  session.as4 = summary.as4 !== null && theirs.as4 !== null
  session.extendedMessage = summary.extendedMessage && theirs.extendedMessage
  const [a, b] = side === 0 ? [summary, theirs] : [theirs, summary]
  session.addPath = [addPathKeys(a, b), addPathKeys(b, a)]
}

/** Families whose NLRI `sender` sends with path identifiers to `receiver`. */
function addPathKeys(sender: OpenSummary, receiver: OpenSummary): Set<number> {
  const keys = new Set<number>()
  for (const [key, mode] of sender.addPath) {
    if ((mode & 2) !== 0 && ((receiver.addPath.get(key) ?? 0) & 1) !== 0) keys.add(key)
  }
  return keys
}

// ---------------------------------------------------------------------------------------------
// Decoded form

/** An OPEN body. OPEN comes once per session, so capabilities are built as records directly. */
export interface OpenBody {
  version: number
  myAs: number
  holdTime: number
  /** BGP identifier as an unsigned 32-bit number. */
  bgpId: number
  /** The optional parameters length, from whichever field held it. */
  optionalParametersLength: number
  /** RFC 9072's extended optional parameters length form was used. */
  extendedParameters: boolean
  /** Types of optional parameters other than capabilities (2), in wire order. */
  otherParameters: number[]
  capabilities: BgpCapabilityRecord[]
  /** Capability 65's ASN, -1 when absent. */
  as4: number
}

export interface NotificationBody {
  code: number
  subcode: number
  /** Data after code and subcode, lowercase hex ("" when none). */
  data: string
  /** Cease 2/4 shutdown communication (RFC 9003), or null. */
  communication: string | null
}

export interface RouteRefreshBody {
  afi: number
  /** RFC 7313: 0 request, 1 begin of route refresh, 2 end of route refresh (reserved in RFC 2918). */
  subtype: number
  safi: number
}

/** One decoded message. Allocate with `create()` and reuse for every message. */
export interface Header {
  /** Length field. */
  length: number
  /** Type field. */
  type: number
  /** Marker, length and type were valid: this is a message to report, even when its body has issues. */
  framed: boolean
  /** No issue at all in this message. */
  complete: boolean
  /** Every issue found in this message, in wire order; `decode` returns the first. */
  issues: DecodeIssue[]
  /** Offset of the first body byte and one past the last one that was there. */
  payloadOffset: number
  payloadEnd: number
  open: OpenBody
  update: UpdateBody
  notification: NotificationBody
  routeRefresh: RouteRefreshBody
}

export function create(): Header {
  return {
    length: 0, type: 0, framed: false, complete: false, issues: [], payloadOffset: 0, payloadEnd: 0,
    open: {
      version: 0, myAs: 0, holdTime: 0, bgpId: 0, optionalParametersLength: 0, extendedParameters: false,
      otherParameters: [], capabilities: [], as4: -1,
    },
    update: createUpdate(),
    notification: { code: 0, subcode: 0, data: '', communication: null },
    routeRefresh: { afi: 0, subtype: 0, safi: 0 },
  }
}

// ---------------------------------------------------------------------------------------------
// Framing

/** Largest length allowed for a message of `type` in `session`. OPEN and KEEPALIVE stay at 4096 (RFC 8654 §4). */
function maxLength(type: number, session: BgpSession | null | undefined): number {
  if (session?.extendedMessage && type !== MessageType.OPEN && type !== MessageType.KEEPALIVE) return MAX_EXTENDED_MESSAGE_LEN
  return MAX_MESSAGE_LEN
}

/**
 * The length of the complete message that starts at `offset`; 0 when the bytes up to
 * `end` are a valid beginning but the message needs more; -1 when they are not a BGP
 * header (a marker byte is not 0xff, the length is below 19 or above 4096 - 65535 with
 * extended messages - or the type is not 1-5). Checks only what is there, so a bad
 * marker is seen before the whole header has arrived. Type-specific lengths (an
 * UPDATE shorter than 23) frame fine and are `decode`'s issues.
 */
export function frameMessage(bytes: Uint8Array, offset: number, end: number, session?: BgpSession | null): number {
  const have = end - offset
  if (have <= 0) return 0
  const markerEnd = offset + Math.min(MARKER_LEN, have)
  for (let i = offset; i < markerEnd; i++) if (bytes[i] !== 0xff) return -1
  if (have < HEADER_LEN) return partialLengthValid(bytes, offset, have, session) ? 0 : -1
  const length = u16(bytes, offset + Field.LENGTH)
  const type = u8(bytes, offset + Field.TYPE)
  if (type < MessageType.OPEN || type > MessageType.ROUTE_REFRESH) return -1
  if (length < HEADER_LEN || length > maxLength(type, session)) return -1
  return have >= length ? length : 0
}

/** Whether the length bytes of a header cut before its type can still be valid, for any type. */
function partialLengthValid(bytes: Uint8Array, offset: number, have: number, session: BgpSession | null | undefined): boolean {
  const max = session?.extendedMessage ? MAX_EXTENDED_MESSAGE_LEN : MAX_MESSAGE_LEN
  if (have > Field.LENGTH + 1) {
    const length = u16(bytes, offset + Field.LENGTH)
    return length >= HEADER_LEN && length <= max
  }
  if (have > Field.LENGTH) return u8(bytes, offset + Field.LENGTH) * 256 <= max
  return true
}

/**
 * The first offset at or after `offset` where a plausible BGP header starts (16 x 0xff,
 * a valid length and type, or a valid beginning cut by `end`); `end` when there is none.
 * After `frameMessage` returned -1 at p, call `resync(bytes, p + 1, end)`; the bytes in
 * between are the gap (Zeek's missed bytes). Linear in the bytes scanned: a non-0xff
 * byte inside a candidate marker moves the search past it.
 */
export function resync(bytes: Uint8Array, offset: number, end: number, session?: BgpSession | null): number {
  let p = offset
  while (p < end) {
    const limit = Math.min(p + MARKER_LEN, end)
    let q = p
    while (q < limit && bytes[q] === 0xff) q++
    if (q < limit) { p = q + 1; continue }
    if (frameMessage(bytes, p, end, session) !== -1) return p
    p++
  }
  return end
}

/** The malformed issue for a header `frameMessage` rejected at `offset`. */
export function headerIssue(bytes: Uint8Array, offset: number, end: number, session?: BgpSession | null): DecodeIssue {
  const markerEnd = Math.min(offset + MARKER_LEN, end)
  for (let i = offset; i < markerEnd; i++) {
    if (bytes[i] !== 0xff) return malformed('bgp', 'marker', bytes[i]!, '16 bytes of 0xff', i)
  }
  const have = end - offset
  if (have < HEADER_LEN) {
    if (!partialLengthValid(bytes, offset, have, session)) {
      const max = session?.extendedMessage ? MAX_EXTENDED_MESSAGE_LEN : MAX_MESSAGE_LEN
      const value = have > Field.LENGTH + 1 ? u16(bytes, offset + Field.LENGTH) : u8(bytes, offset + Field.LENGTH) * 256
      return malformed('bgp', 'length', value, `${HEADER_LEN}-${max}`, offset + Field.LENGTH)
    }
    return truncated('bgp', 'header', HEADER_LEN, have, offset)
  }
  const length = u16(bytes, offset + Field.LENGTH)
  const type = u8(bytes, offset + Field.TYPE)
  if (type < MessageType.OPEN || type > MessageType.ROUTE_REFRESH) {
    return malformed('bgp', 'type', type, '1-5 (OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH)', offset + Field.TYPE)
  }
  const max = maxLength(type, session)
  return malformed('bgp', 'length', length, `${HEADER_LEN}-${max}`, offset + Field.LENGTH)
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decode the message that starts at `offset` into `out`. `end` is where the bytes
 * the caller has end: normally `offset + frameMessage(...)`; when it is shorter than
 * the length field (a snap length cut the segment), the message is decoded as far
 * as it goes and a 'payload' truncation is returned (problems past the cut are not
 * reported: they are the cut's). `session` (with the sending `side`) gives the AS
 * width, extended messages and add-path; without it they are guessed.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  session: BgpSession | null = null,
  side: Side = 0,
  endSource: LenSource = 'capture',
): Decoded {
  if (out.issues.length !== 0) out.issues.length = 0
  out.framed = false
  out.complete = false
  out.length = 0
  out.type = 0
  out.payloadOffset = out.payloadEnd = offset
  const have = end - offset
  if (have < HEADER_LEN) {
    const issue = frameMessage(bytes, offset, end, session) === -1
      ? headerIssue(bytes, offset, end, session)
      : truncated('bgp', 'header', HEADER_LEN, have, offset, endSource)
    out.issues.push(issue)
    return issue
  }
  out.length = u16(bytes, offset + Field.LENGTH)
  out.type = u8(bytes, offset + Field.TYPE)
  if (frameMessage(bytes, offset, offset + HEADER_LEN, session) === -1) {
    const issue = headerIssue(bytes, offset, end, session)
    out.issues.push(issue)
    return issue
  }
  out.framed = true
  const type = out.type
  const length = out.length
  let bodyEnd = offset + length
  const cut = bodyEnd > end
  if (cut) {
    bodyEnd = end
    out.issues.push(truncated('bgp', 'payload', length, have, offset, endSource))
  }
  out.payloadOffset = offset + HEADER_LEN
  out.payloadEnd = bodyEnd
  const min = MIN_LENGTH[type as 1 | 2 | 3 | 4 | 5]
  if (length < min || (type === MessageType.KEEPALIVE && length !== HEADER_LEN)) {
    const expected = type === MessageType.KEEPALIVE ? '19 for a KEEPALIVE' : `>= ${min} for ${typeName(type)}`
    out.issues.push(malformed('bgp', 'length', length, expected, offset + Field.LENGTH))
  }
  const decodeBody = length >= min && !(cut && offset + min > end)
  // decodeUpdate clears the UPDATE body itself.
  if (!decodeBody || type !== MessageType.UPDATE) resetBodies(out)
  if (decodeBody) {
    switch (type) {
      case MessageType.OPEN: decodeOpen(bytes, offset, bodyEnd, cut, out); break
      case MessageType.UPDATE:
        decodeUpdate(bytes, offset, bodyEnd, cut, out.update, out.issues, session, side)
        break
      case MessageType.NOTIFICATION: decodeNotification(bytes, offset, bodyEnd, cut, out); break
      case MessageType.ROUTE_REFRESH: {
        const r = out.routeRefresh
        r.afi = u16(bytes, offset + RouteRefreshField.AFI)
        r.subtype = u8(bytes, offset + RouteRefreshField.SUBTYPE)
        r.safi = u8(bytes, offset + RouteRefreshField.SAFI)
        break
      }
    }
  }
  out.complete = out.issues.length === 0
  return out.issues[0] ?? OK
}

/** Clear the body of the message's type (the only one its record reads). */
function resetBodies(out: Header): void {
  switch (out.type) {
    case MessageType.OPEN: {
      const o = out.open
      o.version = o.myAs = o.holdTime = o.bgpId = o.optionalParametersLength = 0
      o.extendedParameters = false
      if (o.otherParameters.length !== 0) o.otherParameters.length = 0
      if (o.capabilities.length !== 0) o.capabilities.length = 0 // the records copy what they keep
      o.as4 = -1
      break
    }
    case MessageType.UPDATE: resetUpdate(out.update); break
    case MessageType.NOTIFICATION: {
      const n = out.notification
      n.code = n.subcode = 0
      n.data = ''
      n.communication = null
      break
    }
    case MessageType.ROUTE_REFRESH: {
      const r = out.routeRefresh
      r.afi = r.subtype = r.safi = 0
      break
    }
  }
}

function decodeOpen(bytes: Uint8Array, offset: number, end: number, cut: boolean, out: Header): void {
  const o = out.open
  o.version = u8(bytes, offset + OpenField.VERSION)
  o.myAs = u16(bytes, offset + OpenField.MY_AS)
  o.holdTime = u16(bytes, offset + OpenField.HOLD_TIME)
  o.bgpId = u32(bytes, offset + OpenField.BGP_ID)
  // RFC 4271 §4.2: the hold time is 0 or at least 3 seconds.
  if (o.holdTime === 1 || o.holdTime === 2) {
    out.issues.push(malformed('bgp', 'holdTime', o.holdTime, '0 or >= 3 seconds', offset + OpenField.HOLD_TIME))
  }
  let p = offset + OpenField.OPT_PARAMS
  let optLen = u8(bytes, offset + OpenField.OPT_PARAM_LEN)
  let paramHeader = 2
  // RFC 9072: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 means a 2-byte length follows,
  // and every parameter then has a 2-byte length.
  if (optLen === 255 && end - p >= 3 && u8(bytes, p) === 255) {
    o.extendedParameters = true
    optLen = u16(bytes, p + 1)
    p += 3
    paramHeader = 3
  }
  o.optionalParametersLength = optLen
  let optEnd = p + optLen
  if (optEnd !== end && !(cut && optEnd > end)) {
    out.issues.push(malformed('bgp', 'optionalParametersLength', optLen, `${end - p} (the rest of the message)`,
      offset + OpenField.OPT_PARAM_LEN))
  }
  if (optEnd > end) optEnd = end
  while (p < optEnd) {
    if (optEnd - p < paramHeader) {
      if (!cut) out.issues.push(malformed('bgp', 'parameterLength', optEnd - p, `>= ${paramHeader} bytes of parameter header`, p))
      break
    }
    const type = u8(bytes, p)
    const len = paramHeader === 3 ? u16(bytes, p + 1) : u8(bytes, p + 1)
    const v = p + paramHeader
    if (v + len > optEnd) {
      if (!cut) out.issues.push(malformed('bgp', 'parameterLength', len, `<= ${optEnd - v}`, p + 1))
      if (type === 2 && cut) decodeCapabilities(bytes, v, optEnd, true, o, out.issues)
      break
    }
    if (type === 2) {
      if (!decodeCapabilities(bytes, v, v + len, cut, o, out.issues)) break
    } else {
      o.otherParameters.push(type)
    }
    p = v + len
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

function decodeNotification(bytes: Uint8Array, offset: number, end: number, cut: boolean, out: Header): void {
  const n = out.notification
  n.code = u8(bytes, offset + NotificationField.CODE)
  n.subcode = u8(bytes, offset + NotificationField.SUBCODE)
  const data = offset + NotificationField.DATA
  n.data = hex(bytes, data, end)
  // RFC 9003: Cease / Administrative Shutdown (2) and Administrative Reset (4) may carry a length
  // byte and that many bytes of UTF-8.
  if (n.code === 6 && (n.subcode === 2 || n.subcode === 4) && end > data) {
    const len = u8(bytes, data)
    if (data + 1 + len > end) {
      if (!cut) out.issues.push(malformed('bgp', 'communicationLength', len, `<= ${end - data - 1}`, data))
      return
    }
    n.communication = utf8.decode(bytes.subarray(data + 1, data + 1 + len))
  }
}

// ---------------------------------------------------------------------------------------------
// Records

/** The `bgp` layer of a decode record: every message that completes in the frame. */
export interface BgpRecord { type: 'bgp'; messages: BgpMessageRecord[] }

export type BgpMessageRecord =
  | BgpOpenRecord | BgpUpdateRecord | BgpNotificationRecord | BgpKeepaliveRecord | BgpRouteRefreshRecord

/** One capability: code and length always; the rest by code (data, as hex, for codes not decoded). */
export interface BgpCapabilityRecord {
  code: number
  length: number
  /** 1 multiprotocol. */
  afi?: number
  safi?: number
  /** 65 4-octet AS. */
  asn?: number
  /**
   * Per-family values: 5 extended next hop (next hop AFI), 8 multiple labels (count),
   * 64 graceful restart (flags), 69 add-path (1 receive, 2 send, 3 both), 71 LLGR (flags << 24 | stale time).
   */
  families?: Array<{ afi: number; safi: number; value: number }>
  /** 64 graceful restart: the 4 flag bits and the 12-bit restart time in seconds. */
  restartFlags?: number
  restartTime?: number
  /** 9 role (RFC 9234): 0 provider, 1 route server, 2 RS client, 3 customer, 4 peer. */
  role?: number
  /** 73 FQDN. */
  hostname?: string
  domain?: string
  /** The value as hex, when it is not decoded (unknown code, or a length the code does not allow). */
  data?: string
}

export interface BgpOpenRecord {
  kind: 'OPEN'; length: number
  version: number; myAs: number; holdTime: number; bgpId: string; as4: number | null; capabilities: number[]
  capabilityDetails: BgpCapabilityRecord[]
  /** RFC 9072's extended optional parameters length was used. */
  extendedParameters: boolean
  /** Optional parameter types other than capabilities (1 is the deprecated authentication). */
  otherParameters: number[]
  malformed?: true
}

export interface BgpMpReachRecord {
  afi: number; safi: number
  /** The first (global) next hop; for VPN families without its route distinguisher. null when empty. */
  nextHop: string | null
  nlri: string[]
  /** The second next hop, when the field holds two (an IPv6 link-local address). */
  nextHopLinkLocal?: string
  /** VPN families: the next hop's route distinguisher. */
  nextHopRd?: string
  /** Labeled families: each prefix's label stack (label values, outermost first), parallel to nlri. */
  labels?: number[][]
  /** VPN families: each prefix's route distinguisher, parallel to nlri. */
  rds?: string[]
  /** Add-path: each prefix's path identifier, parallel to nlri. */
  pathIds?: number[]
  /** Bytes of NLRI not decoded (an AFI/SAFI this decoder does not know). */
  undecoded?: number
}

export interface BgpMpUnreachRecord {
  afi: number; safi: number
  withdrawn: string[]
  labels?: number[][]
  rds?: string[]
  pathIds?: number[]
  undecoded?: number
}

export interface BgpUpdateRecord {
  kind: 'UPDATE'; length: number
  /** IPv4 withdrawn routes of the UPDATE itself. */
  withdrawn: string[]
  /** IPv4 NLRI of the UPDATE itself. */
  nlri: string[]
  origin: number | null
  /** ASNs of every segment in wire order; 4-octet where negotiated, else AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3). */
  asPath: number[]
  nextHop: string | null
  mpReach: BgpMpReachRecord | null
  mpUnreach: BgpMpUnreachRecord | null
  med: number | null
  localPref: number | null
  atomicAggregate: boolean
  aggregator: { asn: number; address: string } | null
  /** RFC 1997, "high:low". */
  communities: string[]
  /** RFC 4360: route targets as "rt:admin:value", sites of origin as "soo:admin:value", others as 16 hex digits. */
  extendedCommunities: string[]
  /** RFC 8092, "global:local1:local2". */
  largeCommunities: string[]
  originatorId: string | null
  clusterList: string[]
  /** AS_PATH exactly as on the wire: type 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET. */
  asPathSegments: Array<{ type: number; asns: number[] }>
  /** Octets per ASN in AS_PATH (and AGGREGATOR): from the session, or guessed when it is unknown. */
  asnWidth: 2 | 4
  /** AS4_PATH as on the wire, or null when absent. */
  as4Path: Array<{ type: number; asns: number[] }> | null
  as4Aggregator: { asn: number; address: string } | null
  /** RFC 4724 End-of-RIB marker: an empty UPDATE (IPv4 unicast), or only an empty MP_UNREACH_NLRI. */
  endOfRib: boolean
  /** Every path attribute in wire order. */
  attributes: Array<{ type: number; flags: number; length: number }>
  /** Attributes this decoder does not know, with their value as hex. */
  unknownAttributes: Array<{ type: number; flags: number; length: number; data: string }>
  /** Add-path identifiers of `withdrawn` / `nlri`, when the session (or the guess) says they are there. */
  withdrawnPathIds?: number[]
  nlriPathIds?: number[]
  malformed?: true
}

export interface BgpNotificationRecord {
  kind: 'NOTIFICATION'; length: number
  code: number; subcode: number
  /** Data after code and subcode, lowercase hex, "" when none. */
  data: string
  /** The shutdown communication (Cease 2/4, RFC 9003), or null. */
  communication: string | null
  malformed?: true
}

export interface BgpKeepaliveRecord { kind: 'KEEPALIVE'; length: number; malformed?: true }

export interface BgpRouteRefreshRecord {
  kind: 'ROUTE-REFRESH'; length: number
  afi: number; safi: number; subtype: number
  malformed?: true
}

export function typeName(type: number): BgpMessageRecord['kind'] | `type ${number}` {
  switch (type) {
    case MessageType.OPEN: return 'OPEN'
    case MessageType.UPDATE: return 'UPDATE'
    case MessageType.NOTIFICATION: return 'NOTIFICATION'
    case MessageType.KEEPALIVE: return 'KEEPALIVE'
    case MessageType.ROUTE_REFRESH: return 'ROUTE-REFRESH'
    default: return `type ${type}`
  }
}

/** The record of one framed message (`h.framed`); keys in the contract's order, additions after. */
export function toRecord(h: Header): BgpMessageRecord {
  const r = baseRecord(h)
  if (!h.complete) r.malformed = true
  return r
}

function baseRecord(h: Header): BgpMessageRecord {
  switch (h.type) {
    case MessageType.OPEN: {
      const o = h.open
      return {
        kind: 'OPEN', length: h.length, version: o.version, myAs: o.myAs, holdTime: o.holdTime,
        bgpId: ipv4ToString(o.bgpId), as4: o.as4 < 0 ? null : o.as4, capabilities: o.capabilities.map((c) => c.code),
        capabilityDetails: o.capabilities.map(capabilityRecord), extendedParameters: o.extendedParameters,
        otherParameters: o.otherParameters.slice(),
      }
    }
    case MessageType.UPDATE: return updateToRecord(h.length, h.update)
    case MessageType.NOTIFICATION: {
      const n = h.notification
      return { kind: 'NOTIFICATION', length: h.length, code: n.code, subcode: n.subcode, data: n.data, communication: n.communication }
    }
    case MessageType.ROUTE_REFRESH: {
      const r = h.routeRefresh
      return { kind: 'ROUTE-REFRESH', length: h.length, afi: r.afi, safi: r.safi, subtype: r.subtype }
    }
    default: return { kind: 'KEEPALIVE', length: h.length }
  }
}

/** The `bgp` layer record for the messages of one frame. */
export function toLayerRecord(messages: BgpMessageRecord[]): BgpRecord {
  return { type: 'bgp', messages }
}

/** One line for debug output: "BGP UPDATE len=75 withdrawn=0 nlri=1". */
export function describe(h: Header): string {
  const name = typeName(h.type)
  switch (h.type) {
    case MessageType.OPEN:
      return `BGP OPEN len=${h.length} as=${h.open.as4 >= 0 ? h.open.as4 : h.open.myAs} hold=${h.open.holdTime} id=${ipv4ToString(h.open.bgpId)}`
    case MessageType.UPDATE: {
      const u = h.update
      const reach = u.withdrawn.length + u.mpUnreach.prefixes.length
      const nlri = u.nlri.length + u.mpReach.prefixes.length
      return `BGP UPDATE len=${h.length} withdrawn=${reach} nlri=${nlri}`
    }
    case MessageType.NOTIFICATION:
      return `BGP NOTIFICATION ${h.notification.code}/${h.notification.subcode} len=${h.length}`
    case MessageType.ROUTE_REFRESH:
      return `BGP ROUTE-REFRESH afi=${h.routeRefresh.afi} safi=${h.routeRefresh.safi} subtype=${h.routeRefresh.subtype}`
    default:
      return `BGP ${name} len=${h.length}`
  }
}

// ---------------------------------------------------------------------------------------------
// A buffer of messages

export interface MessagesResult {
  /** Records of the framed messages, in order. */
  messages: BgpMessageRecord[]
  /** Every issue: bad headers (one per run of garbage) and the messages' own. */
  issues: DecodeIssue[]
  /** Where the bytes not decoded start: an incomplete message to keep for the next segment, or `end`. */
  next: number
  /** Bytes skipped while resynchronising on the next marker after a bad header. */
  skipped: number
}

/**
 * Frame and decode every complete message in `bytes[offset, end)` (contiguous
 * in-order bytes of one direction, sent by `side`), updating `session` with the
 * OPENs seen. A bad header gives one malformed issue and the scan resynchronises
 * on the next marker; an incomplete message at the end is left for the caller
 * (`next`), unless `final` says the stream ends there (the connection closed, or
 * reassembly gave up): then it is decoded as far as it goes and its length field,
 * which claims bytes that never came, is a malformed issue. Issue offsets are
 * offsets in `bytes`. `scratch` is reused for each message.
 */
export function decodeMessages(
  bytes: Uint8Array,
  offset: number,
  end: number,
  session: BgpSession | null = null,
  side: Side = 0,
  final = false,
  scratch: Header = create(),
): MessagesResult {
  const result: MessagesResult = { messages: [], issues: [], next: end, skipped: 0 }
  let p = offset
  while (p < end) {
    const n = frameMessage(bytes, p, end, session)
    if (n === 0 && !final) { result.next = p; break }
    if (n < 0) {
      result.issues.push(headerIssue(bytes, p, end, session))
      const q = resync(bytes, p + 1, end, session)
      result.skipped += q - p
      p = q
      continue
    }
    if (n === 0) {
      // The stream ended inside this message.
      decode(bytes, p, end, scratch, session, side, 'reassembly')
      if (scratch.framed) {
        scratch.issues[0] = malformed('bgp', 'length', scratch.length, `<= ${end - p} (the stream ended there)`, p + Field.LENGTH)
        result.messages.push(toRecord(scratch))
      }
      for (const issue of scratch.issues) result.issues.push(issue)
      break
    }
    decode(bytes, p, p + n, scratch, session, side)
    result.messages.push(toRecord(scratch))
    for (const issue of scratch.issues) result.issues.push(issue)
    if (session && scratch.type === MessageType.OPEN) observeOpen(session, scratch, side)
    p += n
  }
  return result
}
