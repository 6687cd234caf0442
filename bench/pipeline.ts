/**
 * Question: on one border-mix capture, how far is each stage of the pipeline from just reading the
 * bytes, and from tshark building the same conversations?
 *
 * Rows, each in its own child process (wall time from here, peak RSS from `/usr/bin/time -v`, or,
 * without it, from process.resourceUsage() in a preload for the Node rows):
 *
 *   file read        the whole file read into one reused 256 KiB buffer (readSync, as openCapture reads), nothing else
 *   record walk      openCapture as the pipeline opens it (reuseBuffers), count packets and bytes (checked against the generator)
 *   flows -w 1       node <build>/src/cli/main.js flows FILE -f json -w 1 -o TMP
 *   flows            the same with the default worker count
 *   analyze -w 1     node <build>/src/cli/main.js analyze FILE -p POLICY -f json -w 1 -o TMP (POLICY: hubcap policy init)
 *   analyze          the same with the default worker count
 *   tshark           tshark -q -n -r FILE -z conv,udp -z conv,tcp   (when installed)
 *
 * A hubcap command the build does not have yet (its --help does not list it) is a skipped row
 * with the reason, not a failure. Output: a table (wall s, MB/s, packets/s, peak RSS, time ratio
 * to the file read and to tshark, flows / conversations reported) and one JSON line per row.
 * MB = 10^6 bytes. Exit 1 when a row that ran failed or the walk's count is wrong.
 *
 *   npm run bench                             # = node dist/bench/pipeline.js --variants (1 GiB: 50 k, 200 k, 2 M flows)
 *   npx tsc -p tsconfig.build.json --outDir DIR && node DIR/bench/pipeline.js [--size-mb N] [--flows N] [--rounds N] [--variants]
 *   node DIR/bench/pipeline.js --quick        # 20 MiB: proves the harness runs (CI)
 *   node DIR/bench/pipeline.js --baseline OTHER/src/cli/main.js   # each hubcap row also with another
 *                                             # build, right after it: before/after side by side in one run
 *
 * CPU s is user + system time of the whole process (all threads) from /usr/bin/time: on a shared
 * machine it moves less than the wall time, which waits for the cores other jobs hold.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readWithFs, readWithReader } from './capture-read.js'
import { describeMix, ensureBorderMix, type BorderMix } from './border-mix.js'
import { policyTemplate } from '../src/policy/template.js'

const TIME = '/usr/bin/time'

export interface Measured {
  code: number | null
  wallSeconds: number
  /** User + system CPU seconds of the child (all threads); null without /usr/bin/time. */
  cpuSeconds: number | null
  /** Peak resident set of the child, bytes; null when it could not be measured. */
  peakRss: number | null
  stdout: string
  stderr: string
  /** Lines of stdout containing `count` (counted while streaming, for outputs too large to keep). */
  counted: number
}

export interface RowSpec {
  name: string
  command: string
  args: string[]
  /** Why the row does not run, when it does not. */
  skip?: string
  /** Keep stdout (small outputs) or only count lines containing this string. */
  stdout: 'keep' | { countLinesWith: string }
  /** A file the command writes, removed afterwards. */
  outputFile?: string
  isNode: boolean
  /** Exit codes that mean the command did its job (analyze: 1 = findings at or above --fail-on). */
  okCodes?: number[]
}

export interface RowResult {
  name: string
  status: 'ok' | 'skipped' | 'failed'
  reason?: string
  wallSeconds: number | null
  cpuSeconds: number | null
  peakRssMiB: number | null
  /** Flows (hubcap) or conversations (tshark) the command reported, when it says. */
  flows: number | null
  packets: number | null
}

let preload: string | null = null
/** A CommonJS preload that writes the process's peak RSS (kB) to $HUBCAP_BENCH_RSS at exit. */
function rssPreload(dir: string): string {
  if (preload) return preload
  preload = join(dir, 'rss-preload.cjs')
  writeFileSync(preload, "process.on('exit', () => { try { require('fs').writeFileSync(process.env.HUBCAP_BENCH_RSS, String(process.resourceUsage().maxRSS)) } catch {} })\n")
  return preload
}

