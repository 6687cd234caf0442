/**
 * Flows from decoded frames: Zeek's conn.log view of a capture, with bounded memory.
 *
 *   observe(frame, decoded) ─► frameLevels: one flow per non-quoted IP header (tunnel outer flows too)
 *        ─► FlowKey ─► FlowTable (find / new) ─► counters, TCP state, history, app
 *        ─► an ICMP error also counts in the flow it quotes (`icmpErrors`)
 *   a flow ends (idle timeout, TCP close + linger, eviction, reuse, end of input)
 *        ─► totals (count, by proto, by state) + TopFlows (+ all, + onEnd, + drain sink)
 *   finish() ─► FlowSummary;   mergeSummaries(shards) ─► the same summary as one tracker
 *
 * Initiator: TCP from the SYN (without ACK). A TCP flow picked up without its SYN is marked
 * `initiatorInferred`: the receiver of a SYN-ACK is the initiator; otherwise the higher port is (the
 * lower port is the server, Zeek's likely_server_ports heuristic reduced to port order); with equal
 * ports the first sender. UDP, ICMP and other protocols: the first sender.
 *
 * Timeouts (seconds, `opts.timeouts`), Zeek's defaults where Zeek has one:
 *   tcp 300 (tcp_inactivity_timeout), udp 60 (udp_inactivity_timeout), icmp 60 (icmp_inactivity_timeout),
 *   other IP protocols 60 (as UDP), tcpClosed 5 (tcp_close_delay / tcp_reset_delay: a TCP flow closed by
 *   FIN/FIN or a RST ends 5 s after the close, whatever comes later; a SYN on it starts a new flow at once),
 *   active 3600: a flow older than this is cut when its next packet comes, NetFlow's active timeout (whose
 *   default is 30 min; an hour keeps BGP sessions in fewer records). The cut record is a flow of its own;
 *   the flow goes on in a new record with the same initiator and TCP state, counters from zero. Zeek has no
 *   active timeout. A tunnel's outer flow and ICMP flows are never cut (one record per VTEP pair or ICMP
 *   peer pair while it is busy).
 * Idle means: the time between a flow's last packet and a later packet (of it, or of any flow: the table is
 * swept once per capture second, oldest first). A flow that timed out and is seen again is a new flow.
 * At the cap (opts.maxFlows, limits.MAX_FLOWS) a new flow first sweeps, then evicts the flow whose last
 * packet is oldest (to the second: the LRU lists move a flow at most once per capture second).
 * Times are capture times; they are assumed to grow (a frame from the past counts in its flow, but
 * firstTs/lastTs keep the first and the latest time).
 *
 * Sizes: packets, IP bytes (the IP length fields, as Zeek's orig_ip_bytes: what the sender sent even when the
 * snap length cut the frame) and transport payload bytes (TCP segment length, UDP length - 8, ICMP data) per
 * direction. A fragmented datagram counts once, in the frame that completes it; held fragments are not
 * counted (stats.noKey).
 *
 * Workers: every flow is counted by the one worker its key routes to (engine/route.ts): a frame's
 * innermost flow by the frame's worker, a tunnel's outer flow or an ICMP error's own flow by theirs, which
 * see the frame as a track-only share (flow/share.ts; `observe`'s `share`). No flow has parts on two
 * workers, so mergeSummaries only adds counts and merges the top lists. `finish(end)` must be given the
 * capture's last timestamp so every worker classifies idle flows alike, and every part must be made with a
 * topN (and keepAll) at least the merge's. What depends on the worker count: `evicted` (the cap is per
 * worker), and the inner flow of a fragmented tunnel datagram whose first fragment came after another
 * of its fragments (it stays with the fragments' worker: engine/fragment-routes.ts).
 * Frames without timestamps (pcapng simple packet blocks) are at time 0.
 *
 * Output order (top, all): IP bytes (both directions) descending, then firstFrame, then the key text,
 * then the file: the same frames give the same records in the same order.
 */
import { siftDown, siftUp } from './heap.js'
import { isoTimestamp } from '../capture/frame.js'
import { Layer } from '../decode/dispatch.js'
import type { DecodedFrame, DecodedLayer } from '../decode/frame.js'
import { MAX_FINISHED_FLOWS, MAX_FLOWS, MAX_KEPT_FLOWS, MAX_TOP_FLOWS } from '../decode/limits.js'
import type { FlowRecord } from './flow-record.js'
import type { PlainHeaders } from './headers.js'
import {
  FlowKey, FrameLevels, addressText, frameLevels, hasPorts, levelKey, protoName, setIpv4Key, setIpv6Key, type FlowFrame,
} from './key.js'
import { TRACK_ONLY, ownsLevel } from './share.js'
import { CLASS_COUNT, Flow, FlowClass, FlowTable } from './table.js'
import { ACK, SYN, otherConnState, tcpClosed, tcpConnState, tcpSegment, udpHistory } from './tcp-state.js'

