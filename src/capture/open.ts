/**
 * Opens a capture and reads it as batches of frames. The only module of src/capture that does I/O:
 *
 *   file | stdin --> [gunzip, if the bytes start 1f 8b] --> chunks --> PcapParser | PcapngParser --> Frame[]
 *
 * The format is told from the content, never the name. Reading is pulled by the consumer: one
 * chunk is read, parsed and handed out as batches before the next is read, so memory stays at a
 * chunk plus one partial record however large the file (stream backpressure does the rest).
 * One `await` per batch, not per frame: an await per frame costs ~190 ns (style guide C.3).
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs'
import { Readable, pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { CaptureError, type CaptureWarning } from './errors.js'
import { createFrame, type Frame } from './frame.js'
import { PcapParser, pcapVariant } from './pcap.js'
import { PcapngParser } from './pcapng.js'

export interface InterfaceInfo {
  /** LINKTYPE_/DLT value (FCS bits masked off). */
  linkType: number
  /** Largest captured length the writer promised; 0 = unlimited. Records may still exceed it. */
  snaplen: number
  /** 0-based pcapng section the interface belongs to (0 for pcap). */
  section: number
  /** Timestamp resolution as written: "10^-6", "10^-9", "2^-20". */
  tsresol: string
}

export interface CaptureInfo {
  file: string
  format: 'pcap' | 'pcapng' | null
  /** True when the file was gzip-compressed (told by its first bytes). */
  compressed: boolean
  /** Distinct link types, in interface order. */
  linkTypes: number[]
  interfaces: InterfaceInfo[]
  /** Packet records read so far, and the sum of their captured lengths. */
  packets: number
  bytes: number
  warnings: CaptureWarning[]
  /** pcapng blocks skipped by length, per type: { NRB: 1, ISB: 2, custom: 1, '0x00000bee': 1 }. */
  skippedBlocks: Record<string, number>
}

export interface CaptureReader {
  /** Filled as reading goes on; complete once batches() has finished. */
  info: CaptureInfo
  /**
   * The frames, in file order, in batches of at most MAX_BATCH_FRAMES (and at most one input chunk).
   * A Frame and its `bytes` stay valid at least until the next batch is requested (each Frame is a new
   * object and its bytes are never overwritten, unless the capture was opened with `reuseBuffers`).
   * Can be iterated once. Never throws for bad records: they become warnings in `info`.
   */
  batches(): AsyncGenerator<Frame[]>
  /** Bytes read from the input so far, as stored (compressed for gzip). */
  readonly bytesRead: number
}

/** What open.ts needs from a format parser (PcapParser, PcapngParser). */
export interface CaptureParser {
  readonly format: 'pcap' | 'pcapng'
  readonly warnings: CaptureWarning[]
  readonly interfaces: readonly InterfaceInfo[]
  readonly skippedBlocks: Record<string, number>
  readonly packets: number
  readonly bytes: number
  /** The file header (pcap header, first SHB) has been read and accepted. */
  readonly headerDone: boolean
  /** No more frames will come: end() was called, or the rest of the file is not trusted. */
  readonly stopped: boolean
  warn(offset: number, message: string): void
  push(chunk: Uint8Array): void
  /** Called before the memory of pushed chunks is read into again (buffer reuse). */
  releaseInput(): void
  parseHeader(): boolean
  next(out: Frame): boolean
  end(): void
}

/** Frames per batch: large enough that the await per batch is noise, small enough to bound a batch. */
export const MAX_BATCH_FRAMES = 1024

/** Bytes per read. Larger chunks mean fewer awaits and fewer records straddling two chunks. */
export const DEFAULT_CHUNK_SIZE = 256 * 1024