/** Runs one command, timing it and taking its peak RSS. */
export function measure(spec: RowSpec, workDir: string): Promise<Measured> {
  const stats = join(workDir, `stats-${process.hrtime.bigint()}.txt`)
  const useTime = existsSync(TIME)
  const env = { ...process.env }
  let command = spec.command
  let args = spec.args
  if (useTime) {
    command = TIME
    args = ['-v', '-o', stats, spec.command, ...spec.args]
  } else if (spec.isNode) {
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${rssPreload(workDir)}`.trim()
    env.HUBCAP_BENCH_RSS = stats
  }
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let counted = 0
    let partial = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (s: string) => {
      if (spec.stdout === 'keep') { stdout += s; return }
      const needle = spec.stdout.countLinesWith
      const lines = (partial + s).split('\n')
      partial = lines.pop()!
      for (const l of lines) if (l.includes(needle)) counted++
    })
    child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-64 * 1024) })
    child.on('error', reject)
    child.on('close', (code) => {
      const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9
      if (spec.stdout !== 'keep' && partial.includes(spec.stdout.countLinesWith)) counted++
      let peakRss: number | null = null
      let cpuSeconds: number | null = null
      try {
        const text = readFileSync(stats, 'utf8')
        const kb = useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(text)?.[1] : text.trim()
        if (kb) peakRss = Number(kb) * 1024
        const user = /User time \(seconds\): ([\d.]+)/.exec(text)?.[1]
        const sys = /System time \(seconds\): ([\d.]+)/.exec(text)?.[1]
        if (useTime && user !== undefined && sys !== undefined) cpuSeconds = Number(user) + Number(sys)
        rmSync(stats, { force: true })
      } catch {
        // no stats: the RSS stays unknown
      }
      resolve({ code, wallSeconds, cpuSeconds, peakRss, stdout, stderr, counted })
    })
  })
}

/** The first bytes of a file (the flows JSON starts with its count). */
function head(path: string, n = 4096): string {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(n)
    return buf.subarray(0, readSync(fd, buf, 0, n, 0)).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** Commands `main.js --help` lists, or an error text when the CLI is not usable. */
function cliCommands(cli: string): Set<string> | string {
  if (!existsSync(cli)) return `${cli} not found (build first: npx tsc -p tsconfig.build.json --outDir DIR)`
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' })
  if (r.status !== 0) return `${cli} --help failed: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`
  const section = r.stdout.split(/^Commands:$/m)[1] ?? ''
  return new Set(Array.from(section.matchAll(/^\s{2}(\S+)/gm), (m) => m[1]!))
}

function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0
}

// ---- child modes: the two baseline rows run this same file ----------------------------------------

async function child(mode: string, file: string): Promise<void> {
  if (mode === 'read') console.log(JSON.stringify({ bytes: await readWithFs(file) }))
  else if (mode === 'walk') {
    const r = await readWithReader(file)
    console.log(JSON.stringify({ packets: r.packets, bytes: r.bytes }))
  } else throw new Error(`unknown child mode ${mode}`)
}

// ---- the run --------------------------------------------------------------------------------------

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

function numberArg(name: string, fallback: number): number {
  const v = argValue(name)
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number`)
  return n
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

/** The policy template (the contract example's address plan, which the border mix uses). */
function examplePolicy(workDir: string): string {
  const path = join(workDir, 'policy.yaml')
  if (!existsSync(path)) writeFileSync(path, policyTemplate())
  return path
}

export function rowSpecs(mix: BorderMix, cli: string, workDir: string, baseline?: string): RowSpec[] {
  const self = fileURLToPath(import.meta.url)
  const node = process.execPath
  const hubcap = (name: string, command: string, extra: string[]): RowSpec[] => {
    const rows = [hubcapRow(name, command, extra, cli)]
    if (baseline !== undefined) rows.push(hubcapRow(`${name} [baseline]`, command, extra, baseline))
    return rows
  }
  const hubcapRow = (name: string, command: string, extra: string[], cli: string): RowSpec => {
    const commands = cliCommands(cli)
    const out = join(workDir, `${name.replace(/\W+/g, '-')}.json`)
    const skip = typeof commands === 'string' ? commands
      : commands.has(command) ? undefined
        : `\`hubcap ${command}\` is not in this build yet (${cli} --help lists: ${[...commands].join(', ')})`
    return {
      name, command: node, args: [cli, command, mix.path, '-f', 'json', '-o', out, ...extra], stdout: 'keep', outputFile: out, isNode: true,
      okCodes: command === 'analyze' ? [0, 1] : [0],
      ...(skip !== undefined ? { skip } : {}),
    }
  }
  return [
    { name: 'file read', command: node, args: [self, '--child', 'read', mix.path], stdout: 'keep', isNode: true },
    { name: 'record walk', command: node, args: [self, '--child', 'walk', mix.path], stdout: 'keep', isNode: true },
    ...hubcap('flows -w 1', 'flows', ['-w', '1']),
    ...hubcap(`flows (default -w, ${cpus().length} cores)`, 'flows', []),
    ...hubcap('analyze -w 1', 'analyze', ['-w', '1', '-p', examplePolicy(workDir)]),
    ...hubcap(`analyze (default -w, ${cpus().length} cores)`, 'analyze', ['-p', examplePolicy(workDir)]),
    {
      name: 'tshark conv,udp+tcp', command: 'tshark', args: ['-q', '-n', '-r', mix.path, '-z', 'conv,udp', '-z', 'conv,tcp'],
      stdout: { countLinesWith: '<->' }, isNode: false,
      ...(tsharkAvailable() ? {} : { skip: 'tshark is not installed' }),
    },
  ]
}

const rowBase = (spec: RowSpec) => ({ name: spec.name, wallSeconds: null, cpuSeconds: null, peakRssMiB: null, flows: null, packets: null })

/** One run of a row: its measurement, or the row's failure. */
async function runRowOnce(spec: RowSpec, workDir: string): Promise<Measured | RowResult> {
  const m = await measure(spec, workDir)
  if ((spec.okCodes ?? [0]).includes(m.code ?? -1)) return m
  const line = m.stderr.trim().split('\n').filter((l) => !l.includes('Running as user')).pop() ?? ''
  if (spec.outputFile) rmSync(spec.outputFile, { force: true })
  return { ...rowBase(spec), status: 'failed', reason: `exit ${m.code}: ${line}` }
}

/** A row's runs (at least one, in run order): medians of wall and CPU time, the highest peak RSS, and checks on the last. */
function summarizeRow(spec: RowSpec, mix: BorderMix, runs: Measured[]): RowResult {
  const base = rowBase(spec)
  const walls = runs.map((m) => m.wallSeconds)
  const cpu = runs.flatMap((m) => (m.cpuSeconds !== null ? [m.cpuSeconds] : []))
  const peaks = runs.flatMap((m) => (m.peakRss !== null ? [m.peakRss] : []))
  const peak = peaks.length > 0 ? Math.max(...peaks) : null
  const last = runs[runs.length - 1]!
  const result: RowResult = {
    ...base, status: 'ok', wallSeconds: median(walls), cpuSeconds: cpu.length > 0 ? median(cpu) : null, peakRssMiB: peak === null ? null : peak / 2 ** 20 }
  if (spec.name === 'record walk' || spec.name === 'file read') {
    const got = JSON.parse(last.stdout) as { packets?: number; bytes: number }
    if (got.packets !== undefined) {
      result.packets = got.packets
      if (got.packets !== mix.packets || got.bytes !== mix.bytes) {
        return { ...result, status: 'failed', reason: `read ${got.packets} packets / ${got.bytes} bytes, the generator wrote ${mix.packets} / ${mix.bytes}` }
      }
    } else if (got.bytes !== mix.fileSize) {
      return { ...result, status: 'failed', reason: `read ${got.bytes} bytes of ${mix.fileSize}` }
    }
  }
  if (spec.outputFile) {
    const count = /"count"\s*:\s*(\d+)/.exec(head(spec.outputFile))?.[1]
    if (count !== undefined) result.flows = Number(count)
    rmSync(spec.outputFile, { force: true })
  }
  if (typeof spec.stdout !== 'string') result.flows = last.counted
  return result
}

function fmt(n: number | null, digits = 1): string {
  return n === null ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

async function main(): Promise<void> {
  const modeAt = process.argv.indexOf('--child')
  if (modeAt >= 0) { await child(process.argv[modeAt + 1]!, process.argv[modeAt + 2]!); return }

  const quick = process.argv.includes('--quick')
  const sizeMiB = numberArg('--size-mb', quick ? 20 : 1024)
  const flowsArg = argValue('--flows')
  const rounds = Math.floor(numberArg('--rounds', 1))
  const cli = argValue('--cli') ?? fileURLToPath(new URL('../src/cli/main.js', import.meta.url))
  const baseline = argValue('--baseline')
  // --variants: the same size again with 200 k and 2 M flows (the flow table under load), each its own table.
  const flows = flowsArg !== undefined ? Number(flowsArg) : undefined
  const flowCounts = process.argv.includes('--variants') ? [flows, ...VARIANT_FLOWS] : [flows]
  let failed = false
  for (const count of flowCounts) {
    const mix = ensureBorderMix({ sizeMiB, ...(count !== undefined ? { flows: count } : {}) })
    if (!(await benchMix(mix, sizeMiB, cli, rounds, baseline))) failed = true
  }
  if (failed) process.exitCode = 1
}

/** Flow counts of the --variants runs. */
const VARIANT_FLOWS = [200_000, 2_000_000]

/** Every row on one mix, printed as a table and JSON lines; false when a row failed. */
async function benchMix(mix: BorderMix, sizeMiB: number, cli: string, rounds: number, baseline: string | undefined): Promise<boolean> {
  console.log(describeMix(mix))
  await readWithFs(mix.path) // the same warm page cache for every row

  const workDir = mkdtempSync(join(tmpdir(), 'hubcap-pipeline-'))
  let results: RowResult[]
  try {
    // Rounds go through every row in turn (not one row N times, then the next), so that the load of this
    // shared machine drifting during the run falls on every row alike.
    const specs = rowSpecs(mix, cli, workDir, baseline)
    const runs: Measured[][] = specs.map(() => [])
    const failed = new Map<number, RowResult>()
    for (let r = 0; r < rounds; r++) {
      for (const [i, spec] of specs.entries()) {
        if (spec.skip !== undefined || failed.has(i)) continue
        process.stderr.write(`  ${spec.name}${rounds > 1 ? ` (round ${r + 1} of ${rounds})` : ''} ...\n`)
        const got = await runRowOnce(spec, workDir)
        if ('status' in got) failed.set(i, got)
        else runs[i]!.push(got)
      }
    }
    results = specs.map((spec, i) => spec.skip !== undefined ? { ...rowBase(spec), status: 'skipped' as const, reason: spec.skip }
      : failed.get(i) ?? summarizeRow(spec, mix, runs[i]!))
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }

  const read = results.find((r) => r.name === 'file read' && r.status === 'ok')?.wallSeconds ?? null
  const tshark = results.find((r) => r.name.startsWith('tshark') && r.status === 'ok')?.wallSeconds ?? null
  console.log(`pipeline: ${(mix.fileSize / 1e6).toFixed(1)} MB, ${mix.packets.toLocaleString('en-US')} packets, ` +
    `${mix.flows.toLocaleString('en-US')} flows; node ${process.version}, ${cpus().length} cores, ` +
    `RSS from ${existsSync(TIME) ? TIME : 'process.resourceUsage (Node rows only)'}${rounds > 1 ? `, median of ${rounds}` : ''}`)
  const header = ['row', 'wall s', 'CPU s', 'MB/s', 'packets/s', 'peak RSS MiB', 'x file read', 'x tshark', 'flows']
  const rows = results.map((r) => r.status !== 'ok'
    ? [r.name, `${r.status}: ${r.reason ?? ''}`]
    : [
      r.name, fmt(r.wallSeconds, 2), fmt(r.cpuSeconds, 2), fmt(mix.fileSize / 1e6 / r.wallSeconds!, 0), fmt(mix.packets / r.wallSeconds!, 0), fmt(r.peakRssMiB, 0),
      read === null ? '-' : fmt(r.wallSeconds! / read, 2), tshark === null ? '-' : fmt(r.wallSeconds! / tshark, 2), fmt(r.flows, 0),
    ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.filter((r) => i === 0 || r.length > 2).map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  console.log(`  ${line(header)}`)
  for (const r of rows) console.log(`  ${r.length === 2 ? `${r[0]!.padEnd(widths[0]!)}  ${r[1]}` : line(r)}`)
  // The issue's ratio: the default worker count against -w 1, same command, same run.
  const wall = (name: string) => results.find((r) => r.name === name && r.status === 'ok')?.wallSeconds ?? null
  const speedups = ['flows', 'analyze'].flatMap((c) => {
    const one = wall(`${c} -w 1`)
    const many = wall(`${c} (default -w, ${cpus().length} cores)`)
    return one !== null && many !== null ? [`${c} ${fmt(one / many, 2)}x`] : []
  })
  if (speedups.length > 0) console.log(`  default workers against -w 1 (wall): ${speedups.join(', ')}`)
  for (const r of results) {
    const ok = r.status === 'ok'
    console.log(JSON.stringify({
      bench: 'pipeline', row: r.name, status: r.status, ...(r.reason !== undefined ? { reason: r.reason } : {}),
      file: mix.path, sizeMiB, fileSize: mix.fileSize, packets: mix.packets, flowsGenerated: mix.flows,
      wallSeconds: r.wallSeconds === null ? null : +r.wallSeconds.toFixed(3),
      cpuSeconds: r.cpuSeconds === null ? null : +r.cpuSeconds.toFixed(2),
      mbPerSecond: ok ? +(mix.fileSize / 1e6 / r.wallSeconds!).toFixed(1) : null,
      packetsPerSecond: ok ? Math.round(mix.packets / r.wallSeconds!) : null,
      peakRssMiB: r.peakRssMiB === null ? null : +r.peakRssMiB.toFixed(1),
      vsFileRead: ok && read !== null ? +(r.wallSeconds! / read).toFixed(3) : null,
      vsTshark: ok && tshark !== null ? +(r.wallSeconds! / tshark).toFixed(3) : null,
      flows: r.flows, node: process.version, cores: cpus().length,
    }))
  }
  return !results.some((r) => r.status === 'failed')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