/**
 * The key of plain headers: the outermost level's VLAN tags belong to the link (no VLAN in its key);
 * inside a tunnel the innermost tag and the VNI name the flow, as levelKey does.
 */
function setPlainKey(k: FlowKey, h: PlainHeaders, seed: number): void {
  const vlan = h.vni >= 0 ? h.vlan : -1
  if (h.family === 4) setIpv4Key(k, h.proto, h.src, h.srcPort, h.dst, h.dstPort, vlan, h.vni, seed)
  else setIpv6Key(k, h.proto, h.bytes, h.srcPort, h.bytes, h.dstPort, vlan, h.vni, seed, h.srcAt, h.dstAt)
}

/** Tells the tracker's fast path whether decoding a plain frame could name its flow's application. */
export interface PlainNamer {
  mayName(h: PlainHeaders): boolean
}

/** Seed of the flows and analyze shards' flow tables: fixed, so runs are repeatable (output never depends on it). */
export const FLOW_TABLE_SEED = 0x5eed_f10

/** Seconds. */
export interface FlowTimeouts {
  tcp: number
  udp: number
  icmp: number
  /** IP protocols other than TCP, UDP, ICMP, ICMPv6. */
  other: number
  /** After a TCP close (FIN/FIN, RST). */
  tcpClosed: number
  /** Longest record of a flow that never idles. */
  active: number
}

export const DEFAULT_TIMEOUTS: Readonly<FlowTimeouts> = { tcp: 300, udp: 60, icmp: 60, other: 60, tcpClosed: 5, active: 3600 }

/** Why a flow record ended. */
export type EndReason = 'timeout' | 'closed' | 'evicted' | 'reused' | 'active' | 'end'

export interface FlowTrackerOptions {
  /** Capture file name written into records (setFile changes it for later flows). */
  file?: string
  /** Live flows at most (default limits.MAX_FLOWS). */
  maxFlows?: number
  /** Records in the summary's top list (default 10, at most limits.MAX_TOP_FLOWS). */
  topN?: number
  /** Also keep every record (at most limits.MAX_KEPT_FLOWS, the first in output order) as summary.all. */
  keepAll?: boolean
  timeouts?: Partial<FlowTimeouts>
  /** Called with every record as its flow ends; `tunnelOrIcmp`: a tunnel's outer flow or an ICMP flow. */
  onEnd?: (record: FlowRecord, reason: EndReason, tunnelOrIcmp: boolean) => void
  /** Keep ended records for drain() (at most limits.MAX_FINISHED_FLOWS undrained). */
  collect?: boolean
  /** Hash seed of the table (default random: output never depends on it). */
  seed?: number
}

/** Counters for diagnostics; they depend on the worker count. */
export interface FlowStats {
  frames: number
  /** Frames without an IP header. */
  notIp: number
  /** IP levels without a flow key: TCP/UDP header not decoded, or a fragment held for reassembly. */
  noKey: number
  flows: number
  timedOut: number
  closed: number
  evicted: number
  reused: number
  activeCuts: number
  /** ICMP errors counted in the flow they quote / whose flow was not (or no longer) live. */
  icmpErrors: number
  icmpErrorsUnmatched: number
  peakLive: number
  /** Records dropped from the drain() sink because it was full. */
  sinkDropped: number
}

export interface FlowSummary {
  count: number
  byProto: Record<string, number>
  byState: Record<string, number>
  evicted: number
  timedOut: number
  /** Top N by bytes, sorted. */
  top: FlowRecord[]
  /** Every record (opts.keepAll), sorted; the first limits.MAX_KEPT_FLOWS when `allComplete` is false. */
  all?: FlowRecord[]
  allComplete?: boolean
}

const elapsedNs = (s0: number, n0: number, s1: number, n1: number) => (s1 - s0) * 1e9 + (n1 - n0)

function classOf(proto: number): FlowClass {
  return proto === 6 ? FlowClass.TCP : proto === 17 ? FlowClass.UDP : proto === 1 || proto === 58 ? FlowClass.ICMP : FlowClass.OTHER
}

