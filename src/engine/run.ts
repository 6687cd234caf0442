/**
 * One analysis run over one or more captures (one window: fed in order, frame numbers per file):
 *
 *   openCapture(file i) ─► Frame[] ─┬─ workers <= 1: analyzer.push(frame)                (in-process)
 *                                   └─ workers >= 2: Router.route(frame) ─► ShardPool.add(k, frame, i, share)
 *                                                      ─► batch ─► worker k: analyzer.push(frame, share)
 *                                                         (one frame may go to several workers: route.ts)
 *   ─► parts (one per shard, in shard order) ─► mergeResults(analyzer, parts) ─► result
 *
 * `--workers 1` (and 0) runs in-process: the same analyzer code, fed the reader's frames directly,
 * with neither the routing decode nor the copy into batches. A single worker would only add
 * those costs plus a thread (the main thread would be reading and copying while one worker
 * analyses: a pipeline of two stages, which bench/worker-pool.ts measures); the merge step is
 * the same in both modes (one part), so the JSON is the same by construction and by test.
 */
import { statSync } from 'node:fs'
import type { ResourceLimits } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import type { Frame } from '../capture/frame.js'
import { openCapture, type CaptureInfo } from '../capture/open.js'
import { ShardPool, type ShardPoolOptions } from '../worker/pool.js'
import type { ShardStats } from '../worker/protocol.js'
import { AnalyzerError } from './errors.js'
import { Router, type Routes } from './route.js'
import { createAnalyzer, mergeResults, routesLevels, unpackResult, type ShardAnalyzer } from './shard.js'

export interface PipelineProgress {
  /** The capture being read (index into `files`). */
  fileIndex: number
  file: string
  /** Bytes read from the capture files so far (as stored: compressed bytes for gzip). */
  bytesRead: number
  /** Sum of the files' sizes; null when one of them is standard input or could not be sized. */
  bytesTotal: number | null
  packets: number
  /** Flows seen so far (in-process: exact; with workers: as of their last finished batches); null when the analyzer does not count flows. */
  flows: number | null
  elapsedMs: number
  /** True on the last call, once every capture has been read (before the merge). */
  done: boolean
}

export interface PipelineOptions {
  /** Capture paths in window order; '-' is standard input (once). */
  files: readonly string[]
  /** 0 or 1: in-process; N >= 2: N shard workers. */
  workers: number
  /** Name in the analyzer table (engine/shard.ts) and its plain-data config. */
  analyzer: string
  config: unknown
  /** Read size (openCapture); default 256 KiB. */
  chunkSize?: number
  /** Batch buffer size for workers; default 256 KiB. */
  batchBytes?: number
  /** Batches in flight per worker before the reader waits; default 4. */
  maxInFlight?: number
  /** Extra VXLAN ports, so that routing sees the same inner flows as the analyzers (balance only). */
  vxlanPorts?: readonly number[]
  onProgress?: (p: PipelineProgress) => void
  /** Least time between two progress calls; default 200 ms. */
  progressIntervalMs?: number
  /** For tests and embedders: where worker.js is (default: next to pool.js). */
  workerUrl?: URL
  /** Heap limits per worker; exceeding one fails the run with a clear error. */
  resourceLimits?: ResourceLimits
}

export interface PipelineResult {
  /** mergeResults(analyzer, parts): the same JSON for any worker count, batch or chunk size. */
  result: unknown
  /** One per capture, in order, complete (packets, warnings, interfaces). */
  captures: CaptureInfo[]
  stats: {
    /** Threads that analysed: 0 for in-process. */
    workers: number
    packets: number
    elapsedMs: number
    /** Per worker (empty in-process). */
    shards: Array<ShardStats | null>
    /** Batch buffers allocated and reused (0 in-process). */
    buffers: { allocated: number; reused: number }
    /** Bounded lists the workers were told to cut short (engine/list-cutoffs.ts; none in-process). */
    listCutoffs: string[]
  }
}