/** The parser for a file starting with these (at least 4) bytes; CaptureError if neither format. */
export function createParser(file: string, first: Uint8Array): CaptureParser {
  if (first.length >= 4 && pcapVariant(first) !== null) return new PcapParser(file)
  if (first.length >= 4 && first[0] === 0x0a && first[1] === 0x0d && first[2] === 0x0d && first[3] === 0x0a) {
    return new PcapngParser(file)
  }
  const hex = Array.from(first.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ')
  throw new CaptureError(file, 0, `not a pcap or pcapng capture (starts with ${hex})`)
}

/**
 * Opens `path` ('-' = standard input, or `opts.input` when given) and reads up to the end of the
 * file header, so that an unusable file throws CaptureError here, before any batch.
 */
export async function openCapture(
  path: string,
  opts: { chunkSize?: number; input?: NodeJS.ReadableStream; reuseBuffers?: boolean } = {},
): Promise<CaptureReader> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE
  // A regular file read into one buffer again and again (`reuseBuffers`), and Frame objects reused from batch
  // to batch: frames then live only until the next batch is requested, as CaptureReader promises; callers
  // that keep frames longer leave it off. Pipes, FIFOs (`<(zcat ...)`) and devices are streamed: a synchronous
  // read of one would block the event loop, and with it Ctrl-C and the progress bar, until the writer writes.
  const reuse = opts.reuseBuffers === true && opts.input === undefined && path !== '-' && isRegularFile(path)
  const fileRead = { bytes: 0 }
  let source = reuse
    ? fileChunks(path, chunkSize, fileRead)
    : counted(chunks(opts.input ?? (path === '-' ? process.stdin : createReadStream(path, { highWaterMark: chunkSize }))), fileRead)
  let compressed = false
  let parser: CaptureParser
  let pushed = 0
  try {
    let head = await readAtLeast(source, 4, path)
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      compressed = true
      // zlib reads ahead of what it has inflated: it gets copies, never the reused buffers.
      source = gunzip(reuse ? copies(replay(head, source)) : replay(head, source), chunkSize)
      head = await readAtLeast(source, 4, path)
    }
    if (head.length === 0) throw new CaptureError(path, 0, 'empty file')
    if (head.length < 4) throw new CaptureError(path, 0, `not a capture: only ${head.length} bytes`)
    parser = createParser(path, head)
    parser.push(head)
    pushed = head.length
    while (!parser.parseHeader()) {
      if (reuse) parser.releaseInput()
      const r = await source.next()
      if (r.done) {
        parser.end() // throws: the header is cut short
        break
      }
      parser.push(r.value)
      pushed += r.value.length
    }
  } catch (e) {
    await source.return(undefined)
    if (e instanceof CaptureError) throw e
    throw new CaptureError(path, pushed, `cannot read: ${(e as Error).message}`)
  }

  const info: CaptureInfo = {
    file: path, format: parser.format, compressed, linkTypes: [], interfaces: [],
    packets: 0, bytes: 0, warnings: parser.warnings, skippedBlocks: parser.skippedBlocks,
  }
  const sync = (): void => {
    info.packets = parser.packets
    info.bytes = parser.bytes
    for (let i = info.interfaces.length; i < parser.interfaces.length; i++) {
      const { linkType, snaplen, section, tsresol } = parser.interfaces[i]!
      info.interfaces.push({ linkType, snaplen, section, tsresol }) // a copy: the parser's also holds BigInts
      if (!info.linkTypes.includes(linkType)) info.linkTypes.push(linkType)
    }
  }
  sync()

  let started = false
  async function* batches(): AsyncGenerator<Frame[]> {
    if (started) throw new Error('CaptureReader.batches() can be iterated only once')
    started = true
    try {
      // With reuse, the Frame objects of a batch serve the next batch too (they live as long as their bytes).
      const frames: Frame[] = []
      const frameAt = reuse ? (i: number) => (frames[i] ??= createFrame()) : () => createFrame()
      for (;;) {
        let batch: Frame[] = []
        for (let f = frameAt(0); parser.next(f); f = frameAt(batch.length)) {
          batch.push(f)
          if (batch.length === MAX_BATCH_FRAMES) {
            sync()
            yield batch
            batch = []
          }
        }
        sync()
        if (batch.length > 0) yield batch
        if (parser.stopped) break
        if (reuse) parser.releaseInput()
        let r: IteratorResult<Uint8Array>
        try {
          r = await source.next()
        } catch (e) {
          // A gzip stream cut short, a read error: keep what was read, say where it ended.
          const what = compressed ? 'gzip data cut short or corrupt' : 'read error'
          parser.warn(pushed, `${what} (${(e as Error).message}); reading stopped here`)
          break
        }
        if (r.done) break
        parser.push(r.value)
        pushed += r.value.length
      }
      parser.end()
      sync()
    } finally {
      await source.return(undefined) // closes the file when the consumer stops early
    }
  }
  return { info, batches, get bytesRead() { return fileRead.bytes } }
}

