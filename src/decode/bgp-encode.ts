/**
 * BGP messages from plain descriptions, for tests, sample recipes and benchmarks:
 *
 *   bgp.build({ kind: 'UPDATE', origin: 0, asPath: [65001], nextHop: '10.0.0.1', nlri: ['192.0.2.10/32'] })
 *
 * Lengths (message, withdrawn routes, path attributes, each attribute, optional
 * parameters, capabilities) are computed, and extended-length attributes are used
 * when a value exceeds 255 bytes. `marker`, `length`, `type`, `withdrawnLength`,
 * `pathAttributesLength`, `optionalParametersLength` and per-attribute / per-capability
 * `length` override what is written, so malformed messages can be built on purpose.
 * ASNs above 65535 in a 2-octet field are written as AS_TRANS (23456, RFC 6793), as a
 * real speaker does; add `as4Path` for the real path.
 */
import type { BgpSession } from './bgp.js'

interface Overrides {
  /** The 16 marker bytes (default 16 x 0xff). */
  marker?: ArrayLike<number>
  /** The Length field (default: the real length). */
  length?: number
  /** The Type field (default: the kind's). */
  type?: number
}

export interface CapabilitySpec {
  code: number
  /** The raw value; when given, the fields below are ignored. */
  data?: ArrayLike<number>
  /** The capability length field (default: the value's length). */
  length?: number
  afi?: number
  safi?: number
  asn?: number
  /** 5: next hop AFI (2-byte SAFI); 8: label count; 64: flags; 69: 1 receive / 2 send / 3 both. */
  families?: Array<{ afi: number; safi: number; value: number }>
  restartFlags?: number
  restartTime?: number
  role?: number
  hostname?: string
  domain?: string
}

export interface OpenSpec extends Overrides {
  kind: 'OPEN'
  version?: number
  /** Written as AS_TRANS when above 65535. */
  myAs: number
  holdTime?: number
  bgpId: string
  capabilities?: CapabilitySpec[]
  /** One optional parameter per capability (as Cisco sends) instead of one for all. */
  separateParameters?: boolean
  /** RFC 9072's extended optional parameters length form. */
  extendedParameters?: boolean
  /** Other optional parameters, written after the capabilities. */
  parameters?: Array<{ type: number; data: ArrayLike<number> }>
  optionalParametersLength?: number
}

export type AsPathSpec = number[] | Array<{ type: number; asns: number[] }>

export interface MpReachSpec {
  afi: number
  safi: number
  /** IPv4 or IPv6 text; for SAFI 128 the RD comes from `nextHopRd` (default 0:0). */
  nextHop: string
  nextHopLinkLocal?: string
  nextHopRd?: string
  nlri: string[]
  /** SAFI 4/128: label values per prefix (default [3], implicit null for labeled routes). */
  labels?: number[][]
  /** SAFI 128: route distinguishers per prefix ("100:1", "10.0.0.1:5"). */
  rds?: string[]
  pathIds?: number[]
}

export interface MpUnreachSpec {
  afi: number
  safi: number
  withdrawn: string[]
  /** SAFI 4/128: label values per prefix; default the RFC 8277 withdrawal value 0x800000. */
  labels?: number[][]
  rds?: string[]
  pathIds?: number[]
}

export interface RawAttributeSpec {
  flags: number
  type: number
  data: ArrayLike<number>
  /** The attribute length field (default: the data's length). */
  length?: number
}

