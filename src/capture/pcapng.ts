/**
 * pcapng files (draft-ietf-opsawg-pcapng), as a synchronous push-parser.
 *
 *   every block:  +0 block type | +4 total length | body ... | total length again (last 4 bytes)
 *   SHB 0x0A0D0D0A  +8 byte-order magic 1A2B3C4D | +12 major, minor | +16 section length (64) | options
 *   IDB 1           +8 link type (16) | reserved (16) | +12 snaplen | options (if_tsresol 9, if_tsoffset 14)
 *   EPB 6           +8 interface | +12 ts high | +16 ts low | +20 caplen | +24 origlen | +28 data | options
 *   PB  2 (obsolete) as EPB, but +8 interface (16) | drops (16)
 *   SPB 3           +8 origlen | +12 data (interface 0, no timestamp)
 *
 * Each SHB starts a section with its own byte order and its own interface list; frame numbers and
 * the global interface index go on across sections (Wireshark's frame.number, our interfaceId).
 *
 * Supported: several sections in either byte order; per-interface link type, snaplen, if_tsresol
 * (10^-n and 2^-n) and if_tsoffset; EPB, SPB, PB. NRB, ISB, DSB, custom and unknown blocks are
 * skipped by their length and counted per type. Custom blocks (CB/DCB) also take a frame number,
 * because Wireshark shows them as frames: our frame numbers then match frame.number.
 *
 * Bad input: a problem in the first SHB throws CaptureError (the file is unusable). After it, an
 * impossible block (length < 12, not a multiple of 4, above MAX_BLOCK_BYTES, trailing length !=
 * leading, too short for its type), a captured length above MAX_RECORD_BYTES or past the block, or
 * a packet for an interface that does not exist: one warning at the block's offset, the blocks
 * before it are kept, the rest of the file is not read. A block cut short at the end: one warning.
 */
import { u16, u16le, u32, u32le } from '../decode/bytes.js'
import { MAX_BLOCK_BYTES, MAX_INTERFACES, MAX_RECORD_BYTES, MAX_SKIPPED_BLOCK_TYPES } from '../decode/limits.js'
import { ByteQueue } from './byte-queue.js'
import { CaptureError, Warnings, type CaptureWarning } from './errors.js'
import { createFrame, type Frame } from './frame.js'
import type { CaptureParser, InterfaceInfo } from './open.js'

export const BlockType = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  PB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  DSB: 0x0000000a,
  CB: 0x00000bad,
  DCB: 0x40000bad,
} as const

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d
export const OPT_ENDOFOPT = 0
export const OPT_IF_TSRESOL = 9
export const OPT_IF_TSOFFSET = 14

/** Smallest valid total length per block type: header, fixed fields, trailer. */
const MIN_LEN: Record<number, number> = {
  [BlockType.SHB]: 28, [BlockType.IDB]: 20, [BlockType.EPB]: 32, [BlockType.PB]: 32, [BlockType.SPB]: 16,
}

const SKIPPED_NAMES: Record<number, string> = {
  [BlockType.NRB]: 'NRB', [BlockType.ISB]: 'ISB', [BlockType.DSB]: 'DSB',
  [BlockType.CB]: 'custom', [BlockType.DCB]: 'custom',
}

function blockName(type: number): string {
  for (const [name, t] of Object.entries(BlockType)) if (t === type) return name
  return `block 0x${type.toString(16).padStart(8, '0')}`
}

/** An interface's timestamp unit: 10^-n or 2^-n seconds (if_tsresol). */
export interface Resolution {
  /** "10^-6", "2^-20": as the oracle and capinfos print it. */
  readonly label: string
  /** Timestamp units per second. */
  readonly perSec: bigint
  /** For 10^-n with n <= 9: perSec as a number and nanoseconds per unit, for the exact Number path; else 0. */
  readonly perSecNum: number
  readonly nsPerUnit: number
}

/** The if_tsresol option value: top bit clear = 10^-value, set = 2^-(value & 0x7f). */
export function resolution(tsresol: number): Resolution {
  const exp = tsresol & 0x7f
  if (tsresol & 0x80) return { label: `2^-${exp}`, perSec: 1n << BigInt(exp), perSecNum: 0, nsPerUnit: 0 }
  const decimal = exp <= 9
  return {
    label: `10^-${exp}`, perSec: 10n ** BigInt(exp),
    perSecNum: decimal ? 10 ** exp : 0, nsPerUnit: decimal ? 10 ** (9 - exp) : 0,
  }
}

