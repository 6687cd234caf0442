/**
 * The 'flows' shard analyzer: the flow tracker, fed two ways.
 *
 *   frame ─► readPlainHeaders ─► tracker.observePlain     plain frame of a live, named flow: no decoder
 *         └─ (anything else, or refused) ─► FrameDecoder ─► tracker.observe
 *
 * Most frames of a capture belong to flows that are already live and whose application is already
 * named (a flow keeps its first application), so the decoder, which builds every layer and follows
 * TCP applications, is needed only for a flow's first packets, SYNs, tunnels, ICMP, fragments and
 * anything odd. The applications only name a flow here, so the decoder stops following a TCP
 * connection after its first record (`firstRecordOnly`). A track-only share of a frame (flow/share.ts: a
 * tunnel's outer flow or an ICMP error's own flow is this shard's, the frame another's) is counted in
 * those flows only, from the outer headers or by a decoder of its own that reads L2-L4 and holds nothing.
 * Every flow is counted on one shard, so results merge with mergeSummaries by adding.
 *
 * `plainPath: false` sends every frame through the decoder: the reference the fast path is tested
 * against (test/flow/plain-path.test.ts: the same JSON on captures of every kind).
 */
import type { Frame } from '../capture/frame.js'
import { Layer, UdpPorts, withVxlanPorts, type PortConfig } from '../decode/dispatch.js'
import { FrameDecoder } from '../decode/frame.js'
import { createPlainHeaders, readPlainHeaders, readPlainInner, type PlainHeaders } from '../flow/headers.js'
import { LEVEL_BITS, TRACK_ONLY } from '../flow/share.js'
import { FLOW_TABLE_SEED, FlowTracker, type FlowSummary, type PlainNamer } from '../flow/tracker.js'
import type { CaptureTime, ShardAnalyzer } from './shard.js'

export interface FlowsConfig {
  /** Records in the summary's top list. */
  topN: number
  /** Keep every record too (json/ndjson/csv output of all flows). */
  keepAll: boolean
  /** Live flows of the run at most (default limits.MAX_FLOWS), shared by the shards. */
  maxFlows?: number
  vxlanPorts?: number[]
  /** Count plain frames of named flows without the decoder (default true). */
  plainPath?: boolean
}

export function flowsConfig(config: unknown): FlowsConfig {
  const c = (config ?? {}) as Partial<FlowsConfig>
  const topN = c.topN ?? 10
  if (!Number.isInteger(topN) || topN < 0) throw new TypeError('flows: topN must be an integer >= 0')
  if (c.maxFlows !== undefined && !(Number.isInteger(c.maxFlows) && c.maxFlows >= 1)) throw new TypeError('flows: maxFlows must be an integer >= 1')
  const v = c.vxlanPorts
  if (v !== undefined && !(Array.isArray(v) && v.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535))) {
    throw new TypeError('flows: vxlanPorts must be an array of port numbers')
  }
  if (c.plainPath !== undefined && typeof c.plainPath !== 'boolean') throw new TypeError('flows: plainPath must be a boolean')
  return {
    topN, keepAll: c.keepAll === true, ...(c.maxFlows !== undefined ? { maxFlows: c.maxFlows } : {}), ...(v ? { vxlanPorts: v } : {}),
    ...(c.plainPath === false ? { plainPath: false } : {}),
  }
}

const isTunnel = (layer: Layer) => layer === Layer.Vxlan || layer === Layer.Geneve


export class FlowsAnalyzer implements ShardAnalyzer<FlowSummary>, PlainNamer {
  private readonly tracker: FlowTracker
  private readonly decoder: FrameDecoder
  private readonly outer: OuterTracking
  /** The decoder's UDP dispatch: which ports lead into DNS, NTP or a tunnel. */
  private readonly udpPorts: UdpPorts
  private readonly plainPath: boolean
  private readonly headers = createPlainHeaders()
  private readonly inner = createPlainHeaders()
  /** Frames counted without / with the decoder (bench and tests). */
  readonly counts = { plain: 0, decoded: 0 }

