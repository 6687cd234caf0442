/**
 * BGP UPDATE (RFC 4271 §4.3) body and path attributes.
 *
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes Length (2 octets)                |
 *   |   Withdrawn Routes (variable)                       |
 *   |   Total Path Attribute Length (2 octets)            |
 *   |   Path Attributes: flags(1) type(1) length(1 or 2)  |
 *   |   Network Layer Reachability Information (variable) |
 *   +-----------------------------------------------------+
 *
 * Attributes decoded: ORIGIN (1), AS_PATH (2, 2- or 4-octet ASNs), NEXT_HOP (3),
 * MULTI_EXIT_DISC (4), LOCAL_PREF (5), ATOMIC_AGGREGATE (6), AGGREGATOR (7),
 * COMMUNITIES (8, RFC 1997), ORIGINATOR_ID (9) and CLUSTER_LIST (10, RFC 4456),
 * MP_REACH_NLRI (14) and MP_UNREACH_NLRI (15, RFC 4760), EXTENDED COMMUNITIES
 * (16, RFC 4360), AS4_PATH (17) and AS4_AGGREGATOR (18, RFC 6793), LARGE_COMMUNITY
 * (32, RFC 8092). Any other type is kept by type, flags, length and hex value.
 *
 * An attribute whose length does not fit its type (ORIGIN of 2 bytes, a COMMUNITIES
 * length not a multiple of 4) is a malformed issue and its value is not used (RFC 7606
 * would treat the route as withdrawn); the walk goes on with the next attribute,
 * since the length still says where it is. An attribute that overruns the attributes
 * section stops the walk. When the session runs 2-octet ASNs, AS4_PATH is merged into
 * AS_PATH as RFC 6793 §4.2.3 says (and AS4_AGGREGATOR replaces an AGGREGATOR of
 * AS_TRANS); both raw forms stay in the record.
 */
import { u16, u24, u32, u8 } from './bytes.js'
import type { BgpMpReachRecord, BgpMpUnreachRecord, BgpSession, BgpUpdateRecord, Side } from './bgp.js'
import { hex, ipv4ToString, ipv6ToString } from './format.js'
import { malformed, type DecodeIssue } from './issue.js'
import { MAX_BGP_AS_PATH_ASNS, MAX_BGP_AS_PATH_SEGMENTS, MAX_BGP_ATTRIBUTES, MAX_BGP_LABELS, MAX_BGP_PREFIXES } from './limits.js'

export const Attribute = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
} as const

/** Attribute flag bits (RFC 4271 §4.3). */
export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const

export const SegmentType = { AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 } as const

/** Subsequent address family identifiers whose NLRI this decoder reads. */
export const Safi = { UNICAST: 1, MULTICAST: 2, LABELED: 4, VPN: 128 } as const

/** One NLRI entry, numbers only; `prefixText` makes the text. Pooled per header. */
export interface Prefix {
  family: 4 | 6
  /** Prefix length in bits, labels and route distinguisher not counted. */
  length: number
  /** Address bytes as sent (4 used for IPv4), zero past the prefix. */
  addr: Uint8Array
  /** Add-path identifier (RFC 7911), -1 when none. */
  pathId: number
  /** Labeled families: label values (20 bits), outermost first. */
  labels: number[]
  /** VPN families: the 8-byte route distinguisher. */
  rd: Uint8Array
  hasRd: boolean
}

/** An AS_PATH / AS4_PATH as sent: segment types and lengths, and all ASNs in order. */
export interface AsPath {
  types: number[]
  lengths: number[]
  asns: number[]
}

export interface MpNlri {
  present: boolean
  afi: number
  safi: number
  /** Next hop bytes (MP_REACH only) and how many. */
  nextHop: Uint8Array
  nextHopLength: number
  prefixes: Prefix[]
  /** NLRI bytes of an AFI/SAFI not decoded. */
  undecoded: number
  addPath: boolean
}

export interface UpdateBody {
  withdrawnLength: number
  attributesLength: number
  withdrawn: Prefix[]
  nlri: Prefix[]
  /** Add-path identifiers in withdrawn / nlri. */
  addPath: boolean
  /** 0-2, -1 when absent or unusable. */
  origin: number
  asPath: AsPath
  /** AS_PATH is present / was read without an issue. */
  hasAsPath: boolean
  asPathValid: boolean
  asnWidth: 2 | 4
  as4Path: AsPath
  hasAs4Path: boolean
  as4PathValid: boolean
  /** The contract's asPath: AS_PATH, merged with AS4_PATH on a 2-octet session. */
  path: number[]
  /** NEXT_HOP as an unsigned 32-bit number, -1 when absent. */
  nextHop: number
  med: number
  localPref: number
  atomicAggregate: boolean
  /** AGGREGATOR's ASN (-1 absent) and address. */
  aggregatorAs: number
  aggregatorAddr: number
  as4AggregatorAs: number
  as4AggregatorAddr: number
  /** 32-bit values. */
  communities: number[]
  /** Two 32-bit halves per community. */
  extendedCommunities: number[]
  /** Three 32-bit values per community. */
  largeCommunities: number[]
  originatorId: number
  clusterList: number[]
  mpReach: MpNlri
  mpUnreach: MpNlri
  /** type, flags, length per attribute, in wire order. */
  attributes: number[]
  unknown: Array<{ type: number; flags: number; length: number; data: string }>
  /** Prefixes of this message so far (for the bound). */
  prefixCount: number
  /** Types seen, for duplicates (RFC 7606 §3 (g): the first one counts). */
  seen: Uint8Array
  pool: Prefix[]
  poolUsed: number
}