export interface UpdateSpec extends Overrides {
  kind: 'UPDATE'
  withdrawn?: string[]
  nlri?: string[]
  /** Add-path identifiers (RFC 7911) for `withdrawn` / `nlri`. */
  pathIds?: { withdrawn?: number[]; nlri?: number[] }
  origin?: number
  asPath?: AsPathSpec
  /** Octets per ASN in AS_PATH and AGGREGATOR (default 4). */
  asnWidth?: 2 | 4
  nextHop?: string
  med?: number
  localPref?: number
  atomicAggregate?: boolean
  aggregator?: { asn: number; address: string }
  /** "high:low". */
  communities?: string[]
  originatorId?: string
  clusterList?: string[]
  mpReach?: MpReachSpec
  mpUnreach?: MpUnreachSpec
  /** 16 hex digits, or "rt:admin:value" / "soo:admin:value" (admin an ASN or IPv4 address). */
  extendedCommunities?: string[]
  as4Path?: AsPathSpec
  as4Aggregator?: { asn: number; address: string }
  /** "global:local1:local2". */
  largeCommunities?: string[]
  /** Attributes written after the known ones, as given. */
  attributes?: RawAttributeSpec[]
  withdrawnLength?: number
  pathAttributesLength?: number
}

export interface NotificationSpec extends Overrides {
  kind: 'NOTIFICATION'
  code: number
  subcode: number
  /** RFC 9003 shutdown communication: written as a length byte and UTF-8, before `data`. */
  communication?: string
  data?: ArrayLike<number>
}

export interface KeepaliveSpec extends Overrides { kind: 'KEEPALIVE' }

export interface RouteRefreshSpec extends Overrides {
  kind: 'ROUTE-REFRESH'
  afi: number
  safi: number
  /** RFC 7313: 0 request, 1 BoRR, 2 EoRR. */
  subtype?: number
  /** ORF entries or anything else after the fixed fields (RFC 5291). */
  data?: ArrayLike<number>
}

/** A message description: what `encode` takes. */
export type Fields = OpenSpec | UpdateSpec | NotificationSpec | KeepaliveSpec | RouteRefreshSpec

/** Bytes grown as they are written. */
class Out {
  readonly b: number[] = []
  u8(v: number): this { this.b.push(v & 0xff); return this }
  u16(v: number): this { this.b.push((v >>> 8) & 0xff, v & 0xff); return this }
  u24(v: number): this { this.b.push((v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); return this }
  u32(v: number): this { this.b.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); return this }
  bytes(a: ArrayLike<number>): this { for (let i = 0; i < a.length; i++) this.b.push(a[i]! & 0xff); return this }
  get length(): number { return this.b.length }
}

const utf8 = new TextEncoder()
const TYPE = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, 'ROUTE-REFRESH': 5 } as const

/** The whole message as bytes. */
export function build(f: Fields): Uint8Array {
  const body = new Out()
  switch (f.kind) {
    case 'OPEN': openBody(f, body); break
    case 'UPDATE': updateBody(f, body); break
    case 'NOTIFICATION':
      body.u8(f.code).u8(f.subcode)
      if (f.communication !== undefined) {
        const text = utf8.encode(f.communication)
        body.u8(text.length).bytes(text)
      }
      if (f.data) body.bytes(f.data)
      break
    case 'ROUTE-REFRESH':
      body.u16(f.afi).u8(f.subtype ?? 0).u8(f.safi)
      if (f.data) body.bytes(f.data)
      break
    case 'KEEPALIVE': break
  }
  const out = new Uint8Array(19 + body.length)
  if (f.marker) out.set(Array.from(f.marker).slice(0, 16), 0)
  else out.fill(0xff, 0, 16)
  const length = f.length ?? out.length
  out[16] = (length >>> 8) & 0xff
  out[17] = length & 0xff
  out[18] = f.type ?? TYPE[f.kind]
  out.set(body.b, 19)
  return out
}

/** Bytes `encode` writes. */
export function encodingLength(f: Fields): number {
  return build(f).length
}

/** Write the message at `offset`; returns the offset just past it. */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  const m = build(f)
  bytes.set(m, offset)
  return offset + m.length
}

// ---------------------------------------------------------------------------------------------