export class FlowTracker {
  readonly stats: FlowStats = {
    frames: 0, notIp: 0, noKey: 0, flows: 0, timedOut: 0, closed: 0, evicted: 0, reused: 0, activeCuts: 0,
    icmpErrors: 0, icmpErrorsUnmatched: 0, peakLive: 0, sinkDropped: 0,
  }
  private readonly table = new FlowTable()
  private readonly key = new FlowKey()
  private readonly quotedKey = new FlowKey()
  /** The inner flow's key of a plain VXLAN frame (observePlainTunnel). */
  private readonly innerKey = new FlowKey()
  private readonly levels = new FrameLevels()
  private readonly seed: number
  private readonly maxFlows: number
  /** Idle timeout per FlowClass, in ns (CLOSED: since the close). */
  private readonly idleNs: number[]
  private readonly activeNs: number
  private readonly activeSec: number
  /** Every idle timeout is at least a second. */
  private readonly wholeSecondTimeouts: boolean
  private readonly files: string[]
  private fileIndex = 0
  /** The latest capture time seen (-1: none yet; small integers keep these fields unboxed). */
  private nowSec = -1
  private nowNsec = 0
  private sweptSec = -1
  private readonly local = { count: 0, byProto: new Map<string, number>(), byState: new Map<string, number>(), timedOut: 0 }
  private readonly top: TopFlows
  private readonly all: TopFlows | null
  private sink: FlowRecord[] = []
  private readonly onEnd: FlowTrackerOptions['onEnd']
  private readonly collect: boolean
  private finished = false