function createMp(): MpNlri {
  return { present: false, afi: 0, safi: 0, nextHop: new Uint8Array(255), nextHopLength: 0, prefixes: [], undecoded: 0, addPath: false }
}

function createPath(): AsPath {
  return { types: [], lengths: [], asns: [] }
}

export function createUpdate(): UpdateBody {
  return {
    withdrawnLength: 0, attributesLength: 0, withdrawn: [], nlri: [], addPath: false, origin: -1,
    asPath: createPath(), hasAsPath: false, asPathValid: false, asnWidth: 2,
    as4Path: createPath(), hasAs4Path: false, as4PathValid: false, path: [],
    nextHop: -1, med: -1, localPref: -1, atomicAggregate: false,
    aggregatorAs: -1, aggregatorAddr: 0, as4AggregatorAs: -1, as4AggregatorAddr: 0,
    communities: [], extendedCommunities: [], largeCommunities: [], originatorId: -1, clusterList: [],
    mpReach: createMp(), mpUnreach: createMp(), attributes: [], unknown: [], prefixCount: 0,
    seen: new Uint8Array(256), pool: [], poolUsed: 0,
  }
}

// Emptying an array by `a.length = 0` is a runtime call in V8 that trims the backing store (~100 ns each,
// measured); a fresh empty array costs a small allocation in the young generation instead. So the lists of a
// decoded UPDATE are replaced when they hold something, and left alone when they are already empty.

function resetPath(p: AsPath): void {
  if (p.types.length !== 0) { p.types = []; p.lengths = []; p.asns = [] }
}

function resetMp(m: MpNlri): void {
  m.present = false
  m.afi = m.safi = m.nextHopLength = m.undecoded = 0
  if (m.prefixes.length !== 0) m.prefixes = []
  m.addPath = false
}

/** Clear an UPDATE body, keeping its prefix pool and buffers. */
export function resetUpdate(u: UpdateBody): void {
  u.withdrawnLength = u.attributesLength = 0
  if (u.withdrawn.length !== 0) u.withdrawn = []
  if (u.nlri.length !== 0) u.nlri = []
  u.addPath = false
  u.origin = -1
  resetPath(u.asPath)
  resetPath(u.as4Path)
  u.hasAsPath = u.hasAs4Path = u.asPathValid = u.as4PathValid = false
  u.asnWidth = 2
  if (u.path.length !== 0) u.path = []
  u.nextHop = u.med = u.localPref = u.originatorId = -1
  u.atomicAggregate = false
  u.aggregatorAs = u.as4AggregatorAs = -1
  u.aggregatorAddr = u.as4AggregatorAddr = 0
  if (u.communities.length !== 0) u.communities = []
  if (u.extendedCommunities.length !== 0) u.extendedCommunities = []
  if (u.largeCommunities.length !== 0) u.largeCommunities = []
  if (u.clusterList.length !== 0) u.clusterList = []
  resetMp(u.mpReach)
  resetMp(u.mpUnreach)
  // Only the types seen need clearing in `seen`: every third entry of `attributes` is one.
  for (let i = 0; i < u.attributes.length; i += 3) u.seen[u.attributes[i]!] = 0
  if (u.attributes.length !== 0) u.attributes = []
  if (u.unknown.length !== 0) u.unknown = []
  u.prefixCount = 0
  u.poolUsed = 0
}

function takePrefix(u: UpdateBody): Prefix {
  let p = u.pool[u.poolUsed]
  if (!p) {
    p = { family: 4, length: 0, addr: new Uint8Array(16), pathId: -1, labels: [], rd: new Uint8Array(8), hasRd: false }
    u.pool.push(p)
  }
  u.poolUsed++
  p.addr.fill(0)
  p.pathId = -1
  if (p.labels.length !== 0) p.labels = []
  p.hasRd = false
  return p
}

/** What the walk needs besides the bytes: where issues go, whether the capture cut the message, the session. */
interface Ctx {
  bytes: Uint8Array
  u: UpdateBody
  issues: DecodeIssue[]
  cut: boolean
  session: BgpSession | null
  side: Side
}

/** An overrun past `end` is the capture's cut when the message was cut: not an issue then. */
function overrun(ctx: Ctx, issue: DecodeIssue): void {
  if (!ctx.cut) ctx.issues.push(issue)
}

/**
 * Decode the UPDATE body of the message at `offset` (its header already checked,
 * length >= 23) up to `end` (the message end, or the capture's cut when `cut`).
 */
