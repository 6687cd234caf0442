/**
 * Flow identity: which flows a decoded frame belongs to, and their keys as numbers.
 *
 *   layers ─► frameLevels ─► one level per non-quoted IP header (outer tunnel flows first)
 *                            + the flow an ICMP error quotes
 *   level  ─► setKey ─► FlowKey: (proto, vlan, vni, addrA, portA, addrB, portB), A the lower
 *                       endpoint, `dir` 0 when the packet goes A -> B; a 32-bit hash
 *
 * A frame holds one flow per IP level: eth/IP/UDP 4789/VXLAN/eth/IP/TCP is the VTEP-to-VTEP UDP flow
 * (app 'vxlan') and the inner TCP flow (vni = the VXLAN VNI). The VLAN of a tunnelled level is the
 * innermost 802.1Q tag in front of its IP header, after the previous tunnel (an outer tag never leaks
 * into an inner flow); the outermost level has none (its tags belong to the link, like interfaces); the VNI is the innermost VXLAN/Geneve VNI or NVGRE VSID outside it, as the frame loop
 * computes it. Link addresses and interfaces are never part of a key.
 *
 * Ports: TCP and UDP only. ICMP, ICMPv6 and other IP protocols are keyed by their addresses alone
 * (port 0 in the key, null in records): every ICMP message between two hosts is one flow, echo
 * identifiers included, so a flow's printed endpoints always tell it apart from the others.
 *
 * Keys are numbers on purpose (bench/flow-table.ts): the table compares 14 small integers on a hash
 * match instead of building and hashing a string per packet. IPv4 addresses sit in a0/b0 (a1..a3 = 0)
 * and `family` tells them from IPv6 ::a.b.c.d. Address words are stored signed (`| 0`) so every key field
 * is a V8 small integer, never a boxed double.
 */
import type { Frame } from '../capture/frame.js'
import { Layer } from '../decode/dispatch.js'
import type { DecodedFrame, DecodedLayer } from '../decode/frame.js'
import { ipv4ToString, ipv6ToString } from '../decode/format.js'
import * as gre from '../decode/gre.js'
import type * as ipv6 from '../decode/ipv6.js'
import { MAX_TUNNEL_DEPTH } from '../decode/limits.js'

/** The numeric identity of a flow; `Flow` (table.ts) carries the same fields. */
export interface KeyFields {
  /** IP protocol number (IPv6: the upper-layer protocol after extension headers). */
  proto: number
  family: number
  /** 802.1Q id, -1 when untagged. */
  vlan: number
  /** VXLAN/Geneve VNI or NVGRE VSID, -1 outside tunnels. */
  vni: number
  a0: number; a1: number; a2: number; a3: number
  b0: number; b1: number; b2: number; b3: number
  portA: number
  portB: number
  hash: number
}

/** One packet's key, filled in place (no allocation per packet). */
export class FlowKey implements KeyFields {
  proto = 0
  family = 4
  vlan = -1
  vni = -1
  a0 = 0; a1 = 0; a2 = 0; a3 = 0
  b0 = 0; b1 = 0; b2 = 0; b3 = 0
  portA = 0
  portB = 0
  hash = 0
  /** 0: the packet was sent by endpoint A (the lower one); 1: by B. */
  dir = 0
}

/** Protocols whose flows carry ports in the key. */
export function hasPorts(proto: number): boolean {
  return proto === 6 || proto === 17
}

/**
 * Fill `k` for an IPv4 packet src:sport -> dst:dport (addresses as unsigned 32-bit numbers) and hash it.
 * Ports are ignored (0) for protocols without them.
 */
export function setIpv4Key(k: FlowKey, proto: number, src: number, sport: number, dst: number, dport: number, vlan: number, vni: number, seed: number): void {
  if (!hasPorts(proto)) { sport = 0; dport = 0 }
  k.proto = proto; k.family = 4; k.vlan = vlan; k.vni = vni
  k.a1 = k.a2 = k.a3 = k.b1 = k.b2 = k.b3 = 0
  // Unsigned order for the canonical endpoints; stored as signed 32-bit so V8 keeps them small integers
  // (a field holding 192.168.x.x as an unsigned number would be a boxed double: a pointer chase per read).
  src = src >>> 0
  dst = dst >>> 0
  if (src < dst || (src === dst && sport <= dport)) {
    k.a0 = src | 0; k.portA = sport; k.b0 = dst | 0; k.portB = dport; k.dir = 0
  } else {
    k.a0 = dst | 0; k.portA = dport; k.b0 = src | 0; k.portB = sport; k.dir = 1
  }
  k.hash = hashKey(k, seed)
}

