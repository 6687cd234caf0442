/**
 * Question: does memory stay bounded on the inputs built to exhaust it? Each case is a capture
 * generated on the fly (`node memory.js --generate CASE` writes a pcap to stdout) and piped into
 * `hubcap analyze - -f json -o REPORT -w 2` (--workers N) in its own child process, so no file of gigabytes is
 * ever written; the child's peak RSS comes from `/usr/bin/time -v` (or, without it, from
 * process.resourceUsage() in a preload) and is printed next to the bound that applies:
 *
 *   baseline      1000 SYNs: the process with nothing to hold (every bound below adds to it)
 *   syn-flood     10 000 000 distinct flows (SYN flood, random source and destination ports): flow tables
 *                 capped at MAX_FLOWS for the run, shared by the workers (oldest evicted, counted in the
 *                 report's flows.evicted)
 *   syn-443       1 000 000 SYNs to 443: every one opens a followed TLS connection, capped at
 *                 MAX_TCP_CONNECTIONS per worker (a table entry and a sequence number until data comes)
 *   fragments     2 000 000 first fragments of datagrams that never complete: MAX_FRAGMENT_DATAGRAMS /
 *                 MAX_FRAGMENT_BYTES per worker
 *   tcp-gap-1g    a BGP (179) TCP stream whose first segment is never seen, then 1 GiB of data:
 *                 MAX_TCP_OOO_BYTES per direction, MAX_TCP_REASSEMBLY_BYTES per worker
 *   stdin-10g     10 GiB of UDP (256 flows, 1442-byte frames) streamed from standard input: nothing grows
 *
 * The bounds are estimates from src/decode/limits.ts: baseline + (entries x measured bytes per entry),
 * per worker where the limit is per worker. Exit 1 when a case fails (exit code not 0/1) or exceeds its bound.
 *
 * Peak RSS includes garbage V8 has not collected yet. Each worker's heap is limited (limits.WORKER_HEAP_MB)
 * so that V8 collects before it piles up; `--heap-mb N` passes --max-old-space-size=N to the CLI instead
 * (every isolate, workers too): a case that completes under a small cap holds no more than that live.
 *
 *   npm run bench:memory [-- --only syn-flood,fragments] [--scale 0.1] [--heap-mb 1024] [--workers N (default 2)]
 *   npm run bench:memory -- --quick            # every case at scale 0.01 (CI runs this)
 *   (or: npx tsc -p tsconfig.build.json --outDir DIR && node DIR/bench/memory.js)
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MAX_FLOWS, MAX_FRAGMENT_BYTES, MAX_FRAGMENT_DATAGRAMS, MAX_TCP_CONNECTIONS, MAX_TCP_REASSEMBLY_BYTES } from '../src/decode/limits.js'
import { MAX_KEPT_FLOW_RECORDS } from '../src/observe/limits.js'

const TIME = '/usr/bin/time'
/** Workers of the analysed runs (--workers N; 1 runs in the main thread, whose heap is node's own). */
const WORKERS = ((): number => {
  const n = Number(arg('workers') ?? '2')
  if (!Number.isInteger(n) || n < 1) throw new Error(`--workers: "${arg('workers')}" is not a positive integer`)
  return n
})()
const MB = 1024 * 1024
/** Cost of one live flow in RSS, measured here: 300 000 SYNs to port 5000 in one process peak 190 MB above
 *  an empty one, ~630 B each (src/flow/table.ts measures ~400 B of table; the rest is the records of ended
 *  flows and garbage between collections); with the table full (1 M flows) and churning, nearer 900 B. */
const FLOW_BYTES = 900
/** Per held datagram besides its bytes (record, fragment list, map entry): generous. */
const FRAGMENT_OVERHEAD = 1024
/** A flow record kept by the observations (src/observe/limits.ts MAX_KEPT_FLOW_RECORDS: ~1.2 KB with its strings). */
const KEPT_RECORD_BYTES = 1200
/** One followed TCP connection opened by a bare SYN (a SYN to 443): its table entries and key; the parser and
 *  reassemblers come with its first data. Measured: 60 000 such connections fed to TcpApplications hold
 *  353 B each (heap after GC); 512 B with slack. */
