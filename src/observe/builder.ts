/**
 * The observation builder: decoded frames (and ended flow records) in, the Observations model
 * (model.ts) out. One per shard, driven like any FrameObserver (src/engine/shard.ts); its parts
 * are joined by mergeObservations (merge.ts).
 *
 *   observe(frame, decoded) ─► one walk over the layers: innermost IP + transport, tunnels,
 *        ICMP error and its quote, application layers
 *        ├─ tunnels      ─► aggregates per (file, kind, outer pair, VNI, flags, inner pair)
 *        ├─ ICMP error   ─► IcmpErrorObs (from/to, type/code, MTU, the quoted datagram)
 *        ├─ TCP port 179 ─► BgpSession (SYN/SYN-ACK/RST/FIN, TCP-MD5) ─► BGP records: OPEN,
 *        │                  NOTIFICATION, KEEPALIVE, UPDATE ─► RouteEvent per prefix
 *        ├─ DNS (UDP or a TCP record, port 53) ─► query table ─► DnsTransaction / orphan / bindings
 *        ├─ NTP          ─► pending requests per pair ─► NtpExchange
 *        └─ TLS / HTTP records ─► TlsObservation (certificate names later) / HttpRequestObs
 *   addFlow(record) ─► flowCount; kept when relevant to the policy (relevance.ts), roles filled
 *
 * Cost: a frame with none of these layers costs the walk (a switch per layer) and the span update;
 * nothing is allocated and no text is built until an observation is kept. Decoded headers are
 * reused by the decoder for the next frame: everything kept is copied out (numbers and new strings;
 * records of reassembled TCP applications are fresh objects and are referenced as they are).
 *
 * Direction: the sender of a frame is its innermost IP source. Application records of TCP streams
 * are reported in the frame that completed them, which the same side sent (src/flow/tcp-apps.ts
 * parses one direction per segment).
 */
import { isoTimestamp, type Frame } from '../capture/frame.js'
import type { BgpRecord } from '../decode/bgp.js'
import { Layer } from '../decode/dispatch.js'
import * as dns from '../decode/dns.js'
import type { DnsRecord } from '../decode/dns.js'
import { intern, ipv4ToString, ipv6ToString } from '../decode/format.js'
import type { DecodedFrame, DecodedLayer } from '../decode/frame.js'
import * as gre from '../decode/gre.js'
import type { HttpRecord } from '../decode/http.js'
import * as icmp from '../decode/icmp.js'
import * as icmpv6 from '../decode/icmpv6.js'
import { MAX_TUNNEL_DEPTH } from '../decode/limits.js'
import * as ntp from '../decode/ntp.js'
import type { TlsRecord } from '../decode/tls.js'
import type { FlowRecord } from '../flow/flow-record.js'
import { mix } from '../flow/key.js'
import { compareFlowRecords } from '../flow/tracker.js'
import type { Policy } from '../policy/model.js'
import { PolicyView } from '../policy/view.js'
import { EarliestFlows } from './earliest.js'
import * as limits from './limits.js'
import { compareListKeys, type ListKey, type ListReport, type ListReports } from './list-key.js'
import type {
  BgpSession, CaptureSpan, DnsTransaction, Endpoint, HttpRequestObs, IcmpErrorObs, NtpExchange, Observations,
  RouteEvent, TlsObservation, TunnelObservation, Where,
} from './model.js'
import { isRelevantFlow } from './relevance.js'
import { RoleResolver } from './roles.js'

type IpLayer = Extract<DecodedLayer, { reassembled: boolean }>
type Answer = { name: string; type: number; ttl: number; data: string }

const FIN = 0x01
const SYN = 0x02
const RST = 0x04
const ACK = 0x10

const BGP_PORT = 179
const DNS_PORT = 53

/** A frame's place without its text (built once, at finish). */
interface Mark {
  fileIndex: number
  frame: number
  sec: number
  nsec: number
  hasTs: boolean
}

interface SpanState {
  fileIndex: number
  file: string
  first: Where | null
  last: Mark | null
}

/** Query keys of the DNS table: the unanswered transactions, and whether any query of the key was seen. */
interface DnsPending {
  waiting: Array<{ tx: DnsTransaction; sec: number; nsec: number }>
  /** A query of this key was seen (kept or dropped): a later response is not an orphan. */
  seen: true
}

interface BgpState {
  obs: BgpSession
  aIp: string
  aPort: number
  last: Mark
}

const TunnelKind = ['vxlan', 'nvgre', 'geneve', 'gre'] as const

/** An address as tunnel identity: IPv4 as its number, IPv6 as its text (rare), -1 for none. */
type AddrId = number | string

interface TunnelState {
  obs: TunnelObservation
  fileIndex: number
  kind: number
  vni: number
  flags: number
  outerSrc: AddrId
  outerDst: AddrId
  innerSrc: AddrId
  innerDst: AddrId
  last: Mark
  /** Next state with the same hash. */
  next: TunnelState | null
}

