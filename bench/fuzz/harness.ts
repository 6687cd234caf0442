/**
 * The fuzz harness: seeded, structure-aware mutations of the sample and scenario captures, each
 * run through
 *
 *   decode   openCapture + FrameDecoder over every frame + the decode record as JSON (`hubcap decode`)
 *   analyze  analyzeCaptures in-process with the scenario's policy, rendered as JSON, Markdown and table
 *   cli      (every `cliEvery`-th input) the built `hubcap analyze FILE -p POLICY -f json` in a child
 *
 * A failure is: an exception other than CaptureError (a file that cannot be read at all is a
 * result), a check slower than `timeLimitMs`, a CLI exit code other than 0/1/2 or a kill by the
 * timeout, or a stack trace / "internal error" on the CLI's stderr. Each failure is minimized
 * (records, then byte chunks dropped while the same check still fails) and, with `saveDir`,
 * written there as a reproducer that test/fuzz/regressions.test.ts replays.
 */
import { seededRandom } from '../random.js'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { CaptureError } from '../../src/capture/errors.js'
import { openCapture } from '../../src/capture/open.js'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { toDecodeRecord } from '../../src/decode/decode-record.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import { loadPolicy, type LoadedPolicy } from '../../src/policy/load.js'
import { reportJson } from '../../src/report/json.js'
import { reportMarkdown } from '../../src/report/markdown.js'
import { reportTable } from '../../src/report/table.js'
import { SAMPLES } from '../../src/samples/catalog.js'
import { SCENARIOS } from '../../src/samples/recipes/scenarios/index.js'
import { layoutOf, rebuild } from './container.js'
import { mutateCapture } from './mutate.js'

export interface Seed {
  name: string
  bytes: Uint8Array
  /** Policy file for analyze (null: analyze without a policy). */
  policyFile: string | null
}

export interface Failure {
  /** Which check failed: decode, analyze, cli. */
  check: 'decode' | 'analyze' | 'cli'
  /** One line: the exception, the exit code, the time. */
  reason: string
  seed: string
  /** What the mutations did. */
  label: string
  /** The input as found and as minimized. */
  input: Uint8Array
  minimized: Uint8Array
  /** Where the reproducer was written (saveDir given). */
  saved?: string
}

export interface FuzzOptions {
  seed: number
  /** Stop after this long (and/or `maxInputs`). */
  seconds: number
  maxInputs?: number
  /** Per check (decode or analyze of one input) time bound; past it the input is a failure ("hang"). */
  timeLimitMs?: number
  /** Run the built CLI on every n-th input (0: never). */
  cliEvery?: number
  /** The built CLI (default: dist/src/cli/main.js next to this build, or the repository's dist). */
  cli?: string
  /** Where to write minimized reproducers (none: not written). */
  saveDir?: string
  /** Stop after this many distinct failures. */
  maxFailures?: number
  log?: (line: string) => void
}

export interface FuzzResult {
  seed: number
  inputs: number
  cliRuns: number
  seconds: number
  /** Inputs the capture reader refused as a whole (CaptureError): a correct result, counted for interest. */
  refused: number
  failures: Failure[]
}

export const CLI_TIMEOUT_MS = 20_000

/** The default CLI: from dist/bench/fuzz/harness.js it is dist/src/cli/main.js; from the TypeScript source, the repository's dist. */
export function defaultCli(): string {
  const here = fileURLToPath(import.meta.url)
  return here.endsWith('.ts')
    ? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))
    : fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
}

/** Every scenario capture with its policy, and the bundled samples (analysed with the healthy scenario's policy). */
export function seeds(workDir: string): Seed[] {
  const out: Seed[] = []
  let healthyPolicy: string | null = null
  for (const s of SCENARIOS) {
    const policyFile = join(workDir, `${s.name}.policy.yaml`)
    writeFileSync(policyFile, s.policy())
    if (s.name === 'healthy') healthyPolicy = policyFile
    out.push({ name: s.name, bytes: s.build(), policyFile })
  }
  for (const s of SAMPLES) out.push({ name: s.file, bytes: s.build(), policyFile: healthyPolicy })
  return out
}

