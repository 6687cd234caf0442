/**
 * The 'analyze' shard analyzer: on each shard, one pass over decoded frames feeds the flow
 * tracker, the observation builder and the decode counters; the merge joins them into what the
 * report is built from. The policy travels with the config (plain data), because the builder
 * keeps only the flows a rule may need and names their roles.
 *
 *   frame ─► readPlainHeaders ─► nothing past TCP/UDP? ─► tracker.observePlain + layer counts + span
 *         └─ (anything else, or refused) ─► FrameDecoder ─► counts, tracker.observe, builder.observe
 *
 * Most frames of a border capture are TCP segments no application parser wants (TLS after its
 * handshake) or UDP on ports of no decoded protocol: for those the decoder would build layers that
 * every consumer here passes over. `plainPath: false` decodes every frame (the reference of
 * test/engine/analyze-plain.test.ts, which proves the results equal).
 *
 * A tunnel's outer flow or an ICMP error's own flow may be another shard's than the frame: that shard
 * gets the frame as a track-only share (flow/share.ts) and counts it in that flow only (OuterTracking),
 * so every flow record is made on one shard and the result does not depend on the worker count.
 */
import type { Frame } from '../capture/frame.js'
import { Layer, UdpPorts, withVxlanPorts } from '../decode/dispatch.js'
import { FrameDecoder, type DecodedFrame } from '../decode/frame.js'
import { createPlainHeaders, readPlainHeaders } from '../flow/headers.js'
import { TRACK_ONLY } from '../flow/share.js'
import { FLOW_TABLE_SEED, FlowTracker, addCounts, mergeSummaries, sortedCounts, type FlowSummary, type PlainNamer } from '../flow/tracker.js'
import { ObservationBuilder } from '../observe/builder.js'
import type { ListKey, ListReports } from '../observe/list-key.js'
import { mergeObservations } from '../observe/merge.js'
import type { Observations } from '../observe/model.js'
import type { Policy } from '../policy/model.js'
import { OuterTracking } from './flows.js'
import type { CaptureTime, ShardAnalyzer } from './shard.js'

export interface AnalyzeConfig {
  policy: Policy | null
  /** Flows in the report's top list. */
  topN: number
  /** Live flows of the run at most (default limits.MAX_FLOWS), shared by the shards. */
  maxFlows?: number
  vxlanPorts?: number[]
  /** Count plain frames that hold nothing past TCP/UDP without the decoder (default true; false is the reference path). */
  plainPath?: boolean
}

/** The contract's `decode` section. */
export interface DecodeCounts {
  packets: number
  /** Captured bytes. */
  bytes: number
  /** Frames that hold each layer type (a type counted once per frame). */
  layers: Record<string, number>
  /** Frames with a malformed or truncated layer, per layer type. */
  malformed: Record<string, number>
  /** Frames in which nothing past the link layer was decoded (LLDP, STP, unknown EtherTypes ...). */
  undecoded: number
}

export interface AnalyzeResult {
  flows: FlowSummary
  observations: Observations
  decode: DecodeCounts
}

export function analyzeConfig(config: unknown): AnalyzeConfig {
  const c = (config ?? {}) as Partial<AnalyzeConfig>
  const topN = c.topN ?? 10
  if (!Number.isInteger(topN) || topN < 0) throw new TypeError('analyze: topN must be an integer >= 0')
  if (c.maxFlows !== undefined && !(Number.isInteger(c.maxFlows) && c.maxFlows >= 1)) throw new TypeError('analyze: maxFlows must be an integer >= 1')
  if (c.plainPath !== undefined && typeof c.plainPath !== 'boolean') throw new TypeError('analyze: plainPath must be a boolean')
  return {
    policy: c.policy ?? null, topN,
    ...(c.maxFlows !== undefined ? { maxFlows: c.maxFlows } : {}), ...(c.vxlanPorts ? { vxlanPorts: c.vxlanPorts } : {}),
    ...(c.plainPath === false ? { plainPath: false } : {}),
  }
}