export interface ObservationBuilderOptions {
  /** With a policy, only flows a rule may need are kept (relevance.ts) and their roles are filled. */
  policy?: Policy | null
}

export class ObservationBuilder {
  private readonly view: PolicyView | null
  private readonly roles: RoleResolver | null
  private fileIndex = 0
  private file = ''
  private readonly files = new Map<number, string>()
  private readonly spans = new Map<number, SpanState>()
  private span: SpanState | null = null

  /** The current frame and its Where, built at most once per frame and only when something is kept. */
  private frame: Frame | null = null
  private here: Where | null = null

  private flowCount = 0
  private readonly flows = new EarliestFlows(limits.MAX_KEPT_FLOW_RECORDS)
  private readonly dns: DnsTransaction[] = []
  private readonly dnsPending = new Map<string, DnsPending>()
  private readonly dnsBindings: Observations['dnsBindings'] = []
  private readonly bindingKeys = new Set<string>()
  private readonly dnsOrphans: Observations['dnsOrphanResponses'] = []
  private readonly ntp: NtpExchange[] = []
  private readonly ntpPending = new Map<string, NtpExchange[]>()
  private readonly bgp = new Map<string, BgpState>()
  private readonly bgpRefused = new Set<string>()
  private readonly routes: RouteEvent[] = []
  private readonly tls: TlsObservation[] = []
  private readonly tlsAwaitingCert = new Map<string, TlsObservation>()
  private readonly http: HttpRequestObs[] = []
  private readonly tunnelList: TunnelState[] = []
  private readonly tunnelIndex = new Map<number, TunnelState>()
  private readonly icmpErrors: IcmpErrorObs[] = []
  private readonly dropped = new Map<string, number>()
  /** Per bounded list, the key after which nothing is kept (engine/list-cutoffs.ts); none in-process. */
  private readonly cuts = new Map<string, ListKey>()
  /** The bounded lists kept in capture order, by their names in Observations and `dropped`. */
  private readonly positionLists: Readonly<Record<string, PositionList>> = {
    dns: positionList(this.dns, (x) => x.query, limits.MAX_DNS_TRANSACTIONS),
    dnsOrphanResponses: positionList(this.dnsOrphans, (x) => x.at, limits.MAX_DNS_ORPHANS),
    ntp: positionList(this.ntp, (x) => x.request, limits.MAX_NTP_EXCHANGES),
    routes: positionList(this.routes, (x) => x.at, limits.MAX_ROUTE_EVENTS),
    tls: positionList(this.tls, (x) => x.at, limits.MAX_TLS),
    http: positionList(this.http, (x) => x.at, limits.MAX_HTTP),
    icmpErrors: positionList(this.icmpErrors, (x) => x.at, limits.MAX_ICMP_ERRORS),
  }

  /** Tunnel layers of the current frame and the IP layer in front of each (reused). */
  private readonly tunnelAt = new Int32Array(MAX_TUNNEL_DEPTH + 1)
  private readonly tunnelOuter = new Int32Array(MAX_TUNNEL_DEPTH + 1)

  constructor(opts: ObservationBuilderOptions = {}) {
    this.view = opts.policy ? new PolicyView(opts.policy) : null
    this.roles = this.view ? new RoleResolver(this.view) : null
  }

  startFile(fileIndex: number, file: string): void {
    this.fileIndex = fileIndex
    this.file = file
    this.files.set(fileIndex, file)
    this.span = this.spanOf(fileIndex, file)
  }

  /**
   * A flow record that ended (the tracker's onEnd): counted, and kept when a rule may need it.
   * A tunnel's outer flow or an ICMP flow (`tunnelOrIcmp`, onEnd's third argument) is kept whatever the policy.
   */
  addFlow(record: FlowRecord, tunnelOrIcmp = false): void {
    this.flowCount++
    if (!tunnelOrIcmp && this.view && !isRelevantFlow(this.view, record)) return
    this.roles?.fill(record)
    this.flows.offer(record)
  }

