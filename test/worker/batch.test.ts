import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { createFrame, type Frame } from '../../src/capture/frame.js'
import {
  BATCH_HEADER_BYTES, BatchWriter, BufferPool, FRAME_HEADER_BYTES, MIN_BATCH_BYTES, batchInfo, readBatch, recordBytes,
} from '../../src/worker/batch.js'
import { seededRandom } from '../support/random.js'

function frame(n: number, caplen: number, over: Partial<Frame> = {}): Frame {
  const f = createFrame()
  const bytes = new Uint8Array(caplen)
  for (let i = 0; i < caplen; i++) bytes[i] = (n * 13 + i) & 0xff
  return Object.assign(f, {
    frameNumber: n, bytes, caplen, origlen: caplen + (n % 3), tsSec: 1763632800 + n, tsNsec: (n * 7919) % 1e9,
    linkType: 1, interfaceId: n % 2, fileOffset: 24 + n * 100, hasTimestamp: true,
  }, over)
}

/** Every field, bytes as a plain array (toEqual on views would compare their whole buffers). */
const plain = (f: Frame) => ({ ...f, bytes: Array.from(f.bytes) })

describe('batch.BatchWriter / readBatch', () => {
  it('round-trips every Frame field, including values past 2^32 and odd lengths', () => {
    const frames = [
      frame(1, 0), frame(2, 1), frame(3, 2), frame(4, 3), frame(5, 4), frame(6, 60), frame(7, 1514),
      frame(8, 77, { tsSec: 2 ** 40 + 5, tsNsec: 999_999_999, fileOffset: 2 ** 33 + 12 }),
      frame(9, 5, { hasTimestamp: false, tsSec: 0, tsNsec: 0, linkType: 276, interfaceId: 70_000 }),
      frame(2 ** 32 - 1, 9, { linkType: 0xffff }),
    ]
    const w = new BatchWriter(new BufferPool(64 * 1024, 4))
    for (const f of frames) expect(w.add(f, 3)).toBe(true)
    const sent = w.take(17)!
    expect(sent.info).toEqual({
      seq: 17, fileIndex: 3, count: frames.length, firstFrame: 1, lastFrame: 2 ** 32 - 1,
      firstOffset: frames[0]!.fileOffset, lastOffset: frames[9]!.fileOffset,
      used: BATCH_HEADER_BYTES + frames.reduce((n, f) => n + recordBytes(f.caplen), 0),
    })
    const back = readBatch(sent.buffer)
    expect(back.info).toEqual(sent.info)
    expect(back.frames.map(plain)).toEqual(frames.map(plain))
    expect(back.frames.every((f) => f.bytes.byteOffset % 4 === 0)).toBe(true)
  })

  it('says a batch is full, and keeps each batch to one capture file', () => {
    const pool = new BufferPool(MIN_BATCH_BYTES, 4)
    const w = new BatchWriter(pool)
    const size = recordBytes(100)
    const fit = Math.floor((MIN_BATCH_BYTES - BATCH_HEADER_BYTES) / size)
    for (let i = 1; i <= fit; i++) expect(w.add(frame(i, 100), 0)).toBe(true)
    expect(w.add(frame(fit + 1, 100), 0)).toBe(false)
    expect(w.take(0)!.info.count).toBe(fit)
    expect(w.take(1)).toBeNull() // nothing open
    expect(w.add(frame(1, 10), 0)).toBe(true)
    expect(w.add(frame(1, 10), 1)).toBe(false) // another file: send this batch first
    expect(w.take(1)!.info.fileIndex).toBe(0)
    expect(w.add(frame(1, 10), 1)).toBe(true)
    expect(w.take(2)!.info.fileIndex).toBe(1)
  })

  it('gives a frame larger than a batch a buffer of its own', () => {
    const w = new BatchWriter(new BufferPool(MIN_BATCH_BYTES, 4))
    expect(w.add(frame(1, 10), 0)).toBe(true)
    expect(w.add(frame(2, 9000), 0)).toBe(false)
    w.take(0)
    expect(w.add(frame(2, 9000), 0)).toBe(true)
    const big = w.take(1)!
    expect(big.buffer.byteLength).toBe(BATCH_HEADER_BYTES + FRAME_HEADER_BYTES + 9000)
    expect(plain(readBatch(big.buffer).frames[0]!)).toEqual(plain(frame(2, 9000)))
  })

  it('reuses returned buffers without leaking old bytes into the padding', () => {
    const pool = new BufferPool(MIN_BATCH_BYTES, 2)
    const w = new BatchWriter(pool)
    w.add(frame(1, 1000), 0)
    const first = w.take(0)!
    new Uint8Array(first.buffer).fill(0xee) // a worker scribbled on it
    pool.give(first.buffer)
    pool.give(new ArrayBuffer(123)) // not the pool's size: dropped
    w.take(1) // nothing open; the writer already holds a buffer
    w.add(frame(2, 3), 0)
    w.take(1) // uses the writer's current buffer and takes the returned one as the next
    expect(pool.reused).toBe(1)
    w.add(frame(3, 5), 0)
    const again = w.take(2)!
    expect(again.buffer).toBe(first.buffer)
    const rec = new Uint8Array(again.buffer, BATCH_HEADER_BYTES + FRAME_HEADER_BYTES, 8)
    expect(Array.from(rec.subarray(5))).toEqual([0, 0, 0])
    expect(plain(readBatch(again.buffer).frames[0]!)).toEqual(plain(frame(3, 5)))
  })

  it('round-trips seeded random frames through a transferring MessageChannel', () => {
    const rnd = seededRandom(7)
    const frames = Array.from({ length: 500 }, (_, i) => frame(i + 1, Math.floor(rnd() * 1600), { tsNsec: Math.floor(rnd() * 1e9) }))
    const w = new BatchWriter(new BufferPool(256 * 1024, 4))
    const received: Frame[] = []
    const { port1, port2 } = new MessageChannel()
    const flush = (seq: number) => {
      const b = w.take(seq)!
      port1.postMessage(b.buffer, [b.buffer])
      expect(b.buffer.byteLength).toBe(0) // transferred, not copied: detached on this side
      const m = receiveMessageOnPort(port2)!.message as ArrayBuffer
      received.push(...readBatch(m).frames)
    }
    let seq = 0
    for (const f of frames) {
      if (!w.add(f, 0)) { flush(seq++); w.add(f, 0) }
    }
    flush(seq++)
    port1.close()
    expect(seq).toBeGreaterThan(1)
    expect(received.map(plain)).toEqual(frames.map(plain))
  })

  it('refuses a buffer that is not a batch', () => {
    expect(() => batchInfo(new ArrayBuffer(8))).toThrow(/not a frame batch/)
    expect(() => batchInfo(new ArrayBuffer(64))).toThrow(/magic/)
  })
})