/** Layer kinds -> the decode record's type names (the Record kind uses its record's type). */
const LAYER_NAMES: Readonly<Record<number, string>> = {
  [Layer.Ethernet]: 'eth', [Layer.Vlan]: 'vlan', [Layer.Sll]: 'sll', [Layer.Sll2]: 'sll2', [Layer.Null]: 'null',
  [Layer.Arp]: 'arp', [Layer.Chdlc]: 'chdlc', [Layer.Mpls]: 'mpls', [Layer.Ipv4]: 'ipv4', [Layer.Ipv6]: 'ipv6',
  [Layer.Icmp]: 'icmp', [Layer.Icmpv6]: 'icmpv6', [Layer.Udp]: 'udp', [Layer.Tcp]: 'tcp', [Layer.Vxlan]: 'vxlan',
  [Layer.Gre]: 'gre', [Layer.Geneve]: 'geneve', [Layer.Erspan]: 'erspan', [Layer.Ntp]: 'ntp', [Layer.Dns]: 'dns',
}
const LINK_KINDS = new Set<number>([Layer.Ethernet, Layer.Vlan, Layer.Sll, Layer.Sll2, Layer.Null, Layer.Chdlc, Layer.Mpls])

/** Layer type names as small integers, for per-frame counting without a Set or Map per frame. */
class LayerNames {
  private readonly ids = new Map<string, number>()
  private readonly names: string[] = []
  private readonly perFrame: number[] = []
  private readonly frames: number[] = []
  private frame = 0
  /** Id of each layer kind's name; -1 for kinds without one. */
  private readonly kinds: number[] = []

  constructor() {
    for (const [kind, name] of Object.entries(LAYER_NAMES)) this.kinds[Number(kind)] = this.idOf(name)
  }

  ofKind(kind: number): number {
    return this.kinds[kind] ?? -1
  }

  idOf(name: string): number {
    let id = this.ids.get(name)
    if (id === undefined) {
      id = this.names.push(name) - 1
      this.ids.set(name, id)
      this.perFrame.push(0)
      this.frames.push(0)
    }
    return id
  }

  nextFrame(): void {
    this.frame++
  }

  /** Counts `id` in this frame; false when it was counted in this frame already. */
  firstInFrame(id: number): boolean {
    if (this.perFrame[id] === this.frame) return false
    this.perFrame[id] = this.frame
    this.frames[id]!++
    return true
  }

  /** Frames per name, for the names seen at least once. */
  counts(): Map<string, number> {
    const m = new Map<string, number>()
    for (let id = 0; id < this.names.length; id++) if (this.frames[id]! > 0) m.set(this.names[id]!, this.frames[id]!)
    return m
  }
}


/** The frames `plain` hands the tracker are ones the decoder would find nothing in past TCP/UDP. */
const NAMES_NOTHING: PlainNamer = { mayName: () => false }

/** The BGP port: the builder follows its sessions from TCP flags, so its frames always take the decoder. */
const BGP_PORT = 179

export class AnalyzeShard implements ShardAnalyzer<AnalyzeResult> {
  private readonly tracker: FlowTracker
  private readonly builder: ObservationBuilder
  private readonly decoder: FrameDecoder
  /** Track-only shares: another shard's frames, counted here only in the outer flows that are this shard's. */
  private readonly outer: OuterTracking
  private readonly udpPorts: UdpPorts
  private readonly plainPath: boolean
  private readonly headers = createPlainHeaders()
  private packets = 0
  private bytes = 0
  private undecoded = 0
  private readonly layerNames = new LayerNames()
  private readonly plainIds: { eth: number; vlan: number; ipv4: number; ipv6: number; tcp: number; udp: number }
  private readonly malformedCounts = new Map<string, number>()
  private readonly seen = new Set<string>()
  /** Frames taken without / through the decoder (bench and tests). */
  readonly counts = { plain: 0, decoded: 0 }

  /** `maxFlows`: this shard's share of the live-flow cap (shard.ts flowsPerShard). */
  constructor(c: AnalyzeConfig, maxFlows: number) {
    this.builder = new ObservationBuilder({ policy: c.policy })
    this.tracker = new FlowTracker({
      topN: c.topN, seed: FLOW_TABLE_SEED, maxFlows,
      onEnd: (record, _reason, tunnelOrIcmp) => this.builder.addFlow(record, tunnelOrIcmp),
    })
    const ports = withVxlanPorts(c.vxlanPorts)
    this.decoder = new FrameDecoder(ports)
    this.udpPorts = new UdpPorts(ports)
    this.plainPath = c.plainPath !== false
    this.outer = new OuterTracking(this.tracker, ports, this.plainPath)
    const n = this.layerNames
    this.plainIds = {
      eth: n.ofKind(Layer.Ethernet), vlan: n.ofKind(Layer.Vlan), ipv4: n.ofKind(Layer.Ipv4), ipv6: n.ofKind(Layer.Ipv6),
      tcp: n.ofKind(Layer.Tcp), udp: n.ofKind(Layer.Udp),
    }
  }

