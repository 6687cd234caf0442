/**
 * The layer loop: one captured frame in, the stack of decoded layers out.
 *
 *   link type ─► firstLayer ─► decode ─► dispatch table ─► decode ─► ... ─► Payload
 *
 * Every header is decoded into a record taken from a per-type pool owned by
 * this FrameDecoder and reused for the next frame (no allocation per layer on
 * the steady path). Decoding stops at the first issue that `stopsDecoding`;
 * the layers before it stay decoded. IP fragments go to the Defragmenter: a
 * held fragment ends the stack at its IP header, and the fragment that
 * completes a datagram continues with the reassembled payload (like Wireshark,
 * which shows the upper layers in the frame of the last fragment).
 *
 * An ICMP error quotes the start of the datagram that caused it; those quoted
 * headers are decoded too (marked `quoted`), but the quote is short by design,
 * so running out of bytes inside it is not an issue.
 */
import type { Frame } from '../capture/frame.js'
import * as arp from './arp.js'
import * as chdlc from './chdlc.js'
import { Defragmenter, type FragmentInput } from './defrag.js'
import {
  Layer, UdpPorts, firstLayer, nextAfterEtherType, nextAfterGreProtocol, nextAfterIpProtocol, nextAfterLoopbackFamily,
  type PortConfig,
} from './dispatch.js'
import * as erspan from './erspan.js'
import * as geneve from './geneve.js'
import * as gre from './gre.js'
import * as vxlan from './vxlan.js'
import { ProtocolViolations } from './violations.js'
import { TcpApplications, connectionHash, type AppOutput, type Segment } from '../flow/tcp-apps.js'
import type { LayerRecord } from './record.js'
import type { PlainHeaders } from '../flow/headers.js'
import { hex } from './format.js'
import * as ethernet from './ethernet.js'
import * as icmp from './icmp.js'
import * as icmpv6 from './icmpv6.js'
import * as ipv4 from './ipv4.js'
import * as ipv6 from './ipv6.js'
import { stopsDecoding, malformed, type DecodeIssue, type Decoded, type LenSource } from './issue.js'
import * as limits from './limits.js'
import * as loopback from './loopback.js'
import * as dns from './dns.js'
import * as mpls from './mpls.js'
import * as ntp from './ntp.js'
import * as sll from './sll.js'
import * as sll2 from './sll2.js'
import * as tcp from './tcp.js'
import * as udp from './udp.js'
import * as vlan from './vlan.js'

/** A decoded layer: which decoder, the header it filled, and how it was reached. */
export type DecodedLayer =
  | { kind: typeof Layer.Ethernet; h: ethernet.Header; quoted: boolean }
  | { kind: typeof Layer.Vlan; h: vlan.Header; quoted: boolean }
  | { kind: typeof Layer.Sll; h: sll.Header; quoted: boolean }
  | { kind: typeof Layer.Sll2; h: sll2.Header; quoted: boolean }
  | { kind: typeof Layer.Null; h: loopback.Header; quoted: boolean }
  | { kind: typeof Layer.Arp; h: arp.Header; quoted: boolean }
  | { kind: typeof Layer.Chdlc; h: chdlc.Header; quoted: boolean }
  | { kind: typeof Layer.Mpls; h: mpls.Header; quoted: boolean }
  | { kind: typeof Layer.Ipv4; h: ipv4.Header; quoted: boolean; reassembled: boolean }
  | { kind: typeof Layer.Ipv6; h: ipv6.Header; quoted: boolean; reassembled: boolean }
  | { kind: typeof Layer.Icmp; h: icmp.Header; quoted: boolean }
  | { kind: typeof Layer.Icmpv6; h: icmpv6.Header; quoted: boolean }
  | { kind: typeof Layer.Udp; h: udp.Header; quoted: boolean }
  | { kind: typeof Layer.Tcp; h: tcp.Header; quoted: boolean }
  | { kind: typeof Layer.Vxlan; h: vxlan.Header; quoted: boolean }
  | { kind: typeof Layer.Gre; h: gre.Header; quoted: boolean }
  | { kind: typeof Layer.Geneve; h: geneve.Header; quoted: boolean }
  | { kind: typeof Layer.Erspan; h: erspan.Header; quoted: boolean }
  | { kind: typeof Layer.Ntp; h: ntp.Header; quoted: boolean }
  | { kind: typeof Layer.Dns; h: dns.Header; quoted: boolean }
  | { kind: typeof Layer.Record; record: LayerRecord; quoted: boolean }