const CONNECTION_BYTES = 512
/** Slack for what no bound names (V8 heap headroom between collections, buffers in flight between the
 *  reader and the workers): the fragment case, whose bounds hold 16 MiB, peaks 90 MB above the baseline. */
const SLACK = 256 * MB

interface Case {
  name: string
  what: string
  /** Packets and bytes the generator writes (scaled). */
  packets: (scale: number) => number
  bound: (base: number) => number
  boundText: string
  frames: (scale: number) => Generator<Uint8Array>
}

// ---- frame building (by hand: millions per second, no builder objects) ------------------------

function ipv4Header(b: Uint8Array, o: number, total: number, id: number, flagsFrag: number, proto: number, src: number, dst: number): void {
  b[o] = 0x45; b[o + 1] = 0
  b[o + 2] = total >> 8; b[o + 3] = total & 0xff
  b[o + 4] = (id >> 8) & 0xff; b[o + 5] = id & 0xff
  b[o + 6] = flagsFrag >> 8; b[o + 7] = flagsFrag & 0xff
  b[o + 8] = 64; b[o + 9] = proto; b[o + 10] = 0; b[o + 11] = 0
  put32(b, o + 12, src); put32(b, o + 16, dst)
  let sum = 0
  for (let i = 0; i < 20; i += 2) sum += (b[o + i]! << 8) | b[o + i + 1]!
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  const c = ~sum & 0xffff
  b[o + 10] = c >> 8; b[o + 11] = c & 0xff
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff
}

const ETH = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0

function tcpFrame(src: number, dst: number, sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array | number): Uint8Array {
  const len = typeof payload === 'number' ? payload : payload.length
  const b = new Uint8Array(54 + len)
  b.set(ETH)
  ipv4Header(b, 14, 40 + len, 1, 0x4000, 6, src, dst)
  b[34] = sport >> 8; b[35] = sport & 0xff; b[36] = dport >> 8; b[37] = dport & 0xff
  put32(b, 38, seq >>> 0); put32(b, 42, ack >>> 0)
  b[46] = 0x50; b[47] = flags; b[48] = 0xff; b[49] = 0xff
  if (typeof payload !== 'number') b.set(payload, 54)
  return b
}

// ---- the cases ----------------------------------------------------------------------------------