/** Where frames go: straight into one analyzer, or through the router into the pool. */
interface Sink {
  startFile(fileIndex: number, file: string): void
  /** Returns a promise only when the caller must wait (backpressure). */
  push(frames: Frame[], fileIndex: number, file: string): Promise<void> | null
  endFile(): Promise<void>
  finish(): Promise<unknown[]>
  close(): Promise<void>
  flowsSoFar(): number | null
}

class InlineSink implements Sink {
  private readonly analyzer: ShardAnalyzer<unknown>
  constructor(analyzer: ShardAnalyzer<unknown>) {
    this.analyzer = analyzer
  }
  startFile(fileIndex: number, file: string): void {
    this.analyzer.startFile?.(fileIndex, file)
  }
  flowsSoFar(): number | null {
    return this.analyzer.flowsSoFar ? this.analyzer.flowsSoFar() : null
  }
  push(frames: Frame[], _fileIndex: number, file: string): null {
    let i = 0
    try {
      for (; i < frames.length; i++) this.analyzer.push(frames[i]!)
    } catch (e) {
      throw new AnalyzerError(file, frames[i]!, e)
    }
    return null
  }
  endFile(): Promise<void> {
    return Promise.resolve()
  }
  finish(): Promise<unknown[]> {
    return Promise.resolve([this.analyzer.finish()])
  }
  close(): Promise<void> {
    return Promise.resolve()
  }
}

class PoolSink implements Sink {
  readonly pool: ShardPool
  private readonly router: Router
  private readonly analyzer: string
  /** The latest capture time of the run (workers classify idle flows at the end by it). */
  private endSec = -1
  private endNsec = 0
  constructor(opts: ShardPoolOptions, vxlanPorts: readonly number[] | undefined) {
    this.router = new Router(opts.shards, vxlanPorts ? { vxlanPorts } : {}, routesLevels(opts.analyzer))
    this.pool = new ShardPool(opts)
    this.analyzer = opts.analyzer
  }
  flowsSoFar(): number | null {
    return this.pool.flowsSoFar
  }
  startFile(): void {
    // Batches carry their file index; each worker tells its analyzer.
  }
  push(frames: Frame[], fileIndex: number): Promise<void> | null {
    return this.pushFrom(frames, 0, fileIndex)
  }
  /** Routes frames[from..] into the pool; at a full worker, the rest goes on once it has room. */
  private pushFrom(frames: Frame[], from: number, fileIndex: number): Promise<void> | null {
    for (let i = from; i < frames.length; i++) {
      const f = frames[i]!
      this.seen(f)
      const r = this.router.route(f)
      for (let j = 0; j < r.count; j++) {
        const wait = this.pool.add(r.shard[j]!, f, fileIndex, r.share[j]!)
        if (wait) return this.pushRest(wait, frames, i, restOf(r, j + 1), fileIndex)
      }
    }
    return null
  }
  /** Once `wait` has resolved: the `rest` of frame `i`'s routes, then the frames after it. */
  private async pushRest(wait: Promise<void>, frames: Frame[], i: number, rest: Array<readonly [number, number]>, fileIndex: number): Promise<void> {
    await wait
    for (const [shard, share] of rest) {
      const w = this.pool.add(shard, frames[i]!, fileIndex, share)
      if (w) await w
    }
    await this.pushFrom(frames, i + 1, fileIndex)
  }
  private seen(f: Frame): void {
    if (f.tsSec > this.endSec || (f.tsSec === this.endSec && f.tsNsec > this.endNsec)) {
      this.endSec = f.tsSec
      this.endNsec = f.tsNsec
    }
  }
  endFile(): Promise<void> {
    return this.pool.flush()
  }
  async finish(): Promise<unknown[]> {
    // Workers post their results packed (engine/transfer.ts); unpacked here, in shard order.
    const end = this.endSec < 0 ? null : { tsSec: this.endSec, tsNsec: this.endNsec }
    return (await this.pool.finish(end)).map((r) => unpackResult(this.analyzer, r))
  }
  close(): Promise<void> {
    return this.pool.close()
  }
}