  observe(frame: Frame, decoded: DecodedFrame): void {
    this.observePlain(frame)

    const layers = decoded.layers
    let ip = -1          // the innermost non-quoted IP layer
    let l4 = -1          // its TCP/UDP layer
    let vni = -1         // innermost VNI so far
    let ipVni = -1       // the VNI around `ip`
    let tunnels = 0
    let icmpAt = -1      // a non-quoted ICMP/ICMPv6 error
    let icmpIp = -1      // the IP layer carrying it
    let quotedIp = -1
    let quotedL4 = -1
    let apps = false
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!
      if (l.quoted) {
        if (icmpAt >= 0) {
          if (quotedIp < 0) {
            if (l.kind === Layer.Ipv4 || l.kind === Layer.Ipv6) quotedIp = i
          } else if (quotedL4 < 0 && i === quotedIp + 1 && (l.kind === Layer.Tcp || l.kind === Layer.Udp)) {
            quotedL4 = i
          }
        }
        continue
      }
      switch (l.kind) {
        case Layer.Ipv4:
        case Layer.Ipv6:
          ip = i; l4 = -1; ipVni = vni
          break
        case Layer.Tcp:
        case Layer.Udp:
          if (ip === i - 1) l4 = i
          break
        case Layer.Icmp:
          if (ip === i - 1 && icmp.quotesDatagram(l.h)) { icmpAt = i; icmpIp = ip }
          break
        case Layer.Icmpv6:
          if (ip === i - 1 && icmpv6.quotesDatagram(l.h)) { icmpAt = i; icmpIp = ip }
          break
        case Layer.Vxlan:
        case Layer.Geneve:
        case Layer.Gre:
          if (ip >= 0 && tunnels < this.tunnelAt.length) { this.tunnelAt[tunnels] = i; this.tunnelOuter[tunnels] = ip; tunnels++ }
          if (l.kind !== Layer.Gre) vni = l.h.vni
          else if (gre.isNvgre(l.h)) vni = Math.floor(l.h.key! / 256)
          break
        case Layer.Dns:
        case Layer.Ntp:
        case Layer.Record:
          apps = true
          break
        default:
          break
      }
    }
    if (tunnels > 0) this.observeTunnels(layers, tunnels, ip)
    if (icmpAt >= 0) this.observeIcmpError(decoded, icmpAt, icmpIp, quotedIp, quotedL4)
    if (ip < 0 || l4 < 0) return
    const ipl = layers[ip] as IpLayer
    const t = layers[l4]!
    if (t.kind !== Layer.Tcp && t.kind !== Layer.Udp) return
    let bgp: BgpState | null = null
    if (t.kind === Layer.Tcp && (t.h.srcPort === BGP_PORT || t.h.dstPort === BGP_PORT)) bgp = this.observeBgpSegment(ipl, t.h.srcPort, t.h.dstPort, t.h.flags, t.h.md5, ipVni)
    if (!apps) return
    const sport = t.h.srcPort
    const dport = t.h.dstPort
    const src = ipSrc(ipl)
    const dst = ipDst(ipl)
    for (let i = l4 + 1; i < layers.length; i++) {
      const l = layers[i]!
      if (l.quoted) continue
      if (l.kind === Layer.Dns) {
        if (sport === DNS_PORT || dport === DNS_PORT) this.observeDns(udpMessage(l.h), 'udp', src, sport, dst, dport, ipVni)
      } else if (l.kind === Layer.Ntp) {
        this.observeNtp(l.h, src, sport, dst, dport, ipVni)
      } else if (l.kind === Layer.Record) {
        const r = l.record
        switch (r.type) {
          case 'bgp': this.observeBgpRecord(r, bgp, src, dst); break
          case 'dns': if (sport === DNS_PORT || dport === DNS_PORT) this.observeDns(tcpMessage(r), 'tcp', src, sport, dst, dport, ipVni); break
          case 'tls': this.observeTls(r, src, sport, dst, dport, ipVni); break
          case 'http': this.observeHttp(r, src, sport, dst, dport, ipVni); break
          default: break
        }
      }
    }
  }

  /**
   * A frame that holds nothing past one plain IP level and its TCP/UDP header outside port 179
   * (engine/analyze.ts decides): it only extends the capture's span. `observe` starts the same way.
   */
  observePlain(frame: Frame): void {
    this.frame = frame
    this.here = null
    const span = this.span ?? (this.span = this.spanOf(this.fileIndex, this.file))
    if (span.first === null) span.first = this.at()
    const last = span.last ?? (span.last = { fileIndex: this.fileIndex, frame: 0, sec: 0, nsec: 0, hasTs: false })
    setMark(last, this.fileIndex, frame)
  }

  finish(): Observations {
    const flows = this.flows.records().sort(compareFlowRecords)
    this.drop('flows', this.flows.dropped)
    const spans: CaptureSpan[] = [...this.spans.values()]
      .sort((a, b) => a.fileIndex - b.fileIndex)
      .map((s) => ({ fileIndex: s.fileIndex, file: s.file, first: s.first, last: s.last ? this.whereOf(s.last) : null }))
    const dropped: Record<string, number> = {}
    for (const k of [...this.dropped.keys()].sort()) dropped[k] = this.dropped.get(k)!
    return {
      flows,
      flowCount: this.flowCount,
      dns: this.dns,
      dnsBindings: this.dnsBindings,
      dnsOrphanResponses: this.dnsOrphans,
      ntp: this.ntp,
      bgpSessions: [...this.bgp.values()].map((s) => ({ ...s.obs, last: this.whereOf(s.last) })),
      routes: this.routes,
      tls: this.tls,
      http: this.http,
      tunnels: this.tunnelList.map((s) => ({ ...s.obs, last: this.whereOf(s.last) })),
      icmpErrors: this.icmpErrors,
      spans,
      dropped,
    }
  }

  // ---- places -------------------------------------------------------------------------------

  private spanOf(fileIndex: number, file: string): SpanState {
    let s = this.spans.get(fileIndex)
    if (!s) {
      s = { fileIndex, file, first: null, last: null }
      this.spans.set(fileIndex, s)
    }
    return s
  }

  /** The current frame's Where (shared by everything the frame shows). */
  private at(): Where {
    if (this.here) return this.here
    const f = this.frame!
    const has = f.hasTimestamp
    this.here = {
      fileIndex: this.fileIndex, file: this.file, frame: f.frameNumber,
      t: has ? f.tsSec + f.tsNsec / 1e9 : Number.NaN, ts: has ? isoTimestamp(f.tsSec, f.tsNsec) : '',
    }
    return this.here
  }

  private mark(): Mark {
    const m: Mark = { fileIndex: 0, frame: 0, sec: 0, nsec: 0, hasTs: false }
    setMark(m, this.fileIndex, this.frame!)
    return m
  }

  private whereOf(m: Mark): Where {
    return {
      fileIndex: m.fileIndex, file: this.files.get(m.fileIndex) ?? (m.fileIndex === this.fileIndex ? this.file : ''),
      frame: m.frame, t: m.hasTs ? m.sec + m.nsec / 1e9 : Number.NaN, ts: m.hasTs ? isoTimestamp(m.sec, m.nsec) : '',
    }
  }

  /** Each bounded list the merge keeps the first entries of: its length, bound and last key (engine/list-cutoffs.ts). */
  listReport(): ListReports {
    const out: Record<string, ListReport> = {
      flows: { count: this.flows.size, bound: this.flows.bound, last: this.flows.lastKey() },
    }
    for (const [list, l] of Object.entries(this.positionLists)) {
      const last = l.last()
      out[list] = { count: l.count(), bound: l.bound, last: last ? whereKey(last) : null }
    }
    return out
  }

  /**
   * Keep nothing of `list` after `key` from now on, and let go of what is kept after it, counted as dropped:
   * the run's first entries, which the merge keeps, are all at or before it (engine/list-cutoffs.ts).
   */
  cutoff(list: string, key: ListKey): void {
    if (list === 'flows') { this.flows.cutAfter(key); return }
    const l = Object.hasOwn(this.positionLists, list) ? this.positionLists[list] : undefined
    if (!l) throw new Error(`observations: no bounded list ${list}`)
    this.cuts.set(list, key)
    this.drop(list, l.cutAfter(key))
  }

  /** Is the current frame after `list`'s cutoff? (Then nothing more of the list is kept.) */
  private past(list: string): boolean {
    const cut = this.cuts.size > 0 ? this.cuts.get(list) : undefined
    if (cut === undefined) return false
    // whereKey's order: (file index, frame).
    const file = cut[0] as number
    return this.fileIndex > file || (this.fileIndex === file && this.frame!.frameNumber > (cut[1] as number))
  }

  private drop(list: string, n = 1): void {
    if (n > 0) this.dropped.set(list, (this.dropped.get(list) ?? 0) + n)
  }

  // ---- tunnels ------------------------------------------------------------------------------

  private observeTunnels(layers: readonly DecodedLayer[], count: number, innermostIp: number): void {
    for (let k = 0; k < count; k++) {
      const at = this.tunnelAt[k]!
      const l = layers[at]!
      const outer = layers[this.tunnelOuter[k]!] as IpLayer
      let kind: number
      let vni = -1
      let flags = 0
      if (l.kind === Layer.Vxlan) { kind = 0; vni = l.h.vni; flags = l.h.flags }
      else if (l.kind === Layer.Geneve) { kind = 2; vni = l.h.vni }
      else if (l.kind === Layer.Gre) {
        if (gre.isNvgre(l.h)) { kind = 1; vni = Math.floor(l.h.key! / 256) } else kind = 3
      } else continue
      // The frame's innermost IP pair, when there is one inside this tunnel.
      const inner = innermostIp > at ? layers[innermostIp] as IpLayer : null
      const oSrc = addrId(outer, true)
      const oDst = addrId(outer, false)
      const iSrc = inner ? addrId(inner, true) : -1
      const iDst = inner ? addrId(inner, false) : -1
      let h = mix(mix(mix(0x7475_6e6c, this.fileIndex), kind | (flags << 8)), vni)
      h = mixId(mixId(mixId(mixId(h, oSrc), oDst), iSrc), iDst)
      let s = this.tunnelIndex.get(h) ?? null
      while (s && !(s.fileIndex === this.fileIndex && s.kind === kind && s.vni === vni && s.flags === flags &&
        s.outerSrc === oSrc && s.outerDst === oDst && s.innerSrc === iSrc && s.innerDst === iDst)) s = s.next
      if (!s) {
        if (this.tunnelList.length >= limits.MAX_TUNNELS) { this.drop('tunnels'); continue }
        const first = this.at()
        s = {
          obs: {
            kind: TunnelKind[kind]!, outerSrc: ipSrc(outer), outerDst: ipDst(outer), vni: vni < 0 ? null : vni, flags,
            innerSrc: inner ? ipSrc(inner) : null, innerDst: inner ? ipDst(inner) : null,
            packets: 0, fragmented: 0, first, last: first, frames: [], fragmentedFrames: [],
          },
          fileIndex: this.fileIndex, kind, vni, flags, outerSrc: oSrc, outerDst: oDst, innerSrc: iSrc, innerDst: iDst,
          last: this.mark(), next: this.tunnelIndex.get(h) ?? null,
        }
        this.tunnelIndex.set(h, s)
        this.tunnelList.push(s)
      }
      const o = s.obs
      const frameNumber = this.frame!.frameNumber
      o.packets++
      setMark(s.last, this.fileIndex, this.frame!)
      if (o.frames.length < limits.MAX_EVIDENCE_FRAMES) o.frames.push(frameNumber)
      if (outer.reassembled) {
        o.fragmented++
        if (o.fragmentedFrames.length < limits.MAX_EVIDENCE_FRAMES) o.fragmentedFrames.push(frameNumber)
      }
    }
  }

  // ---- ICMP errors --------------------------------------------------------------------------

  private observeIcmpError(decoded: DecodedFrame, at: number, ipAt: number, quotedIp: number, quotedL4: number): void {
    if (this.icmpErrors.length >= limits.MAX_ICMP_ERRORS || this.past('icmpErrors')) { this.drop('icmpErrors'); return }
    const layers = decoded.layers
    const l = layers[at]!
    const ip = layers[ipAt] as IpLayer
    if (l.kind !== Layer.Icmp && l.kind !== Layer.Icmpv6) return
    const v4 = l.kind === Layer.Icmp
    let quoted: IcmpErrorObs['quoted'] = null
    if (quotedIp >= 0) {
      const q = layers[quotedIp] as IpLayer
      const proto = q.kind === Layer.Ipv4 ? q.h.protocol : q.h.upperProtocol
      let srcPort: number | null = null
      let dstPort: number | null = null
      const t = quotedL4 >= 0 ? layers[quotedL4]! : null
      if (t && (t.kind === Layer.Tcp || t.kind === Layer.Udp)) {
        srcPort = t.h.srcPort
        dstPort = t.h.dstPort
      } else if (proto === 6 || proto === 17) {
        // RFC 792 quotes 8 bytes of the datagram: the ports, not always a whole TCP header. Only a first fragment has them.
        const first = q.kind === Layer.Ipv4 ? q.h.fragmentOffset === 0 : !q.h.hasFragment || q.h.fragmentOffset === 0
        const o = q.kind === Layer.Ipv4 ? q.h.payloadOffset : q.h.upperOffset
        const b = decoded.bytes
        if (first && o + 4 <= q.h.payloadEnd && o + 4 <= b.length) {
          srcPort = (b[o]! << 8) | b[o + 1]!
          dstPort = (b[o + 2]! << 8) | b[o + 3]!
        }
      }
      quoted = { proto, src: ipSrc(q), dst: ipDst(q), srcPort, dstPort }
    }
    this.icmpErrors.push({
      family: v4 ? 4 : 6, from: ipSrc(ip), to: ipDst(ip), icmpType: l.h.type, code: l.h.code,
      mtu: v4 ? icmp.nextHopMtu(l.h) : icmpv6.mtu(l.h), quoted, at: this.at(),
    })
  }

  // ---- BGP ----------------------------------------------------------------------------------

  private observeBgpSegment(ip: IpLayer, sport: number, dport: number, flags: number, md5: boolean, vni: number): BgpState | null {
    const src = ipSrc(ip)
    const dst = ipDst(ip)
    const forward = src < dst || (src === dst && sport <= dport)
    const key = forward ? `${vni} ${src} ${sport} ${dst} ${dport}` : `${vni} ${dst} ${dport} ${src} ${sport}`
    let s = this.bgp.get(key)
    if (!s) {
      if (this.bgp.size >= limits.MAX_BGP_SESSIONS) {
        // Count each refused connection once (while the memory of them is bounded too).
        if (!this.bgpRefused.has(key)) {
          this.drop('bgpSessions')
          if (this.bgpRefused.size < limits.MAX_BGP_SESSIONS) this.bgpRefused.add(key)
        }
        return null
      }
      // `a` sent the SYN: the sender of a SYN, the receiver of a SYN-ACK, else the first sender.
      const aIsDst = (flags & (SYN | ACK)) === (SYN | ACK)
      const a: Endpoint = aIsDst ? { ip: dst, port: dport } : { ip: src, port: sport }
      const b: Endpoint = aIsDst ? { ip: src, port: sport } : { ip: dst, port: dport }
      const first = this.at()
      s = {
        obs: {
          a, b, first, last: first, syn: false, synAck: false, md5Seen: false, noMd5Seen: false, reset: null, fin: null,
          opens: [], notifications: [], keepalives: 0, firstKeepalive: null, updates: 0, prefixUpdates: 0,
        },
        aIp: a.ip, aPort: a.port, last: this.mark(),
      }
      this.bgp.set(key, s)
    }
    const o = s.obs
    setMark(s.last, this.fileIndex, this.frame!)
    const fromA = src === s.aIp && sport === s.aPort
    if ((flags & (SYN | ACK)) === SYN && fromA) o.syn = true
    if ((flags & (SYN | ACK)) === (SYN | ACK) && !fromA) o.synAck = true
    if ((flags & RST) !== 0 && o.reset === null) o.reset = this.at()
    if ((flags & FIN) !== 0 && o.fin === null) o.fin = this.at()
    if (md5) o.md5Seen = true
    else o.noMd5Seen = true
    return s
  }

  private observeBgpRecord(r: BgpRecord, s: BgpState | null, from: string, to: string): void {
    for (const m of r.messages) {
      switch (m.kind) {
        case 'OPEN':
          if (!s) break
          if (s.obs.opens.length >= limits.MAX_BGP_MESSAGES_PER_SESSION) { this.drop('bgpOpens'); break }
          s.obs.opens.push({
            from, myAs: m.myAs, as4: m.as4, holdTime: m.holdTime, bgpId: m.bgpId, capabilities: m.capabilities.slice(), at: this.at(),
          })
          break
        case 'NOTIFICATION':
          if (!s) break
          if (s.obs.notifications.length >= limits.MAX_BGP_MESSAGES_PER_SESSION) { this.drop('bgpNotifications'); break }
          s.obs.notifications.push({ from, code: m.code, subcode: m.subcode, text: m.communication, at: this.at() })
          break
        case 'KEEPALIVE':
          if (!s) break
          s.obs.keepalives++
          if (s.obs.firstKeepalive === null) s.obs.firstKeepalive = this.at()
          break
        case 'UPDATE': {
          const reach = m.mpReach
          const unreach = m.mpUnreach
          const prefixes = m.withdrawn.length + m.nlri.length + (reach ? reach.nlri.length : 0) + (unreach ? unreach.withdrawn.length : 0)
          if (s) {
            s.obs.updates++
            if (prefixes > 0) s.obs.prefixUpdates++
          }
          if (prefixes === 0) break
          // Withdrawals before announcements, as a speaker applies one UPDATE (RFC 4271 §9.1.4's order of reading).
          for (const p of m.withdrawn) this.route('withdraw', from, to, p, null, [])
          if (unreach) for (const p of unreach.withdrawn) this.route('withdraw', from, to, p, null, [])
          for (const p of m.nlri) this.route('announce', from, to, p, m.nextHop, m.asPath)
          if (reach) for (const p of reach.nlri) this.route('announce', from, to, p, reach.nextHop, m.asPath)
          break
        }
        default:
          break
      }
    }
  }

  private route(kind: RouteEvent['kind'], peer: string, to: string, prefix: string, nextHop: string | null, asPath: number[]): void {
    if (this.routes.length >= limits.MAX_ROUTE_EVENTS || this.past('routes')) { this.drop('routes'); return }
    this.routes.push({ kind, peer, to, prefix, nextHop, asPath, at: this.at() })
  }

  // ---- DNS ----------------------------------------------------------------------------------

  private observeDns(m: DnsMessage, proto: 'udp' | 'tcp', src: string, sport: number, dst: string, dport: number, vni: number): void {
    if (!m.qr) {
      const key = dnsKey(proto, vni, src, sport, dst, dport, m.id, m.name)
      let e = this.dnsPending.get(key)
      if (e) {
        this.dnsPending.delete(key) // to the young end: the table forgets the oldest keys first
      } else {
        if (this.dnsPending.size >= limits.MAX_DNS_PENDING) this.forgetOldestQuery()
        e = { waiting: [], seen: true }
      }
      this.dnsPending.set(key, e)
      if (this.dns.length >= limits.MAX_DNS_TRANSACTIONS || this.past('dns')) { this.drop('dns'); return }
      const tx: DnsTransaction = {
        proto, client: { ip: src, port: sport }, server: { ip: dst, port: dport }, id: m.id, name: intern(m.name), qtype: m.qtype,
        query: this.at(), response: null, vni: vni < 0 ? null : vni,
      }
      this.dns.push(tx)
      e.waiting.push({ tx, sec: this.frame!.tsSec, nsec: this.frame!.tsNsec })
      return
    }
    const at = this.at()
    const answers = m.answers(limits.MAX_DNS_ANSWERS)
    for (const a of answers) { a.name = intern(a.name); a.data = intern(a.data) }
    if (m.answerCount > answers.length) this.drop('dnsAnswers', m.answerCount - answers.length)
    const e = this.dnsPending.get(dnsKey(proto, vni, dst, dport, src, sport, m.id, m.name))
    // The name as the client asked it (a server may echo it in another case).
    const asked = e?.waiting[0]?.tx.name ?? m.name
    if (e) {
      // Every waiting query of the key (retransmissions, or the same query captured twice) is answered by it.
      // Latency from the integer times: `t` differences of epoch doubles are off by ~1e-7 s.
      const f = this.frame!
      for (const w of e.waiting) {
        const latency = f.hasTimestamp && !Number.isNaN(w.tx.query.t) ? (f.tsSec - w.sec) + (f.tsNsec - w.nsec) / 1e9 : Number.NaN
        w.tx.response = { at, rcode: m.rcode, latency, answers }
      }
      if (e.waiting.length > 0) e.waiting = []
    } else if (this.dnsOrphans.length >= limits.MAX_DNS_ORPHANS || this.past('dnsOrphanResponses')) {
      this.drop('dnsOrphanResponses')
    } else {
      this.dnsOrphans.push({ client: { ip: dst, port: dport }, server: { ip: src, port: sport }, id: m.id, name: intern(m.name), rcode: m.rcode, at })
    }
    this.bind(asked, answers, at)
  }

  private forgetOldestQuery(): void {
    const oldest = this.dnsPending.entries().next()
    if (oldest.done) return
    this.drop('dnsPending', oldest.value[1].waiting.length)
    this.dnsPending.delete(oldest.value[0])
  }

  /** A/AAAA answers for the question name, directly or through the CNAME chain the answer section gives. */
  private bind(name: string, answers: Answer[], at: Where): void {
    if (name === '' || answers.length === 0) return
    const names = new Set([name.toLowerCase()])
    // Each pass follows one more CNAME link; a chain is at most as long as the answer list.
    for (let pass = 0, grew = true; grew && pass < answers.length; pass++) {
      grew = false
      for (const a of answers) {
        if (a.type !== dns.Type.CNAME) continue
        const target = a.data.toLowerCase()
        if (names.has(a.name.toLowerCase()) && !names.has(target)) { names.add(target); grew = true }
      }
    }
    for (const a of answers) {
      // A bad RDATA shows as hex (no dots or colons): not an address.
      const address = a.type === dns.Type.A ? a.data.includes('.') : a.type === dns.Type.AAAA ? a.data.includes(':') : false
      if (!address || !names.has(a.name.toLowerCase())) continue
      const key = `${name.toLowerCase()}\n${a.data}`
      if (this.bindingKeys.has(key)) continue
      if (this.dnsBindings.length >= limits.MAX_DNS_BINDINGS) { this.drop('dnsBindings'); continue }
      this.bindingKeys.add(key)
      this.dnsBindings.push({ name, address: a.data, at })
    }
  }

  // ---- NTP ----------------------------------------------------------------------------------

  private observeNtp(h: ntp.Header, src: string, sport: number, dst: string, dport: number, vni: number): void {
    const mode = h.mode
    if (mode === ntp.Mode.SymmetricActive || mode === ntp.Mode.Client) {
      if (this.ntp.length >= limits.MAX_NTP_EXCHANGES || this.past('ntp')) { this.drop('ntp'); return }
      const x: NtpExchange = {
        client: { ip: src, port: sport }, server: { ip: dst, port: dport }, mode, version: h.version, request: this.at(), reply: null,
      }
      this.ntp.push(x)
      const key = `${vni} ${src} ${sport} ${dst} ${dport}`
      let queue = this.ntpPending.get(key)
      if (!queue) {
        if (this.ntpPending.size >= limits.MAX_NTP_PENDING_PAIRS) {
          const oldest = this.ntpPending.keys().next()
          if (!oldest.done) this.ntpPending.delete(oldest.value)
        }
        queue = []
        this.ntpPending.set(key, queue)
      }
      queue.push(x)
      if (queue.length > limits.MAX_NTP_PENDING_PER_PAIR) queue.shift()
    } else if (mode === ntp.Mode.SymmetricPassive || mode === ntp.Mode.Server) {
      const key = `${vni} ${dst} ${dport} ${src} ${sport}`
      const queue = this.ntpPending.get(key)
      const x = queue?.shift()
      if (!x) return
      if (queue!.length === 0) this.ntpPending.delete(key)
      x.reply = { at: this.at(), mode, stratum: h.stratum, leap: h.leap, refId: ntp.refIdText(h.refId, h.stratum), version: h.version }
    }
  }

  // ---- TLS and HTTP -------------------------------------------------------------------------

  private observeTls(r: TlsRecord, src: string, sport: number, dst: string, dport: number, vni: number): void {
    for (const type of r.handshake) {
      if (type === 1) {
        if (this.tls.length >= limits.MAX_TLS || this.past('tls')) { this.drop('tls'); continue }
        const o: TlsObservation = {
          client: { ip: src, port: sport }, server: { ip: dst, port: dport }, sni: intern(r.sni), certSubject: null, certIssuer: null,
          at: this.at(), vni: vni < 0 ? null : vni,
        }
        this.tls.push(o)
        const key = `${vni} ${src} ${sport} ${dst} ${dport}`
        this.tlsAwaitingCert.delete(key)
        if (this.tlsAwaitingCert.size >= limits.MAX_TLS_PENDING_CERTS) {
          const oldest = this.tlsAwaitingCert.keys().next()
          if (!oldest.done) this.tlsAwaitingCert.delete(oldest.value)
        }
        this.tlsAwaitingCert.set(key, o)
      } else if (type === 11) {
        // The server's Certificate: the hello it answers came from the receiver of this frame.
        const key = `${vni} ${dst} ${dport} ${src} ${sport}`
        const o = this.tlsAwaitingCert.get(key)
        if (!o) continue
        o.certSubject = intern(r.certSubjectCn)
        o.certIssuer = intern(r.certIssuerCn)
        this.tlsAwaitingCert.delete(key)
      }
    }
  }

  private observeHttp(r: HttpRecord, src: string, sport: number, dst: string, dport: number, vni: number): void {
    if (r.method === null || r.target === null) return // a response
    if (this.http.length >= limits.MAX_HTTP || this.past('http')) { this.drop('http'); return }
    this.http.push({
      client: { ip: src, port: sport }, server: { ip: dst, port: dport }, method: intern(r.method), target: r.target, host: intern(r.host),
      proxyHeaders: r.proxyAuthorization === true || r.proxyConnection === true, at: this.at(), vni: vni < 0 ? null : vni,
    })
  }
}