const CASES: Case[] = [
  {
    name: 'baseline', what: '1000 SYNs', packets: () => 1000,
    bound: (base) => base, boundText: '(the reference)',
    *frames() { for (let i = 0; i < 1000; i++) yield tcpFrame(ip(198, 51, 100, 7), ip(203, 0, 113, 10), 1024 + i, 443, 1, 0, 0x02, 0) },
  },
  {
    name: 'syn-flood', what: '10 M distinct flows (SYN flood, random ports)', packets: (s) => Math.round(10_000_000 * s),
    bound: (base) => base + MAX_FLOWS * FLOW_BYTES + WORKERS * MAX_KEPT_FLOW_RECORDS * KEPT_RECORD_BYTES + SLACK,
    boundText: `baseline + MAX_FLOWS ${MAX_FLOWS} (the run's, shared by the workers) x ~${FLOW_BYTES} B + ${WORKERS} workers x MAX_KEPT_FLOW_RECORDS ${MAX_KEPT_FLOW_RECORDS} x ~${KEPT_RECORD_BYTES} B + ${SLACK / MB} MiB`,
    *frames(s) {
      const n = Math.round(10_000_000 * s)
      const frame = tcpFrame(0, ip(203, 0, 113, 10), 0, 0, 1, 0, 0x02, 0)
      for (let i = 0; i < n; i++) {
        // Source port: 65536 per source address (an odd multiplier permutes them), so every flow is distinct;
        // destination port: spread over 1024-65535 by another permutation (a scan-like flood).
        const port = Math.imul(i & 0xffff, 40503) & 0xffff
        const dport = 1024 + (Math.imul(i, 2654435761) >>> 0) % 64512
        put32(frame, 26, ip(100, 64 + ((i >>> 24) & 0x3f), (i >>> 16) & 0xff, 1))
        frame[34] = port >> 8; frame[35] = port & 0xff; frame[36] = dport >> 8; frame[37] = dport & 0xff
        yield frame
      }
    },
  },
  {
    name: 'syn-443', what: '1 M distinct SYNs to one TLS port (443)', packets: (s) => Math.round(1_000_000 * s),
    bound: (base) => base + 1_000_000 * FLOW_BYTES + WORKERS * (MAX_KEPT_FLOW_RECORDS * KEPT_RECORD_BYTES + MAX_TCP_CONNECTIONS * CONNECTION_BYTES) + SLACK,
    boundText: `baseline + 1 000 000 flows x ~${FLOW_BYTES} B + ${WORKERS} workers x (${MAX_KEPT_FLOW_RECORDS} kept x ~${KEPT_RECORD_BYTES} B + MAX_TCP_CONNECTIONS ${MAX_TCP_CONNECTIONS} x ~${CONNECTION_BYTES} B) + ${SLACK / MB} MiB`,
    *frames(s) {
      const n = Math.round(1_000_000 * s)
      const frame = tcpFrame(0, ip(203, 0, 113, 10), 0, 443, 1, 0, 0x02, 0)
      for (let i = 0; i < n; i++) {
        const port = Math.imul(i & 0xffff, 40503) & 0xffff
        put32(frame, 26, ip(100, 64 + ((i >>> 24) & 0x3f), (i >>> 16) & 0xff, 1))
        frame[34] = port >> 8; frame[35] = port & 0xff
        yield frame
      }
    },
  },
  {
    name: 'fragments', what: '2 M first fragments, none completes', packets: (s) => Math.round(2_000_000 * s),
    bound: (base) => base + WORKERS * (MAX_FRAGMENT_BYTES + MAX_FRAGMENT_DATAGRAMS * FRAGMENT_OVERHEAD) + SLACK,
    boundText: `baseline + ${WORKERS} workers x (MAX_FRAGMENT_BYTES ${MAX_FRAGMENT_BYTES / MB} MiB + ${MAX_FRAGMENT_DATAGRAMS} x ~1 KiB) + ${SLACK / MB} MiB`,
    *frames(s) {
      const n = Math.round(2_000_000 * s)
      const b = new Uint8Array(14 + 20 + 64)
      b.set(ETH)
      for (let i = 0; i < n; i++) {
        ipv4Header(b, 14, 84, i & 0xffff, 0x2000, 17, ip(198, 51, 100 + ((i >>> 16) & 0x7f), 7), ip(203, 0, 113, 10))
        yield b
      }
    },
  },
  {
    name: 'tcp-gap-1g', what: 'BGP stream, first segment missing, then 1 GiB', packets: (s) => 3 + Math.ceil((1024 * MB * s) / 1460),
    bound: (base) => base + WORKERS * MAX_TCP_REASSEMBLY_BYTES + SLACK,
    boundText: `baseline + ${WORKERS} workers x MAX_TCP_REASSEMBLY_BYTES (${MAX_TCP_REASSEMBLY_BYTES / MB} MiB) + ${SLACK / MB} MiB`,
    *frames(s) {
      const a = ip(10, 10, 1, 2)
      const z = ip(10, 10, 1, 1)
      yield tcpFrame(a, z, 40000, 179, 1000, 0, 0x02, 0)
      yield tcpFrame(z, a, 179, 40000, 5000, 1001, 0x12, 0)
      yield tcpFrame(a, z, 40000, 179, 1001, 5001, 0x10, 0)
      const data = new Uint8Array(1460)
      for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff
      const segments = Math.ceil((1024 * MB * s) / 1460)
      const frame = tcpFrame(a, z, 40000, 179, 0, 5001, 0x18, data)
      // Sequence numbers from 1001 + 1460: the segment at 1001 never comes.
      for (let k = 1; k <= segments; k++) {
        put32(frame, 38, (1001 + k * 1460) >>> 0)
        yield frame
      }
    },
  },
  {
    name: 'stdin-10g', what: '10 GiB of UDP from standard input', packets: (s) => Math.ceil((10 * 1024 * MB * s) / (1442 + 16)),
    bound: (base) => base + SLACK,
    boundText: `baseline + ${SLACK / MB} MiB (nothing may grow with the input)`,
    *frames(s) {
      const n = Math.ceil((10 * 1024 * MB * s) / (1442 + 16))
      const b = new Uint8Array(1442)
      b.set(ETH)
      for (let i = 0; i < n; i++) {
        const flow = i & 0xff
        ipv4Header(b, 14, 1428, i & 0xffff, 0x4000, 17, ip(10, 20, 0, flow), ip(192, 0, 2, 10))
        b[34] = 0xc3; b[35] = flow; b[36] = 0x13; b[37] = 0x88; b[38] = (1408 >> 8); b[39] = 1408 & 0xff
        yield b
      }
    },
  },
]