  constructor(opts: FlowTrackerOptions = {}) {
    this.files = [opts.file ?? '']
    this.maxFlows = Math.max(1, Math.floor(opts.maxFlows ?? MAX_FLOWS))
    const t: FlowTimeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts }
    const ns: number[] = []
    ns[FlowClass.TCP] = t.tcp * 1e9
    ns[FlowClass.UDP] = t.udp * 1e9
    ns[FlowClass.ICMP] = t.icmp * 1e9
    ns[FlowClass.OTHER] = t.other * 1e9
    ns[FlowClass.CLOSED] = t.tcpClosed * 1e9
    this.idleNs = ns
    this.activeNs = t.active * 1e9
    this.activeSec = t.active
    this.wholeSecondTimeouts = Math.min(t.tcp, t.udp, t.icmp, t.other, t.tcpClosed) >= 1
    this.seed = (opts.seed ?? Math.floor(Math.random() * 0x1_0000_0000)) | 0
    this.top = new TopFlows(Math.min(MAX_TOP_FLOWS, Math.max(0, Math.floor(opts.topN ?? 10))))
    this.all = opts.keepAll ? new TopFlows(MAX_KEPT_FLOWS) : null
    this.onEnd = opts.onEnd
    this.collect = opts.collect === true
  }

  /** Live flows now. */
  get liveFlows(): number {
    return this.table.size
  }

  /** Flows that start from now on were seen in this capture file (frame numbers restart per file). */
  setFile(file: string): void {
    let i = this.files.indexOf(file)
    if (i < 0) i = this.files.push(file) - 1
    this.fileIndex = i
  }

  /**
   * One decoded frame: update the flow of each IP level (tunnel outer flows and the innermost flow); attach
   * ICMP errors. `share` (flow/share.ts): the levels another worker counts; TRACK_ONLY: only the levels
   * not skipped are counted here, the frame itself (its count, the ICMP error's quote) is another's.
   */
  observe(frame: FlowFrame, decoded: DecodedFrame, share = 0): void {
    if (this.finished) throw new Error('FlowTracker: observe after finish')
    const whole = (share & TRACK_ONLY) === 0
    if (whole) this.stats.frames++
    this.advance(frame.tsSec, frame.tsNsec)
    const lv = frameLevels(decoded.layers, this.levels)
    if (lv.count === 0) { if (whole) this.stats.notIp++; return }
    for (let i = 0; i < lv.count; i++) {
      if (share !== 0 && !ownsLevel(share, i)) continue
      if (levelKey(decoded, lv, i, this.key, this.seed)) this.packet(frame, decoded, lv, i)
      else this.stats.noKey++
    }
    if (whole && lv.quotedIp >= 0) this.icmpError(decoded, lv)
  }

  /**
   * The fast path: a plain frame (headers.ts), counted without a decoded frame when the result is the
   * one `observe` would give. That is so when its flow is live and stays so (not idle past its timeout,
   * no SYN that could reuse it, no active-timeout cut due) and the decoder could not name its
   * application: the flow has one already (a flow's first application stays), or this frame cannot
   * (asked of `names` only then: the caller knows what its decoder would find past TCP/UDP). False,
   * with nothing counted, when the frame must go through the decoder and `observe`.
   */
  observePlain(frame: FlowFrame, h: PlainHeaders, names: PlainNamer): boolean {
    if (this.finished) throw new Error('FlowTracker: observe after finish')
    const sec = frame.tsSec
    const nsec = frame.tsNsec
    this.advance(sec, nsec)
    const f = this.plainFlow(this.key, frame, h, names)
    if (f === null) return false
    this.stats.frames++
    this.update(f, frame, this.key.dir, h.proto === 6, h.flags, h.seq, h.ipBytes, h.payload, false, null)
    return true
  }

  /**
   * observePlain for a plain VXLAN frame (headers.ts readPlainInner): its outer flow (the VTEP pair's,
   * named 'vxlan') unless `share` skips level 0, and its inner flow, all or nothing: false, with nothing
   * counted, unless they are live and `observe` would update them as this does.
   */
  observePlainTunnel(frame: FlowFrame, outer: PlainHeaders, inner: PlainHeaders, names: PlainNamer, share = 0): boolean {
    if (this.finished) throw new Error('FlowTracker: observe after finish')
    this.advance(frame.tsSec, frame.tsNsec)
    const ownsOuter = ownsLevel(share, 0)
    const fo = ownsOuter ? this.liveVxlanOuter(frame, outer) : null
    if (ownsOuter && fo === null) return false
    const fi = this.plainFlow(this.innerKey, frame, inner, names)
    if (fi === null) return false
    this.stats.frames++
    if (fo !== null) this.update(fo, frame, this.key.dir, false, 0, 0, outer.ipBytes, outer.payload, true, 'vxlan')
    this.update(fi, frame, this.innerKey.dir, inner.proto === 6, inner.flags, inner.seq, inner.ipBytes, inner.payload, false, null)
    return true
  }

  /**
   * A track-only share (flow/share.ts) of a plain VXLAN frame whose outer flow is this worker's: counted in
   * that flow as `observe` would count level 0 (a new record after the idle timeout; never an active cut).
   * False, with nothing counted, when the datagram cannot hold a VXLAN header (the decoder decides then).
   */
  trackPlainOuter(frame: FlowFrame, outer: PlainHeaders): boolean {
    if (this.finished) throw new Error('FlowTracker: observe after finish')
    if (outer.proto !== 17 || outer.payload < 8) return false
    this.advance(frame.tsSec, frame.tsNsec)
    setPlainKey(this.key, outer, this.seed)
    let f = this.table.find(this.key)
    if (f !== null && this.idledOut(f, frame.tsSec, frame.tsNsec)) { this.end(f, 'timeout'); f = null }
    if (f === null) f = this.create(frame, null, 0)
    this.update(f, frame, this.key.dir, false, 0, 0, outer.ipBytes, outer.payload, true, 'vxlan')
    return true
  }

  /** The live VXLAN outer flow of plain headers `outer` (key into this.key), or null. */
  private liveVxlanOuter(frame: FlowFrame, outer: PlainHeaders): Flow | null {
    setPlainKey(this.key, outer, this.seed)
    const fo = this.table.find(this.key)
    // The outer flow of a tunnel is marked from its first frame on and never cut by the active timeout.
    if (fo === null || !fo.tunnelOrIcmp || fo.app !== 'vxlan') return null
    return this.idledOut(fo, frame.tsSec, frame.tsNsec) ? null : fo
  }

  /** The live flow of plain headers `h` (key into `k`) when observe would only count the packet in it; else null. */
  private plainFlow(k: FlowKey, frame: FlowFrame, h: PlainHeaders, names: PlainNamer): Flow | null {
    const sec = frame.tsSec
    const nsec = frame.tsNsec
    setPlainKey(k, h, this.seed)
    const f = this.table.find(k)
    if (f === null || f.tunnelOrIcmp) return null
    if (f.app === null && names.mayName(h)) return null
    if (this.idledOut(f, sec, nsec)) return null
    if (h.proto === 6 && (h.flags & (SYN | ACK)) === SYN) return null
    if (sec - f.firstSec + 1 > this.activeSec) return null
    return f
  }

  /** Capture time moves on (never back): idle flows are swept once per capture second. */
  private advance(sec: number, nsec: number): void {
    if (sec > this.nowSec || (sec === this.nowSec && nsec > this.nowNsec)) {
      this.nowSec = sec
      this.nowNsec = nsec
      if (sec > this.sweptSec) this.sweep()
    }
  }

  /** End of input: every live flow ends. `end` is the capture's last timestamp (default: the latest seen here). */
  finish(end?: { tsSec: number; tsNsec: number }): FlowSummary {
    if (this.finished) throw new Error('FlowTracker: finish called twice')
    let endSec = Math.max(0, this.nowSec)
    let endNsec = this.nowNsec
    if (end && (end.tsSec > endSec || (end.tsSec === endSec && end.tsNsec > endNsec))) { endSec = end.tsSec; endNsec = end.tsNsec }
    for (const f of this.table.liveFlows()) {
      this.end(f, f.cls === FlowClass.CLOSED ? 'closed' : this.expired(f, endSec, endNsec) ? 'timeout' : 'end')
    }
    this.finished = true
    const l = this.local
    const summary: FlowSummary = {
      count: l.count, byProto: sortedCounts(l.byProto), byState: sortedCounts(l.byState), evicted: this.stats.evicted,
      timedOut: l.timedOut, top: this.top.sorted(),
    }
    if (this.all) {
      summary.all = this.all.sorted()
      summary.allComplete = l.count <= MAX_KEPT_FLOWS
    }
    return summary
  }

  /** Records ended since the last drain (only with opts.collect). */
  drain(): FlowRecord[] {
    const out = this.sink
    this.sink = []
    return out
  }

  // ---- per packet ----

  private packet(frame: FlowFrame, decoded: DecodedFrame, lv: FrameLevels, level: number): void {
    const k = this.key
    const layers = decoded.layers
    const ip = layers[lv.ip[level]!]!
    const l4i = lv.l4[level]!
    const l4 = l4i >= 0 ? layers[l4i]! : null
    const sec = frame.tsSec
    const nsec = frame.tsNsec
    const isTcp = l4 !== null && l4.kind === Layer.Tcp && k.proto === 6
    const flags = isTcp ? l4.h.flags : 0
    const tunnelOuter = lv.outer[level]!

    let f = this.table.find(k)
    if (f !== null) {
      if (this.idledOut(f, sec, nsec)) { this.end(f, f.cls === FlowClass.CLOSED ? 'closed' : 'timeout'); f = null }
      else if (isTcp && (flags & (SYN | ACK)) === SYN && this.reuses(f, k.dir, l4.h.seq)) { this.stats.reused++; this.end(f, 'reused'); f = null }
      else if (!f.tunnelOrIcmp && !tunnelOuter && sec - f.firstSec + 1 > this.activeSec &&
        elapsedNs(f.firstSec, f.firstNsec, sec, nsec) > this.activeNs) this.cut(f, frame)
    }
    if (f === null) f = this.create(frame, l4, flags)
    const ipBytes = ipLength(decoded, ip, l4)
    this.update(f, frame, k.dir, isTcp, flags, isTcp ? l4.h.seq : 0, ipBytes, payloadLength(decoded, ip, l4, ipBytes), tunnelOuter, lv.app[level]!)
  }

  /** One packet of flow `f` (sent by key endpoint A when `dir` is 0): counters, times, TCP state, LRU place. */
  private update(
    f: Flow, frame: FlowFrame, dir: number, isTcp: boolean, flags: number, seq: number, ipBytes: number, payload: number,
    tunnelOuter: boolean, app: string | null,
  ): void {
    const sec = frame.tsSec
    const nsec = frame.tsNsec
    const fwd = (dir === 0) === f.initIsA
    if (fwd) { f.pktF++; f.bytesF += ipBytes; f.payF += payload } else { f.pktR++; f.bytesR += ipBytes; f.payR += payload }
    if (sec > f.lastSec || (sec === f.lastSec && nsec >= f.lastNsec)) { f.lastSec = sec; f.lastNsec = nsec }
    f.lastFrame = frame.frameNumber
    if (tunnelOuter) f.tunnelOrIcmp = true
    if (app !== null && f.app === null) f.app = app

    if (isTcp) {
      if (f.cls === FlowClass.CLOSED) {
        tcpSegment(f, fwd, flags, payload)
        return // the closed list is ordered by close time: never moved again
      }
      if (fwd && (flags & (SYN | ACK)) === SYN && f.origIsn < 0) f.origIsn = seq
      tcpSegment(f, fwd, flags, payload)
      if (tcpClosed(f)) {
        f.closedSec = sec
        f.closedNsec = nsec
        this.stats.closed++
        f.touchSec = sec
        this.table.touch(f, FlowClass.CLOSED)
        return
      }
    } else if (f.proto === 17) {
      udpHistory(f, fwd)
    }
    // LRU by last packet, to the second: a flow moves to the tail of its list at most once per capture
    // second, so a steady flow's packets do not touch its list neighbours (bench/flow-table.ts).
    if (f.touchSec !== sec) {
      f.touchSec = sec
      this.table.touch(f, f.cls)
    }
  }

  /** A new flow for this.key, with its initiator chosen from this first packet. */
  private create(frame: FlowFrame, l4: DecodedLayer | null, flags: number): Flow {
    const k = this.key
    if (this.table.size >= this.maxFlows) this.makeRoom()
    const f = this.table.insert(k, classOf(k.proto))
    let senderInitiates = true
    if (k.proto === 6 && l4 !== null && l4.kind === Layer.Tcp && (flags & (SYN | ACK)) !== SYN) {
      f.initiatorInferred = true
      if ((flags & SYN) !== 0) senderInitiates = false // a SYN-ACK answers the initiator
      else if (l4.h.srcPort !== l4.h.dstPort) senderInitiates = l4.h.srcPort > l4.h.dstPort // the lower port serves
    }
    f.initIsA = senderInitiates === (k.dir === 0)
    f.firstSec = f.lastSec = frame.tsSec
    f.firstNsec = f.lastNsec = frame.tsNsec
    f.firstFrame = f.lastFrame = frame.frameNumber
    f.fileIndex = this.fileIndex
    f.touchSec = frame.tsSec
    f.tunnelOrIcmp = k.proto === 1 || k.proto === 58
    this.stats.flows++
    if (this.table.size > this.stats.peakLive) this.stats.peakLive = this.table.size
    return f
  }

  /** Zeek's IsReuse, simplified: a SYN on a closed connection, or the originator's SYN with a new sequence number. */
  private reuses(f: Flow, dir: number, seq: number): boolean {
    if (f.cls === FlowClass.CLOSED) return true
    const fromOrig = (dir === 0) === f.initIsA
    return fromOrig && f.origIsn >= 0 && f.origIsn !== seq
  }

  /** Active timeout: emit the record so far, go on with the same flow from zero. */
  private cut(f: Flow, frame: FlowFrame): void {
    this.stats.activeCuts++
    this.emit(f, 'active')
    f.pktF = f.pktR = f.bytesF = f.bytesR = f.payF = f.payR = f.icmpErrors = 0
    f.histBits = 0
    f.history = ''
    f.firstSec = f.lastSec = frame.tsSec
    f.firstNsec = f.lastNsec = frame.tsNsec
    f.firstFrame = frame.frameNumber
    f.fileIndex = this.fileIndex
  }

  private icmpError(decoded: DecodedFrame, lv: FrameLevels): void {
    const f = levelKey(decoded, lv, -1, this.quotedKey, this.seed) ? this.table.find(this.quotedKey) : null
    if (f !== null && !this.expired(f, this.nowSec, this.nowNsec)) {
      f.icmpErrors++
      this.stats.icmpErrors++
    } else {
      this.stats.icmpErrorsUnmatched++
    }
  }

  /**
   * Has `f` timed out by the packet at sec.nsec? A flow moved in its list this very second had a packet
   * (or closed) less than a second ago, so it cannot have idled out when every idle timeout is a second
   * or more: the common case skips the arithmetic.
   */
  private idledOut(f: Flow, sec: number, nsec: number): boolean {
    return !(f.touchSec === sec && this.wholeSecondTimeouts) && this.expired(f, sec, nsec)
  }

  private expired(f: Flow, sec: number, nsec: number): boolean {
    return f.cls === FlowClass.CLOSED
      ? elapsedNs(f.closedSec, f.closedNsec, sec, nsec) > this.idleNs[FlowClass.CLOSED]!
      : elapsedNs(f.lastSec, f.lastNsec, sec, nsec) > this.idleNs[f.cls]!
  }

  /** End the idle flows at the head of each class list (once per capture second). */
  private sweep(): void {
    this.sweptSec = this.nowSec
    for (let c = 0; c < CLASS_COUNT; c++) {
      const reason = c === FlowClass.CLOSED ? 'closed' : 'timeout'
      for (let f = this.table.oldest(c as FlowClass); f !== null && this.expired(f, this.nowSec, this.nowNsec); f = this.table.oldest(c as FlowClass)) {
        this.end(f, reason)
      }
    }
  }

  /** The table is full: end what has timed out, else the flow with the oldest last packet. */
  private makeRoom(): void {
    this.sweep()
    if (this.table.size < this.maxFlows) return
    const f = this.table.oldestOverall()
    if (f === null) return
    this.stats.evicted++
    this.end(f, 'evicted')
  }

  private end(f: Flow, reason: EndReason): void {
    this.emit(f, reason)
    this.table.remove(f)
  }

  /** A record is complete: count it and hand it to the consumers (records are built only when needed). */
  private emit(f: Flow, reason: EndReason): void {
    if (reason === 'timeout') this.stats.timedOut++
    const file = this.files[f.fileIndex]!
    let record: FlowRecord | null = null
    const l = this.local
    l.count++
    const proto = protoName(f.proto)
    l.byProto.set(proto, (l.byProto.get(proto) ?? 0) + 1)
    const state = connState(f)
    l.byState.set(state, (l.byState.get(state) ?? 0) + 1)
    if (reason === 'timeout') l.timedOut++
    const bytes = f.bytesF + f.bytesR
    if (this.top.accepts(bytes, f.firstFrame)) this.top.offer(record ??= toRecord(f, file))
    if (this.all?.accepts(bytes, f.firstFrame)) this.all.offer(record ??= toRecord(f, file))
    if (this.onEnd) this.onEnd(record ??= toRecord(f, file), reason, f.tunnelOrIcmp)
    if (this.collect) {
      if (this.sink.length < MAX_FINISHED_FLOWS) this.sink.push(record ?? toRecord(f, file))
      else this.stats.sinkDropped++
    }
  }
}