/** Reused layer entries (and their header records) of one type: `take()` hands out the next one, `reset()` starts over per frame. */
class Pool<H> {
  private readonly items: H[] = []
  private used = 0
  private readonly make: () => H
  constructor(make: () => H) {
    this.make = make
  }
  take(): H {
    if (this.used === this.items.length) this.items.push(this.make())
    return this.items[this.used++]!
  }
  reset(): void {
    this.used = 0
  }
}

/** The result of decoding one frame; valid until the next call of `decode`. */
export interface DecodedFrame {
  layers: DecodedLayer[]
  issues: DecodeIssue[]
  /** The buffer the last layers were decoded from: the frame, or a reassembled datagram's payload. */
  bytes: Uint8Array
  /** Where undecoded payload after the last layer starts and ends in `bytes` (equal when none). */
  payloadOffset: number
  payloadEnd: number
}

export interface FrameDecoderStats {
  fragmentsHeld: number
  datagramsReassembled: number
  fragmentsDropped: number
}

export class FrameDecoder {
  readonly defrag = new Defragmenter()
  private readonly out: DecodedFrame = { layers: [], issues: [], bytes: new Uint8Array(0), payloadOffset: 0, payloadEnd: 0 }
  // Entries, not only headers, are reused: a frame's layer objects were a third of the loop's garbage.
  private readonly pools = {
    eth: entries(Layer.Ethernet, ethernet.create), vlan: entries(Layer.Vlan, vlan.create), sll: entries(Layer.Sll, sll.create),
    sll2: entries(Layer.Sll2, sll2.create), null: entries(Layer.Null, loopback.create), arp: entries(Layer.Arp, arp.create),
    ipv4: new Pool<LayerOf<typeof Layer.Ipv4>>(() => ({ kind: Layer.Ipv4, h: ipv4.create(), quoted: false, reassembled: false })),
    ipv6: new Pool<LayerOf<typeof Layer.Ipv6>>(() => ({ kind: Layer.Ipv6, h: ipv6.create(), quoted: false, reassembled: false })),
    icmp: entries(Layer.Icmp, icmp.create),
    icmpv6: entries(Layer.Icmpv6, icmpv6.create), udp: entries(Layer.Udp, udp.create), tcp: entries(Layer.Tcp, tcp.create),
    chdlc: entries(Layer.Chdlc, chdlc.create), mpls: entries(Layer.Mpls, mpls.create),
    vxlan: entries(Layer.Vxlan, vxlan.create), gre: entries(Layer.Gre, gre.create), geneve: entries(Layer.Geneve, geneve.create),
    erspan: entries(Layer.Erspan, erspan.create), ntp: entries(Layer.Ntp, ntp.create), dns: entries(Layer.Dns, dns.create),
  }
  /** The IP step of the layer loop, overwritten by each IP header. */
  private readonly ipStep: IpStep = {
    result: { ok: true }, entry: null, protocol: 0, payloadOffset: 0, payloadEnd: 0, declaredEnd: 0, fragment: null,
  }
  private readonly poolList: ReadonlyArray<{ reset(): void }> = Object.values(this.pools)
  private readonly udpPorts: UdpPorts
  /** Flows whose port promised a protocol their bytes did not hold. */
  readonly violations = new ProtocolViolations()
  /** BGP, DNS, TLS and HTTP over reassembled TCP streams. */
  readonly tcpApps: TcpApplications
  private readonly appOut: AppOutput = { records: [], issues: [] }
  /** The segment handed to tcpApps, reused (it keeps only the identity). */
  private readonly segment: Segment = {
    lo: 0, loPort: 0, hi: 0, hiPort: 0, vni: -1, key: '', hash: 0, dir: 0, srcPort: 0, dstPort: 0, seq: 0, flags: 0, bytes: EMPTY_BYTES, payloadOffset: 0, payloadEnd: 0, frame: 0,
  }

  private readonly applications: boolean
  /** Layers of the frame being decoded so far (out.layers may still hold the previous frame's after them). */
  private layerCount = 0

  constructor(config: PortConfig = {}) {
    this.udpPorts = new UdpPorts(config)
    this.applications = config.applications !== false
    this.tcpApps = new TcpApplications(undefined, { firstRecordOnly: config.firstRecordOnly === true })
  }

