/**
 * Question: can the npm package `pcap-parser` (named in the design card) read what hubcap must
 * read, and how does it compare with our reader (src/capture/open.ts)?
 *
 * Checks, on files made here under os.tmpdir(): µs pcap, ns pcap, pcapng, gzip, major version 1,
 * a record cut short at the end, a corrupt length field (time and memory, several file sizes, each
 * in its own process), and throughput on the file of bench/capture-read.ts.
 *
 *   npm run build && node dist/bench/pcap-parser-compare.js [--size-mb N] [--corrupt-mb 16,32,64]
 */
import { spawnSync } from 'node:child_process'
import type { EventEmitter } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { openCapture } from '../src/capture/open.js'
import { arg, ensureFile, plan } from './capture-read.js'

interface PcapParserModule { parse(input: string | NodeJS.ReadableStream): EventEmitter & { stream: NodeJS.ReadableStream & { destroy(): void } } }
const pcapParser = createRequire(import.meta.url)('pcap-parser') as PcapParserModule

interface Outcome { packets: number; bytes: number; error: string | null; ms: number; peakRssMiB: number; warnings?: string[] }

function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss()
  const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 10)
  return { stop: () => { clearInterval(t); return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20 } }
}

function theirs(path: string, timeoutMs = 120_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const rss = sampleRss()
    const out: Outcome = { packets: 0, bytes: 0, error: null, ms: 0, peakRssMiB: 0 }
    const p = pcapParser.parse(path)
    const done = () => {
      clearTimeout(timer)
      out.ms = performance.now() - t0
      out.peakRssMiB = rss.stop()
      resolve(out)
    }
    const timer = setTimeout(() => { out.error = `no end after ${timeoutMs / 1000} s`; p.stream.destroy(); done() }, timeoutMs)
    p.on('packet', (pkt: { data: Buffer }) => { out.packets++; out.bytes += pkt.data.length })
    p.on('error', (e: Error) => { out.error = e.message })
    p.on('end', done)
  })
}

async function ours(path: string): Promise<Outcome> {
  const t0 = performance.now()
  const rss = sampleRss()
  const out: Outcome = { packets: 0, bytes: 0, error: null, ms: 0, peakRssMiB: 0 }
  try {
    const r = await openCapture(path)
    for await (const batch of r.batches()) for (const f of batch) { out.packets++; out.bytes += f.bytes.length }
    out.warnings = r.info.warnings.map((w) => `byte ${w.offset}: ${w.message}`)
  } catch (e) {
    out.error = (e as Error).message
  }
  out.ms = performance.now() - t0
  out.peakRssMiB = rss.stop()
  return out
}

// Small files, little-endian pcap unless said otherwise.
function pcapHeader(magic = 0xa1b2c3d4, major = 2): Buffer {
  const b = Buffer.alloc(24)
  b.writeUInt32LE(magic, 0); b.writeUInt16LE(major, 4); b.writeUInt16LE(4, 6); b.writeUInt32LE(65535, 16); b.writeUInt32LE(1, 20)
  return b
}
function pcapRecord(n: number, caplen = n): Buffer {
  const b = Buffer.alloc(16 + n, 0xab)
  b.writeUInt32LE(1_767_225_600, 0); b.writeUInt32LE(1, 4); b.writeUInt32LE(caplen, 8); b.writeUInt32LE(n, 12)
  return b
}
function pcapngFile(): Buffer {
  const shb = Buffer.alloc(28); shb.writeUInt32LE(0x0a0d0d0a, 0); shb.writeUInt32LE(28, 4); shb.writeUInt32LE(0x1a2b3c4d, 8)
  shb.writeUInt16LE(1, 12); shb.writeBigInt64LE(-1n, 16); shb.writeUInt32LE(28, 24)
  const idb = Buffer.alloc(20); idb.writeUInt32LE(1, 0); idb.writeUInt32LE(20, 4); idb.writeUInt16LE(1, 8); idb.writeUInt32LE(20, 16)
  const epb = Buffer.alloc(32 + 60); epb.writeUInt32LE(6, 0); epb.writeUInt32LE(92, 4); epb.writeUInt32LE(60, 20); epb.writeUInt32LE(60, 24); epb.writeUInt32LE(92, 88)
  return Buffer.concat([shb, idb, epb, epb])
}

function tmp(name: string, bytes: Buffer): string {
  const path = join(tmpdir(), `hubcap-compare-${name}`)
  writeFileSync(path, bytes)
  return path
}