function connState(f: Flow): string {
  return f.proto === 6 ? tcpConnState(f, f.payF, f.payR) : otherConnState(f.proto, f.pktR)
}

/** The record of a flow as it stands. */
export function toRecord(f: Flow, file: string): FlowRecord {
  const ports = hasPorts(f.proto)
  const a = { ip: addressText(f, 'a'), port: ports ? f.portA : null }
  const b = { ip: addressText(f, 'b'), port: ports ? f.portB : null }
  return {
    proto: protoName(f.proto),
    initiator: f.initIsA ? a : b,
    responder: f.initIsA ? b : a,
    vni: f.vni < 0 ? null : f.vni,
    vlan: f.vlan < 0 ? null : f.vlan,
    firstTs: isoTimestamp(f.firstSec, f.firstNsec),
    lastTs: isoTimestamp(f.lastSec, f.lastNsec),
    packets: { fwd: f.pktF, rev: f.pktR },
    bytes: { fwd: f.bytesF, rev: f.bytesR },
    state: connState(f),
    app: f.app,
    firstFrame: f.firstFrame,
    roles: { initiator: null, responder: null },
    history: f.history,
    payloadBytes: { fwd: f.payF, rev: f.payR },
    lastFrame: f.lastFrame,
    initiatorInferred: f.initiatorInferred,
    icmpErrors: f.icmpErrors,
    file,
  }
}