  startFile(fileIndex: number, file: string): void {
    this.tracker.setFile(file)
    this.builder.startFile(fileIndex, file)
  }

  listReport(): ListReports {
    return this.builder.listReport()
  }

  cutoff(list: string, key: ListKey): void {
    this.builder.cutoff(list, key)
  }

  push(frame: Frame, share = 0): void {
    if ((share & TRACK_ONLY) !== 0) {
      this.outer.push(frame, share)
      return
    }
    this.packets++
    this.bytes += frame.caplen
    // A frame whose outer flow is another shard's has levels to skip: the decoder path does that.
    if (share === 0 && this.plainPath && this.plain(frame)) {
      this.counts.plain++
      return
    }
    this.counts.decoded++
    const decoded = this.decoder.decode(frame)
    this.count(decoded)
    this.tracker.observe(frame, decoded, share)
    this.builder.observe(frame, decoded)
  }

  /**
   * A plain frame (flow/headers.ts) whose decoding would stop at its TCP/UDP header (no DNS, NTP or
   * tunnel port; a TCP segment the applications ignore; not BGP, whose session the builder follows
   * from the flags) of a live flow: counted in the tracker, the layer counts and the span, as the
   * decoder path would. False, with nothing counted, otherwise.
   */
  private plain(frame: Frame): boolean {
    const h = this.headers
    if (!readPlainHeaders(frame.linkType, frame.bytes, h)) return false
    if (h.proto === 6) {
      if (h.srcPort === BGP_PORT || h.dstPort === BGP_PORT || !this.decoder.ignoresPlainSegment(h)) return false
    } else if (this.udpPorts.next(h.srcPort, h.dstPort) !== Layer.Payload) {
      return false
    }
    if (!this.tracker.observePlain(frame, h, NAMES_NOTHING)) return false
    const names = this.layerNames
    const ids = this.plainIds
    names.nextFrame()
    names.firstInFrame(ids.eth)
    if (h.vlanTags > 0) names.firstInFrame(ids.vlan)
    names.firstInFrame(h.family === 4 ? ids.ipv4 : ids.ipv6)
    names.firstInFrame(h.proto === 6 ? ids.tcp : ids.udp)
    this.builder.observePlain(frame)
    return true
  }

  private count(decoded: DecodedFrame): void {
    const names = this.layerNames
    names.nextFrame()
    let pastLink = false
    const layers = decoded.layers
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!
      // A type counts once per frame (a tunnel's inner eth/ipv4, DNS over UDP and over TCP in one frame).
      const id = l.kind === Layer.Record ? (l.record.type ? names.idOf(l.record.type) : -1) : names.ofKind(l.kind)
      if (id < 0 || !names.firstInFrame(id)) continue
      if (!LINK_KINDS.has(l.kind)) pastLink = true
    }
    if (!pastLink) this.undecoded++
    if (decoded.issues.length > 0) {
      const seen = this.seen
      seen.clear()
      for (const i of decoded.issues) {
        if (seen.has(i.layer)) continue
        seen.add(i.layer)
        this.malformedCounts.set(i.layer, (this.malformedCounts.get(i.layer) ?? 0) + 1)
      }
    }
  }

  flowsSoFar(): number {
    return this.tracker.stats.flows
  }

  finish(end?: CaptureTime): AnalyzeResult {
    return {
      flows: this.tracker.finish(end),
      observations: this.builder.finish(),
      decode: {
        packets: this.packets, bytes: this.bytes, layers: sortedCounts(this.layerNames.counts()), malformed: sortedCounts(this.malformedCounts),
        undecoded: this.undecoded,
      },
    }
  }
}

export function mergeAnalyze(parts: AnalyzeResult[], config: AnalyzeConfig): AnalyzeResult {
  const flows = mergeSummaries(parts.map((p) => p.flows), config.topN)
  const observations = mergeObservations(parts.map((p) => p.observations))
  const layers = new Map<string, number>()
  const malformed = new Map<string, number>()
  const decode: DecodeCounts = { packets: 0, bytes: 0, layers: {}, malformed: {}, undecoded: 0 }
  for (const p of parts) {
    decode.packets += p.decode.packets
    decode.bytes += p.decode.bytes
    decode.undecoded += p.decode.undecoded
    addCounts(layers, p.decode.layers)
    addCounts(malformed, p.decode.malformed)
  }
  decode.layers = sortedCounts(layers)
  decode.malformed = sortedCounts(malformed)
  return { flows, observations, decode }
}