/** Routes `from` on as [shard, share] pairs (the router reuses its Routes for the next frame). */
function restOf(r: Routes, from: number): Array<readonly [number, number]> {
  const rest: Array<readonly [number, number]> = []
  for (let j = from; j < r.count; j++) rest.push([r.shard[j]!, r.share[j]!])
  return rest
}

function checkOptions(o: PipelineOptions): void {
  if (o.files.length === 0) throw new Error('no capture files given')
  if (o.files.filter((f) => f === '-').length > 1) throw new Error("standard input ('-') can be read only once")
  if (!Number.isInteger(o.workers) || o.workers < 0) throw new RangeError(`workers must be an integer >= 0, not ${o.workers}`)
}

export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  checkOptions(opts)
  const t0 = performance.now()
  const files = opts.files
  // Builds the analyzer here first: an unknown name or a bad config fails before any worker starts.
  const local = createAnalyzer(opts.analyzer, opts.config)
  const pooled = opts.workers >= 2
  const sink: Sink = pooled
    ? new PoolSink({
      shards: opts.workers, analyzer: opts.analyzer, config: opts.config, files,
      ...(opts.batchBytes !== undefined ? { batchBytes: opts.batchBytes } : {}),
      ...(opts.maxInFlight !== undefined ? { maxInFlight: opts.maxInFlight } : {}),
      ...(opts.workerUrl ? { workerUrl: opts.workerUrl } : {}),
      ...(opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {}),
    }, opts.vxlanPorts)
    : new InlineSink(local)

  const sizes = files.map((f) => {
    if (f === '-') return null
    try { return statSync(f).size } catch { return null }
  })
  const bytesTotal = sizes.every((s) => s !== null) ? sizes.reduce<number>((a, s) => a + s!, 0) : null
  const interval = opts.progressIntervalMs ?? 200
  const captures: CaptureInfo[] = []
  let packets = 0
  let bytesBefore = 0 // bytes of the files already read
  let lastProgress = -Infinity

  try {
    for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
      const file = files[fileIndex]!
      const chunkSize = opts.chunkSize
      // Frames are used only within their batch (the analyzers and the batch writer copy what they
      // keep), so the reader may read the file into one buffer again and again.
      const reader = await openCapture(file, { ...(chunkSize ? { chunkSize } : {}), reuseBuffers: true })
      const progress = (done: boolean): void => {
        if (!opts.onProgress) return
        const now = performance.now()
        if (!done && now - lastProgress < interval) return
        lastProgress = now
        opts.onProgress({
          fileIndex, file, bytesRead: bytesBefore + reader.bytesRead, bytesTotal,
          packets, flows: sink.flowsSoFar(), elapsedMs: now - t0, done,
        })
      }
      sink.startFile(fileIndex, file)
      for await (const frames of reader.batches()) {
        const wait = sink.push(frames, fileIndex, file)
        if (wait) await wait
        packets += frames.length
        progress(false)
      }
      await sink.endFile()
      captures.push(reader.info)
      if (fileIndex === files.length - 1) progress(true)
      bytesBefore += reader.bytesRead
    }
    const parts = await sink.finish()
    const result = mergeResults(opts.analyzer, parts, opts.config)
    const pool = sink instanceof PoolSink ? sink.pool : null
    return {
      result,
      captures,
      stats: {
        workers: pooled ? opts.workers : 0,
        packets,
        elapsedMs: performance.now() - t0,
        shards: pool ? pool.shardStats : [],
        buffers: pool ? pool.bufferStats : { allocated: 0, reused: 0 },
        listCutoffs: pool ? [...pool.listCutoffs.keys()].sort() : [],
      },
    }
  } catch (e) {
    await sink.close()
    throw e
  }
}
