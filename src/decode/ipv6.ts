/**
 * IPv6: Internet Protocol version 6, RFC 8200, with its extension header chain
 * (RFC 8200 §4, AH RFC 4302, Mobility RFC 6275, HIP RFC 7401, Shim6 RFC 5533,
 * experimental 253/254 RFC 3692; the common layout is RFC 6564).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version| Traffic Class |           Flow Label                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Source Address (128 bits)                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Destination Address (128 bits)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Extension headers (generic form; length in 8-byte units, not counting the first 8):
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Next Header  |  Hdr Ext Len  |  header-specific data ...     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Fragment (44), always 8 bytes:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *   |                         Identification                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   AH (51): Payload Len counts 4-byte units minus 2.
 *
 * Supported: every fixed-header field; the extension chain hop-by-hop (0),
 * routing (43, any type), fragment (44), AH (51), destination options (60),
 * mobility (135), HIP (139), Shim6 (140), experimental (253, 254), walked to
 * the upper-layer protocol; fragment fields; payload bounds from Payload
 * Length (bytes past it are link padding); Payload Length 0 with data behind
 * it (a jumbogram, RFC 2675, or a GSO packet from the capturing host).
 * Not supported: option contents (hop-by-hop jumbo payload length, router
 * alert, PadN, ...), routing header contents, AH verification, ESP (50) and
 * anything behind it (encrypted: the walk stops there), fragment reassembly
 * (another module). A hop-by-hop header that is not first is walked like
 * any other, as Wireshark does, and not reported.
 */
import { put16, put32, put8, putBytes, u16, u32, u8 } from './bytes.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import { ipv6ToString } from './format.js'
import { MAX_IPV6_EXT_HEADERS } from './limits.js'
import type { Ipv6Record } from './record.js'

/** Byte offset of each field from the start of the IPv6 header. */
export const Field = {
  /** Version (4 bits), Traffic Class (8 bits), Flow Label (20 bits). */
  VERSION_CLASS_FLOW: 0,
  PAYLOAD_LENGTH: 4,
  NEXT_HEADER: 6,
  HOP_LIMIT: 7,
  SRC: 8,
  DST: 24,
} as const

/** Fixed header size in bytes. */
export const HEADER_LEN = 40
/** Every extension header is at least 8 bytes (RFC 8200 §4: a multiple of 8 octets). */
export const MIN_EXTENSION_LEN = 8
/** The fragment header's size in bytes. */
export const FRAGMENT_HEADER_LEN = 8

/** Next Header values this decoder knows about. */
export const Protocol = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  NO_NEXT_HEADER: 59,
  DESTINATION: 60,
  MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
  EXPERIMENT_1: 253,
  EXPERIMENT_2: 254,
} as const

/** The header fields exactly as they are on the wire (extension headers aside: `encode` takes them raw). */
export interface Fields {
  /** 6 for a valid header; kept as sent so `encode` can write other values. */
  version: number
  trafficClass: number
  /** 20-bit flow label. */
  flowLabel: number
  /** Bytes after the fixed 40-byte header (extension headers included); 0 for a jumbogram. */
  payloadLength: number
  /** Next Header of the fixed header: the first extension header or the upper layer. */
  nextHeader: number
  hopLimit: number
  /** Source address, 16 bytes. Owned by the header: decode copies into it, never aliases the frame. */
  src: Uint8Array
  /** Destination address, 16 bytes, owned like `src`. */
  dst: Uint8Array
}

