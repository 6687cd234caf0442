/**
 * ShardPool with real worker threads running the compiled worker (compiled.ts builds it once).
 * Affinity, bounded memory, and every way a worker can fail: each must end the run with one
 * clear error naming the capture and the batch, and never hang.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { CaptureError } from '../../src/capture/errors.js'
import { pcapFile } from '../../src/capture/writer.js'
import { openCapture } from '../../src/capture/open.js'
import { Router } from '../../src/engine/route.js'
import { AnalyzerError } from '../../src/engine/errors.js'
import { runPipeline } from '../../src/engine/run.js'
import type { CountResult } from '../../src/engine/shard.js'
import { MIN_BATCH_BYTES } from '../../src/worker/batch.js'
import { ShardPool, ShardWorkerError } from '../../src/worker/pool.js'
import { packet } from '../../src/samples/packet.js'
import { compiledTree } from './compiled.js'

const dir = mkdtempSync(join(tmpdir(), 'hubcap-pool-'))
const capture = join(dir, 'udp-mesh.pcap')
const FRAMES = 3000
writeFileSync(capture, pcapFile(Array.from({ length: FRAMES }, (_, i) => {
  const a = `10.0.${i % 13}.${1 + (i % 29)}`
  const b = `192.0.2.${1 + (i % 7)}`
  const up = i % 2 === 0
  const data = packet().eth().ipv4(up ? a : b, up ? b : a).udp(up ? 30000 + (i % 500) : 53, up ? 53 : 30000 + (i % 500)).payload(new Uint8Array(i % 300)).build()
  return { data, tsSec: 1763632800 + i }
})))

let workerUrl: URL
beforeAll(() => {
  workerUrl = compiledTree().workerUrl
})

async function feed(pool: ShardPool, route: (f: import('../../src/capture/frame.js').Frame) => number): Promise<unknown[]> {
  const reader = await openCapture(capture)
  for await (const frames of reader.batches()) {
    for (const f of frames) {
      const wait = pool.add(route(f), f, 0)
      if (wait) await wait
    }
  }
  return pool.finish()
}

describe('ShardPool', () => {
  it('keeps every flow on one worker and uses all of them', async () => {
    const router = new Router(3)
    const pool = new ShardPool({ shards: 3, analyzer: 'count', config: {}, files: [capture], workerUrl })
    const parts = (await feed(pool, (f) => router.shardOf(f))) as CountResult[]
    expect(parts.map((p) => p.packets).reduce((a, b) => a + b)).toBe(FRAMES)
    const owner = new Map<string, number>()
    parts.forEach((p, shard) => {
      expect(p.packets).toBeGreaterThan(FRAMES / 6) // 3 shards, roughly balanced
      for (const f of p.flows) {
        expect(owner.get(f.key) ?? shard).toBe(shard)
        owner.set(f.key, shard)
      }
    })
    expect(pool.shardStats.map((s) => s?.frames)).toEqual(parts.map((p) => p.packets))
  })

  it('holds a bounded number of buffers however many batches pass (backpressure + reuse)', async () => {
    const pool = new ShardPool({ shards: 2, analyzer: 'count', config: {}, files: [capture], workerUrl, batchBytes: MIN_BATCH_BYTES, maxInFlight: 1 })
    await feed(pool, (f) => f.frameNumber % 2)
    const batches = pool.shardStats.reduce((n, s) => n + s!.batches, 0)
    expect(batches).toBeGreaterThan(100)
    // 2 writers + 1 in flight each, plus buffers on their way back.
    expect(pool.bufferStats.allocated).toBeLessThanOrEqual(2 * (1 + 2))
    expect(pool.bufferStats.reused).toBeGreaterThan(batches - 10)
  })
})

describe('runPipeline with failing workers', () => {
  const run = (config: unknown, extra: object = {}) =>
    runPipeline({ files: [capture], workers: 2, analyzer: 'fault', config, workerUrl, batchBytes: 16 * 1024, ...extra })

  async function failure(p: Promise<unknown>): Promise<ShardWorkerError> {
    const e = await p.then(() => null, (x: unknown) => x)
    expect(e).toBeInstanceOf(ShardWorkerError)
    return e as ShardWorkerError
  }

  it('names the capture, frames and bytes of the batch when the analyzer throws', async () => {
    const e = await failure(run({ mode: 'throw', frame: 1500 }))
    expect(e.message).toMatch(/^worker [12] of 2 failed while analysing .*udp-mesh\.pcap frames \d+-\d+ \(records at file bytes \d+-\d+, batch \d+\): frame 1500: fault injected at frame 1500$/)
    expect(e.file).toBe(capture)
    expect(e.batch!.firstFrame).toBeLessThanOrEqual(1500)
    expect(e.batch!.lastFrame).toBeGreaterThanOrEqual(1500)
    expect((e.cause as Error).stack).toMatch(/FaultAnalyzer/)
  }, 20_000)

  it('fails when a worker thread exits', async () => {
    const e = await failure(run({ mode: 'exit', frame: 10 }))
    expect(e.message).toMatch(/exited with code 3 while analysing .*udp-mesh\.pcap frames \d+-\d+ .*: no result was sent/)
    expect(e.batch!.firstFrame).toBeLessThanOrEqual(10)
  }, 20_000)

  it('fails when a worker runs out of its heap limit', async () => {
    const e = await failure(run({ mode: 'oom', frame: 2000 }, { resourceLimits: { maxOldGenerationSizeMb: 48 } }))
    expect(e.message).toMatch(/crashed while analysing .*udp-mesh\.pcap frames .*memory.*heap is limited to 48 MB; node --max-old-space-size=MB/)
  }, 30_000)

  it('fails when finish throws or returns what cannot cross threads', async () => {
    expect((await failure(run({ mode: 'finish' }))).message).toMatch(/failed while finishing its shard: fault injected in finish/)
    expect((await failure(run({ mode: 'clone' }))).message).toMatch(/failed while finishing its shard: .*could not be cloned/)
  }, 20_000)

  it('fails at start when the worker entry cannot be loaded', async () => {
    const e = await failure(runPipeline({
      files: [capture], workers: 2, analyzer: 'count', config: {}, workerUrl: pathToFileURL(join(dir, 'missing.js')),
    }))
    expect(e.message).toMatch(/crashed while starting: .*missing\.js/)
  }, 20_000)

  it('stops the workers when a later capture is unreadable', async () => {
    const bad = join(dir, 'bad.pcap')
    writeFileSync(bad, 'not a capture at all')
    const e = await runPipeline({ files: [capture, bad], workers: 2, analyzer: 'count', config: {}, workerUrl }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(CaptureError)
    expect((e as Error).message).toMatch(/bad\.pcap: byte 0: not a pcap or pcapng capture/)
  }, 20_000)

  it('names the capture and frame in-process too (--workers 1)', async () => {
    const e = await runPipeline({ files: [capture], workers: 1, analyzer: 'fault', config: { mode: 'throw', frame: 42 } }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AnalyzerError)
    expect((e as Error).message).toMatch(/^analyzer failed on .*udp-mesh\.pcap frame 42 \(record at file byte \d+\): fault injected at frame 42$/)
  })

  it('refuses an unknown analyzer before starting any worker', async () => {
    await expect(runPipeline({ files: [capture], workers: 2, analyzer: 'nope', config: {}, workerUrl })).rejects.toThrow(/unknown analyzer "nope" \(known: analyze, flows, count, fault\)/)
  })
})
