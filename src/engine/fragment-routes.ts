/**
 * Where the fragments of a fragmented IP datagram go (engine/route.ts).
 *
 * Every fragment of a datagram must reach one worker (its defragmenter needs them all), and only the
 * first fragment carries the transport header. So the router decides once per datagram, at the first
 * of its fragments it sees, and sends every later fragment of it the same way:
 *
 *   first fragment (offset 0) of a VXLAN datagram whose inner Ethernet/IP/TCP-or-UDP headers it holds
 *     ─► own: the inner pair's hash (the worker the tunnel's unfragmented packets of that pair go to)
 *        outer: the outer pair's hash (that worker counts the tunnel's outer flow: a track-only share,
 *               which reassembles the fragments for it)
 *   anything else (another protocol, a later fragment seen first, inner headers cut or nested tunnels)
 *     ─► own: the datagram's own address pair, as the header path hashes any fragment
 *
 * Why: a too-small underlay MTU fragments a tunnel's large packets in one direction while its small ones
 * (TCP ACKs) pass whole. Routed by the outer pair, the large ones' inner flow was counted on the fragments'
 * worker and the rest on the inner pair's: one connection became two half-flows with two workers, one
 * with `-w 1`. What is left: a datagram whose first fragment is not the first seen stays with its pair.
 *
 * IPv4, and IPv6 with the fragment header right after the fixed one (where a source puts it; anything else
 * goes by the decoder, which routes a datagram by the pair of the layer that reassembled it).
 * Decisions are kept per (source, destination, protocol, IP id) for FRAGMENT_TIMEOUT_SECONDS after the
 * first fragment seen (the defragmenter's own timeout: a later datagram with a reused id decides anew),
 * at most MAX_DECISIONS of them, the oldest dropped first (four times the datagrams a defragmenter holds).
 */
import { u32 } from '../decode/bytes.js'
import { Layer, type UdpPorts } from '../decode/dispatch.js'
import { FRAGMENT_TIMEOUT_SECONDS, MAX_FRAGMENT_DATAGRAMS } from '../decode/limits.js'
import { ethernet, ethernetPayload } from '../flow/headers.js'
import { ipv4PairHash, ipv6PairHash } from './pair-hash.js'

export const MAX_DECISIONS = 4 * MAX_FRAGMENT_DATAGRAMS

/** A datagram's routing hashes. */
export interface FragmentRoute {
  /** The hash the fragments' own worker is chosen by. */
  own: number
  /** The outer flow's hash when that flow is the inner datagram's tunnel (a track-only share), else -1. */
  outer: number
}

interface Decision {
  own: number
  outer: number
  /** Capture second of the first fragment seen. */
  sec: number
}

const ETHERTYPE_IPV4 = 0x0800
const ETHERTYPE_IPV6 = 0x86dd
/** IPv6's Fragment extension header (RFC 8200 §4.5). */
const IPV6_FRAGMENT = 44
const NO_VNI = -1

export class FragmentRoutes {
  private readonly ports: UdpPorts
  /** Insertion order is age order: the first entry is the oldest decision. */
  private readonly decisions = new Map<string, Decision>()
  private readonly out: FragmentRoute = { own: 0, outer: -1 }

  /** `ports`: the router's UDP dispatch (which ports are VXLAN and which lead into other tunnels). */
  constructor(ports: UdpPorts) {
    this.ports = ports
  }

  /** Decisions held now (tests). */
  get size(): number {
    return this.decisions.size
  }

  /**
   * The routing hashes of an Ethernet frame whose outermost IP header is an IPv4 fragment or an IPv6 header
   * followed by a fragment header; null for any other frame (atomic fragments included: nothing is held for
   * them). The result is reused by the next call.
   */
  route(b: Uint8Array, sec: number): FragmentRoute | null {
    const end = b.length
    const o = ethernetPayload(b, 0, end)
    if (o < 0) return null
    if (ethernet.type === ETHERTYPE_IPV4) return this.ipv4(b, o, end, sec)
    if (ethernet.type === ETHERTYPE_IPV6) return this.ipv6(b, o, end, sec)
    return null
  }

  private ipv4(b: Uint8Array, o: number, end: number, sec: number): FragmentRoute | null {
    if (end - o < 20 || b[o]! >> 4 !== 4) return null
    const ihl = (b[o]! & 15) * 4
    const flagsOffset = (b[o + 6]! << 8) | b[o + 7]!
    if ((flagsOffset & 0x3fff) === 0 || ihl < 20 || end - o < ihl) return null
    const src = u32(b, o + 12)
    const dst = u32(b, o + 16)
    const proto = b[o + 9]!
    const total = (b[o + 2]! << 8) | b[o + 3]!
    const first = (flagsOffset & 0x1fff) === 0 && proto === 17
    return this.decide(`4 ${src} ${dst} ${proto} ${(b[o + 4]! << 8) | b[o + 5]!}`, sec, ipv4PairHash(src, dst, NO_VNI),
      b, first ? o + ihl : -1, total >= ihl ? Math.min(end, o + total) : end)
  }