type IpLayer = Extract<DecodedLayer, { reassembled: boolean }>

/** Bytes of the IP header (IPv6: with extension headers, without a fragment header). */
function ipHeaderLength(ip: IpLayer): number {
  if (ip.kind === Layer.Ipv4) return ip.h.headerLength
  return 40 + ip.h.upperOffset - ip.h.payloadOffset - (ip.reassembled && ip.h.hasFragment ? 8 : 0)
}

/** IP bytes as the sender sent them: the length field, or for a reassembled datagram its header + all data. */
function ipLength(decoded: DecodedFrame, ip: DecodedLayer, l4: DecodedLayer | null): number {
  const h = ip as IpLayer
  if (!h.reassembled) {
    const start = h.kind === Layer.Ipv4 ? h.h.payloadOffset - h.h.headerLength : h.h.payloadOffset - 40
    return Math.max(0, h.h.declaredEnd - start)
  }
  let data: number
  if (l4 !== null && l4.kind === Layer.Tcp) data = l4.h.headerLength + l4.h.payloadLength
  else if (l4 !== null && l4.kind === Layer.Udp) data = Math.max(8, l4.h.length)
  else data = decoded.bytes.length // the reassembled payload (the last datagram reassembled in this frame)
  return ipHeaderLength(h) + data
}

