/**
 * Bounded lists cut short once the run's first entries are known (engine/list-cutoffs.ts): the decision,
 * and on real frames through the 'analyze' analyzers, a merged result equal to the in-process one while
 * the shards keep about one bound between them instead of one each.
 */
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { pcapFile } from '../../src/capture/writer.js'
import type { AnalyzeResult } from '../../src/engine/analyze.js'
import { ListCutoffs } from '../../src/engine/list-cutoffs.js'
import { Router } from '../../src/engine/route.js'
import { runPipeline } from '../../src/engine/run.js'
import { createAnalyzer, mergeResults } from '../../src/engine/shard.js'
import { compareListKeys } from '../../src/observe/list-key.js'
import { MAX_DNS_ORPHANS } from '../../src/observe/limits.js'
import { packet } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'
import { dnsBytes, T0 } from '../observe/traffic.js'
import { compiledTree } from '../worker/compiled.js'

describe('ListCutoffs', () => {
  it('decides a list once the shards\' counts reach its bound, at the greatest last key reported', () => {
    const c = new ListCutoffs(3)
    expect(c.update(0, { dns: { count: 4, bound: 10, last: [0, 40] } })).toEqual([])
    expect(c.update(1, { dns: { count: 5, bound: 10, last: [0, 90] } })).toEqual([])
    // A newer report replaces the shard's older one (counts are totals, not increments).
    expect(c.update(0, { dns: { count: 5, bound: 10, last: [0, 50] } })).toEqual([[ 'dns', [0, 90] ]])
    expect(c.update(2, { dns: { count: 10, bound: 10, last: [1, 3] } })).toEqual([]) // decided once
    expect([...c.cutoffs]).toEqual([['dns', [0, 90]]])
  })

  it('compares keys element by element, numbers and strings alike', () => {
    expect(compareListKeys([0, 9], [1, 0])).toBeLessThan(0)
    expect(compareListKeys([1, 10], [1, 9])).toBeGreaterThan(0)
    expect(compareListKeys(['2026-11-20T10:00:01Z', 'a.pcap', 3], ['2026-11-20T10:00:01Z', 'a.pcap', 3])).toBe(0)
    expect(compareListKeys(['2026-11-20T10:00:01Z', 'b.pcap', 1], ['2026-11-20T10:00:01Z', 'a.pcap', 9])).toBeGreaterThan(0)
  })
})

/** DNS responses without their queries from many clients (orphans: their list's bound is MAX_DNS_ORPHANS). */
function orphanResponses(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => packet().eth().ipv4('192.0.2.53', `10.${(i >> 8) & 0xff}.${i & 0xff}.7`)
    .udp(53, 40000 + (i % 20000)).payload(dnsBytes({ id: i & 0xffff, qr: true, questions: [{ name: `n${i}.example`, type: 1 }] })).build())
}

const FRAMES = MAX_DNS_ORPHANS + 6000
const config = { policy: null, topN: 10 }

describe('analyze shards with cutoffs', () => {
  const frames = orphanResponses(FRAMES)

  it('merge to the in-process result while holding about one bound between them', () => {
    const whole = createAnalyzer('analyze', config, 1)
    const shards = [createAnalyzer('analyze', config, 2), createAnalyzer('analyze', config, 2)]
    const router = new Router(2, {}, true)
    const cutoffs = new ListCutoffs(2)
    let cut = 0
    frames.forEach((bytes, i) => {
      const f = frameOf(bytes, { frameNumber: i + 1, tsSec: T0 + Math.floor(i / 100), tsNsec: (i % 100) * 1000 })
      whole.push(f)
      const r = router.route(f)
      for (let j = 0; j < r.count; j++) shards[r.shard[j]!]!.push(f, r.share[j])
      // Every 500 frames, as if each worker acknowledged a batch: reports in, cutoffs out to both.
      if (i % 500 === 499) {
        shards.forEach((s, k) => {
          for (const [list, key] of cutoffs.update(k, s.listReport!())) { cut++; for (const t of shards) t.cutoff!(list, key) }
        })
      }
    })
    expect(cut).toBeGreaterThan(0)
    const parts = shards.map((s) => s.finish()) as AnalyzeResult[]
    const kept = parts.map((p) => p.observations.dnsOrphanResponses.length)
    // Without cutoffs each shard kept its bound (2 x 20 000); with them about one bound and a little more.
    expect(kept[0]! + kept[1]!).toBeLessThan(MAX_DNS_ORPHANS + 1000)
    expect(Math.min(...kept)).toBeGreaterThan(MAX_DNS_ORPHANS / 4) // both shards had their share
    const merged = mergeResults('analyze', parts, config) as AnalyzeResult
    const reference = mergeResults('analyze', [whole.finish()], config) as AnalyzeResult
    expect(merged.observations.dnsOrphanResponses.length).toBe(MAX_DNS_ORPHANS)
    expect(merged.observations.dropped.dnsOrphanResponses).toBe(FRAMES - MAX_DNS_ORPHANS)
    expect(JSON.stringify(merged)).toBe(JSON.stringify(reference))
  })

  it('through worker threads: the same JSON as in-process, the list cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubcap-cutoffs-'))
    const file = join(dir, 'orphans.pcap')
    writeFileSync(file, pcapFile(frames.map((data, i) => ({ data, tsSec: T0 + Math.floor(i / 100), tsFrac: i % 100 }))))
    const workerUrl = compiledTree().workerUrl
    const run = (workers: number) => runPipeline({ files: [file], workers, analyzer: 'analyze', config, workerUrl, batchBytes: 16 * 1024 })
    const [one, two] = [await run(1), await run(2)]
    expect(two.stats.listCutoffs).toContain('dnsOrphanResponses')
    expect(JSON.stringify(two.result)).toBe(JSON.stringify(one.result))
  })
})
