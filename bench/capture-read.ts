/**
 * Question: how fast does openCapture read a large pcap, next to just reading the file with fs?
 *
 * Input: a pcap of at least `--size-mb` MiB (default 1024) of mixed 60-1514 byte frames, made
 * deterministically under os.tmpdir() and reused when it is there with the right size.
 * Output: fs read MB/s, openCapture MB/s and packets/s, their ratio and the reader's peak RSS,
 * median of the rounds (MB = 10^6 bytes). The answer is checked every round: the packet count and
 * byte sum must equal what the generator wrote.
 *
 *   npm run build && node dist/bench/capture-read.js [--size-mb N] [--rounds N]
 */
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DEFAULT_CHUNK_SIZE, openCapture } from '../src/capture/open.js'

export interface Plan {
  path: string
  /** Bytes of the file, packets in it and the sum of their captured lengths. */
  fileSize: number
  packets: number
  bytes: number
}

/** Frame sizes: 40% small (60-99), 20% medium (100-599), 40% full-size (1400-1514), from a fixed seed. */
function* frameSizes(): Generator<number> {
  let seed = 0x5eed
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296
  for (;;) {
    const r = next()
    yield r < 0.4 ? 60 + Math.floor(next() * 40) : r < 0.6 ? 100 + Math.floor(next() * 500) : 1400 + Math.floor(next() * 115)
  }
}

export function plan(sizeMiB: number): Plan {
  const target = sizeMiB * 1024 * 1024
  let fileSize = 24
  let packets = 0
  let bytes = 0
  for (const n of frameSizes()) {
    if (fileSize >= target) break
    fileSize += 16 + n
    bytes += n
    packets++
  }
  return { path: join(tmpdir(), `hubcap-bench-${sizeMiB}mib.pcap`), fileSize, packets, bytes }
}

/** Writes the planned file unless it is already there with the right size. Returns true when it wrote. */
export function ensureFile(p: Plan): boolean {
  if (existsSync(p.path) && statSync(p.path).size === p.fileSize) return false
  // One template frame: Ethernet / IPv4 / UDP headers, then a byte pattern.
  const template = new Uint8Array(1514)
  template.set([0, 0x15, 0x5d, 0, 0, 2, 0, 0x15, 0x5d, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17])
  for (let i = 42; i < template.length; i++) template[i] = i & 0xff
  const buf = Buffer.alloc(8 * 1024 * 1024)
  const fd = openSync(p.path, 'w')
  let o = 0
  const flush = () => { writeSync(fd, buf, 0, o); o = 0 }
  // pcap header: µs magic, v2.4, snaplen 65535, Ethernet (little-endian).
  o = buf.writeUInt32LE(0xa1b2c3d4, 0)
  o = buf.writeUInt16LE(2, o); o = buf.writeUInt16LE(4, o); o = buf.writeUInt32LE(0, o); o = buf.writeUInt32LE(0, o)
  o = buf.writeUInt32LE(65535, o); o = buf.writeUInt32LE(1, o)
  let usec = 0
  let packets = 0
  for (const n of frameSizes()) {
    if (packets === p.packets) break
    if (o + 16 + n > buf.length) flush()
    usec += 7 + (n & 31)
    o = buf.writeUInt32LE(1_767_225_600 + Math.floor(usec / 1e6), o)
    o = buf.writeUInt32LE(usec % 1e6, o)
    o = buf.writeUInt32LE(n, o)
    o = buf.writeUInt32LE(n, o)
    buf.set(template.subarray(0, n), o)
    o += n
    packets++
  }
  flush()
  closeSync(fd)
  return true
}

/**
 * The plain read, done as openCapture reads a regular file: readSync into one reused buffer (a stream's
 * fresh buffer per chunk costs more than the read; an asynchronous read would be a slower reference than
 * the reader it is compared with). Async only so that callers need not change.
 */
export async function readWithFs(path: string, chunkSize = DEFAULT_CHUNK_SIZE): Promise<number> {
  const fd = openSync(path, 'r')
  const buf = Buffer.allocUnsafeSlow(chunkSize)
  let n = 0
  try {
    for (let got = readSync(fd, buf, 0, chunkSize, null); got > 0; got = readSync(fd, buf, 0, chunkSize, null)) n += got
  } finally {
    closeSync(fd)
  }
  return n
}

/** Reads the file with openCapture; returns packets, the caplen sum and the peak RSS seen. */
export async function readWithReader(path: string): Promise<{ packets: number; bytes: number; peakRss: number }> {
  const reader = await openCapture(path, { reuseBuffers: true }) // as the pipeline reads
  let packets = 0
  let bytes = 0
  let peakRss = process.memoryUsage.rss()
  const sample = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()) }, 20)
  for await (const batch of reader.batches()) {
    for (const f of batch) {
      packets++
      bytes += f.bytes.length
    }
  }
  clearInterval(sample)
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
  if (reader.info.warnings.length > 0) throw new Error(`unexpected warnings: ${JSON.stringify(reader.info.warnings)}`)
  return { packets, bytes, peakRss }
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: expected a positive number`)
  return v
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9

async function main(): Promise<void> {
  const sizeMiB = arg('--size-mb', 1024)
  const rounds = arg('--rounds', 3)
  const p = plan(sizeMiB)
  const t0 = process.hrtime.bigint()
  const wrote = ensureFile(p)
  console.log(`${wrote ? 'wrote' : 'reusing'} ${p.path}: ${p.fileSize} bytes, ${p.packets} packets${wrote ? ` in ${seconds(t0).toFixed(1)} s` : ''}`)

  const fsRates: number[] = []
  const ourRates: number[] = []
  const ourPps: number[] = []
  let peak = 0
  for (let r = 0; r < rounds; r++) {
    let t = process.hrtime.bigint()
    const n = await readWithFs(p.path)
    fsRates.push(n / 1e6 / seconds(t))
    if (n !== p.fileSize) throw new Error(`fs read ${n} bytes, expected ${p.fileSize}`)
    t = process.hrtime.bigint()
    const got = await readWithReader(p.path)
    const s = seconds(t)
    if (got.packets !== p.packets || got.bytes !== p.bytes) {
      throw new Error(`reader: ${got.packets} packets / ${got.bytes} bytes, expected ${p.packets} / ${p.bytes}`)
    }
    ourRates.push(p.fileSize / 1e6 / s)
    ourPps.push(p.packets / s)
    peak = Math.max(peak, got.peakRss)
  }
  const fsRate = median(fsRates)
  const ourRate = median(ourRates)
  console.log(`capture-read: ${sizeMiB} MiB pcap, node ${process.version}, chunk ${DEFAULT_CHUNK_SIZE / 1024} KiB, median of ${rounds} rounds`)
  console.log(`  fs read only       ${fsRate.toFixed(0).padStart(6)} MB/s`)
  console.log(`  openCapture        ${ourRate.toFixed(0).padStart(6)} MB/s  ${Math.round(median(ourPps)).toLocaleString('en-US')} packets/s  peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`)
  console.log(`  ratio              ${(ourRate / fsRate).toFixed(2)} (openCapture / fs)`)
  for (const [name, rate, pps] of [['fs.read', fsRate, 0], ['openCapture', ourRate, median(ourPps)]] as const) {
    console.log(JSON.stringify({ bench: `capture-read.${name}`, unit: 'MB/s', mbPerSecond: +rate.toFixed(1), packetsPerSecond: Math.round(pps), sizeMiB, node: process.version }))
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
