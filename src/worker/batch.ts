/**
 * Frames packed into one large ArrayBuffer, so that a whole batch crosses to a worker as one
 * transferred message (style guide C.2: ~2.5 µs per packet for a message each, ~0.1-0.3 µs per
 * packet in transferred chunks). The layout, all words u32 in the platform's byte order (both
 * ends of a postMessage run on the same machine), every record 4-byte aligned:
 *
 *   batch header, 12 words (48 bytes)
 *     0 MAGIC            'HUB1' (0x31425548): a buffer that is not a batch is refused
 *     1 count            frames in the batch
 *     2 used             bytes written, header included (where the next record would start)
 *     3 fileIndex        which capture of the run (frame numbers are per file)
 *     4 seq              per-shard sequence number, set when the batch is sent
 *     5 reserved         0
 *     6,7 firstOffset    file offset of the first record (lo, hi: offsets may pass 2^32)
 *     8,9 lastOffset     file offset of the last record
 *    10 firstFrame       frame number of the first record
 *    11 lastFrame        frame number of the last record
 *
 *   then per frame, 10 words (40 bytes) + the frame bytes padded to 4
 *     0 frameNumber
 *     1,2 tsSec          lo, hi (pcapng seconds may pass 2^32)
 *     3 tsNsec
 *     4 caplen           bytes that follow the record header
 *     5 origlen
 *     6 linkType | flags << 16 | share << 24    (flag 1: hasTimestamp; share: flow/share.ts)
 *     7 interfaceId
 *     8,9 fileOffset     lo, hi
 *     bytes[caplen], zero-padded to a multiple of 4
 *
 * `readBatch` gives back Frame objects equal field by field to the ones written, and their shares (the
 * round-trip test checks it); their `bytes` are views into the batch buffer, valid until the buffer is
 * handed on (transferred back for reuse), which is the reader's own contract ("valid until the
 * next batch").
 */
import type { Frame } from '../capture/frame.js'

export const MAGIC = 0x31425548
export const BATCH_HEADER_BYTES = 48
export const FRAME_HEADER_BYTES = 40
/** Default buffer size: 256 KiB holds ~2500 small frames, or ~170 of 1514 bytes. */
export const DEFAULT_BATCH_BYTES = 256 * 1024
/** Smallest batch buffer accepted: a header and one small frame. */
export const MIN_BATCH_BYTES = 4096

const FLAG_HAS_TIMESTAMP = 1
const TWO_32 = 0x1_0000_0000

/** Bytes a frame of `caplen` bytes takes in a batch. */
export function recordBytes(caplen: number): number {
  return FRAME_HEADER_BYTES + ((caplen + 3) & ~3)
}

/** What a batch holds, as both ends (and error messages) describe it. */
export interface BatchInfo {
  seq: number
  fileIndex: number
  count: number
  firstFrame: number
  lastFrame: number
  /** File offsets of the first and the last record (decompressed bytes for a gzip capture). */
  firstOffset: number
  lastOffset: number
  /** Bytes of the buffer in use. */
  used: number
}

/** Where batch buffers come from: reused ones that came back from a worker, else new ones. */
export class BufferPool {
  private readonly free: ArrayBuffer[] = []
  /** Buffers allocated and reused so far (the worker-pool bench reports them). */
  allocated = 0
  reused = 0
  readonly size: number
  private readonly keep: number

  /** `keep`: at most this many idle buffers are held (0 turns reuse off). */
  constructor(size: number, keep: number) {
    this.size = size
    this.keep = keep
  }

  take(minBytes = this.size): ArrayBuffer {
    if (minBytes <= this.size) {
      const b = this.free.pop()
      if (b) { this.reused++; return b }
      minBytes = this.size
    }
    this.allocated++
    return new ArrayBuffer(minBytes)
  }

  /** A buffer back from a worker; kept when it has the standard size and there is room. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.size && this.free.length < this.keep) this.free.push(buffer)
  }
}

/**
 * Fills one batch buffer at a time. `add` copies a frame in, or says the batch is full (or holds
 * another file's frames); `take` hands out the filled buffer and starts the next one.
 */
export class BatchWriter {
  private readonly pool: BufferPool
  private buffer: ArrayBuffer
  private u32: Uint32Array
  private u8: Uint8Array
  private used = BATCH_HEADER_BYTES
  private n = 0
  private fileIndex = 0

  constructor(pool: BufferPool) {
    this.pool = pool
    this.buffer = pool.take()
    this.u32 = new Uint32Array(this.buffer)
    this.u8 = new Uint8Array(this.buffer)
  }

  /** Frames in the open batch. */
  get count(): number {
    return this.n
  }

