/**
 * Question: which worker pool should carry the shard batches, and what do workers buy end to end?
 *
 * Part 1, pools on the same routed batches. A capture is generated in memory (fixed seed: TCP
 * and UDP flows in both directions, 15 % 802.1Q, 10 % inside VXLAN, fragmented UDP, 60-1514 byte
 * frames), routed once by engine/route.ts into per-shard batches (worker/batch.ts, 256 KiB), and
 * every contender runs the 'count' analyzer (L2-L4 decode, flow keys, per-flow state) on them:
 *
 *   worker_threads       N long-lived workers (src/worker/worker.js), shard k -> worker k, <= 4
 *                        batches in flight per worker, results once per shard (what pool.ts does)
 *   piscina              N threads, one task per batch, any idle thread takes it; each thread
 *                        keeps one analyzer per shard it has seen and reports them at the end
 *                        (BroadcastChannel; atomics disabled so idle threads can hear it)
 *   worker-threads-pool  pool.acquire() per batch: a new Worker per batch (its design), at most N
 *                        at a time; state lives for one batch
 *
 * Each contender is checked: packets must add up (else the bench fails), then its merged JSON is
 * compared with the in-process result, and shard affinity is counted (shards whose batches ran on
 * more than one thread). Part 2 runs the real pipeline on the same frames written to a pcap:
 * in-process, one worker fed without routing, runPipeline with N and 2N workers, and ShardPool
 * without buffer reuse (each must give the in-process JSON, else the bench fails).
 *
 * Every case runs in its own child process (no JIT or heap state shared between cases), several
 * rounds; the table shows the best and the median wall time and the CPU time of all threads of
 * the best round (robust to other load on the machine: wall time is not). One JSON line per case
 * goes to stderr.
 *
 *   npx tsc -p tsconfig.build.json --outDir DIR && node DIR/bench/worker-pool.js [--packets N] [--rounds N] [--workers N]
 *   node DIR/bench/worker-pool.js --quick      # 20 000 packets, 1 round: proves it runs
 *
 * (DIR must see the repo's node_modules and package.json's "type": "module"; the repo's dist/ does.)
 */
import { BroadcastChannel, Worker, isMainThread, parentPort, threadId, workerData } from 'node:worker_threads'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Piscina } from 'piscina'
import { createFrame, type Frame } from '../src/capture/frame.js'
import { openCapture } from '../src/capture/open.js'
import { Router } from '../src/engine/route.js'
import { runPipeline } from '../src/engine/run.js'
import { createAnalyzer, mergeCounts, type CountResult, type ShardAnalyzer } from '../src/engine/shard.js'
import { packet } from '../src/samples/packet.js'
import { BatchWriter, BufferPool, DEFAULT_BATCH_BYTES, readBatch } from '../src/worker/batch.js'
import { ShardPool } from '../src/worker/pool.js'
import type { FromWorker, StartData, ToWorker } from '../src/worker/protocol.js'

const SELF = fileURLToPath(import.meta.url)
const WORKER_URL = new URL('../src/worker/worker.js', import.meta.url)
const CONTROL = 'hubcap-bench-worker-pool-control'
const RESULTS = 'hubcap-bench-worker-pool-results'

interface Batch { shard: number; buffer: ArrayBuffer }
interface ThreadReport { thread: number; parts: Array<{ shard: number; result: CountResult }> }

function countBatch(analyzer: ShardAnalyzer<unknown>, buffer: ArrayBuffer): number {
  const { frames } = readBatch(buffer)
  for (const f of frames) analyzer.push(f)
  return frames.length
}

// ---- piscina worker side: one analyzer per shard seen by this thread, reported on request ----
const piscinaShards = new Map<number, ShardAnalyzer<unknown>>()
if (!isMainThread && Piscina.isWorkerThread) {
  const control = new BroadcastChannel(CONTROL)
  control.onmessage = () => {
    const out = new BroadcastChannel(RESULTS)
    const report: ThreadReport = { thread: threadId, parts: [...piscinaShards].map(([shard, a]) => ({ shard, result: a.finish() as CountResult })) }
    out.postMessage(report)
    out.close()
    control.close()
  }
}