export const MICROSECONDS = resolution(6)

/**
 * Splits a 64-bit timestamp (high and low 32-bit words, in `res` units) into seconds and
 * nanoseconds (truncated for finer units) and adds the interface's if_tsoffset seconds.
 * Nanosecond counts since 1970 exceed 2^53, so the general path is BigInt; microsecond counts
 * below 2^52 (until the year 2112) take an exact Number path.
 */
export function toSecNsec(high: number, low: number, res: Resolution, tsOffset: number, out: Frame): void {
  if (res.nsPerUnit !== 0 && high < 0x100000) {
    const total = high * 4294967296 + low // < 2^52: exact, and so are the products below
    let sec = Math.floor(total / res.perSecNum)
    let frac = total - sec * res.perSecNum
    if (frac < 0) { sec--; frac += res.perSecNum } // the division may round across an integer
    else if (frac >= res.perSecNum) { sec++; frac -= res.perSecNum }
    out.tsSec = sec + tsOffset
    out.tsNsec = frac * res.nsPerUnit
    return
  }
  const t = (BigInt(high) << 32n) | BigInt(low)
  out.tsSec = Number(t / res.perSec) + tsOffset
  out.tsNsec = Number(((t % res.perSec) * 1_000_000_000n) / res.perSec)
}

/** Never filled: readBlock's `out` while the first SHB is read. */
const SCRATCH = createFrame()

interface Interface extends InterfaceInfo {
  res: Resolution
  /** if_tsoffset: seconds added to every timestamp (signed). */
  tsOffset: number
}

export class PcapngParser implements CaptureParser {
  readonly file: string
  readonly format = 'pcapng' as const
  private readonly w = new Warnings()
  /** Every interface of the file, all sections, in order: the index is Frame.interfaceId. */
  readonly interfaces: Interface[] = []
  /** Blocks skipped by length, per type: NRB, ISB, DSB, custom, or the type in hex. */
  readonly skippedBlocks: Record<string, number> = {}
  packets = 0
  bytes = 0
  /** Sections started so far (SHBs read). */
  sections = 0
  /** True once the first SHB has been read and accepted. */
  headerDone = false
  stopped = false

  private readonly q = new ByteQueue()
  private le = true
  /** Global index of the current section's interface 0. */
  private sectionBase = 0
  /** Frame numbers given so far: packets and custom blocks (see the file comment). */
  private frames = 0
  private skippedTypes = 0

  constructor(file: string) {
    this.file = file
  }

  /** Warnings so far, with the byte offset of the record or block each concerns. */
  get warnings(): CaptureWarning[] {
    return this.w.list
  }

  /** Adds a warning from outside (open.ts: the input failed), bounded like the parser's own. */
  warn(offset: number, message: string): void {
    this.w.add(offset, message)
  }

  push(chunk: Uint8Array): void {
    if (!this.stopped) this.q.push(chunk)
  }

  /** The pushed chunks may be overwritten from now on: keep the unread bytes in memory of its own. */
  releaseInput(): void {
    this.q.detach()
  }

  /** Reads the first SHB: true when done, false when more bytes are needed; throws CaptureError when it is bad. */
  parseHeader(): boolean {
    if (this.headerDone) return true
    const q = this.q
    if (!q.ensure(4)) return false
    if (u32(q.buf, q.pos) !== BlockType.SHB) throw new CaptureError(this.file, 0, 'not a pcapng file (no Section Header Block)')
    this.readBlock(SCRATCH) // the first block is an SHB: it fills no frame
    return this.headerDone
  }

  next(out: Frame): boolean {
    if (this.stopped || !this.parseHeader()) return false
    while (!this.stopped) {
      const before = this.q.offset
      if (this.readBlock(out)) return true
      if (this.q.offset === before) return false // need more bytes (or stopped)
    }
    return false
  }