  /**
   * Copies `frame` into the open batch, with its `share` (flow/share.ts, 0-255). False when it does not
   * fit or the batch holds frames of another file: send the batch (`take`), then add again. A frame
   * larger than an empty batch gets a buffer of its own size, so `add` on an empty writer always succeeds.
   */
  add(frame: Frame, fileIndex: number, share = 0): boolean {
    const size = recordBytes(frame.caplen)
    if (this.n > 0 && (fileIndex !== this.fileIndex || this.used + size > this.buffer.byteLength)) return false
    if (this.n === 0) {
      this.fileIndex = fileIndex
      if (BATCH_HEADER_BYTES + size > this.buffer.byteLength) this.replace(this.pool.take(BATCH_HEADER_BYTES + size))
    }
    const u32 = this.u32
    const w = this.used >>> 2
    const fileOffset = frame.fileOffset
    u32[w] = frame.frameNumber
    u32[w + 1] = frame.tsSec % TWO_32
    u32[w + 2] = Math.floor(frame.tsSec / TWO_32)
    u32[w + 3] = frame.tsNsec
    u32[w + 4] = frame.caplen
    u32[w + 5] = frame.origlen
    u32[w + 6] = ((frame.linkType & 0xffff) | ((frame.hasTimestamp ? FLAG_HAS_TIMESTAMP : 0) << 16) | ((share & 0xff) << 24)) >>> 0
    u32[w + 7] = frame.interfaceId
    u32[w + 8] = fileOffset % TWO_32
    u32[w + 9] = Math.floor(fileOffset / TWO_32)
    const at = this.used + FRAME_HEADER_BYTES
    // caplen, not bytes.length: the two are equal for the reader's frames (Frame's contract).
    this.u8.set(frame.bytes.length === frame.caplen ? frame.bytes : frame.bytes.subarray(0, frame.caplen), at)
    const padded = at + frame.caplen
    for (let i = padded; i < this.used + size; i++) this.u8[i] = 0
    if (this.n === 0) {
      u32[6] = fileOffset % TWO_32
      u32[7] = Math.floor(fileOffset / TWO_32)
      u32[10] = frame.frameNumber
    }
    u32[8] = fileOffset % TWO_32
    u32[9] = Math.floor(fileOffset / TWO_32)
    u32[11] = frame.frameNumber
    this.used += size
    this.n++
    return true
  }

  /** Completes the header of the open batch and hands it out (null when it is empty). */
  take(seq: number): { buffer: ArrayBuffer; info: BatchInfo } | null {
    if (this.n === 0) return null
    const u32 = this.u32
    u32[0] = MAGIC
    u32[1] = this.n
    u32[2] = this.used
    u32[3] = this.fileIndex
    u32[4] = seq
    u32[5] = 0
    const info = headerInfo(u32)
    const buffer = this.buffer
    this.replace(this.pool.take())
    return { buffer, info }
  }

  private replace(buffer: ArrayBuffer): void {
    this.buffer = buffer
    this.u32 = new Uint32Array(buffer)
    this.u8 = new Uint8Array(buffer)
    this.used = BATCH_HEADER_BYTES
    this.n = 0
  }
}

function headerInfo(u32: Uint32Array): BatchInfo {
  return {
    seq: u32[4]!, fileIndex: u32[3]!, count: u32[1]!, used: u32[2]!,
    firstOffset: u32[6]! + u32[7]! * TWO_32, lastOffset: u32[8]! + u32[9]! * TWO_32,
    firstFrame: u32[10]!, lastFrame: u32[11]!,
  }
}

/** The header of a batch buffer; throws when the buffer is not a batch (a bug, not bad input). */
export function batchInfo(buffer: ArrayBuffer): BatchInfo {
  if (buffer.byteLength < BATCH_HEADER_BYTES) throw new Error(`not a frame batch: ${buffer.byteLength} bytes`)
  const u32 = new Uint32Array(buffer, 0, BATCH_HEADER_BYTES >>> 2)
  if (u32[0] !== MAGIC) throw new Error(`not a frame batch: magic 0x${u32[0]!.toString(16)}`)
  const info = headerInfo(u32)
  if (info.used > buffer.byteLength) throw new Error(`frame batch claims ${info.used} bytes, has ${buffer.byteLength}`)
  return info
}

/** The frames of a batch buffer, in the order they were added, and their shares; bytes are views into `buffer`. */
export function readBatch(buffer: ArrayBuffer): { info: BatchInfo; frames: Frame[]; shares: Uint8Array } {
  const info = batchInfo(buffer)
  const u32 = new Uint32Array(buffer)
  const u8 = new Uint8Array(buffer)
  const frames: Frame[] = new Array<Frame>(info.count)
  const shares = new Uint8Array(info.count)
  let at = BATCH_HEADER_BYTES
  for (let i = 0; i < info.count; i++) {
    const w = at >>> 2
    const caplen = u32[w + 4]!
    if (at + recordBytes(caplen) > info.used) throw new Error(`frame batch ${info.seq}: record ${i} runs past the batch`)
    const word6 = u32[w + 6]!
    // A literal with Frame's fields in createFrame's order (same hidden class), without the
    // throwaway empty Uint8Array createFrame() allocates: typed arrays are the costly part.
    const f: Frame = {
      frameNumber: u32[w]!,
      bytes: u8.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + caplen),
      caplen,
      origlen: u32[w + 5]!,
      tsSec: u32[w + 1]! + u32[w + 2]! * TWO_32,
      tsNsec: u32[w + 3]!,
      hasTimestamp: ((word6 >>> 16) & FLAG_HAS_TIMESTAMP) !== 0,
      linkType: word6 & 0xffff,
      interfaceId: u32[w + 7]!,
      fileOffset: u32[w + 8]! + u32[w + 9]! * TWO_32,
    }
    frames[i] = f
    shares[i] = word6 >>> 24
    at += recordBytes(caplen)
  }
  return { info, frames, shares }
}