export function decodeUpdate(
  bytes: Uint8Array, offset: number, end: number, cut: boolean, u: UpdateBody,
  issues: DecodeIssue[], session: BgpSession | null, side: Side,
): void {
  resetUpdate(u)
  if (session?.as4 === true) u.asnWidth = 4
  const ctx: Ctx = { bytes, u, issues, cut, session, side }
  const wl = offset + 19
  if (end - wl < 2) return
  u.withdrawnLength = u16(bytes, wl)
  const wStart = wl + 2
  const wEnd = wStart + u.withdrawnLength
  // The withdrawn routes must leave room for the 2-byte attributes length.
  if (wEnd + 2 > end) {
    overrun(ctx, malformed('bgp', 'withdrawnLength', u.withdrawnLength, `<= ${Math.max(0, end - wStart - 2)} (the message length)`, wl))
    // What fits is still read; its overrun is the length's, already reported.
    readPrefixes({ ...ctx, cut: true }, wStart, Math.min(wEnd, end), 1, Safi.UNICAST, false, u.withdrawn, 'withdrawn')
    return
  }
  u.addPath = usesAddPath(ctx, 1, Safi.UNICAST, 4, wStart, wEnd)
  readPrefixes(ctx, wStart, wEnd, 1, Safi.UNICAST, u.addPath, u.withdrawn, 'withdrawn')
  u.attributesLength = u16(bytes, wEnd)
  const aStart = wEnd + 2
  const aEnd = aStart + u.attributesLength
  // An attributes length that overruns the message leaves nothing to trust after it: stop there (RFC 7606 §4
  // would reset the session), as tshark does.
  if (aEnd > end) {
    overrun(ctx, malformed('bgp', 'pathAttributesLength', u.attributesLength, `<= ${end - aStart} (the message length)`, wEnd))
    if (!cut) return
  }
  readAttributes(ctx, aStart, Math.min(aEnd, end))
  finishPaths(u, session)
  if (aEnd >= end) return
  // NLRI: the rest of the message. A session that negotiated add-path for IPv4 unicast
  // in one direction uses it for withdrawn routes and NLRI alike.
  const nlriAddPath = session?.addPath ? u.addPath : usesAddPath(ctx, 1, Safi.UNICAST, 4, aEnd, end)
  if (nlriAddPath) u.addPath = true
  readPrefixes(ctx, aEnd, end, 1, Safi.UNICAST, nlriAddPath, u.nlri, 'nlri')
}

/** Whether the NLRI field in [p, end) carries add-path identifiers: from the session, or guessed. */
function usesAddPath(ctx: Ctx, afi: number, safi: number, family: 4 | 6, p: number, end: number): boolean {
  const known = ctx.session?.addPath
  if (known) return known[ctx.side].has(afi * 256 + safi)
  if (safi !== Safi.UNICAST && safi !== Safi.MULTICAST) return false
  return !walkPlain(ctx.bytes, p, end, family, false) && walkPlain(ctx.bytes, p, end, family, true)
}

/** True when [p, end) reads as a sequence of valid prefixes with canonical host bits (detection only). */
function walkPlain(bytes: Uint8Array, p: number, end: number, family: 4 | 6, addPath: boolean): boolean {
  const max = family === 4 ? 32 : 128
  while (p < end) {
    if (addPath) p += 4
    if (p >= end) return false
    const len = u8(bytes, p)
    if (len > max) return false
    const n = (len + 7) >> 3
    p += 1 + n
    if (p > end) return false
    if (len % 8 !== 0 && (u8(bytes, p - 1) & (0xff >> (len % 8))) !== 0) return false
  }
  return p === end
}

/**
 * Read the prefixes of [p, end) into `list`. AFI 1/2 with SAFI 1, 2 (plain), 4
 * (label stack, RFC 8277) and 128 (labels + route distinguisher, RFC 4364). Stops at
 * the first bad prefix with an issue; returns false then.
 */