  decode(frame: Frame): DecodedFrame {
    const s = this.out
    // One layers array for every frame, overwritten in place and cut to this frame's count at the end:
    // a fresh array per frame was the loop's largest allocation, and `length = 0` would free its store.
    this.layerCount = 0
    if (s.issues.length > 0) s.issues = []
    const pools = this.poolList
    for (let i = 0; i < pools.length; i++) pools[i]!.reset()
    let bytes = frame.bytes
    let layer: Layer = firstLayer(frame.linkType)
    let offset = 0
    let end = bytes.length
    let endSource: LenSource = 'capture'
    let quoted = false       // inside the datagram an ICMP error quotes
    let vlanTags = 0
    let tunnels = 0          // VXLAN, GRE and Geneve headers so far, bounded by MAX_TUNNEL_DEPTH
    let erspanType: 1 | 2 | 3 = 2
    let innerIp: IpEntry | null = null  // the innermost IP header so far (flow keys)
    let vni = -1                        // the innermost VXLAN/Geneve VNI or NVGRE VSID: part of a flow's identity
    let ipDepth = 0          // IP headers so far (tunnels and quotes), bounded by MAX_TUNNEL_DEPTH
    /** End of the current IP datagram as its header claims (tshark's tcp.len counts to it). */
    let ipDeclaredEnd = end

    for (let step = 0; layer !== Layer.Payload; step++) {
      if (step === limits.MAX_LAYERS) {
        s.issues.push(malformed('frame', 'layers', step, `<= ${limits.MAX_LAYERS} layers`, offset))
        break
      }
      let result: Decoded
      let next: Layer = Layer.Payload
      const at = offset
      switch (layer) {
        case Layer.Ethernet: {
          const e = this.pools.eth.take()
          const h = e.h
          result = ethernet.decode(bytes, offset, end, h)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = h.etherType > 1500 ? nextAfterEtherType(h.etherType) : Layer.Payload
          }
          break
        }
        case Layer.Vlan: {
          if (++vlanTags > limits.MAX_VLAN_TAGS) {
            result = malformed('vlan', 'tags', vlanTags, `<= ${limits.MAX_VLAN_TAGS} stacked tags`, offset)
            break
          }
          const e = this.pools.vlan.take()
          const h = e.h
          const prev = this.last()
          result = vlan.decode(bytes, offset, end, h)
          if (result.ok) {
            h.tpid = prev ? previousEtherType(prev) : 0x8100
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = nextAfterEtherType(h.etherType)
          }
          break
        }
        case Layer.Sll: {
          const e = this.pools.sll.take()
          const h = e.h
          result = sll.decode(bytes, offset, end, h)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = nextAfterEtherType(h.protocol)
          }
          break
        }
        case Layer.Sll2: {
          const e = this.pools.sll2.take()
          const h = e.h
          result = sll2.decode(bytes, offset, end, h)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = nextAfterEtherType(h.protocol)
          }
          break
        }
        case Layer.Chdlc: {
          const e = this.pools.chdlc.take()
          const h = e.h
          result = chdlc.decode(bytes, offset, end, h)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = nextAfterEtherType(h.protocol)
          }
          break
        }
        case Layer.Mpls: {
          const e = this.pools.mpls.take()
          const h = e.h
          result = mpls.decode(bytes, offset, end, h)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = h.payloadVersion === 4 ? Layer.Ipv4 : h.payloadVersion === 6 ? Layer.Ipv6 : Layer.Payload
          }
          break
        }
        case Layer.Null:
        case Layer.Loop: {
          const e = this.pools.null.take()
          const h = e.h
          result = loopback.decode(bytes, offset, end, h, layer === Layer.Loop)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = nextAfterLoopbackFamily(h.family)
          }
          break
        }
        case Layer.RawIp: {
          // LINKTYPE_RAW: the version nibble says which IP follows; anything else is payload.
          const version = offset < end ? (bytes[offset]! >> 4) : 0
          result = { ok: true }
          next = version === 4 ? Layer.Ipv4 : version === 6 ? Layer.Ipv6 : Layer.Payload
          if (next === Layer.Payload && offset < end) {
            result = malformed('ipv4', 'version', version, '4 or 6 (raw IP link type)', offset)
          }
          break
        }
        case Layer.Arp: {
          const e = this.pools.arp.take()
          const h = e.h
          result = arp.decode(bytes, offset, end, h)
          if (result.ok) this.put(entry(e, quoted))
          break
        }
        case Layer.Ipv4:
        case Layer.Ipv6: {
          if (++ipDepth > limits.MAX_TUNNEL_DEPTH + 1) {
            const name = layer === Layer.Ipv4 ? 'ipv4' : 'ipv6'
            result = malformed(name, 'depth', ipDepth, `<= ${limits.MAX_TUNNEL_DEPTH + 1} nested IP headers`, offset)
            break
          }
          const ip = layer === Layer.Ipv4
            ? this.decodeIpv4(bytes, at, end, endSource, quoted)
            : this.decodeIpv6(bytes, at, end, endSource, quoted)
          result = ip.result
          const ipEntry = ip.entry
          if (!ipEntry) break
          this.put(ipEntry)
          innerIp = ipEntry
          ipDeclaredEnd = ip.declaredEnd
          offset = ip.payloadOffset
          end = ip.payloadEnd
          endSource = layer === Layer.Ipv4 ? 'ipv4.totalLength' : 'ipv6.payloadLength'
          next = nextAfterIpProtocol(ip.protocol)
          // Inside an ICMP quote only the quoted headers themselves are decoded, never a tunnel's payload.
          if (quoted && next === Layer.Gre) next = Layer.Payload
          if (!ip.fragment) break
          // A fragment: the upper layers appear only in the frame that completes the datagram.
          // A quoted fragment (inside an ICMP error) is never reassembled.
          if (quoted) { next = Layer.Payload; break }
          const r = this.defrag.add({ ...ip.fragment, bytes, tsSec: frame.tsSec, frame: frame.frameNumber })
          if (r.status !== 'complete') { next = Layer.Payload; break }
          ipEntry.reassembled = true
          bytes = r.payload
          offset = 0
          end = ipDeclaredEnd = bytes.length
          endSource = 'reassembly'
          break
        }
        case Layer.Icmp: {
          const e = this.pools.icmp.take()
          const h = e.h
          result = icmp.decode(bytes, offset, end, h)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            if (!quoted && icmp.quotesDatagram(h)) { quoted = true; next = Layer.Ipv4 }
          }
          break
        }
        case Layer.Icmpv6: {
          const e = this.pools.icmpv6.take()
          const h = e.h
          result = icmpv6.decode(bytes, offset, end, h)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            if (!quoted && icmpv6.quotesDatagram(h)) { quoted = true; next = Layer.Ipv6 }
          }
          break
        }
        case Layer.Udp: {
          const e = this.pools.udp.take()
          const h = e.h
          result = udp.decode(bytes, offset, end, h, endSource)
          if (result.ok || !stopsDecoding(result)) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            end = h.payloadEnd
            // What ends the payload: the UDP length, or a quote / the snap length that cut it short.
            endSource = quoted ? 'quoted' : h.payloadEnd < h.payloadOffset + h.length - 8 && frame.caplen < frame.origlen ? 'capture' : 'udp.length'
            next = this.udpPorts.next(h.srcPort, h.dstPort)
            // Inside an ICMP quote only DNS is worth reading (tshark does too); never a tunnel.
            if (quoted && next !== Layer.Dns) next = Layer.Payload
          }
          break
        }
        case Layer.Vxlan:
        case Layer.Gre:
        case Layer.Geneve: {
          if (++tunnels > limits.MAX_TUNNEL_DEPTH) {
            const name = layer === Layer.Vxlan ? 'vxlan' : layer === Layer.Gre ? 'gre' : 'geneve'
            result = malformed(name, 'depth', tunnels, `<= ${limits.MAX_TUNNEL_DEPTH} nested tunnels`, offset)
            break
          }
          if (layer === Layer.Vxlan) {
            const e = this.pools.vxlan.take()
            const h = e.h
            result = vxlan.decode(bytes, offset, end, h, endSource)
            if (!result.ok) break
            this.put(entry(e, quoted))
            vni = h.vni
            offset = h.payloadOffset
            next = Layer.Ethernet
          } else if (layer === Layer.Gre) {
            const e = this.pools.gre.take()
            const h = e.h
            result = gre.decode(bytes, offset, end, h, endSource)
            if (!result.ok) break
            this.put(entry(e, quoted))
            if (gre.isNvgre(h)) vni = Math.floor(h.key! / 256)
            offset = h.payloadOffset
            next = nextAfterGreProtocol(h.protocol)
            erspanType = h.protocol === 0x22eb ? 3 : h.sequence === null ? 1 : 2
          } else {
            const e = this.pools.geneve.take()
            const h = e.h
            result = geneve.decode(bytes, offset, end, h, endSource)
            if (!result.ok) break
            this.put(entry(e, quoted))
            vni = h.vni
            offset = h.payloadOffset
            next = h.protocol === 0x6558 ? Layer.Ethernet : nextAfterEtherType(h.protocol)
          }
          break
        }
        case Layer.Dns: {
          const udpH = (this.last() as { h: udp.Header }).h
          if (!dns.looksLikeDns(bytes, offset, end)) {
            result = quoted ? { ok: true } : this.violation('dns', innerIp, udpH, offset)
            break
          }
          const e = this.pools.dns.take()
          const h = e.h
          result = dns.decode(bytes, offset, end, h, endSource)
          // A partial decode keeps the header and what came before the issue: show it with the issue.
          this.put(entry(e, quoted))
          break
        }
        case Layer.Ntp: {
          const udpH = (this.last() as { h: udp.Header }).h
          if (!ntp.looksLikeNtp(bytes, offset, end)) {
            result = this.violation('ntp', innerIp, udpH, offset)
            break
          }
          const e = this.pools.ntp.take()
          const h = e.h
          result = ntp.decode(bytes, offset, end, h, endSource)
          if (result.ok || !stopsDecoding(result)) this.put(entry(e, quoted))
          break
        }
        case Layer.Erspan: {
          const e = this.pools.erspan.take()
          const h = e.h
          result = erspan.decode(bytes, offset, end, h, erspanType, endSource)
          if (result.ok) {
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            next = Layer.Ethernet
          }
          break
        }
        case Layer.Tcp: {
          const e = this.pools.tcp.take()
          const h = e.h
          result = tcp.decode(bytes, offset, end, h, endSource)
          if (result.ok || !stopsDecoding(result)) {
            // tshark's tcp.len: what the IP header says, also when the snap length cut the frame.
            h.payloadLength = Math.max(0, ipDeclaredEnd - h.payloadOffset)
            this.put(entry(e, quoted))
            offset = h.payloadOffset
            end = h.payloadEnd
            if (!quoted && innerIp && this.applications) this.streamSegment(frame.frameNumber, innerIp, vni, h, bytes, s)
          }
          break
        }
        default:
          result = { ok: true }
      }
      if (!result.ok) {
        // A quote is cut short on purpose (RFC 792: the IP header + 8 bytes): not an issue.
        const expectedShortQuote = quoted && result.kind === 'truncated'
        if (!expectedShortQuote) s.issues.push(result)
        if (stopsDecoding(result)) break
      }
      layer = next
    }
    if (s.layers.length !== this.layerCount) s.layers.length = this.layerCount
    s.bytes = bytes
    s.payloadOffset = Math.min(offset, end)
    s.payloadEnd = end
    return s
  }
  /**
   * True when decoding this plain TCP frame (flow/headers.ts: one IP level, or the inner level of a
   * plain VXLAN frame) would give nothing past its TCP header: the TCP applications would ignore its segment.
   */
  ignoresPlainSegment(h: PlainHeaders): boolean {
    if (!this.applications) return true
    const apps = this.tcpApps
    if (apps.passesOver(h.flags, h.srcPort, h.dstPort, h.bytes, h.payloadAt, h.payloadEnd)) return true
    const hash = h.family === 4
      ? connectionHash(h.src, h.srcPort, h.dst, h.dstPort, h.vni)
      : connectionHash(fold16(h.bytes, h.srcAt), h.srcPort, fold16(h.bytes, h.dstAt), h.dstPort, h.vni)
    return apps.skips(hash, h.flags, h.srcPort, h.dstPort, h.bytes, h.payloadAt, h.payloadEnd)
  }

  private put(l: DecodedLayer): void {
    this.out.layers[this.layerCount++] = l
  }

  private last(): DecodedLayer | undefined {
    return this.layerCount > 0 ? this.out.layers[this.layerCount - 1] : undefined
  }

  /** Hand a TCP segment to the stream applications; append what completed in this frame. */
  private streamSegment(frame: number, ip: IpEntry, vni: number, h: tcp.Header, bytes: Uint8Array, s: DecodedFrame): void {
    // Most TCP is of no interest: bare ACKs, ports and first bytes of no application (decided without a
    // hash), and encrypted TLS after its handshake, which no followed connection owns (a hash of the
    // identity answers that without the key text).
    if (this.tcpApps.passesOver(h.flags, h.srcPort, h.dstPort, bytes, h.payloadOffset, h.payloadEnd)) return
    const hash = ip.kind === Layer.Ipv4
      ? connectionHash(ip.h.src, h.srcPort, ip.h.dst, h.dstPort, vni)
      : connectionHash(fold16(ip.h.src), h.srcPort, fold16(ip.h.dst), h.dstPort, vni)
    if (this.tcpApps.skips(hash, h.flags, h.srcPort, h.dstPort, bytes, h.payloadOffset, h.payloadEnd)) return
    const seg = this.segment
    let forward: boolean
    if (ip.kind === Layer.Ipv4) {
      // Side 0 is the address whose decimal text sorts first (then the lower port): the order the text key
      // of earlier versions gave, so the directions are numbered as before, without building the texts.
      const order = decimalTextOrder(ip.h.src, ip.h.dst)
      forward = order < 0 || (order === 0 && h.srcPort <= h.dstPort)
      seg.lo = forward ? ip.h.src : ip.h.dst
      seg.hi = forward ? ip.h.dst : ip.h.src
      seg.key = ''
    } else {
      const a = hex(ip.h.src)
      const b = hex(ip.h.dst)
      forward = a < b || (a === b && h.srcPort <= h.dstPort)
      seg.lo = seg.hi = 0
      // join builds a flat string: a template of this length is a rope, flattened (copied) on every comparison.
      seg.key = forward ? [a, b].join(' ') : [b, a].join(' ')
    }
    seg.loPort = forward ? h.srcPort : h.dstPort
    seg.hiPort = forward ? h.dstPort : h.srcPort
    seg.vni = vni
    const out = this.appOut
    if (out.records.length > 0) out.records = []
    if (out.issues.length > 0) out.issues = []
    seg.hash = hash
    seg.dir = forward ? 0 : 1
    seg.srcPort = h.srcPort
    seg.dstPort = h.dstPort
    seg.seq = h.seq
    seg.flags = h.flags
    seg.bytes = bytes
    seg.payloadOffset = h.payloadOffset
    seg.payloadEnd = h.payloadEnd
    seg.frame = frame
    this.tcpApps.segment(seg, out)
    seg.bytes = EMPTY_BYTES
    for (const record of out.records) this.put({ kind: Layer.Record, record, quoted: false })
    // A stream message has no single place in this frame; its issues point at this segment's payload.
    for (const issue of out.issues) s.issues.push({ ...issue, offset: h.payloadOffset })
  }

  /**
   * The port promised `layer` but the bytes are not it: one malformed entry for the first such
   * packet of the flow, then only a count (the bytes stay payload).
   */
  private violation(layer: 'dns' | 'ntp', ip: IpEntry | null, h: udp.Header, offset: number): Decoded {
    const a = ip ? ipText(ip, 'src') : '?'
    const b = ip ? ipText(ip, 'dst') : '?'
    const key = a < b || (a === b && h.srcPort <= h.dstPort)
      ? `udp ${a} ${h.srcPort} ${b} ${h.dstPort}` : `udp ${b} ${h.dstPort} ${a} ${h.srcPort}`
    if (!this.violations.record(key)) return { ok: true }
    return malformed(layer, 'protocol', h.dstPort, `${layer.toUpperCase()} on this port (protocol violation; later packets of this flow are only counted)`, offset)
  }

  private decodeIpv4(bytes: Uint8Array, at: number, end: number, endSource: LenSource, quoted: boolean): IpStep {
    const e = this.pools.ipv4.take()
    const h = e.h
    const step = this.ipStep
    const result = ipv4.decode(bytes, at, end, h, endSource)
    step.result = result
    if (!result.ok && stopsDecoding(result)) { step.entry = null; return step }
    e.quoted = quoted
    e.reassembled = false
    step.entry = e
    step.protocol = h.protocol
    step.payloadOffset = h.payloadOffset
    step.payloadEnd = h.payloadEnd
    step.declaredEnd = h.tso ? h.payloadEnd : h.declaredEnd
    step.fragment = ipv4.isFragment(h)
      ? { family: 4, srcOffset: at + 12, dstOffset: at + 16, id: h.id, protocol: h.protocol, offset: h.fragmentOffset,
          more: h.mf, payloadOffset: h.payloadOffset, payloadEnd: h.payloadEnd, declaredLength: h.declaredEnd - h.payloadOffset }
      : null
    return step
  }

  private decodeIpv6(bytes: Uint8Array, at: number, end: number, endSource: LenSource, quoted: boolean): IpStep {
    const e = this.pools.ipv6.take()
    const h = e.h
    const step = this.ipStep
    const result = ipv6.decode(bytes, at, end, h, endSource)
    step.result = result
    // An extension header that is cut or malformed still leaves the fixed header worth showing.
    if (!ipv6.fixedHeaderDecoded(result, at)) { step.entry = null; return step }
    e.quoted = quoted
    e.reassembled = false
    step.entry = e
    step.protocol = h.upperProtocol
    step.payloadOffset = h.upperOffset
    step.payloadEnd = h.payloadEnd
    step.declaredEnd = h.jumbo ? h.payloadEnd : h.declaredEnd
    step.fragment = ipv6.isFragment(h)
      ? { family: 6, srcOffset: at + 8, dstOffset: at + 24, id: h.fragmentId, protocol: h.upperProtocol, offset: h.fragmentOffset,
          more: h.fragmentMore, payloadOffset: h.upperOffset, payloadEnd: h.payloadEnd, declaredLength: h.declaredEnd - h.upperOffset }
      : null
    return step
  }
}