/** A decoded header: the wire fields, the extension chain and where each part lies. */
export interface Header extends Fields {
  /**
   * Extension header protocol numbers in wire order (0, 43, 44, 51, 60, ...).
   * Reused: overwritten by the next decode into this header.
   */
  extensions: number[]
  /**
   * The Next Header value that ended the walk: the upper-layer protocol (6, 17,
   * 58, 41, ...), 59 (no next header), 50 (ESP), or, behind a fragment header
   * of a real fragment, the protocol of the fragment data.
   */
  upperProtocol: number
  /** Offset where `upperProtocol` starts (or where fragment data starts), from the start of the buffer. */
  upperOffset: number
  /** A fragment header was seen (the last one's fields are below). */
  hasFragment: boolean
  /** Fragment header Identification (32 bits); 0 without a fragment header. */
  fragmentId: number
  /** Fragment offset in BYTES (the 13-bit field x 8); 0 without a fragment header. */
  fragmentOffset: number
  /** The fragment header's M flag: more fragments follow. */
  fragmentMore: boolean
  /**
   * Payload Length was 0 but bytes follow the fixed header: a jumbogram
   * (RFC 2675) or a GSO packet seen on the capturing host. The payload is
   * taken to end at the captured `end`.
   */
  jumbo: boolean
  /** Offset just past the fixed header (the first extension header), from the start of the buffer. */
  payloadOffset: number
  /** Offset one past the last payload byte that was captured (never past `declaredEnd`). */
  payloadEnd: number
  /**
   * `offset + 40 + payloadLength`: where the sender says the packet ends, even
   * when the snap length cut the frame before it. For `jumbo`, the captured end.
   */
  declaredEnd: number
}

/** A zeroed header to decode into. Allocate once, reuse for every packet. */
export function create(): Header {
  return {
    version: 0, trafficClass: 0, flowLabel: 0, payloadLength: 0, nextHeader: 0, hopLimit: 0,
    src: new Uint8Array(16), dst: new Uint8Array(16),
    extensions: [], upperProtocol: 0, upperOffset: 0,
    hasFragment: false, fragmentId: 0, fragmentOffset: 0, fragmentMore: false,
    jumbo: false, payloadOffset: 0, payloadEnd: 0, declaredEnd: 0,
  }
}

const NOT_EXTENSION = 0
const GENERIC = 1 // (Hdr Ext Len + 1) x 8 bytes
const FRAGMENT = 2 // 8 bytes
const AH = 3 // (Payload Len + 2) x 4 bytes

/** How to size the header `next` names, or NOT_EXTENSION when the walk stops at it. */
function extensionKind(next: number): number {
  switch (next) {
    case Protocol.HOP_BY_HOP:
    case Protocol.ROUTING:
    case Protocol.DESTINATION:
    case Protocol.MOBILITY:
    case Protocol.HIP:
    case Protocol.SHIM6:
    case Protocol.EXPERIMENT_1:
    case Protocol.EXPERIMENT_2:
      return GENERIC
    case Protocol.FRAGMENT:
      return FRAGMENT
    case Protocol.AH:
      return AH
    default:
      return NOT_EXTENSION // upper layer, 59 (no next header), 50 (ESP: encrypted), unknown
  }
}