function openBody(f: OpenSpec, o: Out): void {
  o.u8(f.version ?? 4).u16(f.myAs > 0xffff ? 23456 : f.myAs).u16(f.holdTime ?? 180).u32(ipv4(f.bgpId))
  const ext = f.extendedParameters === true
  const params = new Out()
  const param = (type: number, data: number[]) => {
    params.u8(type)
    if (ext) params.u16(data.length)
    else params.u8(data.length)
    params.bytes(data)
  }
  const caps = (f.capabilities ?? []).map(capabilityBytes)
  if (f.separateParameters) for (const c of caps) param(2, c)
  else if (caps.length > 0) param(2, caps.flat())
  for (const p of f.parameters ?? []) param(p.type, Array.from(p.data))
  const len = f.optionalParametersLength ?? params.length
  if (ext) o.u8(255).u8(255).u16(len)
  else o.u8(len)
  o.bytes(params.b)
}

function capabilityBytes(c: CapabilitySpec): number[] {
  const v = new Out()
  if (c.data) v.bytes(c.data)
  else {
    switch (c.code) {
      case 1: v.u16(c.afi ?? 1).u8(0).u8(c.safi ?? 1); break
      case 5: for (const x of c.families ?? []) v.u16(x.afi).u16(x.safi).u16(x.value); break
      case 8: case 69: for (const x of c.families ?? []) v.u16(x.afi).u8(x.safi).u8(x.value); break
      case 9: v.u8(c.role ?? 0); break
      case 64:
        v.u16(((c.restartFlags ?? 0) << 12) | ((c.restartTime ?? 120) & 0xfff))
        for (const x of c.families ?? []) v.u16(x.afi).u8(x.safi).u8(x.value)
        break
      case 65: v.u32(c.asn ?? 0); break
      case 73: {
        const host = utf8.encode(c.hostname ?? '')
        const dom = utf8.encode(c.domain ?? '')
        v.u8(host.length).bytes(host).u8(dom.length).bytes(dom)
        break
      }
      default: break
    }
  }
  return [c.code & 0xff, (c.length ?? v.length) & 0xff, ...v.b]
}

const FLAGS: Record<number, number> = {
  1: 0x40, 2: 0x40, 3: 0x40, 4: 0x80, 5: 0x40, 6: 0x40, 7: 0xc0, 8: 0xc0, 9: 0x80, 10: 0x80,
  14: 0x80, 15: 0x80, 16: 0xc0, 17: 0xc0, 18: 0xc0, 32: 0xc0,
}

function attribute(o: Out, type: number, value: Out | number[], flags = FLAGS[type] ?? 0xc0, length?: number): void {
  const data = Array.isArray(value) ? value : value.b
  const len = length ?? data.length
  const extended = len > 255 || (flags & 0x10) !== 0
  o.u8(extended ? flags | 0x10 : flags).u8(type)
  if (extended) o.u16(len)
  else o.u8(len)
  o.bytes(data)
}