/** Writes the case's pcap to stdout, honouring backpressure (a 10 GiB capture must never sit in memory). */
async function generate(c: Case, scale: number): Promise<void> {
  const header = new Uint8Array(24)
  const dv = new DataView(header.buffer)
  dv.setUint32(0, 0xa1b2c3d4, true); dv.setUint16(4, 2, true); dv.setUint16(6, 4, true)
  dv.setUint32(16, 262144, true); dv.setUint32(20, 1, true)
  const CHUNK = 1024 * 1024
  let buf = Buffer.allocUnsafe(CHUNK)
  let o = 0
  const flush = async (): Promise<void> => {
    if (o === 0) return
    const ok = process.stdout.write(buf.subarray(0, o))
    buf = Buffer.allocUnsafe(CHUNK)
    o = 0
    if (!ok) await new Promise<void>((resolve) => process.stdout.once('drain', resolve))
  }
  buf.set(header, 0)
  o = 24
  let n = 0
  const t0 = 1_795_183_140 // 2026-11-20T13:59:00Z
  for (const f of c.frames(scale)) {
    if (o + 16 + f.length > CHUNK) await flush()
    // 1 µs apart: 10 M packets in 10 s, so no flow or fragment times out before its bound is reached.
    const usec = n++
    buf.writeUInt32LE(t0 + Math.floor(usec / 1_000_000), o); buf.writeUInt32LE(usec % 1_000_000, o + 4)
    buf.writeUInt32LE(f.length, o + 8); buf.writeUInt32LE(f.length, o + 12)
    buf.set(f, o + 16)
    o += 16 + f.length
  }
  await flush()
  await new Promise<void>((resolve) => process.stdout.end(resolve))
}

// ---- measuring ----------------------------------------------------------------------------------

interface Measured { code: number | null; seconds: number; peakRss: number | null; stderr: string }

function rssPreload(dir: string): string {
  const file = join(dir, 'rss-preload.cjs')
  writeFileSync(file, "process.on('exit', () => require('fs').writeFileSync(process.env.HUBCAP_BENCH_RSS, String(process.resourceUsage().maxRSS)))\n")
  return file
}

/** The generator piped into the CLI; the CLI's peak RSS. */
function measure(c: Case, scale: number, cli: string, report: string, dir: string, heapMb: number | null): Promise<Measured> {
  const stats = join(dir, `stats-${c.name}.txt`)
  const useTime = existsSync(TIME)
  const cliArgs = [cli, 'analyze', '-', '-f', 'json', '-o', report, '-w', String(WORKERS), '--no-progress']
  const env = { ...process.env }
  // --max-old-space-size applies to every isolate, the workers' too: the run must fit in it.
  if (heapMb !== null) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMb}`.trim()
  if (!useTime) { env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${rssPreload(dir)}`.trim(); env.HUBCAP_BENCH_RSS = stats }
  const [command, args] = useTime ? [TIME, ['-v', '-o', stats, process.execPath, ...cliArgs]] : [process.execPath, cliArgs]
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const gen = spawn(process.execPath, [fileURLToPath(import.meta.url), '--generate', c.name, '--scale', String(scale)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const child = spawn(command, args as string[], { env, stdio: ['pipe', 'ignore', 'pipe'] })
    gen.stdout.pipe(child.stdin)
    child.stdin.on('error', () => { /* the CLI stopped reading: its exit code says why */ })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-8192) })
    child.on('error', reject)
    child.on('close', (code) => {
      gen.kill()
      let peakRss: number | null = null
      try {
        const text = readFileSync(stats, 'utf8')
        const kb = useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(text)?.[1] : text.trim()
        if (kb) peakRss = Number(kb) * 1024
      } catch { /* unknown */ }
      resolve({ code, seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakRss, stderr })
    })
  })
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? undefined : process.argv[i + 1]
}