/**
 * Decode the IPv6 header that starts at `offset`, and its extension headers,
 * into `out`.
 *
 * `end` is where the enclosing layer says the bytes end, and `endSource` says
 * which length set it. Outcomes:
 * - OK, or a 'payload' issue (Payload Length claims more than `end` holds):
 *   everything is decoded; the payload is cut at `end`.
 * - a 'header' issue at offset 0..39 from `offset`, or a malformed version:
 *   `out` must not be used.
 * - a 'header' issue whose `offset` is past the fixed header: an extension
 *   header was cut. The fixed header, the extensions before the cut and
 *   `upperProtocol`/`upperOffset` (naming the cut header) are valid.
 * - malformed 'extensions' (too many): as the previous case.
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
    return truncated('ipv6', 'header', HEADER_LEN, have, offset, endSource)
  }
  const word = u32(bytes, offset + Field.VERSION_CLASS_FLOW)
  const version = Math.floor(word / 0x10000000)
  if (version !== 6) {
    return malformed('ipv6', 'version', version, '6', offset)
  }

  const payloadLength = u16(bytes, offset + Field.PAYLOAD_LENGTH)
  const nextHeader = u8(bytes, offset + Field.NEXT_HEADER)
  out.version = version
  out.trafficClass = (word >>> 20) & 0xff
  out.flowLabel = word & 0xfffff
  out.payloadLength = payloadLength
  out.nextHeader = nextHeader
  out.hopLimit = u8(bytes, offset + Field.HOP_LIMIT)
  // Copy byte by byte: a subarray() or slice() per packet costs ~50 ns (style guide §C).
  const src = out.src
  const dst = out.dst
  for (let i = 0; i < 16; i++) {
    src[i] = u8(bytes, offset + Field.SRC + i)
    dst[i] = u8(bytes, offset + Field.DST + i)
  }
  out.payloadOffset = offset + HEADER_LEN

  // Where the walk may read up to, and which length to blame when a header runs past it.
  let payloadIssue: Decoded = OK
  let limitSource: LenSource
  if (payloadLength === 0 && nextHeader !== Protocol.NO_NEXT_HEADER && have > HEADER_LEN) {
    out.jumbo = true
    out.payloadEnd = end
    out.declaredEnd = end
    limitSource = endSource
  } else {
    out.jumbo = false
    out.declaredEnd = offset + HEADER_LEN + payloadLength
    if (HEADER_LEN + payloadLength <= have) {
      // Bytes past Payload Length are link-layer padding.
      out.payloadEnd = out.declaredEnd
      limitSource = 'ipv6.payloadLength'
    } else {
      out.payloadEnd = end
      limitSource = endSource
      payloadIssue = truncated('ipv6', 'payload', HEADER_LEN + payloadLength, have, offset, endSource)
    }
  }

  const walkIssue = walkExtensions(bytes, out, limitSource)
  return walkIssue === OK ? payloadIssue : walkIssue
}

/**
 * Walk the extension headers from `h.payloadOffset` to `h.payloadEnd`, filling
 * `extensions`, the fragment fields, `upperProtocol` and `upperOffset`.
 */
function walkExtensions(bytes: Uint8Array, h: Header, limitSource: LenSource): Decoded {
  const extensions = h.extensions
  extensions.length = 0
  h.hasFragment = false
  h.fragmentId = 0
  h.fragmentOffset = 0
  h.fragmentMore = false

  const limit = h.payloadEnd
  let next = h.nextHeader
  let p = h.payloadOffset
  for (;;) {
    const kind = extensionKind(next)
    if (kind === NOT_EXTENSION) break
    h.upperProtocol = next
    h.upperOffset = p
    if (extensions.length === MAX_IPV6_EXT_HEADERS) {
      return malformed('ipv6', 'extensions', MAX_IPV6_EXT_HEADERS + 1, `<= ${MAX_IPV6_EXT_HEADERS} extension headers`, p)
    }
    const avail = limit - p
    if (avail < MIN_EXTENSION_LEN) {
      return truncated('ipv6', 'header', MIN_EXTENSION_LEN, avail, p, limitSource)
    }
    const headerNext = u8(bytes, p)
    const lengthField = u8(bytes, p + 1)
    const length = kind === FRAGMENT ? FRAGMENT_HEADER_LEN
      : kind === AH ? (lengthField + 2) * 4
      : (lengthField + 1) * 8
    if (avail < length) {
      return truncated('ipv6', 'header', length, avail, p, limitSource)
    }
    extensions.push(next)
    p += length
    next = headerNext
    if (kind === FRAGMENT) {
      const offsetFlags = u16(bytes, p - 6)
      h.hasFragment = true
      h.fragmentOffset = (offsetFlags >>> 3) * 8
      h.fragmentMore = (offsetFlags & 1) !== 0
      h.fragmentId = u32(bytes, p - 4)
      // A real fragment: what follows is fragment data, not headers (for the
      // first fragment, the start of the fragmentable part, which reassembly
      // decodes). tshark also stops here. An atomic fragment (offset 0, M 0,
      // RFC 6946) is a whole packet, so the walk goes on.
      if (h.fragmentMore || h.fragmentOffset > 0) break
    }
  }
  h.upperProtocol = next
  h.upperOffset = p
  return OK
}

