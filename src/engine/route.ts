/**
 * Which shard (worker) a frame belongs to. Every worker runs the whole single-threaded analyzer
 * on its shard, so everything that one flow's state depends on must land on one shard:
 *
 *   - both directions of a flow (A->B and B->A),
 *   - every fragment of an IP datagram (only the first carries ports; the defragmenter of the
 *     worker needs all of them),
 *   - ICMP errors about a flow (the flow they quote counts them),
 *   - everything inside one tunnel segment that has the same inner addresses.
 *
 * The rule: decode to L4 (FrameDecoder with applications off: L2-L4 and tunnels, cheap) and hash
 *
 *   the innermost non-quoted IP address pair, order-independent, plus the innermost VNI
 *   (VXLAN/Geneve VNI, NVGRE VSID); when an IP layer completed a reassembled datagram, that
 *   layer's pair (the one its fragments carried), not what the datagram holds;
 *   for an ICMP/ICMPv6 error, the pair of the datagram it QUOTES instead.
 *   Frames with no IP header at all (ARP, LLDP, STP, undecodable) go to shard 0.
 *
 * Addresses only, no ports: non-first fragments carry no ports, and an ICMP error may quote too
 * few bytes for them, so a key with ports would split those from their flow. The cost is load
 * balance: all flows between one pair of hosts share a shard, so one busy host pair (a backup
 * job, two VTEPs whose tunnel is not decoded) cannot be spread over workers. Keying tunnelled
 * traffic by the inner pair is what keeps a few VTEPs from putting everything on one shard.
 *
 * The fragments of an outermost IP datagram go where its first fragment routes them, decided once
 * per datagram (engine/fragment-routes.ts): a VXLAN datagram's fragments by its inner pair and VNI,
 * like the tunnel's whole packets (so a too-small underlay MTU, which fragments one direction's large
 * packets only, does not split their inner flow), with the outer flow as below; any other datagram by
 * its own pair. Fragments the router's decoder sees (another link, an IPv6 fragment header behind other
 * extension headers) go by the pair of the layer that reassembled them: its defragmenter completes the
 * same datagrams the worker's will.
 *
 * Flows outside that IP layer (a tunnel's outer flow, an ICMP error's own flow) are other flows with
 * other keys: each belongs to the worker its own IP pair (and the VNI around it) routes to, by the
 * same hash, so it is the worker its frames go to when they are its innermost. When that is not the
 * frame's worker, `route` also sends the frame there as a track-only share (flow/share.ts), and the
 * frame's own share skips the level. Every flow is then counted by one worker.
 */
import type { Frame } from '../capture/frame.js'
import { u32 } from '../decode/bytes.js'
import { Layer, UdpPorts, type PortConfig } from '../decode/dispatch.js'
import { FrameDecoder, type DecodedFrame, type DecodedLayer } from '../decode/frame.js'
import * as gre from '../decode/gre.js'
import { ethernet, ethernetPayload } from '../flow/headers.js'
import { FrameLevels, MAX_LEVELS, frameLevels } from '../flow/key.js'
import { LEVEL_BITS, TRACK_ONLY } from '../flow/share.js'
import { FragmentRoutes, type FragmentRoute } from './fragment-routes.js'
import { ipv4PairHash, ipv6PairHash } from './pair-hash.js'

type IpLayer = Extract<DecodedLayer, { reassembled: boolean }>

/** The part of a decoded frame that names its flow. */
export interface FlowView {
  /** The IP header that names the flow (see the rule above), or null when the frame has none. */
  ip: IpLayer | null
  /** The TCP/UDP/ICMP/ICMPv6 layer right after `ip`, when it was decoded. */
  l4: DecodedLayer | null
  /** The VNI/VSID of the innermost tunnel around `ip`; -1 outside tunnels. */
  vni: number
  /** True when `ip` is the datagram quoted by an ICMP error (the frame is about that flow). */
  quoted: boolean
  /** The ICMP/ICMPv6 error layer when `quoted`. */
  error: DecodedLayer | null
}

export function createFlowView(): FlowView {
  return { ip: null, l4: null, vni: -1, quoted: false, error: null }
}

