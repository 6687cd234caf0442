/**
 * A shard worker: no logic of its own. It builds the analyzer named in its workerData, feeds it
 * the frames of every batch in order, hands each buffer back, and posts the result once.
 * Any exception becomes a Failed message naming the batch and frame; after that it ignores
 * everything (the main thread terminates it). Crashes it cannot report (out of memory, exit)
 * the main thread sees as 'error' / 'exit' events (pool.ts).
 *
 * Run as `new Worker(new URL('./worker.js', import.meta.url), { workerData: StartData })`.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { createAnalyzer, packResult, type ShardAnalyzer } from '../engine/shard.js'
import { readBatch } from './batch.js'
import type { FailedMessage, FromWorker, ShardStats, StartData, ToWorker } from './protocol.js'

/** Serves one shard on `port` until Finish or the first failure. */
export function serveShard(port: MessagePort, start: StartData): void {
  const stats: ShardStats = { batches: 0, frames: 0, busyMs: 0 }
  const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? [])
  let failed = false
  let seq: number | null = null
  let frame: number | null = null
  const fail = (e: unknown): void => {
    failed = true
    const err = e instanceof Error ? e : new Error(String(e))
    const m: FailedMessage = { type: 'failed', shard: start.shard, seq, frame, message: err.message, stack: err.stack ?? null }
    post(m)
  }

  let analyzer: ShardAnalyzer<unknown>
  try {
    analyzer = createAnalyzer(start.analyzer, start.config, start.shards)
  } catch (e) {
    fail(e)
    return
  }
  let fileIndex = -1
  post({ type: 'ready' })

  port.on('message', (msg: ToWorker) => {
    if (failed) return
    const t0 = performance.now()
    try {
      switch (msg.type) {
        case 'batch': {
          seq = msg.seq
          const { info, frames, shares } = readBatch(msg.buffer)
          // Tell the analyzer about every file up to this batch's, in order.
          while (fileIndex < info.fileIndex) {
            fileIndex++
            analyzer.startFile?.(fileIndex, start.files[fileIndex] ?? `#${fileIndex}`)
          }
          for (let i = 0; i < frames.length; i++) {
            const f = frames[i]!
            frame = f.frameNumber
            analyzer.push(f, shares[i])
          }
          frame = null
          stats.batches++
          stats.frames += frames.length
          stats.busyMs += performance.now() - t0
          post({ type: 'ack', seq: msg.seq, buffer: msg.buffer, flows: analyzer.flowsSoFar?.() ?? -1, lists: analyzer.listReport?.() ?? null }, [msg.buffer])
          seq = null
          break
        }
        case 'cutoff':
          analyzer.cutoff?.(msg.list, msg.key)
          stats.busyMs += performance.now() - t0
          break
        case 'finish': {
          const { value, transfer } = packResult(start.analyzer, analyzer.finish(msg.end ?? undefined))
          stats.busyMs += performance.now() - t0
          post({ type: 'result', shard: start.shard, result: value, stats }, transfer)
          port.close()
          break
        }
        default: {
          const unknown: never = msg
          throw new Error(`unknown message ${JSON.stringify(unknown)}`)
        }
      }
    } catch (e) {
      fail(e)
    }
  })
}

// Only in a thread started as a shard worker: importing this module elsewhere (a test, a thread
// of a test runner) starts nothing.
if (!isMainThread && parentPort && (workerData as Partial<StartData> | null)?.kind === 'hubcap-shard') {
  serveShard(parentPort, workerData as StartData)
}