function readPrefixes(
  ctx: Ctx, p: number, end: number, afi: number, safi: number, addPath: boolean, list: Prefix[], field: string,
): boolean {
  const { bytes, u } = ctx
  const family: 4 | 6 = afi === 2 ? 6 : 4
  const maxBits = family === 4 ? 32 : 128
  const labeled = safi === Safi.LABELED || safi === Safi.VPN
  while (p < end) {
    const at = p
    if (u.prefixCount === MAX_BGP_PREFIXES) {
      ctx.issues.push(malformed('bgp', 'prefixes', u.prefixCount + 1, `<= ${MAX_BGP_PREFIXES} per message`, at))
      return false
    }
    let pathId = -1
    if (addPath) {
      if (end - p < 5) {
        overrun(ctx, malformed('bgp', 'prefixLength', end - p, `>= 5 bytes (path identifier and length) in ${field}`, at))
        return false
      }
      pathId = u32(bytes, p)
      p += 4
    }
    const lenByte = u8(bytes, p)
    p++
    let bits = lenByte
    const pre = takePrefix(u)
    pre.family = family
    pre.pathId = pathId
    if (labeled) {
      // Labels until the bottom-of-stack bit. In the first position, 0x800000 (RFC 3107's withdrawal value,
      // RFC 8277 §2.4) and 0x000000 stand for the whole stack, as Wireshark reads them.
      for (;;) {
        if (pre.labels.length === MAX_BGP_LABELS) {
          return dropPrefix(ctx, malformed('bgp', 'labels', pre.labels.length + 1, `<= ${MAX_BGP_LABELS} per prefix`, p), false)
        }
        if (bits < 24) return dropPrefix(ctx, malformed('bgp', 'prefixLength', lenByte, 'room for a label stack ending in a bottom-of-stack bit', at), false)
        if (end - p < 3) return dropPrefix(ctx, malformed('bgp', 'prefixLength', lenByte, `a label within the ${field} field`, at), true)
        const entry = u24(bytes, p)
        pre.labels.push(entry >>> 4)
        p += 3
        bits -= 24
        if ((entry & 1) !== 0) break
        if (pre.labels.length === 1 && (entry === 0x800000 || entry === 0)) break
      }
      if (safi === Safi.VPN) {
        if (bits < 64) return dropPrefix(ctx, malformed('bgp', 'prefixLength', lenByte, 'room for a route distinguisher', at), false)
        if (end - p < 8) return dropPrefix(ctx, malformed('bgp', 'prefixLength', lenByte, `a route distinguisher within the ${field} field`, at), true)
        pre.rd.set(bytes.subarray(p, p + 8))
        pre.hasRd = true
        p += 8
        bits -= 64
      }
    }
    if (bits > maxBits) {
      return dropPrefix(ctx, malformed('bgp', 'prefixLength', lenByte, labeled ? `labels + <= ${maxBits} bits` : `<= ${maxBits}`, at), false)
    }
    const n = (bits + 7) >> 3
    if (p + n > end) {
      return dropPrefix(ctx, malformed('bgp', 'prefixLength', lenByte, `a prefix within the ${field} field (${end - p} bytes left)`, at), true)
    }
    pre.length = bits
    for (let i = 0; i < n; i++) pre.addr[i] = u8(bytes, p + i)
    p += n
    list.push(pre)
    u.prefixCount++
  }
  return true
}

/** Give back the prefix being read and report why it stopped (an overrun is the cut's when the message was cut). */
function dropPrefix(ctx: Ctx, issue: DecodeIssue, isOverrun: boolean): false {
  ctx.u.poolUsed--
  if (isOverrun) overrun(ctx, issue)
  else ctx.issues.push(issue)
  return false
}

function readAttributes(ctx: Ctx, p: number, end: number): void {
  const { bytes, u } = ctx
  let count = 0
  while (p < end) {
    if (count === MAX_BGP_ATTRIBUTES) {
      ctx.issues.push(malformed('bgp', 'attributes', count + 1, `<= ${MAX_BGP_ATTRIBUTES} per UPDATE`, p))
      return
    }
    const at = p
    if (end - p < 3) {
      overrun(ctx, malformed('bgp', 'attributeLength', end - p, '>= 3 bytes of attribute header', at))
      return
    }
    const flags = u8(bytes, p)
    const type = u8(bytes, p + 1)
    const extended = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0
    if (extended && end - p < 4) {
      overrun(ctx, malformed('bgp', 'attributeLength', end - p, '>= 4 bytes of extended-length attribute header', at))
      return
    }
    const length = extended ? u16(bytes, p + 2) : u8(bytes, p + 2)
    const v = p + (extended ? 4 : 3)
    u.attributes.push(type, flags, length)
    count++
    if (v + length > end) {
      overrun(ctx, malformed('bgp', 'attributeLength', length, `<= ${end - v} (the attributes section)`, at + 2))
      return
    }
    const first = u.seen[type] === 0
    u.seen[type] = 1
    if (first) readAttribute(ctx, type, flags, length, v, at)
    p = v + length
  }
}

/** An attribute whose length does not fit its type; `at` is the attribute's first byte. */
function badLength(ctx: Ctx, field: string, length: number, expected: string, at: number): void {
  ctx.issues.push(malformed('bgp', field, length, expected, at))
}

