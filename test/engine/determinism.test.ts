/**
 * The pipeline's promise (DESIGN "Deterministic output"): the same window gives byte-identical
 * JSON for any worker count, batch size and read chunk size. The 'count' analyzer is sensitive
 * to what affinity protects (fragments reassembled on their shard, replies seen after their
 * flow's first packet, ICMP errors after the flow they quote), and the last test shows that a
 * router without affinity changes its JSON, so agreement here is not agreement by accident.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openCapture } from '../../src/capture/open.js'
import { pcapFile } from '../../src/capture/writer.js'
import type { AnalyzeResult } from '../../src/engine/analyze.js'
import { Router } from '../../src/engine/route.js'
import { runPipeline } from '../../src/engine/run.js'
import { mergeCounts, type CountResult } from '../../src/engine/shard.js'
import { ShardPool } from '../../src/worker/pool.js'
import type { FlowSummary } from '../../src/flow/tracker.js'
import { flowsJson, flowsTable, type FlowsSummary } from '../../src/report/flows-format.js'
import { loadPolicy } from '../../src/policy/load.js'
import { packet } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'
import { compiledTree } from '../worker/compiled.js'
import { mixedWindow } from './mixed-capture.js'

const window = mixedWindow()
const dir = mkdtempSync(join(tmpdir(), 'hubcap-determinism-'))
const files = [join(dir, 'a.pcap'), join(dir, 'b.pcapng')]
writeFileSync(files[0]!, window.pcap)
writeFileSync(files[1]!, window.pcapng)

let workerUrl: URL
beforeAll(() => {
  workerUrl = compiledTree().workerUrl
})

const KiB = 1024
const run = (workers: number, batchBytes: number, chunkSize: number) =>
  runPipeline({ files, workers, analyzer: 'count', config: {}, batchBytes, chunkSize, workerUrl })

describe('runPipeline determinism', () => {
  let reference = ''
  let result: CountResult

  beforeAll(async () => {
    const r = await run(1, 64 * KiB, 64 * KiB)
    result = r.result as CountResult
    reference = JSON.stringify(r.result)
  })

  it('counts what the generator wrote (the reference is a real analysis)', () => {
    expect(window.frames).toBeGreaterThan(2500)
    expect(result.packets).toBe(window.frames)
    const sum = (k: keyof CountResult['flows'][number]) => result.flows.reduce((n, f) => n + (f[k] as number), 0)
    expect(sum('icmpErrors')).toBe(window.expected.icmpErrors)
    expect(sum('knownErrors')).toBe(window.expected.icmpErrors) // every error came after its flow
    expect(sum('replies')).toBeGreaterThan(1000)
    // Each fragmented datagram completed: one packet under its ports (the last fragment) ...
    const reassembled = result.flows.filter((f) => f.key.startsWith('udp 10.3.0.') && f.key.includes(':4500'))
    expect(reassembled.reduce((n, f) => n + f.packets, 0)).toBe(window.expected.datagrams * 2) // + the reply
    // ... the same inner addresses in two VNIs are two flows, and non-IP frames have a key.
    expect(result.flows.some((f) => f.key.endsWith(' vni 5001'))).toBe(true)
    expect(result.flows.some((f) => f.key.endsWith(' vni 5002'))).toBe(true)
    expect(result.flows.find((f) => f.key === 'non-ip')?.packets).toBe(40)
  })

  for (const workers of [1, 2, 4]) {
    for (const batchBytes of workers === 1 ? [64 * KiB] : [64 * KiB, 1024 * KiB]) {
      for (const chunkSize of [4 * KiB, 64 * KiB, 1024 * KiB]) {
        it(`gives the same JSON with ${workers} worker(s), ${batchBytes / KiB} KiB batches, ${chunkSize / KiB} KiB reads`, async () => {
          const r = await run(workers, batchBytes, chunkSize)
          expect(JSON.stringify(r.result)).toBe(reference)
          expect(r.captures.map((c) => c.packets).reduce((a, b) => a + b)).toBe(window.frames)
          expect(r.stats.workers).toBe(workers === 1 ? 0 : workers)
        })
      }
    }
  }

  it('would notice a router without flow affinity (frames dealt round-robin)', async () => {
    const pool = new ShardPool({ shards: 2, analyzer: 'count', config: {}, files, workerUrl, batchBytes: 64 * KiB })
    for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
      const reader = await openCapture(files[fileIndex]!)
      let n = 0
      for await (const frames of reader.batches()) {
        for (const f of frames) {
          const wait = pool.add(n++ % 2, f, fileIndex)
          if (wait) await wait
        }
      }
      await pool.flush()
    }
    const split = mergeCounts((await pool.finish()) as CountResult[])
    expect(split.packets).toBe(result.packets)
    expect(split.checksum).toBe(result.checksum) // every frame arrived intact ...
    expect(JSON.stringify(split)).not.toBe(reference) // ... but per-flow state was torn apart
  })
})

describe('flows: the same output for any worker count, batch size and read size', () => {
  const flows = async (workers: number, batchBytes: number, chunkSize: number) => {
    const r = await runPipeline({ files, workers, analyzer: 'flows', config: { topN: 25, keepAll: true }, batchBytes, chunkSize, workerUrl })
    const s = r.result as FlowSummary
    const all: FlowsSummary = { count: s.count, top: s.all ?? [], byProto: s.byProto, byState: s.byState }
    const top: FlowsSummary = { count: s.count, top: s.top, byProto: s.byProto, byState: s.byState }
    return { json: flowsJson(all), table: flowsTable(top, { top: 25 }), summary: s }
  }
  let reference: Awaited<ReturnType<typeof flows>>

  beforeAll(async () => {
    reference = await flows(1, 64 * KiB, 64 * KiB)
  })

  it('the reference holds the window\'s flows: tunnels, both directions, ICMP errors on their flows', () => {
    const s = reference.summary
    expect(s.count).toBeGreaterThan(100)
    expect(s.all).toHaveLength(s.count)
    expect(s.all!.some((f) => f.vni === 5001) && s.all!.some((f) => f.vni === 5002)).toBe(true)
    expect(s.all!.filter((f) => f.packets.rev > 0).length).toBeGreaterThan(50)
    expect(s.all!.reduce((n, f) => n + f.icmpErrors, 0)).toBe(window.expected.icmpErrors)
  })

  for (const [workers, batchBytes, chunkSize] of [[2, 64 * KiB, 4 * KiB], [2, 1024 * KiB, 1024 * KiB], [4, 64 * KiB, 64 * KiB], [4, 1024 * KiB, 4 * KiB]] as const) {
    it(`${workers} workers, ${batchBytes / KiB} KiB batches, ${chunkSize / KiB} KiB reads: byte-identical JSON and table`, async () => {
      const r = await flows(workers, batchBytes, chunkSize)
      expect(r.json).toBe(reference.json)
      expect(r.table).toBe(reference.table)
    })
  }
})

describe('analyze: the same result for any worker count, batch size and read size', () => {
  // Without a policy every flow is kept; with one, only those its rules may need, besides tunnels' outer
  // flows and ICMP flows, which are kept whatever the policy (and are counted away from their frames' workers).
  const policies = { none: null, 'border-mini': loadPolicy(new URL('../../samples/border-mini.policy.yaml', import.meta.url).pathname).policy }
  for (const [name, policy] of Object.entries(policies)) {
    const analyze = async (workers: number, batchBytes: number, chunkSize: number) => {
      const r = await runPipeline({ files, workers, analyzer: 'analyze', config: { policy, topN: 25 }, batchBytes, chunkSize, workerUrl })
      return r.result as AnalyzeResult
    }
    let reference: AnalyzeResult
    beforeAll(async () => {
      reference = await analyze(1, 64 * KiB, 64 * KiB)
    })

    it(`policy ${name}: the reference holds tunnels' outer flows, ICMP errors and the window's flows`, () => {
      expect(reference.flows.count).toBeGreaterThan(100)
      expect(reference.observations.flows.some((f) => f.app === 'vxlan')).toBe(true)
      expect(reference.observations.flows.some((f) => f.proto === 'icmp' || f.proto === 'icmpv6')).toBe(true)
      expect(reference.observations.icmpErrors.length).toBeGreaterThan(0)
      expect(reference.observations.tunnels.length).toBeGreaterThan(0)
    })

    for (const [workers, batchBytes, chunkSize] of [[2, 64 * KiB, 4 * KiB], [3, 1024 * KiB, 64 * KiB], [4, 64 * KiB, 1024 * KiB]] as const) {
      it(`policy ${name}, ${workers} workers, ${batchBytes / KiB} KiB batches, ${chunkSize / KiB} KiB reads: the same JSON`, async () => {
        expect(JSON.stringify(await analyze(workers, batchBytes, chunkSize))).toBe(JSON.stringify(reference))
      })
    }
  }
})

describe('flows: idle flows at the end are classified by the run\'s last time, on every worker', () => {
  it('a flow on a worker whose frames stop early times out as it does in-process', async () => {
    // X's worker gets no frame after t=0; the capture goes on to t=1000 on the other worker. Past the UDP
    // idle timeout at the end, X timed out (a worker that judged it by its own last frame said 'end').
    const router = new Router(2)
    const udp = (a: string, b: string) => packet().eth().ipv4(a, b).udp(40000, 5000).build()
    const x = udp('10.0.0.1', '10.0.0.2')
    const shardOfX = router.shardOf(frameOf(x))
    let other = 3
    while (router.shardOf(frameOf(udp('10.0.0.1', `10.0.0.${other}`))) === shardOfX) other++
    const y = udp('10.0.0.1', `10.0.0.${other}`)
    const file = join(dir, 'idle-at-end.pcap')
    const T0 = 1_763_632_800
    writeFileSync(file, pcapFile([{ data: x, tsSec: T0, tsFrac: 0 }, { data: y, tsSec: T0, tsFrac: 1 }, { data: y, tsSec: T0 + 1000, tsFrac: 0 }]))
    const timedOut = async (workers: number) =>
      ((await runPipeline({ files: [file], workers, analyzer: 'flows', config: { topN: 5 }, workerUrl })).result as FlowSummary).timedOut
    // X, and Y's first record (its next packet came after the idle timeout).
    expect(await timedOut(1)).toBe(2)
    expect(await timedOut(2)).toBe(2)
  })
})
