import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { CaptureError } from '../../src/capture/errors.js'
import type { Frame } from '../../src/capture/frame.js'
import { MAX_BATCH_FRAMES, openCapture } from '../../src/capture/open.js'
import { PcapngBuilder, concat, parseCapture, payload, pcapFile, pcapRecord, tsUnits } from '../support/capture-builder.js'

const dir = mkdtempSync(join(tmpdir(), 'hubcap-open-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

async function readAll(path: string, opts?: Parameters<typeof openCapture>[1]) {
  const reader = await openCapture(path, opts)
  const frames: Frame[] = []
  const sizes: number[] = []
  for await (const batch of reader.batches()) {
    sizes.push(batch.length)
    for (const f of batch) frames.push({ ...f, bytes: new Uint8Array(f.bytes) })
  }
  return { info: reader.info, frames, sizes }
}

const PCAP = pcapFile(Array.from({ length: 50 }, (_, i) => ({ data: payload(60 + i * 29, i), tsSec: 1000 + i, tsFrac: i })), { linkType: 1 })
const PCAPNG = new PcapngBuilder('be').shb().idb({ linkType: 1, tsresol: 9 }).idb({ linkType: 113, snaplen: 128 }).nrb()
  .epb({ interfaceId: 0, ts: tsUnits(1_767_663_089, 1, 9), data: payload(100) }).custom()
  .epb({ interfaceId: 1, ts: 5n, data: payload(128), origlen: 400 }).isb().build()

describe('openCapture: files', () => {
  it('reads a pcap file and fills info', async () => {
    const { info, frames } = await readAll(file('a.pcap', PCAP))
    expect(frames).toEqual(parseCapture(PCAP).frames)
    expect(info).toEqual({
      file: join(dir, 'a.pcap'), format: 'pcap', compressed: false, linkTypes: [1],
      interfaces: [{ linkType: 1, snaplen: 262144, section: 0, tsresol: '10^-6' }],
      packets: 50, bytes: frames.reduce((n, f) => n + f.caplen, 0), warnings: [], skippedBlocks: {},
    })
  })

  it('reads a pcapng file and fills info (interfaces, link types, skipped blocks)', async () => {
    const { info, frames } = await readAll(file('b.pcapng', PCAPNG))
    expect(frames.map((f) => [f.frameNumber, f.interfaceId, f.linkType, f.tsSec, f.tsNsec])).toEqual([[1, 0, 1, 1_767_663_089, 1], [3, 1, 113, 0, 5000]])
    expect(info).toMatchObject({
      format: 'pcapng', compressed: false, linkTypes: [1, 113], packets: 2, bytes: 228, warnings: [],
      interfaces: [{ linkType: 1, snaplen: 0, section: 0, tsresol: '10^-9' }, { linkType: 113, snaplen: 128, section: 0, tsresol: '10^-6' }],
      skippedBlocks: { NRB: 1, custom: 1, ISB: 1 },
    })
  })

  it('gives the same frames for any chunk size', async () => {
    const expected = parseCapture(PCAP).frames
    for (const chunkSize of [7, 100, 4096]) {
      expect((await readAll(file('a.pcap', PCAP), { chunkSize })).frames).toEqual(expected)
    }
  })

  it(`yields batches of at most ${MAX_BATCH_FRAMES} frames`, async () => {
    const many = pcapFile(Array.from({ length: 2500 }, () => ({ data: payload(1) })))
    const { sizes, frames } = await readAll(file('many.pcap', many), { chunkSize: 1 << 20 })
    expect(frames.length).toBe(2500)
    expect(sizes).toEqual([1024, 1024, 452])
    expect(frames.map((f) => f.frameNumber)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1))
  })

  it('warns for a cut tail and keeps the frames before it', async () => {
    const cut = concat(PCAP, pcapRecord({ data: payload(10) }).subarray(0, 20))
    const { info, frames } = await readAll(file('cut.pcap', cut), { chunkSize: 64 })
    expect(frames.length).toBe(50)
    expect(info.warnings).toEqual([{ offset: PCAP.length, message: 'truncated record data: 4 of 10 bytes (record 51)' }])
  })
})

describe('openCapture: gzip, by content', () => {
  it('reads gzip-compressed pcap and pcapng whatever the file name', async () => {
    for (const [name, bytes] of [['z.pcap', PCAP], ['z.pcapng', PCAPNG], ['no-extension', PCAP]] as const) {
      const { info, frames } = await readAll(file(name, gzipSync(bytes)), { chunkSize: 100 })
      expect(info.compressed).toBe(true)
      expect(frames).toEqual(parseCapture(bytes).frames)
    }
  })

  it('reads a plain file named .gz as what it contains', async () => {
    const { info } = await readAll(file('plain.pcap.gz', PCAP))
    expect([info.compressed, info.packets]).toEqual([false, 50])
  })

  it('a gzip stream cut short: earlier frames kept, a warning, no throw', async () => {
    const gz = gzipSync(PCAP)
    const { info, frames } = await readAll(file('cut.gz', gz.subarray(0, Math.floor(gz.length * 0.6))), { chunkSize: 64 })
    expect(info.compressed).toBe(true)
    expect(frames.length).toBeGreaterThan(0)
    expect(frames.length).toBeLessThan(50)
    expect(frames).toEqual(parseCapture(PCAP).frames.slice(0, frames.length))
    expect(info.warnings[0]!.message).toMatch(/^gzip data cut short or corrupt \(unexpected end of file\)/)
  })

  it('a gzip stream cut before the capture header: CaptureError', async () => {
    const gz = gzipSync(PCAP)
    await expect(openCapture(file('tiny.gz', gz.subarray(0, 12)))).rejects.toThrow(CaptureError)
  })
})

describe('openCapture: standard input', () => {
  it("reads '-' from opts.input, in any chunking, gzip or not", async () => {
    const chunks = (bytes: Uint8Array, n: number) => Array.from({ length: Math.ceil(bytes.length / n) }, (_, i) => Buffer.from(bytes.subarray(i * n, (i + 1) * n)))
    for (const bytes of [PCAP, gzipSync(PCAPNG)]) {
      const { info, frames } = await readAll('-', { input: Readable.from(chunks(bytes, 37)) })
      expect(info.file).toBe('-')
      expect(frames.length).toBe(info.packets)
      expect(info.packets).toBeGreaterThan(0)
    }
  })
})

describe('openCapture: unusable files throw CaptureError before any batch', () => {
  const cases: Array<[string, Uint8Array | null, number, RegExp]> = [
    ['empty file', new Uint8Array(0), 0, /^empty file$/],
    ['three bytes', Uint8Array.of(0xd4, 0xc3, 0xb2), 0, /only 3 bytes/],
    ['text file', new TextEncoder().encode('hello, world\n'), 0, /not a pcap or pcapng capture \(starts with 68 65 6c 6c\)/],
    ['pcap header cut short', PCAP.subarray(0, 10), 0, /truncated file header: 10 of 24 bytes/],
    ['pcap major version 1', pcapFile([], { major: 1 }), 4, /major version 1 unsupported/],
    ['pcapng SHB cut short', PCAPNG.subarray(0, 16), 0, /SHB: truncated block, 16 of 28 bytes/],
    ['pcapng SHB bad trailer', new PcapngBuilder().shb({ trailingLength: 808464432 }).build(), 0, /trailing length 808464432 != 28/],
    ['missing file', null, 0, /cannot read: ENOENT/],
  ]
  for (const [name, bytes, offset, reason] of cases) {
    it(name, async () => {
      const path = bytes ? file(`bad-${name.replace(/\W/g, '_')}`, bytes) : join(dir, 'does-not-exist.pcap')
      const e = await openCapture(path).then(() => null, (err: unknown) => err)
      expect(e).toBeInstanceOf(CaptureError)
      expect((e as CaptureError).offset).toBe(offset)
      expect((e as CaptureError).reason).toMatch(reason)
      expect((e as CaptureError).message).toBe(`${path}: byte ${offset}: ${(e as CaptureError).reason}`)
    })
  }
})

describe('openCapture: bounded memory and early stop', () => {
  /** A stream of `records` 1000-byte pcap records made on demand; counts the bytes pulled from it. */
  function lazyPcap(records: number, chunk = 64 * 1024) {
    const rec = pcapRecord({ data: payload(1000 - 16) })
    const state = { pulled: 0 }
    let made = 0
    let pending: Uint8Array = pcapFile([])
    const stream = new Readable({
      highWaterMark: chunk,
      read() {
        while (pending.length < chunk && made < records) { pending = concat(pending, rec); made++ }
        if (pending.length === 0) return void this.push(null)
        const out = pending.subarray(0, chunk)
        pending = pending.subarray(out.length)
        state.pulled += out.length
        this.push(out)
      },
    })
    return { stream, state }
  }

  it('reads ahead only about a chunk (backpressure), however large the stream', async () => {
    const { stream, state } = lazyPcap(20_000) // 20 MB
    const reader = await openCapture('-', { input: stream, chunkSize: 64 * 1024 })
    let maxAhead = 0
    let n = 0
    for await (const batch of reader.batches()) {
      const consumed = batch[batch.length - 1]!.fileOffset + 1016
      maxAhead = Math.max(maxAhead, state.pulled - consumed)
      n += batch.length
      await new Promise((r) => setImmediate(r)) // a slow consumer
    }
    expect(n).toBe(20_000)
    expect(maxAhead).toBeLessThan(512 * 1024) // the stream's buffer + one chunk, not the 20 MB
    expect(reader.bytesRead).toBe(state.pulled) // a stream counts its bytes too (the progress line of stdin)
  })

  it('stops reading the input after an impossible record', async () => {
    const { stream, state } = lazyPcap(100_000) // 100 MB if read to the end
    const bad = Readable.from((async function* () {
      yield pcapFile([{ data: payload(10) }])
      yield pcapRecord({ data: payload(1), caplen: 0x7fffffff })
      for await (const c of stream) yield c
    })())
    const { info, frames } = await readAll('-', { input: bad })
    expect(frames.length).toBe(1)
    expect(info.warnings).toEqual([{ offset: 24 + 26, message: expect.stringContaining('captured length 2147483647 is beyond the limit') }])
    expect(state.pulled).toBeLessThan(2 * 1024 * 1024)
  })

  it('closes the input when the consumer stops early', async () => {
    const { stream } = lazyPcap(10_000)
    const reader = await openCapture('-', { input: stream })
    for await (const batch of reader.batches()) {
      expect(batch.length).toBeGreaterThan(0)
      break
    }
    expect(stream.destroyed).toBe(true)
  })
})

describe('openCapture: reuseBuffers (a file read into one buffer again and again)', () => {
  const samples = join(import.meta.dirname, '../../samples')
  const captures = ['healthy.pcapng', 'messy.pcap.gz', 'ipv6-at-border.pcap', 'vxlan-leak.pcapng'].map((f) => join(samples, f))

  it('gives the same frames and info as a fresh buffer per read, for any chunk size, gzip too', async () => {
    for (const path of captures) {
      const want = await readAll(path)
      for (const chunkSize of [1, 3, 7, 97, 1500, 65536]) {
        const got = await readAll(path, { chunkSize, reuseBuffers: true })
        expect(got.frames, `${path} chunk ${chunkSize}`).toEqual(want.frames)
        expect(got.info, `${path} chunk ${chunkSize}`).toEqual(want.info)
      }
    }
  })

  it('a frame stays intact until the next batch is requested, whatever runs meanwhile', async () => {
    // Many small chunks: a read of the next chunk before the consumer asks would overwrite the batch's bytes.
    const path = captures[0]!
    const reader = await openCapture(path, { chunkSize: 64, reuseBuffers: true })
    const want = (await readAll(path)).frames
    let i = 0
    for await (const batch of reader.batches()) {
      await new Promise((r) => setTimeout(r, 1)) // the event loop turns (a read ahead would complete here)
      for (const f of batch) expect(new Uint8Array(f.bytes), `frame ${f.frameNumber}`).toEqual(want[i++]!.bytes)
    }
    expect(i).toBe(want.length)
  })

  it('lets the event loop turn while it reads a large file (progress timer, Ctrl-C)', async () => {
    // Reads are synchronous; without a turn now and then a consumer that awaits only the batches would
    // never give timers, signals or worker messages a chance until the end of the file.
    const rec = pcapRecord({ data: payload(1000 - 16) })
    const path = file('large.pcap', concat(pcapFile([]), ...Array.from({ length: 13_000 }, () => rec))) // 13 MB
    let turns = 0
    let reading = true
    const turn = (): void => { turns++; if (reading) setImmediate(turn) }
    const reader = await openCapture(path, { reuseBuffers: true })
    setImmediate(turn)
    const before = turns
    let frames = 0
    for await (const batch of reader.batches()) frames += batch.length
    reading = false
    expect(frames).toBe(13_000)
    expect(turns - before).toBeGreaterThanOrEqual(3) // one turn per 4 MiB read
  })

  it.skipIf(process.platform === 'win32')('streams a FIFO instead of blocking the event loop on it (`<(zcat x.pcap.gz)`)', async () => {
    const { execFileSync, spawn } = await import('node:child_process')
    const fifo = join(dir, 'capture.fifo')
    execFileSync('mkfifo', [fifo])
    const bytes = concat(pcapFile([]), ...Array.from({ length: 300 }, (_, i) => pcapRecord({ data: payload(600, i) })))
    const source = file('fifo-source.pcap', bytes)
    // A writer that takes its time, in another process (so even a reader that blocks gets its bytes).
    const writer = spawn('sh', ['-c', `sleep 0.3; cat '${source}' > '${fifo}'`], { stdio: 'ignore' })
    let ticks = 0
    const timer = setInterval(() => { ticks++ }, 10)
    try {
      const reader = await openCapture(fifo, { reuseBuffers: true })
      let frames = 0
      for await (const batch of reader.batches()) frames += batch.length
      expect(frames).toBe(300)
      expect(reader.bytesRead).toBe(bytes.length)
    } finally {
      clearInterval(timer)
      writer.kill()
    }
    expect(ticks).toBeGreaterThanOrEqual(5) // timers ran while the reader waited for the writer
  }, 10_000)

  it('counts the file bytes read (as stored: compressed for gzip)', async () => {
    const { statSync } = await import('node:fs')
    for (const path of captures) {
      const reader = await openCapture(path, { reuseBuffers: true })
      for await (const _ of reader.batches()) { /* read to the end */ }
      expect(reader.bytesRead, path).toBe(statSync(path).size)
    }
  })
})
