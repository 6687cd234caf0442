/**
 * What runs on one shard, and the table of analyzers a worker can build from plain config.
 *
 * A ShardAnalyzer sees the frames of its shard in capture order (all frames with --workers 1)
 * and returns one result; `mergeResults` turns the shards' results (in shard order) into the
 * run's result. The same analyzer code runs in-process and in every worker; only the frames it
 * gets differ, which is why a merge has to be deterministic (same JSON for any shard split).
 *
 * The table is plain data (no registration at import time, no reflection): adding an analyzer is
 * one entry in ANALYZERS. An analyzer that works on decoded frames (observe(frame, decoded)) is
 * wrapped by `decodingAnalyzer`, which owns the FrameDecoder; e.g. the test analyzer 'count':
 *
 *   count: { create: (c) => decodingAnalyzer(new CountObserver(), countPorts(c)), merge: (parts) => mergeCounts(parts) },
 *
 * 'flows' (flows.ts) and 'analyze' (analyze.ts) drive their decoders themselves: most of their frames need none.
 */
import { isMainThread } from 'node:worker_threads'
import type { Frame } from '../capture/frame.js'
import type { PortConfig } from '../decode/dispatch.js'
import { mergeSummaries, type FlowSummary } from '../flow/tracker.js'
import { FlowsAnalyzer, flowsConfig } from './flows.js'
import { AnalyzeShard, analyzeConfig, mergeAnalyze, type AnalyzeResult } from './analyze.js'
import { ipv4ToString, ipv6ToString } from '../decode/format.js'
import { FrameDecoder, type DecodedFrame } from '../decode/frame.js'
import { Layer } from '../decode/dispatch.js'
import { mix } from '../flow/key.js'
import { MAX_FLOWS } from '../decode/limits.js'
import type { ListKey, ListReports } from '../observe/list-key.js'
import { fmix } from './pair-hash.js'
import { createFlowView, flowView, type FlowView } from './route.js'
import { packAnalyzeResult, packFlowsResult, unpackAnalyzeResult, unpackFlowsResult, type Transferable } from './transfer.js'

export interface ShardAnalyzer<R> {
  /**
   * Called before the first frame of each capture file of the run (file indexes in increasing
   * order; a shard that gets no frame of a file may or may not hear of it). Frame numbers are
   * per file, so an analyzer that keeps them keeps the file index with them.
   */
  startFile?(fileIndex: number, file: string): void
  /**
   * One frame; its `bytes` are valid only during the call (copy what you keep). `share` (flow/share.ts):
   * which of the frame's flows are another shard's; 0, the whole frame, unless the entry asks for
   * `levels` routing. A TRACK_ONLY share is a frame of another shard's: count only its flows named there.
   */
  push(frame: Frame, share?: number): void
  /**
   * The shard's result: plain data (it crosses threads by structured clone, or as the entry's `pack` makes it).
   * `end`: the run's last capture time (workers see only their frames'), for whatever is classified by it.
   */
  finish(end?: CaptureTime): R
  /** Flows seen so far, for the progress line (analyzers without flows leave it out). */
  flowsSoFar?(): number
  /** Its bounded lists of which the merge keeps the first entries (engine/list-cutoffs.ts), reported with each batch. */
  listReport?(): ListReports
  /** Keep nothing of `list` after `key` (engine/list-cutoffs.ts). */
  cutoff?(list: string, key: ListKey): void
}

/** An analyzer of decoded frames, as `decodingAnalyzer` drives it. */
export interface FrameObserver<R> {
  startFile?(fileIndex: number, file: string): void
  observe(frame: Frame, decoded: DecodedFrame): void
  finish(): R
  flowsSoFar?(): number
}

/** Wraps an observer with its own FrameDecoder (one per shard: fragment and TCP state live in it). */
export function decodingAnalyzer<R>(observer: FrameObserver<R>, ports: PortConfig = {}): ShardAnalyzer<R> {
  const decoder = new FrameDecoder(ports)
  return {
    startFile: (fileIndex, file) => observer.startFile?.(fileIndex, file),
    push: (frame) => observer.observe(frame, decoder.decode(frame)),
    finish: () => observer.finish(),
    ...(observer.flowsSoFar ? { flowsSoFar: () => observer.flowsSoFar!() } : {}),
  }
}

/**
 * Live flows one of `shards` shards may hold: the run's cap (limits.MAX_FLOWS unless the config names one)
 * shared by the shards, so the memory a flood of new flows can take does not grow with the worker count.
 */