  /**
   * The input has ended: a block left incomplete becomes one warning naming its offset (a CaptureError
   * if it is the first SHB). Call it after next() has returned false.
   */
  end(): void {
    if (this.stopped) return
    const q = this.q
    const left = q.available()
    if (left > 0) {
      let reason = `truncated block header: ${left} of 8 bytes`
      if (left >= 8 && q.ensure(Math.min(left, 12))) {
        const type = u32(q.buf, q.pos) === BlockType.SHB ? BlockType.SHB : this.u32(q.buf, q.pos)
        const len = type === BlockType.SHB && left >= 12 ? this.shbLength() : this.u32(q.buf, q.pos + 4)
        reason = `${blockName(type)}: truncated block, ${left} of ${len} bytes`
      }
      if (!this.headerDone) throw new CaptureError(this.file, q.offset, reason)
      this.w.add(q.offset, reason)
    } else if (!this.headerDone) {
      throw new CaptureError(this.file, 0, 'empty file')
    }
    this.stopped = true
    q.clear()
  }

  /**
   * Reads one whole block at the read position. Returns true when it filled `out` with a packet.
   * Returns false when it consumed a non-packet block, when it needs more bytes (nothing consumed),
   * or when it stopped the parser.
   */
  private readBlock(out: Frame): boolean {
    const q = this.q
    if (!q.ensure(8)) return false
    let type = u32(q.buf, q.pos) // SHB's type reads the same in both byte orders
    let len: number
    if (type === BlockType.SHB) {
      if (!q.ensure(12)) return false
      const le = this.shbByteOrder()
      if (le === null) return this.fail(8, 'SHB: bad byte-order magic')
      this.le = le
      len = this.shbLength()
    } else {
      type = this.u32(q.buf, q.pos)
      len = this.u32(q.buf, q.pos + 4)
    }
    if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_BYTES || len < (MIN_LEN[type] ?? 12)) {
      return this.fail(0, `${blockName(type)}: impossible block length ${len}`)
    }
    if (!q.ensure(len)) return false
    const b = q.buf
    const o = q.pos
    const trailing = this.u32(b, o + len - 4)
    if (trailing !== len) return this.fail(0, `${blockName(type)}: trailing length ${trailing} != ${len}`)
    let packet = false
    switch (type) {
      case BlockType.SHB: if (!this.readShb(b, o)) return false; break
      case BlockType.IDB: if (!this.readIdb(b, o, len)) return false; break
      case BlockType.EPB: case BlockType.PB: case BlockType.SPB:
        if (!this.readPacket(type, b, o, len, out)) return false
        packet = true
        break
      default: this.countSkipped(type)
    }
    q.skip(len)
    return packet
  }

  private readShb(b: Uint8Array, o: number): boolean {
    const major = this.u16(b, o + 12)
    if (major !== 1) return this.fail(12, `SHB: major version ${major} unsupported`)
    this.sections++
    this.sectionBase = this.interfaces.length
    this.headerDone = true
    return true
  }

  private readIdb(b: Uint8Array, o: number, len: number): boolean {
    if (this.interfaces.length >= MAX_INTERFACES) return this.fail(0, `IDB: more than ${MAX_INTERFACES} interfaces`)
    let res = MICROSECONDS
    let tsOffset = 0
    // Options: code (16), length (16), value padded to 4 bytes; up to opt_endofopt or the trailer.
    const end = o + len - 4
    for (let p = o + 16; p + 4 <= end;) {
      const code = this.u16(b, p)
      const olen = this.u16(b, p + 2)
      if (code === OPT_ENDOFOPT) break
      if (p + 4 + olen > end) {
        this.w.add(this.q.offset, `IDB: option ${code} (${olen} bytes) runs past the block end; later options ignored`)
        break
      }
      if (code === OPT_IF_TSRESOL && olen === 1) res = resolution(b[p + 4]!)
      if (code === OPT_IF_TSOFFSET && olen === 8) tsOffset = this.i64(b, p + 4)
      p += 4 + ((olen + 3) & ~3)
    }
    this.interfaces.push({
      linkType: this.u16(b, o + 8), snaplen: this.u32(b, o + 12), section: this.sections - 1,
      tsresol: res.label, res, tsOffset,
    })
    return true
  }

  private readPacket(type: number, b: Uint8Array, o: number, len: number, out: Frame): boolean {
    const simple = type === BlockType.SPB
    const local = simple ? 0 : type === BlockType.PB ? this.u16(b, o + 8) : this.u32(b, o + 8)
    if (local >= this.interfaces.length - this.sectionBase) {
      return this.fail(0, `${blockName(type)}: interface ${local} is not defined in this section`)
    }
    const id = this.sectionBase + local
    const iface = this.interfaces[id]!
    const origlen = this.u32(b, o + (simple ? 8 : 24))
    const room = len - (simple ? 16 : 32)
    let caplen: number
    if (simple) {
      caplen = Math.min(origlen, room, iface.snaplen === 0 ? Infinity : iface.snaplen)
    } else {
      caplen = this.u32(b, o + 20)
      if (caplen > room) return this.fail(0, `${blockName(type)}: captured length ${caplen} runs past the block (${room} bytes of room)`)
    }
    if (caplen > MAX_RECORD_BYTES) {
      return this.fail(0, `${blockName(type)}: captured length ${caplen} is beyond the limit of ${MAX_RECORD_BYTES} bytes`)
    }
    const data = o + (simple ? 12 : 28)
    this.frames++
    out.frameNumber = this.frames
    out.bytes = b.subarray(data, data + caplen)
    out.caplen = caplen
    out.origlen = origlen
    out.hasTimestamp = !simple
    if (simple) {
      out.tsSec = 0
      out.tsNsec = 0
    } else {
      toSecNsec(this.u32(b, o + 12), this.u32(b, o + 16), iface.res, iface.tsOffset, out)
    }
    out.linkType = iface.linkType
    out.interfaceId = id
    out.fileOffset = this.q.offset
    this.packets++
    this.bytes += caplen
    return true
  }

  private countSkipped(type: number): void {
    if (type === BlockType.CB || type === BlockType.DCB) this.frames++ // Wireshark numbers them as frames
    let key = SKIPPED_NAMES[type] ?? `0x${type.toString(16).padStart(8, '0')}`
    if (this.skippedBlocks[key] === undefined && SKIPPED_NAMES[type] === undefined) {
      if (this.skippedTypes >= MAX_SKIPPED_BLOCK_TYPES) key = 'other'
      else this.skippedTypes++
    }
    this.skippedBlocks[key] = (this.skippedBlocks[key] ?? 0) + 1
  }

  /**
   * A block that cannot be trusted: before the first SHB is accepted the file is unusable
   * (CaptureError); after it, one warning at the block's offset and no more reading.
   * `at` is the offending field's offset inside the block (named only in header errors).
   */
  private fail(at: number, reason: string): false {
    const offset = this.q.offset
    if (!this.headerDone) throw new CaptureError(this.file, offset + at, reason)
    this.w.add(offset, `${reason}; the rest of the file is not read`)
    this.stopped = true
    this.q.clear()
    return false
  }

  /** The SHB's byte order from its magic at +8: true = little-endian, null = neither. */
  private shbByteOrder(): boolean | null {
    const q = this.q
    if (u32le(q.buf, q.pos + 8) === BYTE_ORDER_MAGIC) return true
    if (u32(q.buf, q.pos + 8) === BYTE_ORDER_MAGIC) return false
    return null
  }

  /** An SHB's total length, read in the byte order its own magic gives (needs 12 bytes). */
  private shbLength(): number {
    const q = this.q
    const le = this.shbByteOrder() ?? this.le
    return le ? u32le(q.buf, q.pos + 4) : u32(q.buf, q.pos + 4)
  }

  private u16(b: Uint8Array, o: number): number {
    return this.le ? u16le(b, o) : u16(b, o)
  }

  private u32(b: Uint8Array, o: number): number {
    return this.le ? u32le(b, o) : u32(b, o)
  }

  /** Signed 64-bit (if_tsoffset), as a Number: seconds, far below 2^53 in any real file. */
  private i64(b: Uint8Array, o: number): number {
    const hi = this.le ? u32le(b, o + 4) : u32(b, o)
    const lo = this.le ? u32le(b, o) : u32(b, o + 4)
    return Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)))
  }
}
