/**
 * Seeded, bounded no-throw fuzz of the capture parsers: mutated bytes and length fields of built
 * files, pushed in random chunks. The only exception allowed is CaptureError while the file header
 * is still being read; output stays bounded by the input.
 */
import { describe, expect, it } from 'vitest'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { CaptureError } from '../../src/capture/errors.js'
import { createFrame, type Frame } from '../../src/capture/frame.js'
import { createParser, openCapture } from '../../src/capture/open.js'
import { MAX_CAPTURE_WARNINGS, MAX_RECORD_BYTES } from '../../src/decode/limits.js'
import { PcapngBuilder, payload, pcapFile, tsUnits } from '../support/capture-builder.js'
import { seededRandom } from '../support/random.js'

const SEEDS: Record<string, Uint8Array> = {
  pcap: pcapFile([{ data: payload(60), tsSec: 1, tsFrac: 2 }, { data: payload(300, 1), origlen: 900 }, { data: payload(14, 2) }], { endian: 'be' }),
  'pcap-ns-modified': pcapFile([{ data: payload(98) }, { data: payload(40, 3) }], { modified: true }),
  pcapng: new PcapngBuilder('le').shb().idb({ tsresol: 9, snaplen: 100 }).idb({ linkType: 113, tsoffset: -3n }).nrb()
    .epb({ ts: tsUnits(1_767_663_089, 5, 9), data: payload(100) }).spb({ data: payload(200, 4) }).custom().isb()
    .shb({ endian: 'be' }).idb({ tsresol: 0x80 | 24 }).pb({ ts: 77n, data: payload(33) }).dsb().epb({ data: payload(7) })
    .build(),
}

const EDGE = [0, 1, 7, 11, 12, 16, 0x7fffffff, 0xffffffff, 0xfffffffc, MAX_RECORD_BYTES, MAX_RECORD_BYTES + 1, 16 * 1024 * 1024 + 4]

function mutate(src: Uint8Array, r: () => number): Uint8Array {
  let b = src.slice()
  const n = 1 + Math.floor(r() * 4)
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * b.length)
    switch (Math.floor(r() * 5)) {
      case 0: b[at] = b[at]! ^ (1 << Math.floor(r() * 8)); break // bit flip
      case 1: b[at] = Math.floor(r() * 256); break // byte
      case 2: { // a 32-bit field (lengths, ids, timestamps) set to an edge value, either byte order
        const v = EDGE[Math.floor(r() * EDGE.length)]!
        const o = at & ~3
        for (let i = 0; i < 4 && o + i < b.length; i++) b[o + i] = r() < 0.5 ? (v >>> (8 * i)) & 0xff : (v >>> (24 - 8 * i)) & 0xff
        break
      }
      case 3: b = b.slice(0, at); break // cut
      case 4: b = Uint8Array.from([...b.subarray(0, at), ...payload(Math.floor(r() * 9), at), ...b.subarray(at)]); break // insert
    }
  }
  return b
}

/** Runs a parser over `bytes` in random chunks. Returns frames, or the CaptureError of a bad header. */
function run(bytes: Uint8Array, r: () => number): { frames: Frame[]; warnings: number } | CaptureError {
  let parser
  try {
    parser = createParser('fuzz', bytes.subarray(0, 4))
  } catch (e) {
    if (e instanceof CaptureError) return e
    throw e
  }
  const frames: Frame[] = []
  try {
    for (let at = 0; at < bytes.length;) {
      const n = 1 + Math.floor(r() * 64)
      parser.push(bytes.subarray(at, at + n))
      at += n
      for (let f = createFrame(); parser.next(f); f = createFrame()) frames.push(f)
    }
    parser.end()
  } catch (e) {
    // Allowed only while the header is read: after it, bad records are warnings.
    expect(e).toBeInstanceOf(CaptureError)
    expect(parser.headerDone).toBe(false)
    return e as CaptureError
  }
  return { frames, warnings: parser.warnings.length }
}

describe('capture parsers under mutation (seeded, bounded)', () => {
  for (const [name, seedFile] of Object.entries(SEEDS)) {
    it(`${name}: 1500 mutants never throw past the header, output bounded by the input`, () => {
      const r = seededRandom(0xc0ffee ^ seedFile.length)
      let read = 0
      for (let i = 0; i < 1500; i++) {
        const bytes = mutate(seedFile, r)
        const out = run(bytes, r)
        if (out instanceof CaptureError) continue
        read++
        expect(out.warnings).toBeLessThanOrEqual(MAX_CAPTURE_WARNINGS)
        expect(out.frames.length).toBeLessThanOrEqual(bytes.length / 16)
        let last = -1
        for (const f of out.frames) {
          expect(f.bytes.length).toBe(f.caplen)
          expect(f.caplen).toBeLessThanOrEqual(Math.min(MAX_RECORD_BYTES, bytes.length))
          expect(f.fileOffset).toBeGreaterThan(last)
          expect(f.tsNsec >= 0 && f.tsNsec < 1e9 && Number.isInteger(f.tsNsec)).toBe(true)
          last = f.fileOffset
        }
      }
      expect(read).toBeGreaterThan(500) // most mutants keep a valid header and are really read
    })
  }

  it('openCapture on gzip-compressed mutants cut anywhere: frames or CaptureError, never another exception', async () => {
    const r = seededRandom(7)
    for (let i = 0; i < 150; i++) {
      const names = Object.keys(SEEDS)
      const gz = gzipSync(mutate(SEEDS[names[i % names.length]!]!, r))
      const cut = r() < 0.5 ? gz : gz.subarray(0, Math.floor(r() * gz.length))
      try {
        const reader = await openCapture('-', { input: Readable.from([Buffer.from(cut)]), chunkSize: 1 + Math.floor(r() * 100) })
        for await (const batch of reader.batches()) expect(batch.length).toBeGreaterThan(0)
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureError)
      }
    }
  })
})