export function flowsPerShard(maxFlows: number | undefined, shards: number): number {
  return Math.max(1, Math.ceil((maxFlows ?? MAX_FLOWS) / Math.max(1, shards)))
}

/** A capture timestamp. */
export interface CaptureTime {
  tsSec: number
  tsNsec: number
}

interface AnalyzerEntry {
  /**
   * Its flows of a frame's outer levels (tunnel outer flows, an ICMP error's own flow) are counted by the
   * shard each such flow routes to, which the router also sends the frame to as a track-only share.
   */
  levels?: true
  /** `shards`: how many analyzers share the run (1 in-process), for limits that are the run's. */
  create(config: unknown, shards: number): ShardAnalyzer<unknown>
  /** Parts in shard order; the result must not depend on how frames were split among them. */
  merge(parts: unknown[], config: unknown): unknown
  /** A worker's result as it is posted, with what to transfer (transfer.ts); without: the result itself, cloned. */
  pack?(result: unknown): Transferable
  /** The main thread's inverse of `pack`. */
  unpack?(value: unknown): unknown
}

const ANALYZERS: Readonly<Record<string, AnalyzerEntry>> = {
  analyze: {
    create: (c, shards) => { const cfg = analyzeConfig(c); return new AnalyzeShard(cfg, flowsPerShard(cfg.maxFlows, shards)) },
    merge: (parts, c) => mergeAnalyze(parts as AnalyzeResult[], analyzeConfig(c)),
    levels: true,
    pack: (r) => packAnalyzeResult(r as AnalyzeResult),
    unpack: unpackAnalyzeResult,
  },
  flows: {
    create: (c, shards) => { const cfg = flowsConfig(c); return new FlowsAnalyzer(cfg, flowsPerShard(cfg.maxFlows, shards)) },
    merge: (parts, c) => mergeSummaries(parts as FlowSummary[], flowsConfig(c).topN),
    levels: true,
    pack: (r) => packFlowsResult(r as FlowSummary),
    unpack: unpackFlowsResult,
  },
  count: { create: (c) => decodingAnalyzer(new CountObserver(), countPorts(c)), merge: (parts) => mergeCounts(parts as CountResult[]) },
  fault: { create: (c) => new FaultAnalyzer(faultConfig(c)), merge: (parts) => mergeCounts(parts as CountResult[]) },
}

export function analyzerNames(): string[] {
  return Object.keys(ANALYZERS)
}

function entry(name: string): AnalyzerEntry {
  const e = Object.hasOwn(ANALYZERS, name) ? ANALYZERS[name] : undefined
  if (!e) throw new Error(`unknown analyzer "${name}" (known: ${analyzerNames().join(', ')})`)
  return e
}

/** Checks the name (and, by building one analyzer, the config) before any worker starts. */
export function createAnalyzer(name: string, config: unknown, shards = 1): ShardAnalyzer<unknown> {
  return entry(name).create(config, shards)
}

/** Does the analyzer take track-only shares of frames (AnalyzerEntry.levels)? */
export function routesLevels(name: string): boolean {
  return entry(name).levels === true
}

export function mergeResults(name: string, parts: unknown[], config?: unknown): unknown {
  return entry(name).merge(parts, config)
}

/** A worker's result as it is posted to the main thread (see transfer.ts), with the buffers to transfer. */
export function packResult(name: string, result: unknown): Transferable {
  const e = entry(name)
  return e.pack ? e.pack(result) : { value: result, transfer: [] }
}

/** What `packResult` packed, as the analyzer's result again. */
export function unpackResult(name: string, value: unknown): unknown {
  const e = entry(name)
  return e.unpack ? e.unpack(value) : value
}

// ---------------------------------------------------------------------------------------------
// 'count': a small, real analyzer. It checks the pipeline end to end: every frame field and
// byte (checksum), the fragment reassembly of each shard (a datagram whose fragments were split
// over shards would not complete, and its packets would be counted under another key), both
// directions of a flow on one shard (`replies`), and ICMP errors next to the flow they quote
// (`knownErrors`).

export interface CountFlow {
  /** `proto a b` with endpoints in text order (`ip:port` for TCP/UDP), then ` vni N` inside a tunnel. */
  key: string
  packets: number
  /** Captured bytes of those packets. */
  bytes: number
  /** Packets sent by the side that did not send the flow's first packet (on its shard). */
  replies: number
  /** ICMP errors quoting the flow, and of those, the ones that came after a packet of the flow. */
  icmpErrors: number
  knownErrors: number
}