/** The piscina task: one batch, on whatever thread piscina picked. */
export default function piscinaTask(task: Batch): { thread: number; frames: number } {
  let a = piscinaShards.get(task.shard)
  if (!a) { a = createAnalyzer('count', {}); piscinaShards.set(task.shard, a) }
  return { thread: threadId, frames: countBatch(a, task.buffer) }
}

// ---- worker-threads-pool worker side: one batch, one result, exit ----
const role = (workerData as { role?: string } | null)?.role
if (!isMainThread && role === 'wtp') {
  const a = createAnalyzer('count', {})
  const frames = countBatch(a, (workerData as { buffer: ArrayBuffer }).buffer)
  parentPort!.postMessage({ thread: threadId, frames, result: a.finish() })
}

// ---------------------------------------------------------------------------------------------

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296
}

/** The generated capture: frame bytes in capture order. */
export function generate(packets: number): Uint8Array[] {
  const r = rng(11)
  const out: Uint8Array[] = []
  const FLOWS = Math.max(50, Math.floor(packets / 40))
  for (let i = 0; out.length < packets; i++) {
    const f = Math.floor(r() * FLOWS)
    const client = `10.${(f >> 8) & 255}.${f & 255}.${1 + (f % 250)}`
    const server = `198.51.100.${1 + (f % 50)}`
    const up = r() < 0.55
    const [src, dst] = up ? [client, server] : [server, client]
    const size = r() < 0.4 ? 60 + Math.floor(r() * 40) : r() < 0.5 ? 100 + Math.floor(r() * 500) : 1400 + Math.floor(r() * 114)
    const cport = 20000 + (f % 40000)
    const tcp = f % 3 !== 0
    if (!tcp && f % 17 === 5 && up) {
      // A fragmented UDP datagram (three fragments).
      const datagram = packet().udp(cport, 4500).payload(new Uint8Array(3500)).build()
      for (let off = 0; off < datagram.length && out.length < packets; off += 1480) {
        const fields = { id: i & 0xffff, mf: off + 1480 < datagram.length, fragmentOffset: off, protocol: 17 }
        out.push(packet().eth().ipv4(src, dst, fields).payload(datagram.subarray(off, off + 1480)).build())
      }
      continue
    }
    let b = packet().eth()
    if (f % 7 === 1) b = b.vlan(100 + (f % 8))
    const l3 = b.ipv4(src, dst)
    const head = tcp ? l3.tcp(up ? cport : 443, up ? 443 : cport, { seq: i * 1000, flags: 0x18 }) : l3.udp(up ? cport : 53, up ? 53 : cport)
    const inner = head.payload(new Uint8Array(Math.max(0, size - 58))).build()
    out.push(f % 10 === 4
      ? packet().eth().ipv4(up ? '172.16.0.1' : '172.16.0.2', up ? '172.16.0.2' : '172.16.0.1').udp(49152 + (f % 100), 4789).vxlan(5000 + (f % 4)).payload(inner).build()
      : inner)
  }
  return out
}

function frames(data: Uint8Array[]): Frame[] {
  let offset = 24
  return data.map((bytes, i) => {
    const f = createFrame()
    Object.assign(f, { frameNumber: i + 1, bytes, caplen: bytes.length, origlen: bytes.length, tsSec: 1763632800 + (i >> 10), tsNsec: (i & 1023) * 1000, linkType: 1, fileOffset: offset })
    offset += 16 + bytes.length
    return f
  })
}

/** A µs pcap of the frames, written with one buffer (writer.ts builds byte arrays: too slow at this size). */
export function pcapBytes(data: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(24 + data.reduce((n, d) => n + 16 + d.length, 0))
  const v = new DataView(out.buffer)
  v.setUint32(0, 0xa1b2c3d4, true); v.setUint16(4, 2, true); v.setUint16(6, 4, true); v.setUint32(16, 262144, true); v.setUint32(20, 1, true)
  let o = 24
  data.forEach((d, i) => {
    v.setUint32(o, 1763632800 + (i >> 10), true); v.setUint32(o + 4, i & 1023, true); v.setUint32(o + 8, d.length, true); v.setUint32(o + 12, d.length, true)
    out.set(d, o + 16)
    o += 16 + d.length
  })
  return out
}