type IpEntry = Extract<DecodedLayer, { reassembled: boolean }>

const EMPTY_BYTES = new Uint8Array(0)

/** An IP header's address as compact text, only for keys on the rare violation path. */
function ipText(ip: IpEntry, which: 'src' | 'dst'): string {
  return ip.kind === Layer.Ipv4 ? String(ip.h[which]) : hex(ip.h[which])
}

/**
 * The sign of String(a) compared with String(b) for integers 0..2^32-1, without the strings: decimal
 * texts compare as the numbers padded with zeros to the same number of digits, the shorter text first
 * when one is the other's beginning (the padded numbers stay below 10^10: exact in a double).
 */
export function decimalTextOrder(a: number, b: number): number {
  if (a === b) return 0
  const da = digits(a)
  const db = digits(b)
  const x = da < db ? a * 10 ** (db - da) : a
  const y = db < da ? b * 10 ** (da - db) : b
  if (x !== y) return x < y ? -1 : 1
  return da < db ? -1 : 1
}

function digits(n: number): number {
  let d = 1
  for (let p = 10; n >= p; p *= 10) d++
  return d
}

/** A 16-byte address folded to 32 bits (for hashes only). */
function fold16(a: Uint8Array, at = 0): number {
  let h = 0
  for (let i = at; i < at + 16; i += 4) h = Math.imul(h ^ ((a[i]! << 24) | (a[i + 1]! << 16) | (a[i + 2]! << 8) | a[i + 3]!), 0x01000193)
  return h
}