/** A 32-bit word of an address, signed (a small integer for V8); `^ 0x80000000` orders signed words as unsigned. */
const word = (b: Uint8Array, o: number) => (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
const unsigned = (w: number) => w ^ 0x80000000

/**
 * Fill `k` for an IPv6 packet and hash it: the 16-byte addresses at src[srcAt..] and dst[dstAt..]
 * (offsets let a caller pass the frame's bytes without cutting a view per address).
 */
export function setIpv6Key(
  k: FlowKey, proto: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number, vlan: number, vni: number, seed: number,
  srcAt = 0, dstAt = 0,
): void {
  if (!hasPorts(proto)) { sport = 0; dport = 0 }
  const s0 = word(src, srcAt), s1 = word(src, srcAt + 4), s2 = word(src, srcAt + 8), s3 = word(src, srcAt + 12)
  const d0 = word(dst, dstAt), d1 = word(dst, dstAt + 4), d2 = word(dst, dstAt + 8), d3 = word(dst, dstAt + 12)
  const c = s0 !== d0 ? unsigned(s0) - unsigned(d0) : s1 !== d1 ? unsigned(s1) - unsigned(d1)
    : s2 !== d2 ? unsigned(s2) - unsigned(d2) : s3 !== d3 ? unsigned(s3) - unsigned(d3) : sport - dport
  k.proto = proto; k.family = 6; k.vlan = vlan; k.vni = vni
  if (c <= 0) {
    k.a0 = s0; k.a1 = s1; k.a2 = s2; k.a3 = s3; k.portA = sport
    k.b0 = d0; k.b1 = d1; k.b2 = d2; k.b3 = d3; k.portB = dport; k.dir = 0
  } else {
    k.a0 = d0; k.a1 = d1; k.a2 = d2; k.a3 = d3; k.portA = dport
    k.b0 = s0; k.b1 = s1; k.b2 = s2; k.b3 = s3; k.portB = sport; k.dir = 1
  }
  k.hash = hashKey(k, seed)
}

export function sameKey(x: KeyFields, y: KeyFields): boolean {
  return x.a0 === y.a0 && x.b0 === y.b0 && x.portA === y.portA && x.portB === y.portB && x.proto === y.proto &&
    x.vlan === y.vlan && x.vni === y.vni && x.family === y.family &&
    // IPv4 keys keep the other words at 0: not read, so an IPv4 lookup stays in the flow's first cache lines.
    (x.family === 4 || (x.a1 === y.a1 && x.a2 === y.a2 && x.a3 === y.a3 && x.b1 === y.b1 && x.b2 === y.b2 && x.b3 === y.b3))
}

export function copyKey(to: KeyFields, from: KeyFields): void {
  to.proto = from.proto; to.family = from.family; to.vlan = from.vlan; to.vni = from.vni
  to.a0 = from.a0; to.a1 = from.a1; to.a2 = from.a2; to.a3 = from.a3
  to.b0 = from.b0; to.b1 = from.b1; to.b2 = from.b2; to.b3 = from.b3
  to.portA = from.portA; to.portB = from.portB; to.hash = from.hash
}

// MurmurHash3's 32-bit block mix: cheap, and every input bit reaches every output bit. Shared by every
// hash of flow-level data (flow keys, the router, tunnel aggregates).
export function mix(h: number, v: number): number {
  v = Math.imul(v, 0xcc9e2d51)
  v = (v << 15) | (v >>> 17)
  h ^= Math.imul(v, 0x1b873593)
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/** 32-bit hash of a (canonical) key. The seed keeps crafted captures from choosing colliding keys. */
export function hashKey(k: KeyFields, seed: number): number {
  let h = mix(seed, k.proto | (k.family << 8) | ((k.vlan & 0xffff) << 16))
  h = mix(h, k.vni)
  h = mix(h, k.a0)
  h = mix(h, k.b0)
  if (k.family === 6) {
    h = mix(h, k.a1); h = mix(h, k.a2); h = mix(h, k.a3)
    h = mix(h, k.b1); h = mix(h, k.b2); h = mix(h, k.b3)
  }
  h = mix(h, (k.portA << 16) | k.portB)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

const addrBytes = new Uint8Array(16)

/** Text of endpoint A or B (RFC 5952 for IPv6): built only when a record is made. */
export function addressText(k: KeyFields, which: 'a' | 'b'): string {
  const w0 = which === 'a' ? k.a0 : k.b0
  if (k.family === 4) return ipv4ToString(w0 >>> 0)
  const ws = which === 'a' ? [k.a0, k.a1, k.a2, k.a3] : [k.b0, k.b1, k.b2, k.b3]
  for (let i = 0; i < 4; i++) {
    const w = ws[i]!
    addrBytes[4 * i] = w >>> 24; addrBytes[4 * i + 1] = (w >>> 16) & 0xff
    addrBytes[4 * i + 2] = (w >>> 8) & 0xff; addrBytes[4 * i + 3] = w & 0xff
  }
  return ipv6ToString(addrBytes)
}

/** The record's protocol name: 'tcp', 'udp', 'icmp', 'icmpv6', or 'ip-<number>'. */
export function protoName(proto: number): string {
  switch (proto) {
    case 6: return 'tcp'
    case 17: return 'udp'
    case 1: return 'icmp'
    case 58: return 'icmpv6'
    default: return `ip-${proto}`
  }
}

/** Most IP levels a frame can hold: the decoder stops at MAX_TUNNEL_DEPTH + 1 IP headers (quotes included). */
export const MAX_LEVELS = MAX_TUNNEL_DEPTH + 2

/**
 * The flows of one frame, as indexes into its layers. Reused from frame to frame.
 * Level 0 is the outermost IP header; the last level is the innermost flow.
 */
export class FrameLevels {
  count = 0
  /** Index of the level's IP layer. */
  readonly ip = new Int32Array(MAX_LEVELS)
  /** Index of its TCP/UDP/ICMP/ICMPv6 layer, -1 when none was decoded. */
  readonly l4 = new Int32Array(MAX_LEVELS)
  readonly vlan = new Int32Array(MAX_LEVELS)
  readonly vni = new Int32Array(MAX_LEVELS)
  /** The tunnel it carries ('vxlan', 'geneve', 'gre', 'nvgre', 'erspan', 'ipip') or the application seen in it. */
  readonly app: Array<string | null> = new Array<string | null>(MAX_LEVELS).fill(null)
  /** True when the level carries another level (a tunnel's outer flow). */
  readonly outer: boolean[] = new Array<boolean>(MAX_LEVELS).fill(false)
  /** An ICMP error's quoted IP layer and the transport layer after it; -1 when none. */
  quotedIp = -1
  quotedL4 = -1
  /** The level of the ICMP error that quotes (the last level before the quote). */
  quotedLevel = -1
}

/** Name the tunnel of level `i` (the first name wins: ERSPAN replaces its GRE). */
function tunnel(lv: FrameLevels, name: string): void {
  const i = lv.count - 1
  if (i < 0) return
  lv.outer[i] = true
  if (lv.app[i] === null || (name === 'erspan' && lv.app[i] === 'gre')) lv.app[i] = name
}

/** Walk the layers once: one level per non-quoted IP header, its VLAN/VNI, tunnel and application. */
export function frameLevels(layers: readonly DecodedLayer[], lv: FrameLevels): FrameLevels {
  lv.count = 0
  lv.quotedIp = lv.quotedL4 = lv.quotedLevel = -1
  let vlan = -1
  let vni = -1
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!
    if (l.quoted) {
      if (l.kind === Layer.Ipv4 || l.kind === Layer.Ipv6) {
        if (lv.quotedIp < 0) { lv.quotedIp = i; lv.quotedLevel = lv.count - 1 }
      } else if (lv.quotedIp >= 0 && i === lv.quotedIp + 1 &&
        (l.kind === Layer.Tcp || l.kind === Layer.Udp || l.kind === Layer.Icmp || l.kind === Layer.Icmpv6)) {
        lv.quotedL4 = i
      }
      continue
    }
    switch (l.kind) {
      case Layer.Vlan:
        vlan = l.h.id
        break
      case Layer.Ipv4:
      case Layer.Ipv6: {
        const n = lv.count
        // IP directly after the previous level's IP header: IP in IP (4, 41).
        if (n > 0 && lv.ip[n - 1] === i - 1) tunnel(lv, 'ipip')
        if (n === MAX_LEVELS) break
        lv.ip[n] = i; lv.l4[n] = -1; lv.vlan[n] = vlan; lv.vni[n] = vni; lv.app[n] = null; lv.outer[n] = false
        lv.count = n + 1
        vlan = -1
        break
      }
      case Layer.Tcp:
      case Layer.Udp:
      case Layer.Icmp:
      case Layer.Icmpv6:
        if (lv.count > 0 && lv.ip[lv.count - 1] === i - 1) lv.l4[lv.count - 1] = i
        break
      case Layer.Vxlan:
        tunnel(lv, 'vxlan'); vni = l.h.vni; vlan = -1
        break
      case Layer.Geneve:
        tunnel(lv, 'geneve'); vni = l.h.vni; vlan = -1
        break
      case Layer.Gre:
        if (gre.isNvgre(l.h)) { tunnel(lv, 'nvgre'); vni = Math.floor(l.h.key! / 256) } else tunnel(lv, 'gre')
        vlan = -1
        break
      case Layer.Erspan:
        tunnel(lv, 'erspan'); vlan = -1
        break
      case Layer.Dns:
        app(lv, 'dns')
        break
      case Layer.Ntp:
        app(lv, 'ntp')
        break
      case Layer.Record:
        app(lv, l.record.type)
        break
      default:
        break
    }
  }
  return lv
}

function app(lv: FrameLevels, name: string): void {
  const i = lv.count - 1
  if (i >= 0 && lv.app[i] === null) lv.app[i] = name
}

/** The IP protocol a level's IP layer carries. */
export function ipProtocol(l: DecodedLayer): number {
  return l.kind === Layer.Ipv4 ? l.h.protocol : (l as { h: ipv6.Header }).h.upperProtocol
}

/**
 * Fill `k` for the flow of level `i`, or of the quoted datagram when `i` is -1. False when the
 * packet has no key: a TCP/UDP header that was not decoded, or a fragment still held for reassembly.
 */
export function levelKey(decoded: DecodedFrame, lv: FrameLevels, i: number, k: FlowKey, seed: number): boolean {
  const layers = decoded.layers
  const quoted = i < 0
  const ip = layers[quoted ? lv.quotedIp : lv.ip[i]!]!
  const l4i = quoted ? lv.quotedL4 : lv.l4[i]!
  // A VLAN tag names the flow only inside a tunnel (a tenant's inner tag). In front of the outermost
  // IP header it is a property of the link: the reply may come back on the other uplink, tagged
  // differently or not at all, and must still be the same flow (contract, rules.md).
  const level = quoted ? lv.quotedLevel : i
  const vlan = level > 0 ? lv.vlan[level]! : -1
  const vni = lv.vni[quoted ? lv.quotedLevel : i]!
  let sport = 0
  let dport = 0
  const proto = ipProtocol(ip)
  if (ip.kind !== Layer.Ipv4 && ip.kind !== Layer.Ipv6) return false
  // A fragment not (yet) reassembled: counted once, in the frame that completes it. A quoted datagram is never
  // reassembled; only its first fragment (offset 0) starts with the transport header.
  const later = ip.kind === Layer.Ipv4 ? ip.h.fragmentOffset > 0 : ip.h.hasFragment && ip.h.fragmentOffset > 0
  const fragment = later || (ip.kind === Layer.Ipv4 ? ip.h.mf : ip.h.hasFragment && ip.h.fragmentMore)
  if (quoted ? later : fragment && !ip.reassembled) return false
  if (hasPorts(proto)) {
    const l4 = l4i >= 0 ? layers[l4i]! : null
    if (l4 && (l4.kind === Layer.Tcp || l4.kind === Layer.Udp)) {
      sport = l4.h.srcPort; dport = l4.h.dstPort
    } else if (quoted) {
      // RFC 792 quotes 8 bytes: enough for the ports, not for a TCP header the decoder would accept.
      const at = ip.kind === Layer.Ipv4 ? ip.h.payloadOffset : ip.h.upperOffset
      const b = decoded.bytes
      if (at + 4 > ip.h.payloadEnd || at + 4 > b.length) return false
      sport = (b[at]! << 8) | b[at + 1]!
      dport = (b[at + 2]! << 8) | b[at + 3]!
    } else {
      return false
    }
  }
  if (ip.kind === Layer.Ipv4) setIpv4Key(k, proto, ip.h.src, sport, ip.h.dst, dport, vlan, vni, seed)
  else setIpv6Key(k, proto, ip.h.src, sport, ip.h.dst, dport, vlan, vni, seed)
  return true
}

/** Frame fields the flow engine reads (the capture's Frame has them all). */
export type FlowFrame = Pick<Frame, 'frameNumber' | 'tsSec' | 'tsNsec'>