function updateBody(f: UpdateSpec, o: Out): void {
  const width = f.asnWidth ?? 4
  const withdrawn = new Out()
  prefixes(withdrawn, f.withdrawn ?? [], 4, 1, f.pathIds?.withdrawn)
  o.u16(f.withdrawnLength ?? withdrawn.length).bytes(withdrawn.b)

  const a = new Out()
  if (f.origin !== undefined) attribute(a, 1, [f.origin])
  if (f.asPath !== undefined) attribute(a, 2, asPath(f.asPath, width))
  if (f.nextHop !== undefined) attribute(a, 3, new Out().u32(ipv4(f.nextHop)))
  if (f.med !== undefined) attribute(a, 4, new Out().u32(f.med))
  if (f.localPref !== undefined) attribute(a, 5, new Out().u32(f.localPref))
  if (f.atomicAggregate) attribute(a, 6, [])
  if (f.aggregator) {
    const v = new Out()
    if (width === 4) v.u32(f.aggregator.asn)
    else v.u16(f.aggregator.asn > 0xffff ? 23456 : f.aggregator.asn)
    attribute(a, 7, v.u32(ipv4(f.aggregator.address)))
  }
  if (f.communities) {
    const v = new Out()
    for (const c of f.communities) {
      const [hi = 0, lo = 0] = c.split(':').map(Number)
      v.u16(hi).u16(lo)
    }
    attribute(a, 8, v)
  }
  if (f.originatorId !== undefined) attribute(a, 9, new Out().u32(ipv4(f.originatorId)))
  if (f.clusterList) {
    const v = new Out()
    for (const c of f.clusterList) v.u32(ipv4(c))
    attribute(a, 10, v)
  }
  if (f.mpReach) attribute(a, 14, mpReach(f.mpReach))
  if (f.mpUnreach) {
    const m = f.mpUnreach
    const v = new Out().u16(m.afi).u8(m.safi)
    const labeled = m.safi === 4 || m.safi === 128
    prefixes(v, m.withdrawn, m.afi === 2 ? 6 : 4, m.safi, m.pathIds, labeled ? (m.labels ?? m.withdrawn.map(() => [-1])) : undefined, m.rds)
    attribute(a, 15, v)
  }
  if (f.extendedCommunities) {
    const v = new Out()
    for (const c of f.extendedCommunities) v.bytes(extendedCommunity(c))
    attribute(a, 16, v)
  }
  if (f.as4Path !== undefined) attribute(a, 17, asPath(f.as4Path, 4))
  if (f.as4Aggregator) attribute(a, 18, new Out().u32(f.as4Aggregator.asn).u32(ipv4(f.as4Aggregator.address)))
  if (f.largeCommunities) {
    const v = new Out()
    for (const c of f.largeCommunities) {
      const [g = 0, l1 = 0, l2 = 0] = c.split(':').map(Number)
      v.u32(g).u32(l1).u32(l2)
    }
    attribute(a, 32, v)
  }
  for (const r of f.attributes ?? []) attribute(a, r.type, Array.from(r.data), r.flags, r.length)
  o.u16(f.pathAttributesLength ?? a.length).bytes(a.b)
  prefixes(o, f.nlri ?? [], 4, 1, f.pathIds?.nlri)
}

function asPath(spec: AsPathSpec, width: 2 | 4): Out {
  const v = new Out()
  const segs = spec.length > 0 && typeof spec[0] === 'number'
    ? [{ type: 2, asns: spec as number[] }]
    : (spec as Array<{ type: number; asns: number[] }>)
  for (const s of segs) {
    v.u8(s.type).u8(s.asns.length)
    for (const asn of s.asns) {
      if (width === 4) v.u32(asn)
      else v.u16(asn > 0xffff ? 23456 : asn)
    }
  }
  return v
}

function mpReach(m: MpReachSpec): Out {
  const v = new Out().u16(m.afi).u8(m.safi)
  const nh = new Out()
  const vpn = m.safi === 128
  if (vpn) nh.bytes(rd(m.nextHopRd ?? '0:0'))
  nh.bytes(address(m.nextHop))
  if (m.nextHopLinkLocal !== undefined) {
    if (vpn) nh.bytes(rd(m.nextHopRd ?? '0:0'))
    nh.bytes(address(m.nextHopLinkLocal))
  }
  v.u8(nh.length).bytes(nh.b).u8(0)
  const labeled = m.safi === 4 || vpn
  prefixes(v, m.nlri, m.afi === 2 ? 6 : 4, m.safi, m.pathIds, labeled ? (m.labels ?? m.nlri.map(() => [3])) : undefined, m.rds)
  return v
}

/**
 * Prefixes as NLRI: [path id] length, [labels], [RD], address bytes. A label of -1
 * is RFC 8277's withdrawal value 0x800000 (no bottom-of-stack bit).
 */
function prefixes(
  o: Out, list: string[], family: 4 | 6, safi: number, pathIds?: number[], labels?: number[][], rds?: string[],
): void {
  list.forEach((text, i) => {
    const { addr, bits } = parsePrefix(text, family)
    const stack = labels?.[i] ?? []
    const vpn = safi === 128
    if (pathIds) o.u32(pathIds[i] ?? 0)
    o.u8(bits + 24 * stack.length + (vpn ? 64 : 0))
    stack.forEach((label, k) => {
      if (label < 0) o.u24(0x800000)
      else o.u24(((label & 0xfffff) << 4) | (k === stack.length - 1 ? 1 : 0))
    })
    if (vpn) o.bytes(rd(rds?.[i] ?? '0:0'))
    o.bytes(addr.subarray(0, (bits + 7) >> 3))
  })
}