/** Decode every frame of the file as `hubcap decode` does; null when fine, else the problem. */
export async function checkDecode(file: string, onRefused?: () => void): Promise<string | null> {
  try {
    const reader = await openCapture(file)
    const decoder = new FrameDecoder()
    for await (const batch of reader.batches()) {
      for (const frame of batch) JSON.stringify(toDecodeRecord(frame, decoder.decode(frame)))
    }
    return null
  } catch (e) {
    if (!(e instanceof CaptureError)) return describeError(e)
    onRefused?.()
    return null
  }
}

/** `analyzeCaptures` in-process (one worker: no threads) and the three renderers; null when fine. */
export async function checkAnalyze(file: string, policy: LoadedPolicy | null): Promise<string | null> {
  try {
    const report = await analyzeCaptures([file], { policy, workers: 1, failOn: 'high', progress: false })
    reportJson(report)
    reportMarkdown(report)
    reportTable(report)
    return null
  } catch (e) {
    return e instanceof CaptureError ? null : describeError(e)
  }
}

/** The built CLI on the file; null when the exit code is 0/1/2 and stderr holds no stack trace. */
export function checkCli(cli: string, file: string, policyFile: string | null, timeoutMs = CLI_TIMEOUT_MS): string | null {
  const args = [cli, 'analyze', file, '-f', 'json', '--no-progress', '-w', '2', ...(policyFile ? ['-p', policyFile] : [])]
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 })
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return `CLI still running after ${timeoutMs} ms (killed)`
  if (r.signal) return `CLI killed by ${r.signal}`
  if (r.status !== 0 && r.status !== 1 && r.status !== 2) return `CLI exit code ${r.status}: ${firstLine(r.stderr)}`
  if (/^\s+at /m.test(r.stderr) || /internal error/.test(r.stderr)) return `CLI stderr: ${firstLine(r.stderr.split('\n').find((l) => /internal error|^\s+at /.test(l)) ?? '')}`
  return null
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `threw ${String(e)}`
  const at = (e.stack ?? '').split('\n').find((l) => /^\s+at /.test(l))?.trim() ?? ''
  return `${e.name}: ${e.message}${at ? ` (${at})` : ''}`
}

const firstLine = (s: string): string => (s.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 300)

/** Same failure: same check and the same message up to the numbers in it (offsets move when bytes go). */
const sameFailure = (a: string, b: string | null): boolean => b !== null && a.replace(/\d+/g, '#') === b.replace(/\d+/g, '#')

type Check = (file: string) => Promise<string | null>

/**
 * Delta debugging: drop records (whole pcap records / pcapng blocks, the file header kept), then
 * byte chunks of halving size, while `check` still fails the same way. Bounded by `budget` checks.
 */