function route(list: Frame[], shards: number): Batch[] {
  const router = new Router(shards)
  const pool = new BufferPool(DEFAULT_BATCH_BYTES, 0)
  const writers = Array.from({ length: shards }, () => new BatchWriter(pool))
  const batches: Batch[] = []
  const seq = new Array<number>(shards).fill(0)
  const send = (k: number) => { const b = writers[k]!.take(seq[k]!++); if (b) batches.push({ shard: k, buffer: b.buffer }) }
  for (const f of list) {
    const k = router.shardOf(f)
    if (!writers[k]!.add(f, 0)) { send(k); writers[k]!.add(f, 0) }
  }
  for (let k = 0; k < shards; k++) send(k)
  return batches
}

interface Outcome { packets: number; json: string; splitShards: number; threads: number }

async function plainWorkers(batches: Batch[], shards: number): Promise<Outcome> {
  const inFlight = new Array<number>(shards).fill(0)
  const drains: Array<(() => void) | null> = new Array(shards).fill(null)
  const results: Array<Promise<CountResult>> = []
  const workers = Array.from({ length: shards }, (_, shard) => {
    const start: StartData = { kind: 'hubcap-shard', shard, shards, analyzer: 'count', config: {}, files: ['bench'] }
    const w = new Worker(WORKER_URL, { workerData: start })
    results.push(new Promise((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ack') { inFlight[shard]!--; drains[shard]?.(); drains[shard] = null }
        if (m.type === 'result') resolve(m.result as CountResult)
        if (m.type === 'failed') reject(new Error(m.message))
      })
      w.on('error', reject)
    }))
    return w
  })
  for (const b of batches) {
    while (inFlight[b.shard]! >= 4) await new Promise<void>((r) => { drains[b.shard] = r })
    inFlight[b.shard]!++
    const m: ToWorker = { type: 'batch', seq: 0, buffer: b.buffer }
    workers[b.shard]!.postMessage(m, [b.buffer])
  }
  for (const w of workers) w.postMessage({ type: 'finish', end: null } satisfies ToWorker)
  const parts = await Promise.all(results)
  await Promise.all(workers.map((w) => w.terminate()))
  const merged = mergeCounts(parts)
  return { packets: merged.packets, json: JSON.stringify(merged), splitShards: 0, threads: shards }
}

async function piscina(batches: Batch[], shards: number): Promise<Outcome> {
  const pool = new Piscina({ filename: pathToFileURL(SELF).href, minThreads: shards, maxThreads: shards, idleTimeout: Infinity, atomics: 'disabled' })
  const threadsOf = new Map<number, Set<number>>()
  await Promise.all(batches.map(async (b) => {
    const r = (await pool.run(b, { transferList: [b.buffer] })) as { thread: number }
    const set = threadsOf.get(b.shard) ?? new Set<number>()
    set.add(r.thread)
    threadsOf.set(b.shard, set)
  }))
  const threads = pool.threads.length
  const reports: ThreadReport[] = []
  const results = new BroadcastChannel(RESULTS)
  const got = new Promise<void>((resolve) => {
    results.onmessage = (e) => { reports.push((e as { data: ThreadReport }).data); if (reports.length === threads) resolve() }
  })
  const control = new BroadcastChannel(CONTROL)
  control.postMessage('finish')
  await got
  results.close()
  control.close()
  await pool.destroy()
  const merged = mergeCounts(reports.flatMap((r) => r.parts.map((p) => p.result)))
  return { packets: merged.packets, json: JSON.stringify(merged), splitShards: [...threadsOf.values()].filter((s) => s.size > 1).length, threads }
}

async function workerThreadsPool(batches: Batch[], shards: number): Promise<Outcome> {
  const require = createRequire(import.meta.url)
  interface Pool { acquire(file: string, opts: object, cb: (err: Error | null, w: Worker) => void): void; destroy(cb?: () => void): void }
  const PoolClass = require('worker-threads-pool') as new (o: { max: number }) => Pool
  const pool = new PoolClass({ max: shards })
  const threadsOf = new Map<number, Set<number>>()
  const parts = await Promise.all(batches.map((b) => new Promise<CountResult>((resolve, reject) => {
    pool.acquire(SELF, { workerData: { role: 'wtp', buffer: b.buffer }, transferList: [b.buffer] }, (err, w) => {
      if (err) { reject(err); return }
      w.once('message', (m: { thread: number; result: CountResult }) => {
        const set = threadsOf.get(b.shard) ?? new Set<number>()
        set.add(m.thread)
        threadsOf.set(b.shard, set)
        resolve(m.result)
      })
      w.once('error', reject)
    })
  })))
  await new Promise<void>((r) => pool.destroy(r))
  const merged = mergeCounts(parts)
  const threads = new Set([...threadsOf.values()].flatMap((s) => [...s])).size
  return { packets: merged.packets, json: JSON.stringify(merged), splitShards: [...threadsOf.values()].filter((s) => s.size > 1).length, threads }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]!
}