/** One attribute's value in [v, v + length); `at` is the attribute's first byte. */
function readAttribute(ctx: Ctx, type: number, flags: number, length: number, v: number, at: number): void {
  const { bytes, u } = ctx
  switch (type) {
    case Attribute.ORIGIN: {
      if (length !== 1) return badLength(ctx, 'origin.length', length, '1', at)
      const origin = u8(bytes, v)
      if (origin > 2) { ctx.issues.push(malformed('bgp', 'origin', origin, '0 IGP, 1 EGP or 2 INCOMPLETE', v)); return }
      u.origin = origin
      return
    }
    case Attribute.AS_PATH: {
      // Without the session's answer the AS_PATH's own consistency decides. (An AS4_PATH beside it would say
      // "2-octet" too, but only when the 2-octet reading is consistent does it matter, and then the guess is 2.)
      const known = ctx.session?.as4
      const width = known === true ? 4 : known === false ? 2 : guessAsnWidth(bytes, v, v + length)
      u.asnWidth = width
      u.hasAsPath = true
      u.asPathValid = readAsPath(ctx, v, v + length, width, u.asPath, 'asPath')
      return
    }
    case Attribute.AS4_PATH:
      u.hasAs4Path = true
      u.as4PathValid = readAsPath(ctx, v, v + length, 4, u.as4Path, 'as4Path')
      return
    case Attribute.NEXT_HOP:
      if (length !== 4) return badLength(ctx, 'nextHop.length', length, '4', at)
      u.nextHop = u32(bytes, v)
      return
    case Attribute.MULTI_EXIT_DISC:
      if (length !== 4) return badLength(ctx, 'med.length', length, '4', at)
      u.med = u32(bytes, v)
      return
    case Attribute.LOCAL_PREF:
      if (length !== 4) return badLength(ctx, 'localPref.length', length, '4', at)
      u.localPref = u32(bytes, v)
      return
    case Attribute.ATOMIC_AGGREGATE:
      if (length !== 0) return badLength(ctx, 'atomicAggregate.length', length, '0', at)
      u.atomicAggregate = true
      return
    case Attribute.AGGREGATOR:
      // The length says the width: 6 with 2-octet ASNs, 8 with 4-octet ones.
      if (length === 6) { u.aggregatorAs = u16(bytes, v); u.aggregatorAddr = u32(bytes, v + 2) }
      else if (length === 8) { u.aggregatorAs = u32(bytes, v); u.aggregatorAddr = u32(bytes, v + 4) }
      else badLength(ctx, 'aggregator.length', length, '6 or 8', at)
      return
    case Attribute.AS4_AGGREGATOR:
      if (length !== 8) return badLength(ctx, 'as4Aggregator.length', length, '8', at)
      u.as4AggregatorAs = u32(bytes, v)
      u.as4AggregatorAddr = u32(bytes, v + 4)
      return
    case Attribute.COMMUNITIES:
      if (length % 4 !== 0) return badLength(ctx, 'communities.length', length, 'a multiple of 4', at)
      for (let q = v; q < v + length; q += 4) u.communities.push(u32(bytes, q))
      return
    case Attribute.EXTENDED_COMMUNITIES:
      if (length % 8 !== 0) return badLength(ctx, 'extendedCommunities.length', length, 'a multiple of 8', at)
      for (let q = v; q < v + length; q += 8) u.extendedCommunities.push(u32(bytes, q), u32(bytes, q + 4))
      return
    case Attribute.LARGE_COMMUNITY:
      if (length % 12 !== 0) return badLength(ctx, 'largeCommunities.length', length, 'a multiple of 12', at)
      for (let q = v; q < v + length; q += 12) u.largeCommunities.push(u32(bytes, q), u32(bytes, q + 4), u32(bytes, q + 8))
      return
    case Attribute.ORIGINATOR_ID:
      if (length !== 4) return badLength(ctx, 'originatorId.length', length, '4', at)
      u.originatorId = u32(bytes, v)
      return
    case Attribute.CLUSTER_LIST:
      if (length % 4 !== 0) return badLength(ctx, 'clusterList.length', length, 'a multiple of 4', at)
      for (let q = v; q < v + length; q += 4) u.clusterList.push(u32(bytes, q))
      return
    case Attribute.MP_REACH_NLRI:
      readMpReach(ctx, v, v + length, at)
      return
    case Attribute.MP_UNREACH_NLRI:
      readMpUnreach(ctx, v, v + length, at)
      return
    default:
      u.unknown.push({ type, flags, length, data: hex(bytes, v, v + length) })
  }
}

function decodedFamily(afi: number, safi: number): boolean {
  return (afi === 1 || afi === 2) &&
    (safi === Safi.UNICAST || safi === Safi.MULTICAST || safi === Safi.LABELED || safi === Safi.VPN)
}

/** MP_REACH_NLRI (RFC 4760 §3): AFI(2) SAFI(1) next hop length(1) next hop, reserved(1), NLRI. */
function readMpReach(ctx: Ctx, v: number, end: number, at: number): void {
  const { bytes, u } = ctx
  const m = u.mpReach
  if (end - v < 5) {
    ctx.issues.push(malformed('bgp', 'mpReach.length', end - v, '>= 5', at))
    return
  }
  m.present = true
  m.afi = u16(bytes, v)
  m.safi = u8(bytes, v + 2)
  const nhLen = u8(bytes, v + 3)
  if (v + 4 + nhLen + 1 > end) {
    ctx.issues.push(malformed('bgp', 'mpReach.nextHopLength', nhLen, `<= ${end - v - 5}`, v + 3))
    return
  }
  m.nextHopLength = nhLen
  m.nextHop.set(bytes.subarray(v + 4, v + 4 + nhLen))
  const nlri = v + 4 + nhLen + 1
  if (!decodedFamily(m.afi, m.safi)) { m.undecoded = end - nlri; return }
  m.addPath = usesAddPath(ctx, m.afi, m.safi, m.afi === 2 ? 6 : 4, nlri, end)
  readPrefixes(ctx, nlri, end, m.afi, m.safi, m.addPath, m.prefixes, 'mpReach')
}