  /** `maxFlows`: this shard's share of the live-flow cap (shard.ts flowsPerShard). */
  constructor(c: FlowsConfig, maxFlows: number) {
    this.tracker = new FlowTracker({ topN: c.topN, keepAll: c.keepAll, seed: FLOW_TABLE_SEED, maxFlows })
    const ports: PortConfig = { ...withVxlanPorts(c.vxlanPorts), firstRecordOnly: true }
    this.decoder = new FrameDecoder(ports)
    this.udpPorts = new UdpPorts(ports)
    this.plainPath = c.plainPath !== false
    this.outer = new OuterTracking(this.tracker, ports, this.plainPath)
  }

  startFile(_fileIndex: number, file: string): void {
    this.tracker.setFile(file)
  }

  push(frame: Frame, share = 0): void {
    if ((share & TRACK_ONLY) !== 0) {
      this.outer.push(frame, share)
      return
    }
    if (this.plainPath && this.plain(frame, share)) {
      this.counts.plain++
      return
    }
    this.counts.decoded++
    this.tracker.observe(frame, this.decoder.decode(frame), share)
  }

  private plain(frame: Frame, share: number): boolean {
    const h = this.headers
    if (!readPlainHeaders(frame.linkType, frame.bytes, h)) return false
    if (h.proto === 17) {
      const next = this.udpPorts.next(h.srcPort, h.dstPort)
      // A VXLAN frame holds its inner flow too: both from the bytes when the inner frame is plain as well
      // (and not a tunnel again); Geneve and anything else go to the decoder.
      if (next === Layer.Vxlan) {
        const inner = this.inner
        if (!readPlainInner(h, inner)) return false
        if (inner.proto === 17 && isTunnel(this.udpPorts.next(inner.srcPort, inner.dstPort))) return false
        return this.tracker.observePlainTunnel(frame, h, inner, this, share)
      }
      if (next === Layer.Geneve) return false
    }
    return this.tracker.observePlain(frame, h, this)
  }

  /**
   * For a flow not named yet: could decoding this frame name it? TCP: when the TCP applications would
   * not ignore the segment (it may complete a record); UDP: on a DNS or NTP port.
   */
  mayName(h: PlainHeaders): boolean {
    if (h.proto === 6) return !this.decoder.ignoresPlainSegment(h)
    return this.udpPorts.next(h.srcPort, h.dstPort) !== Layer.Payload
  }

  finish(end?: CaptureTime): FlowSummary {
    return this.tracker.finish(end)
  }

  flowsSoFar(): number {
    return this.tracker.stats.flows
  }
}

/**
 * Track-only shares of frames (flow/share.ts) into a tracker: a plain VXLAN frame's outer flow from its
 * headers, anything else through a decoder of its own (L2-L4 and tunnels, no TCP applications), so
 * another shard's inner flows leave no state here. It reassembles IP fragments: a fragmented tunnel
 * datagram's fragments come here as track-only shares when the inner flow is another worker's
 * (engine/fragment-routes.ts), and the outer flow counts the datagram in the frame that completes it.
 */
export class OuterTracking {
  private readonly tracker: FlowTracker
  private readonly decoder: FrameDecoder
  private readonly udpPorts: UdpPorts
  private readonly plainPath: boolean
  private readonly headers = createPlainHeaders()

  constructor(tracker: FlowTracker, ports: PortConfig, plainPath: boolean) {
    this.tracker = tracker
    const outerPorts: PortConfig = { ...ports, applications: false }
    this.decoder = new FrameDecoder(outerPorts)
    this.udpPorts = new UdpPorts(outerPorts)
    this.plainPath = plainPath
  }

  push(frame: Frame, share: number): void {
    const h = this.headers
    if (this.plainPath && share === (TRACK_ONLY | (LEVEL_BITS & ~1)) && readPlainHeaders(frame.linkType, frame.bytes, h) &&
      h.proto === 17 && this.udpPorts.next(h.srcPort, h.dstPort) === Layer.Vxlan && this.tracker.trackPlainOuter(frame, h)) return
    this.tracker.observe(frame, this.decoder.decode(frame), share)
  }
}
