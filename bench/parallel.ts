/**
 * Question: how much can a second thread add on this machine for hubcap's own work, before any
 * pipeline cost (routing, copying into batches, messages, merging)?
 *
 * Each job runs in a worker thread of its own: the in-process analysis of a whole capture
 * (openCapture as the pipeline opens it, the shard analyzer, finish), or, as the control, a loop of
 * integer arithmetic that touches no memory. Every job is timed alone, then two copies at once (one
 * per core). If two threads were as fast as one, "paired / alone" would be 1.00 and splitting the
 * work in two would halve the time; the "ceiling" column is what a perfect split could gain at most:
 * 2 x alone / paired. The pipeline's own costs come on top, so `--workers 2` cannot beat it.
 *
 *   npm run build && node dist/bench/parallel.js                 # the 1 GiB border mix, 3 rounds
 *   node dist/bench/parallel.js --size-mb 256 --rounds 1 --what spin,flows
 *   node dist/bench/parallel.js --quick                          # 20 MiB, 1 round, a short loop: proves it runs (CI)
 *
 * Medians of the rounds; a round of two jobs takes the slower of the two.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { cpuUsage } from 'node:process'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { openCapture } from '../src/capture/open.js'
import { createAnalyzer } from '../src/engine/shard.js'
import { parsePolicyText } from '../src/policy/load.js'
import { policyTemplate } from '../src/policy/template.js'
import { describeMix, ensureBorderMix } from './border-mix.js'

type Kind = 'spin' | 'flows' | 'analyze'

interface Job { kind: Kind; file: string; spinIterations: number }
interface Done { ms: number; cpuMs: number; check: number }

const SPIN_ITERATIONS = 1_500_000_000

/** Integer arithmetic that touches no memory. */
function spin(n: number): number {
  let x = 0
  for (let i = 0; i < n; i++) x = (Math.imul(x, 31) + i) | 0
  return x
}

async function runJob(job: Job): Promise<Done> {
  // Compiled before the clock starts: on-stack replacement of the first long call gave code 4-5x slower
  // in some runs and not in others.
  if (job.kind === 'spin') for (let k = 0; k < 5; k++) spin(1_000_000)
  const t0 = performance.now()
  const c0 = cpuUsage()
  let check = 0
  if (job.kind === 'spin') {
    check = spin(job.spinIterations)
  } else {
    const config = job.kind === 'flows'
      ? { topN: 10, keepAll: true }
      : { policy: parsePolicyText(policyTemplate(), 'template'), topN: 10 }
    const analyzer = createAnalyzer(job.kind, config)
    const reader = await openCapture(job.file, { reuseBuffers: true })
    for await (const frames of reader.batches()) for (const f of frames) analyzer.push(f)
    analyzer.finish()
    check = reader.info.packets
  }
  const c = cpuUsage(c0)
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, check }
}

if (!isMainThread && (workerData as { parallelBench?: Job } | null)?.parallelBench) {
  parentPort!.postMessage(await runJob((workerData as { parallelBench: Job }).parallelBench))
}

function inWorker(job: Job): Promise<Done> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { parallelBench: job } })
    w.once('message', resolve)
    w.once('error', reject)
  })
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const sizeMiB = Number(arg('--size-mb') ?? (quick ? 20 : 1024))
  const rounds = Math.max(1, Number(arg('--rounds') ?? (quick ? 1 : 3)))
  const kinds = (arg('--what') ?? 'spin,flows,analyze').split(',') as Kind[]
  for (const k of kinds) if (!['spin', 'flows', 'analyze'].includes(k)) throw new Error(`--what: unknown job ${k}`)
  const mix = ensureBorderMix({ sizeMiB })
  console.log(describeMix(mix))
  console.log(`${rounds} round(s); each job alone, then two at once\n`)
  const rows: string[][] = []
  for (const kind of kinds) {
    const job: Job = { kind, file: mix.path, spinIterations: quick ? SPIN_ITERATIONS / 50 : SPIN_ITERATIONS }
    const alone: number[] = []
    const paired: number[] = []
    for (let r = 0; r < rounds; r++) {
      const a = await inWorker(job)
      const [p, q] = await Promise.all([inWorker(job), inWorker(job)])
      if (a.check !== p!.check || a.check !== q!.check) throw new Error(`${kind}: the jobs disagree (${a.check}, ${p!.check}, ${q!.check})`)
      alone.push(a.ms)
      paired.push(Math.max(p!.ms, q!.ms))
      console.log(`  ${kind} round ${r + 1}: alone ${(a.ms / 1000).toFixed(2)} s; paired ${(p!.ms / 1000).toFixed(2)} / ${(q!.ms / 1000).toFixed(2)} s`)
    }
    const al = median(alone)
    const pa = median(paired)
    rows.push([kind, (al / 1000).toFixed(2), (pa / 1000).toFixed(2), (pa / al).toFixed(2), `${((2 * al) / pa).toFixed(2)}x`])
  }
  console.log('\n| job | alone s | two at once s | paired / alone | 2-thread ceiling |')
  console.log('|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.join(' | ')} |`)
}

if (isMainThread && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