/** MP_UNREACH_NLRI (RFC 4760 §4): AFI(2) SAFI(1) withdrawn routes. */
function readMpUnreach(ctx: Ctx, v: number, end: number, at: number): void {
  const { bytes, u } = ctx
  const m = u.mpUnreach
  if (end - v < 3) {
    ctx.issues.push(malformed('bgp', 'mpUnreach.length', end - v, '>= 3', at))
    return
  }
  m.present = true
  m.afi = u16(bytes, v)
  m.safi = u8(bytes, v + 2)
  const p = v + 3
  if (!decodedFamily(m.afi, m.safi)) { m.undecoded = end - p; return }
  m.addPath = usesAddPath(ctx, m.afi, m.safi, m.afi === 2 ? 6 : 4, p, end)
  readPrefixes(ctx, p, end, m.afi, m.safi, m.addPath, m.prefixes, 'mpUnreach')
}

/**
 * The ASN width of an AS_PATH when the session does not say: 2 unless the 2-octet
 * reading is inconsistent (segment type outside 1-4, a walk not ending exactly at
 * the end, an ASN of 0), then 4 if the 4-octet reading is consistent; else 2.
 */
export function guessAsnWidth(bytes: Uint8Array, p: number, end: number): 2 | 4 {
  if (asPathConsistent(bytes, p, end, 2)) return 2
  if (asPathConsistent(bytes, p, end, 4)) return 4
  return 2
}

function asPathConsistent(bytes: Uint8Array, p: number, end: number, width: 2 | 4): boolean {
  let segments = 0
  while (p < end) {
    if (end - p < 2 || ++segments > MAX_BGP_AS_PATH_SEGMENTS) return false
    const type = u8(bytes, p)
    const count = u8(bytes, p + 1)
    if (type < 1 || type > 4 || count === 0) return false
    p += 2
    if (p + count * width > end) return false
    if (width === 2) {
      for (let i = 0; i < count; i++) if (u16(bytes, p + 2 * i) === 0) return false
    }
    p += count * width
  }
  return p === end
}

/** Read AS path segments of `width`-octet ASNs; false (with an issue) when malformed. */
function readAsPath(ctx: Ctx, p: number, end: number, width: 2 | 4, path: AsPath, field: string): boolean {
  const { bytes } = ctx
  while (p < end) {
    if (path.types.length === MAX_BGP_AS_PATH_SEGMENTS) {
      ctx.issues.push(malformed('bgp', `${field}.segments`, path.types.length + 1, `<= ${MAX_BGP_AS_PATH_SEGMENTS}`, p))
      return false
    }
    if (end - p < 2) {
      ctx.issues.push(malformed('bgp', `${field}.segmentLength`, end - p, '>= 2 bytes of segment header', p))
      return false
    }
    const type = u8(bytes, p)
    const count = u8(bytes, p + 1)
    if (type < 1 || type > 4) {
      ctx.issues.push(malformed('bgp', `${field}.segmentType`, type, '1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET', p))
      return false
    }
    // RFC 7606 §7.2: a segment of length zero is malformed.
    if (count === 0) {
      ctx.issues.push(malformed('bgp', `${field}.segmentLength`, 0, '>= 1 ASN', p + 1))
      return false
    }
    const v = p + 2
    if (v + count * width > end) {
      ctx.issues.push(malformed('bgp', `${field}.segmentLength`, count, `<= ${Math.floor((end - v) / width)} ASNs of ${width} octets`, p + 1))
      return false
    }
    if (path.asns.length + count > MAX_BGP_AS_PATH_ASNS) {
      ctx.issues.push(malformed('bgp', `${field}.asns`, path.asns.length + count, `<= ${MAX_BGP_AS_PATH_ASNS}`, p))
      return false
    }
    path.types.push(type)
    path.lengths.push(count)
    for (let i = 0; i < count; i++) path.asns.push(width === 4 ? u32(bytes, v + 4 * i) : u16(bytes, v + 2 * i))
    p = v + count * width
  }
  return true
}

/** ASes a path counts for RFC 6793's comparison: a set counts 1, confederation segments 0. */
function pathLength(path: AsPath): number {
  let n = 0
  for (let i = 0; i < path.types.length; i++) {
    const t = path.types[i]!
    if (t === SegmentType.AS_SEQUENCE) n += path.lengths[i]!
    else if (t === SegmentType.AS_SET) n += 1
  }
  return n
}

/** Fill `u.path` (the contract's asPath) and merge AS4_AGGREGATOR, once all attributes are read. */
function finishPaths(u: UpdateBody, session: BgpSession | null): void {
  const path = u.path // emptied by resetUpdate
  const fourOctet = session?.as4 === true || (session?.as4 !== false && u.asnWidth === 4)
  if (!u.hasAsPath) return
  // A malformed AS4_PATH is ignored (RFC 6793 §6); a malformed AS_PATH is reported as far as it was read.
  if (fourOctet || !u.as4PathValid || !u.asPathValid) {
    for (const a of u.asPath.asns) path.push(a)
  } else {
    mergeAs4Path(u.asPath, u.as4Path, path)
  }
  if (!fourOctet && u.aggregatorAs === 23456 && u.as4AggregatorAs >= 0) {
    u.aggregatorAs = u.as4AggregatorAs
    u.aggregatorAddr = u.as4AggregatorAddr
  }
}

