import { spawnSync } from 'node:child_process'
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runPipeline, type PipelineProgress } from '../../src/engine/run.js'
import { compiledTree, type CompiledTree } from '../worker/compiled.js'
import { mixedWindow } from './mixed-capture.js'

const window = mixedWindow(99)
const dir = mkdtempSync(join(tmpdir(), 'hubcap-run-'))
const files = [join(dir, 'first.pcap'), join(dir, 'second.pcapng')]
writeFileSync(files[0]!, window.pcap)
writeFileSync(files[1]!, window.pcapng)

let tree: CompiledTree
beforeAll(() => {
  tree = compiledTree()
})

/** Runs the compiled run.js in a fresh node process: workers found where dist puts them. */
function compiledRun(options: object, input?: Uint8Array): string {
  const script = `
    const { runPipeline } = await import(${JSON.stringify(tree.runUrl.href)})
    const r = await runPipeline(${JSON.stringify(options)})
    process.stdout.write(JSON.stringify({ result: r.result, workers: r.stats.workers }))`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input, encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`compiled run failed (${r.status}): ${r.stderr}`)
  return r.stdout
}

describe('runPipeline', () => {
  it('feeds several captures as one window and returns their infos in order', async () => {
    const r = await runPipeline({ files, workers: 1, analyzer: 'count', config: {} })
    expect(r.captures.map((c) => [c.file, c.format])).toEqual([[files[0], 'pcap'], [files[1], 'pcapng']])
    expect(r.captures[0]!.packets + r.captures[1]!.packets).toBe(window.frames)
    expect(r.stats).toMatchObject({ workers: 0, packets: window.frames, shards: [], buffers: { allocated: 0, reused: 0 } })
  })

  it('reports progress: bytes read of the total, packets and time, ending with done', async () => {
    const seen: PipelineProgress[] = []
    const total = statSync(files[0]!).size + statSync(files[1]!).size
    await runPipeline({ files, workers: 2, analyzer: 'count', config: {}, chunkSize: 16 * 1024, progressIntervalMs: 0, workerUrl: tree.workerUrl, onProgress: (p) => seen.push(p) })
    expect(seen.length).toBeGreaterThan(10)
    const last = seen[seen.length - 1]!
    expect(last).toMatchObject({ done: true, fileIndex: 1, file: files[1], bytesRead: total, bytesTotal: total, packets: window.frames })
    expect(seen.filter((p) => p.done)).toHaveLength(1)
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.bytesRead).toBeGreaterThanOrEqual(seen[i - 1]!.bytesRead)
      expect(seen[i]!.packets).toBeGreaterThanOrEqual(seen[i - 1]!.packets)
      expect(seen[i]!.elapsedMs).toBeGreaterThanOrEqual(seen[i - 1]!.elapsedMs)
    }
    expect(seen.some((p) => p.fileIndex === 0 && p.bytesRead < statSync(files[0]!).size)).toBe(true)
  })

  it('progress counts flows as they are seen: exact in-process, growing with workers, absent for an analyzer without flows', async () => {
    const flows = async (workers: number) => {
      const seen: PipelineProgress[] = []
      // Small batches, so that workers acknowledge some while the capture is still being read (counts lag by the batches in flight).
      const r = await runPipeline({ files, workers, analyzer: 'flows', config: { topN: 1 }, chunkSize: 16 * 1024, batchBytes: 64 * 1024, progressIntervalMs: 0, workerUrl: tree.workerUrl, onProgress: (p) => seen.push(p) })
      return { seen, count: (r.result as { count: number }).count }
    }
    const one = await flows(1)
    const last = one.seen[one.seen.length - 1]!
    // Flows created, counting a tunnel outer flow or an ICMP flow once per record: at least the records in the summary.
    expect(last.flows).toBeGreaterThanOrEqual(one.count)
    expect(one.seen[0]!.flows).toBeLessThan(last.flows!)
    const two = await flows(2)
    // Unknown (null) until a worker has answered, then counts that only grow.
    const firstKnown = two.seen.findIndex((p) => p.flows !== null)
    expect(firstKnown).toBeGreaterThanOrEqual(0)
    const counts = two.seen.slice(firstKnown).map((p) => p.flows!)
    expect(counts.every((n) => Number.isInteger(n) && n >= 0)).toBe(true)
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!)
    expect(counts[counts.length - 1]).toBeGreaterThan(0)
    const seen: PipelineProgress[] = []
    await runPipeline({ files, workers: 2, analyzer: 'count', config: {}, progressIntervalMs: 0, workerUrl: tree.workerUrl, onProgress: (p) => seen.push(p) })
    expect(seen.every((p) => p.flows === null)).toBe(true)
  })

  it('finds its workers next to the compiled pool (dist layout) and reads standard input', async () => {
    const inProcess = JSON.stringify((await runPipeline({ files, workers: 1, analyzer: 'count', config: {} })).result)
    expect(JSON.parse(compiledRun({ files, workers: 3, analyzer: 'count', config: {} }))).toEqual({ result: JSON.parse(inProcess), workers: 3 })
    const first = JSON.stringify((await runPipeline({ files: [files[0]!], workers: 1, analyzer: 'count', config: {} })).result)
    const fromStdin = compiledRun({ files: ['-'], workers: 2, analyzer: 'count', config: {} }, window.pcap)
    expect(JSON.stringify(JSON.parse(fromStdin).result)).toBe(first)
  }, 30_000)

  it('refuses options that cannot run', async () => {
    const base = { analyzer: 'count', config: {} }
    await expect(runPipeline({ ...base, files: [], workers: 1 })).rejects.toThrow('no capture files given')
    await expect(runPipeline({ ...base, files: ['-', '-'], workers: 1 })).rejects.toThrow(/only once/)
    await expect(runPipeline({ ...base, files, workers: -1 })).rejects.toThrow(RangeError)
    await expect(runPipeline({ ...base, files, workers: 1.5 })).rejects.toThrow(RangeError)
    await expect(runPipeline({ ...base, files, workers: 2, batchBytes: 100, workerUrl: tree.workerUrl })).rejects.toThrow(/batchBytes/)
    await expect(runPipeline({ ...base, files: [join(dir, 'missing.pcap')], workers: 1 })).rejects.toThrow(/missing\.pcap: byte 0: cannot read/)
  })
})