/** Transport payload bytes: TCP segment length, UDP length - 8, ICMP data after its 8-byte header, or the IP payload. */
function payloadLength(decoded: DecodedFrame, ip: DecodedLayer, l4: DecodedLayer | null, ipBytes: number): number {
  if (l4 !== null) {
    switch (l4.kind) {
      case Layer.Tcp: return l4.h.payloadLength
      case Layer.Udp: return Math.max(0, l4.h.length - 8)
      case Layer.Icmp:
      case Layer.Icmpv6: {
        const h = ip as IpLayer
        return h.reassembled ? Math.max(0, decoded.bytes.length - 8) : Math.max(0, h.h.declaredEnd - l4.h.payloadOffset)
      }
      default: break
    }
  }
  return Math.max(0, ipBytes - ipHeaderLength(ip as IpLayer))
}

// ---- output order, top N ----

/** The text of a record's key, for the last tie-breaks of the output order. */
export function flowKeyText(r: FlowRecord): string {
  return `${r.proto} ${r.initiator.ip} ${r.initiator.port ?? '-'} ${r.responder.ip} ${r.responder.port ?? '-'} ${r.vlan ?? '-'} ${r.vni ?? '-'}`
}

const totalBytes = (r: FlowRecord) => r.bytes.fwd + r.bytes.rev