/** Bytes read between two turns of the event loop (fileChunks). */
const EVENT_LOOP_TURN_BYTES = 4 * 1024 * 1024

/**
 * A regular file's bytes, read synchronously into one buffer used again for every chunk: nothing is
 * allocated per chunk (a fresh 256 KiB buffer per read cost page faults and GC: fs.ReadStream took
 * 1.7-2.7x the time of reused buffers on 1 GiB), and the buffer stays in the CPU caches. The chunk is
 * read into again only when the consumer asks for the next one: by then the frames of this chunk are
 * released and the parser has released its input (releaseInput).
 *
 * Why synchronous: reading ahead with FileHandle.read (two buffers in turn) left the main thread idle
 * ~20 % of `hubcap flows -w 1` waiting for the thread pool to hand back a read from the page cache, and
 * the promises cost CPU too: `flows -w 1` on the 1 GiB mix took 4.24/4.40 s with it and 3.70/3.51 s
 * reading synchronously (alternated runs, same output; bench/README "Fifth session"). Every EVENT_LOOP_TURN_BYTES the
 * generator yields to the event loop once, so the progress bar's timer, worker messages and Ctrl-C are
 * served while a large file is read.
 */
async function* fileChunks(path: string, chunkSize: number, read: { bytes: number }): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, 'r')
  const buffer = Buffer.allocUnsafeSlow(chunkSize)
  let sinceTurn = 0
  try {
    for (;;) {
      if (sinceTurn >= EVENT_LOOP_TURN_BYTES) {
        sinceTurn = 0
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
      const bytesRead = readSync(fd, buffer, 0, chunkSize, null)
      if (bytesRead === 0) return
      read.bytes += bytesRead
      sinceTurn += bytesRead
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    closeSync(fd)
  }
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false // the stream path reports why it cannot be read
  }
}

/** `source`, adding the length of each chunk to `read.bytes`. */
async function* counted(source: AsyncGenerator<Uint8Array>, read: { bytes: number }): AsyncGenerator<Uint8Array> {
  try {
    for (let r = await source.next(); !r.done; r = await source.next()) {
      read.bytes += r.value.length
      yield r.value
    }
  } finally {
    await source.return(undefined)
  }
}

/** Each chunk copied (for consumers that read ahead of the reused buffers; Buffer#slice would be a view). */
async function* copies(source: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for (let r = await source.next(); !r.done; r = await source.next()) yield new Uint8Array(r.value)
  } finally {
    await source.return(undefined)
  }
}

/** The stream's chunks as bytes (a stream with an encoding set yields strings). */
async function* chunks(input: NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  for await (const c of input) yield typeof c === 'string' ? Buffer.from(c, 'latin1') : c
}

/** Reads until at least n bytes have come (or the input ends); returns them as one buffer. */
async function readAtLeast(source: AsyncGenerator<Uint8Array>, n: number, file: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let total = 0
  while (total < n) {
    let r: IteratorResult<Uint8Array>
    try {
      r = await source.next()
    } catch (e) {
      throw new CaptureError(file, total, `cannot read: ${(e as Error).message}`)
    }
    if (r.done) break
    // A copy when more chunks may follow: a source that reuses its buffer reads the next one into it.
    parts.push(total + r.value.length < n ? new Uint8Array(r.value) : r.value)
    total += r.value.length
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/** `first`, then the rest of `source`. */
async function* replay(first: Uint8Array, source: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    if (first.length > 0) yield first
    for (let r = await source.next(); !r.done; r = await source.next()) yield r.value
  } finally {
    await source.return(undefined)
  }
}

function gunzip(compressed: AsyncGenerator<Uint8Array>, chunkSize: number): AsyncGenerator<Uint8Array> {
  const z = createGunzip({ chunkSize: Math.max(chunkSize, 64) })
  pipeline(Readable.from(compressed), z, () => {}) // errors surface through z's iterator
  return chunks(z)
}