/** Fills `out` from a decoded frame (layers in wire order). */
export function flowView(d: DecodedFrame, out: FlowView): FlowView {
  out.ip = null
  out.l4 = null
  out.vni = -1
  out.quoted = false
  out.error = null
  let vni = -1
  let error: DecodedLayer | null = null
  const layers = d.layers
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!
    switch (l.kind) {
      case Layer.Vxlan:
      case Layer.Geneve:
        if (!l.quoted) vni = l.h.vni
        break
      case Layer.Gre:
        if (!l.quoted && gre.isNvgre(l.h)) vni = Math.floor(l.h.key! / 256)
        break
      case Layer.Icmp:
      case Layer.Icmpv6:
        if (!l.quoted) error = l
        break
      case Layer.Ipv4:
      case Layer.Ipv6: {
        if (l.quoted) {
          // The first quoted IP header: the datagram the error is about.
          if (!out.quoted) {
            out.ip = l
            out.vni = vni
            out.quoted = true
            out.error = error
            out.l4 = transportAfter(layers, i, true)
          }
          break
        }
        out.ip = l
        out.vni = vni
        out.l4 = transportAfter(layers, i, false)
        if (l.reassembled) return out
        break
      }
      default:
        break
    }
  }
  return out
}

function transportAfter(layers: readonly DecodedLayer[], i: number, quoted: boolean): DecodedLayer | null {
  const next = layers[i + 1]
  if (!next || next.quoted !== quoted) return null
  const k = next.kind
  return k === Layer.Tcp || k === Layer.Udp || k === Layer.Icmp || k === Layer.Icmpv6 ? next : null
}

const LINKTYPE_ETHERNET = 1
const NO_VNI = -1

/** headerHash's other results. */
interface OuterHash {
  /** The hash of the outer flow of the VXLAN level it read through, else -1. */
  outer: number
  /** The frame's outermost IP header is an IPv4 fragment (its hash is then its own pair's). */
  fragment: boolean
}

/**
 * The flow hash of an Ethernet frame at b[o..end) read from its header bytes, or -1 when the frame is
 * not one of the simple cases whose hash is certain without the decoder. `vni`: of the tunnel around it.
 */
function headerHash(b: Uint8Array, o: number, end: number, vni: number, ports: UdpPorts, out: OuterHash): number {
  o = ethernetPayload(b, o, end)
  if (o < 0) return -1
  const type = ethernet.type
  let l4: number
  let l4End: number
  let proto: number
  let h: number
  if (type === 0x0800) {
    const have = end - o
    // IPv4 without options, its total length within the frame (else: TSO, truncation, options: the decoder).
    if (have < 20 || b[o] !== 0x45) return -1
    const total = (b[o + 2]! << 8) | b[o + 3]!
    if (total < 20 || total > have) return -1
    h = ipv4PairHash(u32(b, o + 12), u32(b, o + 16), vni)
    // A fragment (MF or an offset) is hashed by this pair; the router may send it elsewhere (FragmentRoutes).
    if ((((b[o + 6]! << 8) | b[o + 7]!) & 0x3fff) !== 0) {
      if (vni === NO_VNI) out.fragment = true
      return h
    }
    proto = b[o + 9]!
    l4 = o + 20
    l4End = o + total
  } else if (type === 0x86dd) {
    const have = end - o
    if (have < 40 || b[o]! >> 4 !== 6) return -1
    const payload = (b[o + 4]! << 8) | b[o + 5]!
    proto = b[o + 6]!
    // Straight to TCP or UDP only (extension headers, fragments, jumbograms: the decoder).
    if ((proto !== 6 && proto !== 17) || payload === 0 || 40 + payload > have) return -1
    h = ipv6PairHash(b, o + 8, b, o + 24, vni)
    l4 = o + 40
    l4End = o + 40 + payload
  } else {
    return -1
  }
  if (proto === 6) return h
  if (proto !== 17) return -1
  // UDP: the pair, unless the ports lead into a tunnel; one VXLAN level is read here.
  if (l4End - l4 < 8) return -1
  const length = (b[l4 + 4]! << 8) | b[l4 + 5]!
  if (length < 8 || length > l4End - l4) return -1
  const next = ports.next((b[l4]! << 8) | b[l4 + 1]!, (b[l4 + 2]! << 8) | b[l4 + 3]!)
  if (next === Layer.Geneve) return -1
  if (next !== Layer.Vxlan) return h
  if (vni !== NO_VNI || length < 16) return -1
  out.outer = h
  return headerHash(b, l4 + 16, l4 + length, (b[l4 + 12]! << 16) | (b[l4 + 13]! << 8) | b[l4 + 14]!, ports, out)
}