/**
 * RFC 6793 §4.2.3: when AS_PATH counts fewer ASes than AS4_PATH, AS4_PATH is ignored;
 * otherwise the leading ASes of AS_PATH (as many as AS_PATH has more, confederation
 * segments taken along uncounted) are followed by AS4_PATH (whose confederation
 * segments, never valid there, are dropped).
 */
function mergeAs4Path(asPath: AsPath, as4Path: AsPath, out: number[]): void {
  const as4 = { types: [] as number[], lengths: [] as number[], asns: [] as number[] }
  let k = 0
  for (let i = 0; i < as4Path.types.length; i++) {
    const t = as4Path.types[i]!
    const n = as4Path.lengths[i]!
    if (t === SegmentType.AS_SEQUENCE || t === SegmentType.AS_SET) {
      as4.types.push(t)
      as4.lengths.push(n)
      for (let j = 0; j < n; j++) as4.asns.push(as4Path.asns[k + j]!)
    }
    k += n
  }
  const total = pathLength(asPath)
  const extra = total - pathLength(as4)
  if (extra < 0) {
    for (const a of asPath.asns) out.push(a)
    return
  }
  let keep = extra
  k = 0
  for (let i = 0; i < asPath.types.length && keep > 0; i++) {
    const t = asPath.types[i]!
    const n = asPath.lengths[i]!
    if (t === SegmentType.AS_SEQUENCE) {
      const take = Math.min(n, keep)
      for (let j = 0; j < take; j++) out.push(asPath.asns[k + j]!)
      keep -= take
    } else {
      for (let j = 0; j < n; j++) out.push(asPath.asns[k + j]!)
      if (t === SegmentType.AS_SET) keep -= 1
    }
    k += n
  }
  for (const a of as4.asns) out.push(a)
}

// ---------------------------------------------------------------------------------------------
// Text, at the edge

/** "a.b.c.d/len" or RFC 5952 "x::/len" (labels, RD and path id are not part of it). */
export function prefixText(p: Prefix): string {
  if (p.family === 4) return `${p.addr[0]}.${p.addr[1]}.${p.addr[2]}.${p.addr[3]}/${p.length}`
  return `${ipv6ToString(p.addr, 0)}/${p.length}`
}

/** Route distinguisher text (RFC 4364 §4.2): type 0 "as2:n32", type 1 "a.b.c.d:n16", type 2 "as4:n16"; else hex. */
export function rdText(b: Uint8Array, o = 0): string {
  const type = u16(b, o)
  if (type === 0) return `${u16(b, o + 2)}:${u32(b, o + 4)}`
  if (type === 1) return `${u8(b, o + 2)}.${u8(b, o + 3)}.${u8(b, o + 4)}.${u8(b, o + 5)}:${u16(b, o + 6)}`
  if (type === 2) return `${u32(b, o + 2)}:${u16(b, o + 6)}`
  return hex(b, o, o + 8)
}

/**
 * RFC 4360 / RFC 5668 text: route target ("rt:") and route origin ("soo:") of the 2-octet AS (type 0x00),
 * IPv4 address (0x01) and 4-octet AS (0x02) types, transitive or not; 16 hex digits for everything else.
 */
