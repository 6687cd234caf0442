/**
 * N long-lived shard workers (node:worker_threads), one shard each. Frames are routed to a shard
 * by the caller (engine/route.ts), copied into that shard's open batch (batch.ts), and a full
 * batch is transferred to its worker. Flow affinity is the point: shard k always goes to worker
 * k, so every per-flow state machine lives on one thread (piscina and worker-threads-pool hand
 * tasks to any free worker; bench/worker-pool.ts measures the difference).
 *
 * Backpressure: at most `maxInFlight` batches per worker are sent and not yet acknowledged; the
 * sender awaits a drain promise when a worker is that far behind, so memory stays at about
 * shards x (maxInFlight + 1) x batchBytes however large the capture. Acknowledged buffers come
 * back transferred and are reused for the next batches.
 *
 * Failure: the first worker that throws (Failed message), crashes ('error': exceptions outside
 * a handler, ERR_WORKER_OUT_OF_MEMORY under resourceLimits), exits early or cannot deliver a
 * message fails the whole run: every pending drain and result promise rejects with one
 * ShardWorkerError naming the worker, the capture and the frames and bytes of the batch it was
 * on, and all workers are terminated. Nothing waits on a worker that is gone, so no hang.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads'
import type { Frame } from '../capture/frame.js'
import { workerExecArgv, workerResourceLimits } from './heap.js'
import { BatchWriter, BufferPool, DEFAULT_BATCH_BYTES, MIN_BATCH_BYTES, type BatchInfo } from './batch.js'
import { ListCutoffs } from '../engine/list-cutoffs.js'
import type { ListKey, ListReports } from '../observe/list-key.js'
import type { FinishMessage, FromWorker, ShardStats, StartData, ToWorker } from './protocol.js'

/** Batches a worker may have queued before the sender waits (DESIGN: "a few"). */
export const DEFAULT_MAX_IN_FLIGHT = 4

export interface ShardPoolOptions {
  shards: number
  analyzer: string
  config: unknown
  /** Capture names by file index (for the analyzer and error messages). */
  files: readonly string[]
  batchBytes?: number
  maxInFlight?: number
  /** The worker entry; default worker.js next to this module (dist/src/worker/worker.js). */
  workerUrl?: URL
  resourceLimits?: ResourceLimits
  /** Reuse buffers that come back from workers (default true; the bench turns it off to compare). */
  reuseBuffers?: boolean
}

/** A worker failed; the run is over. */
export class ShardWorkerError extends Error {
  override readonly name = 'ShardWorkerError'
  readonly shard: number
  /** The batch the worker was on, when there was one. */
  readonly batch: BatchInfo | null
  readonly file: string | null

  constructor(message: string, shard: number, batch: BatchInfo | null, file: string | null, options?: ErrorOptions) {
    super(message, options)
    this.shard = shard
    this.batch = batch
    this.file = file
  }
}

interface Waiter<T> {
  resolve(v: T): void
  reject(e: Error): void
}

interface Shard {
  index: number
  worker: Worker
  writer: BatchWriter
  seq: number
  /** Sent, not yet acknowledged, oldest first: the first is the one the worker is on. */
  inFlight: BatchInfo[]
  drain: Waiter<void> | null
  result: Waiter<unknown> | null
  /** The worker loaded and built its analyzer (a failure before that is a failure to start). */
  ready: boolean
  done: boolean
  stats: ShardStats | null
  /** The analyzer's flows as of its last acknowledged batch (-1: it does not count them; null: no batch acknowledged yet). */
  flows: number | null
}

export class ShardPool {
  readonly shards: number
  private readonly list: Shard[]
  private readonly buffers: BufferPool
  private readonly maxInFlight: number
  private readonly files: readonly string[]
  private failure: ShardWorkerError | null = null
  /** Said after a worker's out-of-memory error: what its limit was and how to change it. */
  private readonly heapHint: string
  private closing = false
  private finishing = false
  /** The analyzer's bounded lists, cut short for every worker once the run's first entries are known. */
  private readonly cutoffs: ListCutoffs