/** "a.b.c.d/len" or "x::/len" into address bytes and length. */
export function parsePrefix(text: string, family?: 4 | 6): { family: 4 | 6; addr: Uint8Array; bits: number } {
  const slash = text.lastIndexOf('/')
  const addrText = slash < 0 ? text : text.slice(0, slash)
  const isV6 = addrText.includes(':')
  const fam = isV6 ? 6 : 4
  if (family !== undefined && family !== fam) throw new Error(`${text}: not an IPv${family} prefix`)
  const addr = address(addrText)
  const bits = slash < 0 ? addr.length * 8 : Number(text.slice(slash + 1))
  if (!Number.isInteger(bits) || bits < 0 || bits > addr.length * 8) throw new Error(`${text}: bad prefix length`)
  return { family: fam, addr, bits }
}

function address(text: string): Uint8Array {
  if (text.includes(':')) return ipv6(text)
  const v = ipv4(text)
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
}

function ipv4(text: string): number {
  const parts = text.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${text}`)
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0
}

/** IPv6 text (at most one `::`, optionally a dotted quad at the end) into 16 bytes. */
function ipv6(text: string): Uint8Array {
  let t = text
  const lastColon = t.lastIndexOf(':')
  if (t.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4(t.slice(lastColon + 1))
    t = `${t.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  }
  const [head = '', tail] = t.split('::')
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : [])
  const h = groups(head)
  const tl = tail === undefined ? [] : groups(tail)
  const all = tail === undefined ? h : [...h, ...new Array<number>(Math.max(0, 8 - h.length - tl.length)).fill(0), ...tl]
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`not an IPv6 address: ${text}`)
  const out = new Uint8Array(16)
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff })
  return out
}

/** Route distinguisher text to its 8 bytes (the forms `rdText` prints). */
function rd(text: string): number[] {
  const i = text.lastIndexOf(':')
  const admin = text.slice(0, i)
  const value = Number(text.slice(i + 1))
  if (admin.includes('.')) return new Out().u16(1).u32(ipv4(admin)).u16(value).b
  const asn = Number(admin)
  if (asn > 0xffff) return new Out().u16(2).u32(asn).u16(value).b
  return new Out().u16(0).u16(asn).u32(value).b
}

function extendedCommunity(text: string): number[] {
  const m = /^(rt|soo):(.+):(\d+)$/.exec(text)
  if (!m) {
    if (!/^[0-9a-f]{16}$/i.test(text)) throw new Error(`not an extended community: ${text}`)
    return Array.from({ length: 8 }, (_, i) => parseInt(text.slice(2 * i, 2 * i + 2), 16))
  }
  const sub = m[1] === 'rt' ? 2 : 3
  const admin = m[2]!
  const value = Number(m[3])
  if (admin.includes('.')) return new Out().u8(0x01).u8(sub).u32(ipv4(admin)).u16(value).b
  const asn = Number(admin)
  if (asn > 0xffff) return new Out().u8(0x02).u8(sub).u32(asn).u16(value).b
  return new Out().u8(0x00).u8(sub).u16(asn).u32(value).b
}

/** A session as if both OPENs had advertised these (for tests and samples that skip the OPENs). */
export function sessionFor(opts: { as4?: boolean; extendedMessage?: boolean; addPath?: number[] } = {}): BgpSession {
  const keys = new Set(opts.addPath ?? [])
  return {
    as4: opts.as4 ?? true,
    extendedMessage: opts.extendedMessage ?? false,
    addPath: [new Set(keys), new Set(keys)],
    opens: [null, null],
  }
}