export function extendedCommunityText(hi: number, lo: number): string {
  const type = (hi >>> 24) & 0xbf // 0x40 is the non-transitive bit: 0x40-0x42 are the same formats as 0x00-0x02
  const sub = (hi >>> 16) & 0xff
  const name = sub === 2 ? 'rt' : sub === 3 ? 'soo' : null
  if (name !== null) {
    if (type === 0) return `${name}:${hi & 0xffff}:${lo}`
    if (type === 1) return `${name}:${ipv4ToString(((hi & 0xffff) * 0x10000 + (lo >>> 16)) >>> 0)}:${lo & 0xffff}`
    if (type === 2) return `${name}:${(hi & 0xffff) * 0x10000 + (lo >>> 16)}:${lo & 0xffff}`
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0')
}

/** Text of an MP next hop by its length: 4 IPv4, 16 IPv6, 32 IPv6 + link-local; VPN families with an RD first. */
function nextHops(m: MpNlri): { nextHop: string | null; linkLocal?: string; rd?: string } {
  const b = m.nextHop
  const len = m.nextHopLength
  if (len === 0) return { nextHop: null }
  if (m.safi === Safi.VPN && (len === 12 || len === 24 || len === 48)) {
    const addrLen = len === 12 ? 4 : 16
    const first = addrLen === 4 ? `${b[8]}.${b[9]}.${b[10]}.${b[11]}` : ipv6ToString(b, 8)
    const r: { nextHop: string; linkLocal?: string; rd: string } = { nextHop: first, rd: rdText(b, 0) }
    if (len === 48) r.linkLocal = ipv6ToString(b, 32)
    return r
  }
  if (len === 4) return { nextHop: `${b[0]}.${b[1]}.${b[2]}.${b[3]}` }
  if (len === 16) return { nextHop: ipv6ToString(b, 0) }
  if (len === 32) return { nextHop: ipv6ToString(b, 0), linkLocal: ipv6ToString(b, 16) }
  return { nextHop: hex(b, 0, len) }
}

function segments(path: AsPath): Array<{ type: number; asns: number[] }> {
  const out: Array<{ type: number; asns: number[] }> = []
  let k = 0
  for (let i = 0; i < path.types.length; i++) {
    const n = path.lengths[i]!
    out.push({ type: path.types[i]!, asns: path.asns.slice(k, k + n) })
    k += n
  }
  return out
}

function mpReachRecord(m: MpNlri): BgpMpReachRecord {
  const hops = nextHops(m)
  const r: BgpMpReachRecord = { afi: m.afi, safi: m.safi, nextHop: hops.nextHop, nlri: m.prefixes.map(prefixText) }
  if (hops.linkLocal !== undefined) r.nextHopLinkLocal = hops.linkLocal
  if (hops.rd !== undefined) r.nextHopRd = hops.rd
  addPrefixDetails(r, m)
  return r
}

function mpUnreachRecord(m: MpNlri): BgpMpUnreachRecord {
  const r: BgpMpUnreachRecord = { afi: m.afi, safi: m.safi, withdrawn: m.prefixes.map(prefixText) }
  addPrefixDetails(r, m)
  return r
}

function addPrefixDetails(r: BgpMpReachRecord | BgpMpUnreachRecord, m: MpNlri): void {
  if (m.safi === Safi.LABELED || m.safi === Safi.VPN) r.labels = m.prefixes.map((p) => p.labels.slice())
  if (m.safi === Safi.VPN) r.rds = m.prefixes.map((p) => rdText(p.rd))
  if (m.addPath) r.pathIds = m.prefixes.map((p) => p.pathId)
  if (m.undecoded > 0) r.undecoded = m.undecoded
}

/**
 * RFC 4724 §2: an UPDATE with nothing in it (IPv4 unicast), or with only an empty MP_UNREACH_NLRI;
 * its length must add up (an UPDATE whose length field says 19 is not one).
 */
function isEndOfRib(length: number, u: UpdateBody): boolean {
  if (length !== 23 + u.withdrawnLength + u.attributesLength) return false
  if (u.withdrawn.length > 0 || u.nlri.length > 0) return false
  if (u.attributes.length === 0) return u.withdrawnLength === 0 && u.attributesLength === 0
  return u.attributes.length === 3 && u.attributes[0] === Attribute.MP_UNREACH_NLRI && u.mpUnreach.present &&
    u.mpUnreach.prefixes.length === 0 && u.mpUnreach.undecoded === 0
}

export function updateToRecord(length: number, u: UpdateBody): BgpUpdateRecord {
  const addr = (n: number) => ipv4ToString(n)
  const r: BgpUpdateRecord = {
    kind: 'UPDATE', length,
    withdrawn: u.withdrawn.map(prefixText),
    nlri: u.nlri.map(prefixText),
    origin: u.origin < 0 ? null : u.origin,
    asPath: u.path.slice(),
    nextHop: u.nextHop < 0 ? null : addr(u.nextHop),
    mpReach: u.mpReach.present ? mpReachRecord(u.mpReach) : null,
    mpUnreach: u.mpUnreach.present ? mpUnreachRecord(u.mpUnreach) : null,
    med: u.med < 0 ? null : u.med,
    localPref: u.localPref < 0 ? null : u.localPref,
    atomicAggregate: u.atomicAggregate,
    aggregator: u.aggregatorAs < 0 ? null : { asn: u.aggregatorAs, address: addr(u.aggregatorAddr) },
    communities: u.communities.map((c) => `${Math.floor(c / 0x10000)}:${c & 0xffff}`),
    extendedCommunities: [],
    largeCommunities: [],
    originatorId: u.originatorId < 0 ? null : addr(u.originatorId),
    clusterList: u.clusterList.map(addr),
    asPathSegments: segments(u.asPath),
    asnWidth: u.asnWidth,
    as4Path: u.hasAs4Path ? segments(u.as4Path) : null,
    as4Aggregator: u.as4AggregatorAs < 0 ? null : { asn: u.as4AggregatorAs, address: addr(u.as4AggregatorAddr) },
    endOfRib: isEndOfRib(length, u),
    attributes: [],
    unknownAttributes: u.unknown.map((a) => ({ ...a })),
  }
  for (let i = 0; i < u.extendedCommunities.length; i += 2) {
    r.extendedCommunities.push(extendedCommunityText(u.extendedCommunities[i]!, u.extendedCommunities[i + 1]!))
  }
  for (let i = 0; i < u.largeCommunities.length; i += 3) {
    r.largeCommunities.push(`${u.largeCommunities[i]}:${u.largeCommunities[i + 1]}:${u.largeCommunities[i + 2]}`)
  }
  for (let i = 0; i < u.attributes.length; i += 3) {
    r.attributes.push({ type: u.attributes[i]!, flags: u.attributes[i + 1]!, length: u.attributes[i + 2]! })
  }
  if (u.addPath) {
    r.withdrawnPathIds = u.withdrawn.map((p) => p.pathId)
    r.nlriPathIds = u.nlri.map((p) => p.pathId)
  }
  return r
}