export interface CountResult {
  packets: number
  bytes: number
  /** Sum over frames of a hash of the file index, every Frame field and the bytes, mod 2^32, in hex. */
  checksum: string
  /** Sorted by key (code unit order). */
  flows: CountFlow[]
}

interface CountEntry extends CountFlow {
  /** Direction of the first packet: true when it went from the first endpoint of the key to the second. */
  firstForward: boolean
}

function countPorts(config: unknown): PortConfig {
  const ports: PortConfig = { applications: false }
  if (config === undefined || config === null) return ports
  if (typeof config !== 'object') throw new TypeError('count: config must be an object')
  const v = (config as { vxlanPorts?: unknown }).vxlanPorts
  if (v === undefined) return ports
  if (!Array.isArray(v) || !v.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535)) {
    throw new TypeError('count: vxlanPorts must be an array of port numbers')
  }
  return { ...ports, vxlanPorts: v as number[] }
}

export class CountObserver implements FrameObserver<CountResult> {
  private packets = 0
  private bytes = 0
  private sum = 0
  private fileIndex = 0
  private readonly flows = new Map<string, CountEntry>()
  private readonly view: FlowView = createFlowView()

  startFile(fileIndex: number): void {
    this.fileIndex = fileIndex
  }

  observe(frame: Frame, decoded: DecodedFrame): void {
    this.packets++
    this.bytes += frame.caplen
    this.sum = (this.sum + frameHash(this.fileIndex, frame)) >>> 0
    const v = flowView(decoded, this.view)
    const k = flowKey(v, decoded.bytes)
    let e = this.flows.get(k.key)
    const seen = e !== undefined && e.packets > 0
    if (!e) {
      e = { key: k.key, packets: 0, bytes: 0, replies: 0, icmpErrors: 0, knownErrors: 0, firstForward: k.forward }
      this.flows.set(k.key, e)
    }
    if (v.quoted) {
      e.icmpErrors++
      if (seen) e.knownErrors++
      return
    }
    if (!seen) e.firstForward = k.forward
    else if (k.forward !== e.firstForward) e.replies++
    e.packets++
    e.bytes += frame.caplen
  }

  finish(): CountResult {
    const flows = [...this.flows.values()].map(({ firstForward: _, ...f }) => f)
    flows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return { packets: this.packets, bytes: this.bytes, checksum: hex32(this.sum), flows }
  }
}

/** Sums per key; the same JSON whatever the split, as long as each flow stayed on one shard. */
export function mergeCounts(parts: readonly CountResult[]): CountResult {
  let packets = 0
  let bytes = 0
  let sum = 0
  const flows = new Map<string, CountFlow>()
  for (const p of parts) {
    packets += p.packets
    bytes += p.bytes
    sum = (sum + parseInt(p.checksum, 16)) >>> 0
    for (const f of p.flows) {
      const e = flows.get(f.key)
      if (!e) { flows.set(f.key, { ...f }); continue }
      e.packets += f.packets
      e.bytes += f.bytes
      e.replies += f.replies
      e.icmpErrors += f.icmpErrors
      e.knownErrors += f.knownErrors
    }
  }
  const list = [...flows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return { packets, bytes, checksum: hex32(sum), flows: list }
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0')
}

const TWO_32 = 0x1_0000_0000

/** Every field of the frame and its bytes, with the file index: any change in transport shows. */
export function frameHash(fileIndex: number, f: Frame): number {
  let h = mix(0x9e3779b9, fileIndex)
  h = mix(h, f.frameNumber)
  h = mix(h, f.tsSec % TWO_32)
  h = mix(h, Math.floor(f.tsSec / TWO_32))
  h = mix(h, f.tsNsec)
  h = mix(h, f.caplen)
  h = mix(h, f.origlen)
  h = mix(h, f.linkType)
  h = mix(h, f.interfaceId)
  h = mix(h, f.hasTimestamp ? 1 : 0)
  h = mix(h, f.fileOffset % TWO_32)
  h = mix(h, Math.floor(f.fileOffset / TWO_32))
  const b = f.bytes
  const n = Math.min(b.length, f.caplen)
  let i = 0
  for (; i + 4 <= n; i += 4) h = mix(h, (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)))
  for (; i < n; i++) h = mix(h, b[i]!)
  return fmix(h)
}

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' }