/** One measured case, as a child process prints it. */
interface CaseResult {
  name: string
  bestMs: number
  medianMs: number
  /** CPU time of the whole child process (all threads) in the best round, ms. */
  cpuMs: number
  sameJson: boolean
  threads: number | null
  splitShards: number | null
  buffers: string | null
}

interface Options { packets: number; rounds: number; shards: number; file: string }

interface Case {
  name: string
  part: 1 | 2
  /** One round; returns what to check and report. */
  round(o: Options, ctx: { template: Batch[] }): Promise<{ json: string; packets: number; threads?: number; splitShards?: number; buffers?: string }>
  rounds?: number
}

async function directPool(o: Options, shards: number, reuseBuffers: boolean) {
  // ShardPool driven directly: what runPipeline does, with the knobs it does not expose.
  const pool = new ShardPool({ shards, analyzer: 'count', config: {}, files: [o.file], reuseBuffers })
  const router = new Router(shards)
  const reader = await openCapture(o.file)
  for await (const batch of reader.batches()) {
    for (const f of batch) { const w = pool.add(router.shardOf(f), f, 0); if (w) await w }
  }
  const merged = mergeCounts((await pool.finish()) as CountResult[])
  return { json: JSON.stringify(merged), packets: merged.packets, buffers: `${pool.bufferStats.allocated} / ${pool.bufferStats.reused}` }
}

async function pipeline(o: Options, workers: number) {
  const r = await runPipeline({ files: [o.file], workers, analyzer: 'count', config: {} })
  const c = r.result as CountResult
  return { json: JSON.stringify(c), packets: c.packets, buffers: workers < 2 ? '-' : `${r.stats.buffers.allocated} / ${r.stats.buffers.reused}` }
}

const fresh = (t: Batch[]) => t.map((b) => ({ shard: b.shard, buffer: b.buffer.slice(0) })) // transfer detaches

function cases(shards: number): Case[] {
  return [
    { name: 'worker_threads (shard-affine)', part: 1, round: (_o, c) => plainWorkers(fresh(c.template), shards) },
    { name: 'piscina (task per batch)', part: 1, round: (_o, c) => piscina(fresh(c.template), shards) },
    // A Worker per batch is ~40x slower: one round says enough.
    { name: 'worker-threads-pool (Worker per batch)', part: 1, rounds: 1, round: (_o, c) => workerThreadsPool(fresh(c.template), shards) },
    { name: 'runPipeline --workers 1 (in-process)', part: 2, round: (o) => pipeline(o, 1) },
    { name: 'ShardPool 1 worker (no routing: read + copy here, analysis there)', part: 2, round: (o) => directPool(o, 1, true) },
    { name: `runPipeline --workers ${shards}`, part: 2, round: (o) => pipeline(o, shards) },
    { name: `ShardPool ${shards} workers, no buffer reuse`, part: 2, round: (o) => directPool(o, shards, false) },
    { name: `runPipeline --workers ${shards * 2}`, part: 2, round: (o) => pipeline(o, shards * 2) },
  ]
}