/**
 * True for a fragment of a larger datagram (more to come, or not the first
 * piece). Then `upperOffset`..`payloadEnd` is fragment data of protocol
 * `upperProtocol`: only the reassembled datagram can be decoded further.
 * An atomic fragment (RFC 6946) is not one: its upper layer decodes here.
 */
export function isFragment(h: Header): boolean {
  return h.hasFragment && (h.fragmentMore || h.fragmentOffset > 0)
}

/**
 * True when `decode` filled the fixed header, whatever it returned: OK, a
 * 'payload' issue, or an issue in the extension chain (a cut extension header,
 * too many of them), whose offset lies past the fixed header. Then the fields,
 * the extensions before the problem and `toRecord` are valid, so the layer can
 * be reported even though decoding stops after it (tshark shows it too).
 * `offset` is the one passed to `decode`.
 */
export function fixedHeaderDecoded(result: Decoded, offset: number): boolean {
  return result.ok || result.offset > offset || (result.kind === 'truncated' && result.part === 'payload')
}

const NO_EXTENSIONS: ArrayLike<number> = new Uint8Array(0)

/** Bytes `encode` writes: the fixed header plus the raw extension header bytes. */
export function encodingLength(extensions: ArrayLike<number> = NO_EXTENSIONS): number {
  return HEADER_LEN + extensions.length
}

/**
 * Write `f` at `offset`, then `extensions` (raw extension header bytes)
 * verbatim, with no fixing up (Payload Length and Next Header are written as
 * given), so tests can build malformed packets too. Returns the offset just
 * past what was written.
 */
export function encode(
  f: Fields,
  bytes: Uint8Array,
  offset: number,
  extensions: ArrayLike<number> = NO_EXTENSIONS,
): number {
  put32(
    bytes,
    offset + Field.VERSION_CLASS_FLOW,
    (((f.version & 0x0f) << 28) | ((f.trafficClass & 0xff) << 20) | (f.flowLabel & 0xfffff)) >>> 0,
  )
  put16(bytes, offset + Field.PAYLOAD_LENGTH, f.payloadLength)
  put8(bytes, offset + Field.NEXT_HEADER, f.nextHeader)
  put8(bytes, offset + Field.HOP_LIMIT, f.hopLimit)
  putBytes(bytes, offset + Field.SRC, f.src)
  putBytes(bytes, offset + Field.DST, f.dst)
  return putBytes(bytes, offset + HEADER_LEN, extensions)
}

/** One line for debug output: "IPv6 2001:db8::1 -> 2001:db8::2 next=17 hlim=64 len=20 ext=0,44 frag=0+ id=7". */
export function describe(h: Header): string {
  let s = `IPv6 ${ipv6ToString(h.src)} -> ${ipv6ToString(h.dst)} next=${h.upperProtocol} hlim=${h.hopLimit}` +
    ` len=${h.jumbo ? 'jumbo' : h.payloadLength}`
  if (h.extensions.length > 0) s += ` ext=${h.extensions.join(',')}`
  if (h.hasFragment) s += ` frag=${h.fragmentOffset}${h.fragmentMore ? '+' : ''} id=${h.fragmentId}`
  return s
}

/** The `ipv6` layer of a decode record (`reassembled` and `quoted` are added by the caller). */
export function toRecord(h: Header): Ipv6Record {
  const r: Ipv6Record = {
    type: 'ipv6',
    src: ipv6ToString(h.src),
    dst: ipv6ToString(h.dst),
    nextHeader: h.upperProtocol,
    hopLimit: h.hopLimit,
    flowLabel: h.flowLabel,
    trafficClass: h.trafficClass,
    payloadLength: h.payloadLength,
    extensions: h.extensions.slice(),
  }
  if (h.hasFragment) r.fragment = { id: h.fragmentId, offset: h.fragmentOffset, mf: h.fragmentMore }
  return r
}