/** What an IPv4 or IPv6 header decode hands back to the loop: one shape for both (the rest is stale when `entry` is null). */
interface IpStep {
  result: Decoded
  entry: IpEntry | null
  protocol: number
  payloadOffset: number
  payloadEnd: number
  /** End of the datagram as its header claims (tshark's tcp.len counts to it). */
  declaredEnd: number
  /** The reassembly key and byte range when this is a fragment (no buffer or time yet). */
  fragment: Omit<FragmentInput, 'bytes' | 'tsSec' | 'frame'> | null
}

type LayerOf<K> = Extract<DecodedLayer, { kind: K }>

/** A pool of entries of one layer kind, each with its header record. */
function entries<K extends DecodedLayer['kind'], H>(kind: K, create: () => H): Pool<{ kind: K; h: H; quoted: boolean }> {
  return new Pool(() => ({ kind, h: create(), quoted: false }))
}

/** A pooled entry, marked for this frame: inside an ICMP quote or not. */
function entry<E extends { quoted: boolean }>(e: E, quoted: boolean): E {
  e.quoted = quoted
  return e
}

/** The EtherType/protocol field of the layer in front of a VLAN tag: the tag's TPID. */
function previousEtherType(prev: DecodedLayer): number {
  switch (prev.kind) {
    case Layer.Ethernet: return prev.h.etherType
    case Layer.Vlan: return prev.h.etherType
    case Layer.Sll: return prev.h.protocol
    case Layer.Sll2: return prev.h.protocol
    default: return 0x8100
  }
}

