/**
 * Every message between the main thread and a shard worker, in one place (piscina keeps its
 * types the same way). Each has a `type` discriminant; both sides switch on it exhaustively.
 *
 *   main                                         worker k (worker.ts)
 *   new Worker(url, { workerData: Start }) ────► createAnalyzer(analyzer, config)
 *                       ◄──── Ready                 (the entry loaded and the analyzer was built)
 *   Batch { seq, buffer }   (buffer transferred) ►  readBatch → analyzer.push(frame, share) ...
 *                       ◄──── Ack { seq, buffer, flows, lists }   (buffer transferred back: reused, and the drain signal)
 *   Cutoff { list, key } ───────────────────────►  analyzer.cutoff(list, key)   (engine/list-cutoffs.ts)
 *   Finish { end } ────────────────────────────►  analyzer.finish(end)
 *                       ◄──── Result { shard, result, stats }   (once per shard: packed flow records transferred, engine/transfer.ts; the rest cloned)
 *                       ◄──── Failed { shard, seq, frame, message, stack }   (instead of anything else)
 *
 * Messages on one port arrive in the order they were sent, so a worker's Result comes after the
 * Ack of its last batch, and a batch's frames reach the analyzer in capture order.
 */
import type { ListKey, ListReports } from '../observe/list-key.js'

/** workerData of a shard worker: everything it needs to build its analyzer. Plain data only. */
export interface StartData {
  /** Marks the workerData of a shard worker (worker.ts serves only such a thread). */
  kind: 'hubcap-shard'
  shard: number
  shards: number
  analyzer: string
  config: unknown
  /** The captures of the run, by file index (batches name theirs by index). */
  files: readonly string[]
}

export interface BatchMessage {
  type: 'batch'
  seq: number
  buffer: ArrayBuffer
}

/** Keep nothing of `list` after `key` (engine/list-cutoffs.ts). */
export interface CutoffMessage {
  type: 'cutoff'
  list: string
  key: ListKey
}

export interface FinishMessage {
  type: 'finish'
  /** The run's last capture time (a worker sees only its frames'); null when no frame had one. */
  end: { tsSec: number; tsNsec: number } | null
}

export type ToWorker = BatchMessage | CutoffMessage | FinishMessage

export interface ReadyMessage {
  type: 'ready'
}

export interface AckMessage {
  type: 'ack'
  seq: number
  /** The batch buffer, transferred back for reuse. */
  buffer: ArrayBuffer
  /** The analyzer's flows so far (progress line); -1 when it does not count flows. */
  flows: number
  /** Its bounded lists (engine/list-cutoffs.ts); null when it has none. */
  lists: ListReports | null
}

export interface ShardStats {
  batches: number
  frames: number
  /** Time spent in readBatch + analyzer.push + finish, in ms. */
  busyMs: number
}

export interface ResultMessage {
  type: 'result'
  shard: number
  result: unknown
  stats: ShardStats
}

export interface FailedMessage {
  type: 'failed'
  shard: number
  /** The batch being processed, or null when the worker failed while starting or finishing. */
  seq: number | null
  /** The frame being analysed (its number in its file), or null outside a frame. */
  frame: number | null
  message: string
  stack: string | null
}

export type FromWorker = ReadyMessage | AckMessage | ResultMessage | FailedMessage