/** Output order: IP bytes descending, firstFrame, key text, file, firstTs. Negative when `a` comes first. */
export function compareFlowRecords(a: FlowRecord, b: FlowRecord): number {
  const d = totalBytes(b) - totalBytes(a)
  if (d !== 0) return d
  if (a.firstFrame !== b.firstFrame) return a.firstFrame - b.firstFrame
  const ka = flowKeyText(a)
  const kb = flowKeyText(b)
  if (ka !== kb) return ka < kb ? -1 : 1
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  return a.firstTs < b.firstTs ? -1 : a.firstTs > b.firstTs ? 1 : 0
}

export function sortFlowRecords(records: FlowRecord[]): FlowRecord[] {
  return records.sort(compareFlowRecords)
}

/**
 * The best N records in output order, in O(N) memory: a heap whose root is the worst kept record.
 * `accepts` answers from the numbers alone, so a flow's record is built only when it may enter.
 */
export class TopFlows {
  private readonly heap: FlowRecord[] = []
  readonly n: number

  constructor(n: number) {
    this.n = Math.max(0, Math.floor(n))
  }

  get size(): number {
    return this.heap.length
  }

  /** Could a record with these total bytes and first frame enter? (true on a tie: offer decides). */
  accepts(bytes: number, firstFrame: number): boolean {
    if (this.heap.length < this.n) return true
    if (this.n === 0) return false
    const worst = this.heap[0]!
    const wb = totalBytes(worst)
    return bytes > wb || (bytes === wb && firstFrame <= worst.firstFrame)
  }

  offer(r: FlowRecord): void {
    const heap = this.heap
    if (heap.length < this.n) {
      heap.push(r)
      this.up(heap.length - 1)
    } else if (this.n > 0 && compareFlowRecords(r, heap[0]!) < 0) {
      heap[0] = r
      this.down(0)
    }
  }

  sorted(): FlowRecord[] {
    return sortFlowRecords(this.heap.slice())
  }

  // Heap order: a parent is never better than its children (compare(parent, child) >= 0).
  private up(i: number): void {
    siftUp(this.heap, i, compareFlowRecords)
  }

  private down(i: number): void {
    siftDown(this.heap, i, compareFlowRecords)
  }
}

/** Counts per key as a plain object with its keys sorted (stable JSON whatever the insertion order). */
export function sortedCounts(m: Map<string, number> | Record<string, number>): Record<string, number> {
  const entries = m instanceof Map ? [...m] : Object.entries(m)
  entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
  const out: Record<string, number> = {}
  for (const [k, v] of entries) out[k] = v
  return out
}

export function addCounts(into: Map<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into.set(k, (into.get(k) ?? 0) + v)
}

// ---- merging shards ----

/**
 * Summaries of disjoint shards (every flow counted by exactly one tracker: route.ts, share.ts) -> the
 * summary one tracker over all frames gives: same counts, same top list in the same order. Deterministic,
 * and a merge of merges equals one merge.
 */
export function mergeSummaries(parts: FlowSummary[], topN: number): FlowSummary {
  const n = Math.min(MAX_TOP_FLOWS, Math.max(0, Math.floor(topN)))
  const byProto = new Map<string, number>()
  const byState = new Map<string, number>()
  const top = new TopFlows(n)
  // Every part's `all` is sorted already: their concatenation is sorted by one pass of runs (TimSort).
  const all: FlowRecord[] | null = parts.some((p) => p.all !== undefined) ? [] : null
  let count = 0
  let timedOut = 0
  let evicted = 0
  for (const p of parts) {
    count += p.count
    timedOut += p.timedOut
    evicted += p.evicted
    addCounts(byProto, p.byProto)
    addCounts(byState, p.byState)
    for (const r of p.top) top.offer(r)
    if (all) for (const r of p.all ?? []) all.push(r)
  }
  const summary: FlowSummary = { count, byProto: sortedCounts(byProto), byState: sortedCounts(byState), evicted, timedOut, top: top.sorted() }
  if (all) {
    summary.all = best(all, MAX_KEPT_FLOWS)
    summary.allComplete = count <= MAX_KEPT_FLOWS
  }
  return summary
}

/** The first `n` of `records` in output order (sorts in place; runs already in order cost a pass). */
function best(records: FlowRecord[], n: number): FlowRecord[] {
  const sorted = sortFlowRecords(records)
  return sorted.length > n ? sorted.slice(0, n) : sorted
}