/** Child: generate the same frames, compute the reference in-process, run one case `rounds` times. */
async function runCase(o: Options, index: number): Promise<void> {
  const c = cases(o.shards)[index]!
  const list = frames(generate(o.packets))
  const local = createAnalyzer('count', {})
  for (const f of list) local.push(f)
  const reference = JSON.stringify(mergeCounts([local.finish() as CountResult]))
  const template = c.part === 1 ? route(list, o.shards) : []
  const times: number[] = []
  const cpus: number[] = []
  let last: Awaited<ReturnType<Case['round']>> | null = null
  for (let i = 0; i < (c.rounds ?? o.rounds); i++) {
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    last = await c.round(o, { template })
    times.push(performance.now() - t0)
    const cpu = process.cpuUsage(cpu0)
    cpus.push((cpu.user + cpu.system) / 1000)
    if (last.packets !== o.packets) throw new Error(`${c.name}: ${last.packets} packets analysed, expected ${o.packets}`)
  }
  const best = times.indexOf(Math.min(...times))
  const result: CaseResult = {
    name: c.name, bestMs: +times[best]!.toFixed(1), medianMs: +median(times).toFixed(1), cpuMs: +cpus[best]!.toFixed(0),
    sameJson: last!.json === reference, threads: last!.threads ?? null, splitShards: last!.splitShards ?? null, buffers: last!.buffers ?? null,
  }
  if (c.part === 2 && !result.sameJson) throw new Error(`${c.name}: result differs from the in-process reference`)
  console.log(JSON.stringify(result))
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const o: Options = {
    packets: arg('--packets', quick ? 20_000 : 200_000),
    rounds: arg('--rounds', quick ? 1 : 5),
    shards: arg('--workers', 2),
    file: '',
  }
  const caseIndex = arg('--case', -1)
  if (caseIndex >= 0) {
    const i = process.argv.indexOf('--file')
    await runCase({ ...o, file: process.argv[i + 1] ?? '' }, caseIndex)
    return
  }

  const data = generate(o.packets)
  const bytes = data.reduce((n, d) => n + d.length, 0)
  const list = frames(data)
  let t = performance.now()
  const local = createAnalyzer('count', {})
  for (const f of list) local.push(f)
  local.finish()
  const inProcessMs = performance.now() - t
  t = performance.now()
  const routed = route(list, o.shards)
  const routeMs = performance.now() - t
  const dir = mkdtempSync(join(tmpdir(), 'hubcap-bench-pool-'))
  const file = join(dir, 'bench.pcap')
  writeFileSync(file, pcapBytes(data))
  console.log(`${o.packets} packets, ${(bytes / 1e6).toFixed(1)} MB, ${routed.length} batches of <= ${DEFAULT_BATCH_BYTES / 1024} KiB over ${o.shards} shards; ` +
    `node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(2)}; each case in its own process, ${o.rounds} rounds.`)
  console.log(`This process: count analyzer in-process over the frames in memory ${inProcessMs.toFixed(0)} ms (${(inProcessMs * 1e6 / o.packets).toFixed(0)} ns/packet); ` +
    `route + copy into batches ${routeMs.toFixed(0)} ms (${(routeMs * 1e6 / o.packets).toFixed(0)} ns/packet).`)
  try {
    const all = cases(o.shards)
    for (const part of [1, 2] as const) {
      console.log(part === 1
        ? '\n| pool (same routed batches) | ms best / median | packets/s (best) | CPU ms (all threads) | threads | shards split over threads | same JSON as in-process |\n|---|---|---|---|---|---|---|'
        : '\n| run (whole pipeline, pcap on disk) | ms best / median | packets/s (best) | CPU ms (all threads) | buffers allocated / reused |\n|---|---|---|---|---|')
      for (let i = 0; i < all.length; i++) {
        if (all[i]!.part !== part) continue
        const child = spawnSync(process.execPath, [SELF, '--case', String(i), '--file', file, '--packets', String(o.packets), '--rounds', String(o.rounds), '--workers', String(o.shards)], { encoding: 'utf8', maxBuffer: 16 << 20 })
        const line = child.stdout.trim().split('\n').pop() ?? ''
        if (child.status !== 0 || !line.startsWith('{')) throw new Error(`case ${all[i]!.name} failed (${child.status}): ${child.stderr}`)
        const r = JSON.parse(line) as CaseResult
        const rate = `${(o.packets / r.bestMs / 1000).toFixed(2)} M`
        console.log(part === 1
          ? `| ${r.name} | ${r.bestMs.toFixed(0)} / ${r.medianMs.toFixed(0)} | ${rate} | ${r.cpuMs} | ${r.threads} | ${r.splitShards} of ${o.shards} | ${r.sameJson ? 'yes' : 'no'} |`
          : `| ${r.name} | ${r.bestMs.toFixed(0)} / ${r.medianMs.toFixed(0)} | ${rate} | ${r.cpuMs} | ${r.buffers} |`)
        console.error(JSON.stringify({ bench: 'worker-pool', packets: o.packets, node: process.version, ...r }))
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (isMainThread && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