export async function minimize(input: Uint8Array, reason: string, check: Check, dir: string, budget = 400): Promise<Uint8Array> {
  const file = join(dir, 'min.bin')
  let tries = 0
  const fails = async (b: Uint8Array): Promise<boolean> => {
    if (tries++ >= budget) return false
    writeFileSync(file, b)
    return sameFailure(reason, await check(file))
  }
  let best = input
  // Records first: a reproducer of one or two packets is what a reader wants.
  for (let chunk = Math.max(1, Math.floor(layoutOf(best).parts.length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let i = 1; ; ) {
      const l = layoutOf(best)
      if (i >= l.parts.length) break
      const keep = l.parts.filter((_, k) => k === 0 || k < i || k >= i + chunk)
      const candidate = rebuild(best, l, keep.map((p) => best.subarray(p.start, p.end)))
      if (candidate.length < best.length && await fails(candidate)) best = candidate
      else i += chunk
    }
  }
  // Then bytes (this may break the structure; the same failure is all that counts).
  for (let chunk = Math.max(1, best.length >> 2); chunk >= 1 && tries < budget; chunk >>= 1) {
    for (let at = 0; at < best.length && tries < budget; ) {
      const candidate = new Uint8Array(best.length - Math.min(chunk, best.length - at))
      candidate.set(best.subarray(0, at))
      candidate.set(best.subarray(at + chunk), at)
      if (await fails(candidate)) best = candidate
      else at += chunk
    }
  }
  return best
}

/** Extension for a reproducer: what the bytes look like. */
export function captureExtension(b: Uint8Array): string {
  return layoutOf(b).format === 'pcapng' ? 'pcapng' : 'pcap'
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const log = o.log ?? (() => {})
  const timeLimit = o.timeLimitMs ?? 10_000
  const cli = o.cli ?? defaultCli()
  const cliEvery = o.cliEvery ?? 0
  if (cliEvery > 0 && !existsSync(cli)) throw new Error(`${cli} is missing: build first (tsc -p tsconfig.build.json)`)
  const dir = mkdtempSync(join(tmpdir(), 'hubcap-fuzz-'))
  const result: FuzzResult = { seed: o.seed, inputs: 0, cliRuns: 0, seconds: 0, refused: 0, failures: [] }
  const seen = new Set<string>()
  let minimizing = false
  try {
    const corpus = seeds(dir)
    const policies = new Map<string, LoadedPolicy>()
    for (const s of corpus) if (s.policyFile && !policies.has(s.policyFile)) policies.set(s.policyFile, loadPolicy(s.policyFile))
    const rnd = seededRandom(o.seed)
    const started = performance.now()
    const deadline = started + o.seconds * 1000
    const file = join(dir, 'input.bin')
    while (performance.now() < deadline && (o.maxInputs === undefined || result.inputs < o.maxInputs)) {
      const seed = corpus[Math.floor(rnd() * corpus.length)]!
      const mutant = mutateCapture(seed.bytes, rnd)
      writeFileSync(file, mutant.bytes)
      result.inputs++
      const policy = seed.policyFile ? policies.get(seed.policyFile)! : null
      const checks: Array<[Failure['check'], Check]> = [
        ['decode', timed((f) => checkDecode(f, () => { if (!minimizing) result.refused++ }), timeLimit)],
        ['analyze', timed((f) => checkAnalyze(f, policy), timeLimit)],
      ]
      if (cliEvery > 0 && result.inputs % cliEvery === 0) {
        result.cliRuns++
        checks.push(['cli', async (f) => checkCli(cli, f, seed.policyFile)])
      }
      for (const [name, check] of checks) {
        const reason = await check(file)
        if (reason === null) continue
        const key = `${name}:${reason.replace(/\d+/g, '#')}`
        if (seen.has(key)) continue
        seen.add(key)
        log(`FAIL ${name} on input ${result.inputs} (${seed.name}: ${mutant.label}): ${reason}`)
        minimizing = true
        const minimized = await minimize(mutant.bytes, reason, check, dir, name === 'cli' ? 40 : 400)
        minimizing = false
        const failure: Failure = { check: name, reason, seed: seed.name, label: mutant.label, input: mutant.bytes, minimized }
        if (o.saveDir) failure.saved = saveReproducer(o.saveDir, failure)
        log(`  minimized ${mutant.bytes.length} -> ${minimized.length} bytes${failure.saved ? `: ${failure.saved}` : ''}`)
        result.failures.push(failure)
      }
      if (result.inputs % 1000 === 0) log(`${result.inputs} inputs, ${result.cliRuns} CLI runs, ${result.failures.length} failures, ${((performance.now() - started) / 1000).toFixed(0)} s`)
      if (o.maxFailures !== undefined && result.failures.length >= o.maxFailures) break
    }
    result.seconds = (performance.now() - started) / 1000
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A check that also fails when it takes longer than `limitMs` (a loop that ends, but far too late). */
function timed(check: Check, limitMs: number): Check {
  return async (file) => {
    const t0 = performance.now()
    const r = await check(file)
    const ms = performance.now() - t0
    return r ?? (ms > limitMs ? `took ${Math.round(ms)} ms, over the ${limitMs} ms bound` : null)
  }
}

/** Writes the minimized input and a note (what failed, how it was made) beside it. */
function saveReproducer(dir: string, f: Failure): string {
  mkdirSync(dir, { recursive: true })
  const hash = createHash('sha256').update(f.minimized).digest('hex').slice(0, 10)
  const path = join(dir, `${f.check}-${hash}.${captureExtension(f.minimized)}`)
  writeFileSync(path, f.minimized)
  writeFileSync(`${path}.txt`, `${f.check}: ${f.reason}\nseed capture: ${f.seed}\nmutations: ${f.label}\n`)
  return path
}