async function main(): Promise<void> {
  // --quick: every case at 1/100 of its size (about 20 s): proves the harness and the bounds still run (CI).
  const quick = process.argv.includes('--quick')
  const scale = Number(arg('scale') ?? (quick ? '0.01' : '1'))
  if (!(scale > 0)) throw new Error(`--scale: "${arg('scale')}" is not a positive number`)
  const generating = arg('generate')
  if (generating) {
    // The reader stopped (the CLI failed or was stopped): its exit code tells; the generator just ends.
    process.stdout.on('error', () => process.exit(0))
    const c = CASES.find((x) => x.name === generating)
    if (!c) throw new Error(`no case ${generating}`)
    await generate(c, scale)
    return
  }
  const only = arg('only')?.split(',')
  const heapMb = arg('heap-mb') === undefined ? null : Number(arg('heap-mb'))
  const cli = arg('cli') ?? fileURLToPath(new URL('../src/cli/main.js', import.meta.url))
  const dir = mkdtempSync(join(tmpdir(), 'hubcap-memory-'))
  let failed = false
  let base = 0
  const rows: string[] = []
  console.log(`memory: ${WORKERS} workers, scale ${scale}, peak RSS from ${existsSync(TIME) ? '/usr/bin/time -v' : 'process.resourceUsage()'}` +
    `${heapMb === null ? '' : `, V8 heap capped at ${heapMb} MB per isolate`}`)
  try {
    for (const c of CASES) {
      if (only && c.name !== 'baseline' && !only.includes(c.name)) continue
      const report = join(dir, `${c.name}.json`)
      const m = await measure(c, scale, cli, report, dir, heapMb)
      let facts = ''
      try {
        const r = JSON.parse(readFileSync(report, 'utf8')) as { decode: { packets: number; bytes: number }; flows: { count: number; evicted: number } }
        facts = `${r.decode.packets} packets, ${(r.decode.bytes / MB).toFixed(0)} MiB, ${r.flows.count} flows, ${r.flows.evicted} evicted`
        if (r.decode.packets !== c.packets(scale)) { facts += ` (expected ${c.packets(scale)} packets)`; failed = true }
      } catch { facts = 'no report' }
      if (c.name === 'baseline') base = m.peakRss ?? 0
      const bound = c.bound(base)
      const within = m.peakRss !== null && m.peakRss <= bound
      const ok = (m.code === 0 || m.code === 1) && (c.name === 'baseline' || within)
      if (!ok) failed = true
      const line = `${c.name.padEnd(11)} ${c.what.padEnd(52)} ${m.seconds.toFixed(1).padStart(7)} s  peak RSS ${m.peakRss === null ? '?' : (m.peakRss / MB).toFixed(0).padStart(5)} MiB` +
        `  bound ${(bound / MB).toFixed(0).padStart(5)} MiB  ${c.name === 'baseline' ? '' : within ? 'within' : 'OVER'}  exit ${m.code}\n` +
        `            ${facts}; bound = ${c.boundText}${m.code !== 0 && m.code !== 1 ? `\n            stderr: ${m.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`
      console.log(line)
      rows.push(JSON.stringify({ case: c.name, seconds: +m.seconds.toFixed(1), peakRssMiB: m.peakRss === null ? null : +(m.peakRss / MB).toFixed(1), boundMiB: +(bound / MB).toFixed(1), exit: m.code, facts }))
    }
    console.log(rows.join('\n'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  process.exitCode = failed ? 1 : 0
}

await main()