// ---- DNS messages from either source ------------------------------------------------------------

/** What the transaction table needs of a DNS message, from a UDP header or a TCP record alike. */
interface DnsMessage {
  qr: boolean
  id: number
  rcode: number
  /** First question name ('' without one) and type. */
  name: string
  qtype: number
  /** Answer records decoded. */
  answerCount: number
  /** The first `limit` answer records as text (built only for responses). */
  answers(limit: number): Answer[]
}

function udpMessage(h: dns.Header): DnsMessage {
  const q = h.questions[0]
  return {
    qr: h.qr, id: h.id, rcode: h.rcode, name: q ? dns.nameAt(h, q.nameOffset) : '', qtype: q ? q.type : 0,
    answerCount: h.answers.length,
    answers: (limit) => {
      const n = Math.min(limit, h.answers.length)
      const out: Answer[] = []
      for (let i = 0; i < n; i++) {
        const rr = h.answers[i]!
        out.push({ name: dns.nameAt(h, rr.nameOffset), type: rr.type, ttl: rr.ttl, data: dns.rdataText(h, rr) })
      }
      return out
    },
  }
}

function tcpMessage(r: DnsRecord): DnsMessage {
  const q = r.questions[0]
  return {
    qr: r.qr, id: r.id, rcode: r.rcode, name: q ? q.name : '', qtype: q ? q.type : 0,
    answerCount: r.answers.length,
    answers: (limit) => r.answers.slice(0, limit).map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, data: a.data })),
  }
}

