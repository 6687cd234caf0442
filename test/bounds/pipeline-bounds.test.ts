/**
 * Bounds provoked by whole captures through the pipeline (the decoders' and the reassembler's own
 * tests provoke each limit on hand-built inputs; here the same limits hold when a hostile file is
 * read, decoded and analysed end to end):
 *
 *   flow table      500 distinct SYNs through the flows analyzer with a 64-flow table: 436 evicted, all 500 counted,
 *                   with 1, 2 or 4 workers (the cap is the run's, shared by its workers)
 *   IP fragments    3000 first fragments of datagrams that never complete: at most MAX_FRAGMENT_DATAGRAMS held
 *   tunnel / VLAN   a frame nested past MAX_TUNNEL_DEPTH and one tagged past MAX_VLAN_TAGS: decoded to the bound,
 *                   counted as malformed in the report, the run goes on
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openCapture } from '../../src/capture/open.js'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import { MAX_FRAGMENT_DATAGRAMS, MAX_TUNNEL_DEPTH, MAX_VLAN_TAGS } from '../../src/decode/limits.js'
import { runPipeline } from '../../src/engine/run.js'
import type { FlowSummary } from '../../src/flow/tracker.js'
import { packet } from '../../src/samples/packet.js'
import { synFrame, writePcap } from '../support/analyze-captures.js'
import { compiledTree } from '../worker/compiled.js'

const dir = mkdtempSync(join(tmpdir(), 'hubcap-bounds-'))

describe('bounds through the pipeline', () => {
  it('flow table: past its size the oldest flows are evicted and counted, every flow still counted', async () => {
    const frames = Array.from({ length: 500 }, (_, i) => synFrame('198.51.100.7', '203.0.113.10', 1024 + i, 443))
    const file = writePcap(dir, 'syn-flood.pcap', frames)
    const run = await runPipeline({ files: [file], workers: 1, analyzer: 'flows', config: { topN: 5, keepAll: false, maxFlows: 64 } })
    const summary = run.result as FlowSummary
    expect(summary.count).toBe(500)
    expect(summary.evicted).toBe(500 - 64)
  })

  it('flow table: the cap is for the run, shared by the workers (each of N holds 1/N), so memory does not grow with -w', async () => {
    // 500 SYNs from 500 hosts: the router spreads them over the workers (more than 64/N flows each).
    const frames = Array.from({ length: 500 }, (_, i) => synFrame(`198.51.${100 + (i >> 8)}.${i & 0xff}`, '203.0.113.10', 1024 + i, 443))
    const file = writePcap(dir, 'syn-flood-hosts.pcap', frames)
    for (const workers of [1, 2, 4]) {
      const run = await runPipeline({ files: [file], workers, analyzer: 'flows', config: { topN: 5, keepAll: false, maxFlows: 64 }, workerUrl: compiledTree().workerUrl })
      const summary = run.result as FlowSummary
      expect(summary.count).toBe(500)
      expect(summary.evicted, `${workers} workers`).toBe(500 - 64)
    }
  }, 30_000)

  it(`IP fragments: 3000 datagrams that never complete hold at most ${MAX_FRAGMENT_DATAGRAMS}, the rest dropped and counted`, async () => {
    const frames = Array.from({ length: 3000 }, (_, i) =>
      packet().eth().ipv4('198.51.100.7', '203.0.113.10', { id: i, mf: true, protocol: 17 }).payload(new Uint8Array(64).fill(i & 0xff)).build())
    const file = writePcap(dir, 'fragments.pcap', frames)
    const decoder = new FrameDecoder()
    let maxHeld = 0
    const reader = await openCapture(file)
    for await (const batch of reader.batches()) {
      for (const f of batch) {
        decoder.decode(f)
        maxHeld = Math.max(maxHeld, decoder.defrag.size)
      }
    }
    expect(maxHeld).toBe(MAX_FRAGMENT_DATAGRAMS)
    expect(decoder.defrag.stats.evicted).toBe(3000 - MAX_FRAGMENT_DATAGRAMS)
    // And analyze on the same file: no finding invented from fragments, the report complete.
    const report = await analyzeCaptures([file], { policy: null, workers: 1, failOn: 'high', progress: false })
    expect(report.decode.packets).toBe(3000)
  })

  it('tunnel depth and VLAN depth: decoded to the bound, counted as malformed, the capture still analysed', async () => {
    let deep = packet().eth()
    for (let i = 0; i <= MAX_TUNNEL_DEPTH + 2; i++) deep = deep.ipv4('10.30.0.1', '10.30.0.2').udp(1000, 4789).vxlan(i + 1).eth()
    let tagged = packet().eth()
    for (let i = 0; i <= MAX_VLAN_TAGS + 3; i++) tagged = tagged.vlan(i + 1)
    const file = writePcap(dir, 'deep.pcap', [
      deep.ipv4('10.0.0.1', '10.0.0.2').udp(1, 2).build(),
      tagged.ipv4('10.0.0.1', '10.0.0.2').udp(1, 2).build(),
      synFrame('198.51.100.7', '203.0.113.10', 1024, 443),
    ])
    const report = await analyzeCaptures([file], { policy: null, workers: 1, failOn: 'high', progress: false })
    expect(report.decode.packets).toBe(3)
    expect(report.decode.malformed).toMatchObject({ vxlan: 1, vlan: 1 })
    expect(report.decode.layers['vxlan']).toBe(1)
    expect(report.decode.layers['tcp']).toBe(1)
  })
})