/** The flow key of a view, and whether the frame (or the quoted datagram) went first endpoint -> second. */
function flowKey(v: FlowView, bytes: Uint8Array): { key: string; forward: boolean } {
  const ip = v.ip
  if (!ip) return { key: 'non-ip', forward: true }
  const protocol = ip.kind === Layer.Ipv4 ? ip.h.protocol : ip.h.upperProtocol
  const proto = PROTO_NAMES[protocol] ?? `ip-${protocol}`
  const src = ip.kind === Layer.Ipv4 ? ipv4ToString(ip.h.src) : `[${ipv6ToString(ip.h.src)}]`
  const dst = ip.kind === Layer.Ipv4 ? ipv4ToString(ip.h.dst) : `[${ipv6ToString(ip.h.dst)}]`
  let a = src
  let b = dst
  const l4 = v.l4
  if (l4 && (l4.kind === Layer.Tcp || l4.kind === Layer.Udp)) {
    a = `${src}:${l4.h.srcPort}`
    b = `${dst}:${l4.h.dstPort}`
  } else if (v.quoted && (protocol === 6 || protocol === 17)) {
    // A quote too short for the TCP header still holds the ports (RFC 792: IP header + 8 bytes).
    const at = ip.kind === Layer.Ipv4 ? ip.h.payloadOffset : ip.h.upperOffset
    if (at + 4 <= ip.h.payloadEnd && at + 4 <= bytes.length) {
      a = `${src}:${(bytes[at]! << 8) | bytes[at + 1]!}`
      b = `${dst}:${(bytes[at + 2]! << 8) | bytes[at + 3]!}`
    }
  }
  const forward = a <= b
  const tunnel = v.vni >= 0 ? ` vni ${v.vni}` : ''
  return { key: forward ? `${proto} ${a} ${b}${tunnel}` : `${proto} ${b} ${a}${tunnel}`, forward }
}

// ---------------------------------------------------------------------------------------------
// 'fault': 'count' that fails on purpose at one frame, so that tests can prove a failing worker
// ends the run with a clear error and never a hang. Not for users.

export interface FaultConfig {
  /** throw: an exception; exit: the worker thread exits; oom: allocates until the heap limit;
   *  finish: the exception comes from finish(); clone: finish() returns what cannot be cloned. */
  mode: 'throw' | 'exit' | 'oom' | 'finish' | 'clone'
  /** Frame number (in `fileIndex`) that triggers it; ignored by finish and clone. */
  frame: number
  fileIndex: number
}

function faultConfig(config: unknown): FaultConfig {
  const c = (config ?? {}) as Partial<FaultConfig>
  const modes = ['throw', 'exit', 'oom', 'finish', 'clone']
  if (!modes.includes(c.mode as string)) throw new TypeError(`fault: mode must be one of ${modes.join(', ')}`)
  return { mode: c.mode!, frame: c.frame ?? 1, fileIndex: c.fileIndex ?? 0 }
}

class FaultAnalyzer implements ShardAnalyzer<unknown> {
  private readonly inner = decodingAnalyzer(new CountObserver(), { applications: false })
  private readonly config: FaultConfig
  private fileIndex = 0

  constructor(config: FaultConfig) {
    this.config = config
  }

  startFile(fileIndex: number, file: string): void {
    this.fileIndex = fileIndex
    this.inner.startFile?.(fileIndex, file)
  }

  push(frame: Frame): void {
    const c = this.config
    if (frame.frameNumber === c.frame && this.fileIndex === c.fileIndex) {
      if (c.mode === 'throw') throw new Error(`fault injected at frame ${frame.frameNumber}`)
      // Exiting or exhausting memory is only safe in a worker thread; in-process it becomes a throw.
      if (c.mode === 'exit') {
        if (!isMainThread) process.exit(3)
        throw new Error(`fault injected at frame ${frame.frameNumber} (exit)`)
      }
      if (c.mode === 'oom') {
        if (isMainThread) throw new Error(`fault injected at frame ${frame.frameNumber} (oom)`)
        const hoard: number[][] = []
        for (;;) hoard.push(new Array<number>(1 << 20).fill(hoard.length))
      }
    }
    this.inner.push(frame)
  }

  finish(): unknown {
    if (this.config.mode === 'finish') throw new Error('fault injected in finish')
    const result = this.inner.finish()
    if (this.config.mode === 'clone') return { ...result, notData: () => 0 }
    return result
  }
}