/** The symmetric 32-bit hash of a flow view: equal for both directions; 0 when there is no IP. */
export function flowHash(v: FlowView): number {
  return v.ip ? ipHash(v.ip, v.vni) : 0
}

/** The hash of an IP header's address pair (either order) inside the tunnel of VNI `vni` (-1: none). */
function ipHash(ip: IpLayer, vni: number): number {
  return ip.kind === Layer.Ipv4 ? ipv4PairHash(ip.h.src, ip.h.dst, vni) : ipv6PairHash(ip.h.src, 0, ip.h.dst, 0, vni)
}

/**
 * Where a frame goes: `count` shards, the first the frame's own (shardOf), each with its share
 * (flow/share.ts): the frame's own skips the levels that are other shards'; the others are TRACK_ONLY.
 */
export interface Routes {
  count: number
  readonly shard: Int32Array
  readonly share: Int32Array
}

/**
 * Frames to shards by the rule above. One Router per run.
 *
 * The common frames (Ethernet, 802.1Q, IPv4 without options, IPv6 straight to TCP/UDP, one VXLAN
 * level) are hashed from their header bytes (`headerHash`), which gives the hash the decoder would
 * give when the headers are well-formed; everything else (other links, ICMP, GRE/Geneve, options,
 * anything cut short or odd) goes through the FrameDecoder and `flowView`. Outermost IP fragments
 * go by FragmentRoutes on either path, so the hash never depends on which path a frame took.
 */
export class Router {
  readonly shards: number
  private readonly decoder: FrameDecoder
  private readonly udpPorts: UdpPorts
  private readonly view = createFlowView()
  private readonly levels: boolean
  private readonly lv = new FrameLevels()
  private readonly outerHash: OuterHash = { outer: -1, fragment: false }
  private readonly fragments: FragmentRoutes
  private readonly routes: Routes = { count: 0, shard: new Int32Array(MAX_ROUTES), share: new Int32Array(MAX_ROUTES) }
  /** Frames hashed from the header bytes / through the decoder / as fragments of a datagram (bench and tests). */
  readonly counts = { headers: 0, decoded: 0, fragments: 0 }