/** Child mode: run one parser on one file, print the Outcome as JSON (isolates memory and hangs). */
async function child(which: string, path: string): Promise<void> {
  console.log(JSON.stringify(which === 'theirs' ? await theirs(path, 300_000) : await ours(path)))
}

function inChild(which: 'theirs' | 'ours', path: string): Outcome {
  const r = spawnSync(process.execPath, ['--no-deprecation', fileURLToPath(import.meta.url), '--child', which, path], { encoding: 'utf8', timeout: 330_000 })
  if (r.status !== 0) return { packets: 0, bytes: 0, error: `child failed: ${r.error?.message ?? r.stderr.trim()}`, ms: 0, peakRssMiB: 0 }
  return JSON.parse(r.stdout) as Outcome
}

const show = (o: Outcome) =>
  `${o.packets} packets${o.error ? `, error "${o.error}"` : ', no error'}${o.warnings?.length ? `, warning "${o.warnings.join('; ')}"` : ''}`

async function main(): Promise<void> {
  const good = Array.from({ length: 5 }, (_, i) => pcapRecord(60 + i * 100))
  const cases: Array<[string, string]> = [
    ['µs pcap, 5 records', tmp('us.pcap', Buffer.concat([pcapHeader(), ...good]))],
    ['ns pcap (a1b23c4d), 5 records', tmp('ns.pcap', Buffer.concat([pcapHeader(0xa1b23c4d), ...good]))],
    ['pcapng, 2 EPBs', tmp('x.pcapng', pcapngFile())],
    ['gzip of the µs pcap', tmp('us.pcap.gz', gzipSync(Buffer.concat([pcapHeader(), ...good])))],
    ['major version 1 (tshark/libpcap refuse)', tmp('v1.pcap', Buffer.concat([pcapHeader(0xa1b2c3d4, 1), ...good]))],
    ['5 records + 6th cut after 30 of 76 bytes', tmp('cut.pcap', Buffer.concat([pcapHeader(), ...good, pcapRecord(60).subarray(0, 30)]))],
  ]
  console.log(`pcap-parser ${createRequire(import.meta.url)('pcap-parser/package.json').version} vs openCapture, node ${process.version}\n`)
  console.log('What each reads (packets, error or warning):')
  for (const [name, path] of cases) {
    console.log(`  ${name}\n    pcap-parser: ${show(await theirs(path))}\n    openCapture: ${show(await ours(path))}`)
  }

  console.log('\nCorrupt length field: record 2 claims 2147483647 bytes, then the file goes on (each run in its own process):')
  const k = process.argv.indexOf('--corrupt-mb')
  const sizes = k >= 0 ? String(process.argv[k + 1]).split(',').map(Number).filter((x) => x > 0) : [16, 32, 64]
  for (const mb of sizes) {
    const path = tmp(`corrupt-${mb}mb.pcap`, Buffer.concat([pcapHeader(), good[0]!, pcapRecord(60, 0x7fffffff), Buffer.alloc(mb * 2 ** 20, 0x55)]))
    const t = inChild('theirs', path)
    const o = inChild('ours', path)
    console.log(`  ${String(mb).padStart(3)} MiB file: pcap-parser ${t.ms.toFixed(0).padStart(6)} ms, peak RSS ${t.peakRssMiB.toFixed(0).padStart(4)} MiB, ${show(t)}`)
    console.log(`               openCapture ${o.ms.toFixed(0).padStart(6)} ms, peak RSS ${o.peakRssMiB.toFixed(0).padStart(4)} MiB, ${show(o)}`)
  }

  const sizeMiB = arg('--size-mb', 1024)
  const p = plan(sizeMiB)
  ensureFile(p)
  console.log(`\nThroughput on ${p.path} (${sizeMiB} MiB, ${p.packets} packets, µs pcap), each in its own process:`)
  for (const which of ['theirs', 'ours', 'theirs', 'ours'] as const) {
    const o = inChild(which, p.path)
    if (o.packets !== p.packets || o.bytes !== p.bytes) throw new Error(`${which}: ${o.packets} packets / ${o.bytes} bytes, expected ${p.packets} / ${p.bytes}`)
    const s = o.ms / 1000
    console.log(`  ${which === 'theirs' ? 'pcap-parser' : 'openCapture'}  ${(p.fileSize / 1e6 / s).toFixed(0).padStart(5)} MB/s  ${Math.round(p.packets / s).toLocaleString('en-US').padStart(10)} packets/s  peak RSS ${o.peakRssMiB.toFixed(0)} MiB`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--child')
  if (i >= 0) await child(process.argv[i + 1]!, process.argv[i + 2]!)
  else await main()
}