  /** An IPv6 fragment whose fragment header follows the fixed header (the usual place: a source fragments). */
  private ipv6(b: Uint8Array, o: number, end: number, sec: number): FragmentRoute | null {
    if (end - o < 48 || b[o]! >> 4 !== 6 || b[o + 6] !== IPV6_FRAGMENT) return null
    const f = o + 40
    const offsetMore = (b[f + 2]! << 8) | b[f + 3]!
    if ((offsetMore & 0xfff9) === 0) return null // atomic: offset 0, no more fragments
    const proto = b[f]!
    let key = `6 ${proto} ${u32(b, f + 4)}`
    for (let k = 8; k < 40; k += 4) key += ` ${u32(b, o + k)}`
    const first = (offsetMore & 0xfff8) === 0 && proto === 17
    return this.decide(key, sec, ipv6PairHash(b, o + 8, b, o + 24, NO_VNI), b, first ? f + 8 : -1,
      Math.min(end, o + 40 + ((b[o + 4]! << 8) | b[o + 5]!)))
  }

  /**
   * The datagram of `key`: its decision, or a new one when it has none (or its time is up). `own`: the
   * datagram's pair hash; `udp`: where the UDP header of a first fragment starts (-1 for any other), its
   * bytes ending at `end`.
   */
  private decide(key: string, sec: number, own: number, b: Uint8Array, udp: number, end: number): FragmentRoute {
    let d = this.decisions.get(key)
    if (d === undefined || sec - d.sec > FRAGMENT_TIMEOUT_SECONDS) {
      if (d !== undefined) this.decisions.delete(key)
      d = { own, outer: -1, sec }
      const inner = udp >= 0 ? this.vxlanInner(b, udp, end) : -1
      if (inner >= 0) {
        d.outer = own
        d.own = inner
      }
      this.decisions.set(key, d)
      if (this.decisions.size > MAX_DECISIONS) this.decisions.delete(this.decisions.keys().next().value!)
    }
    this.out.own = d.own
    this.out.outer = d.outer
    return this.out
  }

  /** The inner pair's hash of the VXLAN datagram whose UDP header is at b[l4..], cut at `end`; -1 when it cannot tell. */
  private vxlanInner(b: Uint8Array, l4: number, end: number): number {
    if (end - l4 < 16) return -1
    if (this.ports.next((b[l4]! << 8) | b[l4 + 1]!, (b[l4 + 2]! << 8) | b[l4 + 3]!) !== Layer.Vxlan) return -1
    const vni = (b[l4 + 12]! << 16) | (b[l4 + 13]! << 8) | b[l4 + 14]!
    return this.innerPair(b, l4 + 16, end, vni)
  }

  /**
   * The pair hash of the Ethernet frame at b[o..end) when it is one the router hashes by that pair: IPv4
   * (not a fragment itself) or IPv6 straight to TCP, or to UDP whose ports lead into no tunnel. -1 else
   * (its packets' own route could then be another pair's: a nested tunnel, an ICMP error's quote).
   */
  private innerPair(b: Uint8Array, o: number, end: number, vni: number): number {
    o = ethernetPayload(b, o, end)
    if (o < 0) return -1
    const type = ethernet.type
    let proto: number
    let l4: number
    let hash: number
    if (type === ETHERTYPE_IPV4) {
      if (end - o < 20 || b[o]! >> 4 !== 4) return -1
      const ihl = (b[o]! & 15) * 4
      if (ihl < 20 || end - o < ihl || (((b[o + 6]! << 8) | b[o + 7]!) & 0x3fff) !== 0) return -1
      proto = b[o + 9]!
      l4 = o + ihl
      hash = ipv4PairHash(u32(b, o + 12), u32(b, o + 16), vni)
    } else if (type === ETHERTYPE_IPV6) {
      if (end - o < 40 || b[o]! >> 4 !== 6) return -1
      proto = b[o + 6]!
      l4 = o + 40
      hash = ipv6PairHash(b, o + 8, b, o + 24, vni)
    } else {
      return -1
    }
    if (proto === 6) return hash
    if (proto !== 17 || end - l4 < 8) return -1
    const next = this.ports.next((b[l4]! << 8) | b[l4 + 1]!, (b[l4 + 2]! << 8) | b[l4 + 3]!)
    return next === Layer.Vxlan || next === Layer.Geneve ? -1 : hash
  }
}