  /** `levels`: route outer flows to their own shards (`route`; shard.ts AnalyzerEntry.levels). */
  constructor(shards: number, ports: Pick<PortConfig, 'vxlanPorts'> = {}, levels = false) {
    if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, not ${shards}`)
    this.shards = shards
    this.levels = levels
    this.decoder = new FrameDecoder({ ...ports, applications: false })
    this.udpPorts = new UdpPorts({ ...ports, applications: false })
    this.fragments = new FragmentRoutes(this.udpPorts)
  }

  /** The frame's symmetric flow hash (0 for frames without IP). */
  hash(frame: Frame): number {
    const h = this.headerHash(frame)
    // Asked only of the frames headerHash saw a fragment in or could not hash (an IPv4 header with
    // options, say), so the common frames pay nothing for it.
    const fragment = h < 0 || this.outerHash.fragment ? this.fragmentRoute(frame) : null
    if (fragment) return fragment.own
    if (h >= 0) {
      this.counts.headers++
      return h
    }
    this.counts.decoded++
    return this.decoderHash(frame)
  }

  /** headerHash of an Ethernet frame (-1: not one it can hash); sets outerHash. */
  private headerHash(frame: Frame): number {
    this.outerHash.outer = -1
    this.outerHash.fragment = false
    return frame.linkType === LINKTYPE_ETHERNET ? headerHash(frame.bytes, 0, frame.bytes.length, -1, this.udpPorts, this.outerHash) : -1
  }

  /** The datagram's route when the frame is a fragment of an outermost IPv4 or IPv6 datagram (FragmentRoutes), else null. */
  private fragmentRoute(frame: Frame): FragmentRoute | null {
    if (frame.linkType !== LINKTYPE_ETHERNET) return null
    const r = this.fragments.route(frame.bytes, frame.tsSec)
    if (r) this.counts.fragments++
    return r
  }

  /**
   * The shards of a frame (see the file's comment): the frame's own first. Without `levels`, or with
   * one shard, that one only. The result is reused by the next call.
   */
  route(frame: Frame): Routes {
    const out = this.routes
    out.count = 1
    out.share[0] = 0
    if (this.shards === 1 || !this.levels) {
      out.shard[0] = this.shardOf(frame)
      return out
    }
    const h = this.headerHash(frame)
    const fragment = h < 0 || this.outerHash.fragment ? this.fragmentRoute(frame) : null
    if (fragment) return this.fragmentRoutes(fragment)
    if (h < 0) {
      this.counts.decoded++
      return this.decoderRoute(frame)
    }
    this.counts.headers++
    out.shard[0] = h % this.shards
    // One VXLAN level read from the bytes: level 0 is its outer flow.
    if (this.outerHash.outer >= 0) addLevel(out, 0, this.outerHash.outer % this.shards)
    return out
  }

  /** `route` by the decoder (the rule's definition), fragments by FragmentRoutes. */
  decodedRoute(frame: Frame): Routes {
    const fragment = this.fragmentRoute(frame)
    return fragment ? this.fragmentRoutes(fragment) : this.decoderRoute(frame)
  }

  /** The routes of a fragment of a datagram: level 0 is the tunnel's outer flow when the datagram's inner flow routes it. */
  private fragmentRoutes(fragment: FragmentRoute): Routes {
    const out = this.routes
    out.count = 1
    out.share[0] = 0
    out.shard[0] = fragment.own % this.shards
    if (fragment.outer >= 0) addLevel(out, 0, fragment.outer % this.shards)
    return out
  }

  private decoderRoute(frame: Frame): Routes {
    const out = this.routes
    out.count = 1
    out.share[0] = 0
    const decoded = this.decoder.decode(frame)
    const v = flowView(decoded, this.view)
    out.shard[0] = flowHash(v) % this.shards
    if (!v.ip) return out
    const layers = decoded.layers
    const lv = frameLevels(layers, this.lv)
    // The levels outside the frame's own IP layer (all of them when that is a quoted datagram).
    let own = lv.count
    if (!v.quoted) for (let i = 0; i < lv.count; i++) if (layers[lv.ip[i]!] === v.ip) { own = i; break }
    for (let i = 0; i < own; i++) addLevel(out, i, ipHash(layers[lv.ip[i]!] as IpLayer, lv.vni[i]!) % this.shards)
    return out
  }

  /** The hash by the decoder (the rule's definition), fragments by FragmentRoutes. */
  decodedHash(frame: Frame): number {
    const fragment = this.fragmentRoute(frame)
    return fragment ? fragment.own : this.decoderHash(frame)
  }

  private decoderHash(frame: Frame): number {
    return flowHash(flowView(this.decoder.decode(frame), this.view))
  }

  /** 0..shards-1. With one shard nothing is decoded. */
  shardOf(frame: Frame): number {
    if (this.shards === 1) return 0
    return this.hash(frame) % this.shards
  }
}

/** Shards a frame can go to: its own and one per outer level. */
const MAX_ROUTES = MAX_LEVELS + 1

/** Level `i` of the routed frame is shard `shard`'s: the frame's own share skips it unless it is the same shard. */
function addLevel(out: Routes, i: number, shard: number): void {
  if (shard === out.shard[0]) return
  const bit = 1 << i
  out.share[0]! |= bit
  for (let j = 1; j < out.count; j++) {
    if (out.shard[j] === shard) { out.share[j]! &= ~bit; return }
  }
  const j = out.count++
  out.shard[j] = shard
  out.share[j] = TRACK_ONLY | (LEVEL_BITS & ~bit)
}