function dnsKey(proto: string, vni: number, client: string, cport: number, server: string, sport: number, id: number, name: string): string {
  return `${proto} ${vni} ${client} ${cport} ${server} ${sport} ${id} ${name.toLowerCase()}`
}

// ---- small helpers ------------------------------------------------------------------------------

function setMark(m: Mark, fileIndex: number, f: Frame): void {
  m.fileIndex = fileIndex
  m.frame = f.frameNumber
  m.sec = f.tsSec
  m.nsec = f.tsNsec
  m.hasTs = f.hasTimestamp
}

function ipSrc(l: IpLayer): string {
  return l.kind === Layer.Ipv4 ? ipv4ToString(l.h.src) : ipv6ToString(l.h.src)
}

function ipDst(l: IpLayer): string {
  return l.kind === Layer.Ipv4 ? ipv4ToString(l.h.dst) : ipv6ToString(l.h.dst)
}

function addrId(l: IpLayer, src: boolean): AddrId {
  if (l.kind === Layer.Ipv4) return (src ? l.h.src : l.h.dst) >>> 0
  return ipv6ToString(src ? l.h.src : l.h.dst)
}

function mixId(h: number, id: AddrId): number {
  if (typeof id === 'number') return mix(h, id)
  for (let i = 0; i < id.length; i++) h = mix(h, id.charCodeAt(i))
  return h
}

/** A Where as a list key: (file index, frame), the merge's order (merge.ts sortByEvidence). */
function whereKey(w: Where): ListKey {
  return [w.fileIndex, w.frame]
}

/** A bounded list kept in capture order, each entry kept at the frame its first evidence names. */
interface PositionList {
  bound: number
  count(): number
  last(): Where | null
  /** Drops the entries after `key` (at the end: the list is in capture order); how many went. */
  cutAfter(key: ListKey): number
}

function positionList<T>(entries: T[], where: (e: T) => Where, bound: number): PositionList {
  return {
    bound,
    count: () => entries.length,
    last: () => (entries.length > 0 ? where(entries[entries.length - 1]!) : null),
    cutAfter: (key) => {
      let n = entries.length
      while (n > 0 && compareListKeys(whereKey(where(entries[n - 1]!)), key) > 0) n--
      const gone = entries.length - n
      entries.length = n
      return gone
    },
  }
}