  constructor(opts: ShardPoolOptions) {
    const batchBytes = opts.batchBytes ?? DEFAULT_BATCH_BYTES
    if (!Number.isInteger(opts.shards) || opts.shards < 1) throw new RangeError(`shards must be a positive integer, not ${opts.shards}`)
    if (!Number.isInteger(batchBytes) || batchBytes < MIN_BATCH_BYTES) throw new RangeError(`batchBytes must be an integer >= ${MIN_BATCH_BYTES}`)
    this.shards = opts.shards
    this.files = opts.files
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT)
    // Enough idle buffers for every in-flight batch to come back and be reused.
    this.buffers = new BufferPool(batchBytes, opts.reuseBuffers === false ? 0 : opts.shards * (this.maxInFlight + 1))
    const url = opts.workerUrl ?? new URL('./worker.js', import.meta.url)
    const limits = workerResourceLimits(opts.resourceLimits)
    this.heapHint = `(each worker's heap is limited to ${limits.maxOldGenerationSizeMb ?? '?'} MB; ` +
      'node --max-old-space-size=MB, e.g. NODE_OPTIONS=--max-old-space-size=4096, sets another limit)'
    this.cutoffs = new ListCutoffs(opts.shards)
    this.list = []
    for (let index = 0; index < opts.shards; index++) {
      const workerData: StartData = { kind: 'hubcap-shard', shard: index, shards: opts.shards, analyzer: opts.analyzer, config: opts.config, files: opts.files }
      const worker = new Worker(url, {
        workerData,
        // Node's options as parsed, inherited (undefined), or a list without what a worker refuses (heap.ts).
        execArgv: workerExecArgv(),
        resourceLimits: limits,
      })
      const s: Shard = {
        index, worker, writer: new BatchWriter(this.buffers), seq: 0, inFlight: [], drain: null, result: null, ready: false, done: false, stats: null, flows: null,
      }
      worker.on('message', (m: FromWorker) => this.onMessage(s, m))
      worker.on('error', (e: Error) => this.fail(s, null, 'crashed', outOfMemory(e) ? `${e.message} ${this.heapHint}` : e.message, e))
      worker.on('messageerror', (e: Error) => this.fail(s, null, 'sent a message that could not be read', e.message, e))
      worker.on('exit', (code: number) => {
        if (!s.done && !this.closing) this.fail(s, null, `exited with code ${code}`, 'no result was sent')
      })
      this.list.push(s)
    }
  }

  /** Buffers allocated and reused so far. */
  get bufferStats(): { allocated: number; reused: number } {
    return { allocated: this.buffers.allocated, reused: this.buffers.reused }
  }

  /** Per-shard counts from the workers (after finish). */
  /**
   * Flows over all shards as of their last acknowledged batches; null before any worker has
   * answered, and for an analyzer that does not count flows (its workers answer -1).
   */
  get flowsSoFar(): number | null {
    const answered = this.list.filter((s) => s.flows !== null)
    if (answered.length === 0 || answered.some((s) => s.flows! < 0)) return null
    return answered.reduce((n, s) => n + s.flows!, 0)
  }

  get shardStats(): Array<ShardStats | null> {
    return this.list.map((s) => s.stats)
  }

  /**
   * Copies `frame` (of capture `fileIndex`) into shard `shard`'s open batch, with its `share` for the
   * analyzer (flow/share.ts). Returns null, or,
   * when that batch was full and had to be sent, a promise to await before the next add: it
   * resolves when the worker has room again (and rejects when the run has failed).
   */
  add(shard: number, frame: Frame, fileIndex: number, share = 0): Promise<void> | null {
    const s = this.list[shard]!
    if (s.writer.add(frame, fileIndex, share)) return null
    return this.sendThenAdd(s, frame, fileIndex, share)
  }

  private async sendThenAdd(s: Shard, frame: Frame, fileIndex: number, share: number): Promise<void> {
    await this.send(s)
    s.writer.add(frame, fileIndex, share) // an empty writer takes any frame
  }

  /** Sends every open batch (at the end of a capture: a batch holds one file's frames). */
  async flush(): Promise<void> {
    for (const s of this.list) await this.send(s)
  }

  private async send(s: Shard): Promise<void> {
    if (this.failure) throw this.failure
    const batch = s.writer.take(s.seq)
    if (!batch) return
    s.seq++
    s.inFlight.push(batch.info)
    const m: ToWorker = { type: 'batch', seq: batch.info.seq, buffer: batch.buffer }
    s.worker.postMessage(m, [batch.buffer])
    if (s.inFlight.length >= this.maxInFlight) {
      await new Promise<void>((resolve, reject) => { s.drain = { resolve, reject } })
    }
  }

  /**
   * Sends what is left, asks every worker for its result (giving each the run's last capture time `end`),
   * and returns the results in shard order.
   *
   * One worker finishes at a time, and each is terminated once its result is here: a worker's finish builds
   * its result's objects and their packed copy beside its state, and when all did it at once their peaks
   * added up. 1 GiB mix, default `analyze`, 3 runs each alternated: peak RSS 373-379 → 333-343 MiB at the
   * same time (6.7-9.0 s against 6.7-7.8 s); 2 M-flow mix, default `flows`: 635-642 → 590-601 MiB.
   */
  async finish(end: FinishMessage['end'] = null): Promise<unknown[]> {
    await this.flush()
    if (this.failure) throw this.failure
    this.finishing = true
    const results: unknown[] = []
    try {
      for (const s of this.list) {
        results.push(await new Promise<unknown>((resolve, reject) => {
          s.result = { resolve, reject }
          const m: ToWorker = { type: 'finish', end }
          s.worker.postMessage(m)
        }))
        void s.worker.terminate()
      }
      return results
    } finally {
      await this.close()
    }
  }

  /** Terminates every worker (idempotent). After a failure or an error of the caller. */
  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    await Promise.all(this.list.map((s) => s.worker.terminate()))
  }

  private onMessage(s: Shard, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        s.ready = true
        break
      case 'ack': {
        s.flows = m.flows
        if (m.lists) this.cut(m.lists, s.index)
        s.inFlight.shift()
        this.buffers.give(m.buffer)
        if (s.drain && s.inFlight.length < this.maxInFlight) {
          const d = s.drain
          s.drain = null
          d.resolve()
        }
        break
      }
      case 'result': {
        s.done = true
        s.stats = m.stats
        s.result?.resolve(m.result)
        s.result = null
        break
      }
      case 'failed': {
        const batch = m.seq === null ? null : s.inFlight.find((b) => b.seq === m.seq) ?? null
        const cause = new Error(m.message)
        if (m.stack) cause.stack = m.stack
        this.fail(s, batch, 'failed', m.frame === null ? m.message : `frame ${m.frame}: ${m.message}`, cause, batch === null)
        break
      }
      default: {
        const unknown: never = m
        this.fail(s, null, 'sent an unknown message', JSON.stringify(unknown))
      }
    }
  }

  /** Shard `shard` reported its bounded lists: tell every worker of the cutoffs that decides. */
  private cut(lists: ListReports, shard: number): void {
    for (const [list, key] of this.cutoffs.update(shard, lists)) {
      const m: ToWorker = { type: 'cutoff', list, key }
      for (const x of this.list) if (!x.done) x.worker.postMessage(m)
    }
  }

  /** Cutoffs sent so far (tests). */
  get listCutoffs(): ReadonlyMap<string, ListKey> {
    return this.cutoffs.cutoffs
  }

  /**
   * The run is over: one error for everyone waiting. `batch` null means "the batch it was on",
   * the oldest unacknowledged one, unless `noBatch` (it failed starting or finishing).
   */
  private fail(s: Shard, batch: BatchInfo | null, what: string, detail: string, cause?: Error, noBatch = false): void {
    if (this.failure || this.closing) return
    const b = batch ?? (noBatch || !s.ready ? null : s.inFlight[0] ?? null)
    const file = b ? this.files[b.fileIndex] ?? `#${b.fileIndex}` : null
    const during = b
      ? `while analysing ${file} frames ${b.firstFrame}-${b.lastFrame} (records at file bytes ${b.firstOffset}-${b.lastOffset}, batch ${b.seq})`
      : !s.ready ? 'while starting' : this.finishing ? 'while finishing its shard' : 'between batches'
    const err = new ShardWorkerError(
      `worker ${s.index + 1} of ${this.shards} ${what} ${during}: ${detail}`, s.index, b, file, cause ? { cause } : undefined,
    )
    this.failure = err
    for (const x of this.list) {
      x.drain?.reject(err)
      x.drain = null
      x.result?.reject(err)
      x.result = null
    }
    void this.close()
  }
}

function outOfMemory(e: Error): boolean {
  return (e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
}
