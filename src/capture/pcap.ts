/**
 * Classic pcap (libpcap) files, as a synchronous push-parser.
 * Format: draft-ietf-opsawg-pcap; "modified" variant: Alexey Kuznetzov's patched libpcap.
 *
 *   file header (24 bytes)                      record header (16 bytes; 24 in the modified format)
 *   +0  magic          a1b2c3d4 µs / a1b23c4d ns  +0  ts seconds (unsigned)
 *                      a1b2cd34 modified (µs)    +4  ts fraction (µs or ns)
 *   +4  major, minor   (2, 4)                    +8  captured length
 *   +8  thiszone       (ignored, as libpcap)     +12 original length
 *   +12 sigfigs        (ignored)                 modified only: +16 ifindex, +20 protocol (2),
 *   +16 snaplen        (0 = unlimited)                          +22 pkt_type, +23 pad
 *   +20 link type: bits 0-15 LINKTYPE, 16-25 reserved, 26 FCS-length-present, 28-31 FCS length
 *
 * Either byte order: the magic as read tells which.
 *
 * Supported: all four standard magics and the modified one, in either byte order; a fraction
 * field >= one second is carried into the seconds (the contract); caplen > origlen or > snaplen
 * is delivered as captured. Not supported: other vendor magics (Navtel, IXIA): not a capture.
 *
 * Choices where readers differ:
 * - Reserved link-type bits 16-25 set: tshark refuses the file ("network type reserved field not
 *   zero"); we read it with a warning at byte 20 and use the low 16 bits, as libpcap does.
 * - Major version other than 2: a CaptureError at byte 4, as tshark and libpcap refuse it.
 * - A captured length above MAX_RECORD_BYTES is a corrupt length field: warning at the record's
 *   offset, the records before it are kept, the rest of the file is not read.
 */
import { u16, u16le, u32, u32le } from '../decode/bytes.js'
import { MAX_RECORD_BYTES } from '../decode/limits.js'
import { ByteQueue } from './byte-queue.js'
import { CaptureError, Warnings, type CaptureWarning } from './errors.js'
import type { Frame } from './frame.js'
import { linkTypeName } from './link-type.js'
import type { CaptureParser, InterfaceInfo } from './open.js'

export const FILE_HEADER_LEN = 24
export const RECORD_HEADER_LEN = 16
export const MODIFIED_RECORD_HEADER_LEN = 24

/** Magic numbers as read big-endian from the first four bytes of a big-endian file. */
export const Magic = {
  MICRO: 0xa1b2c3d4,
  NANO: 0xa1b23c4d,
  MODIFIED: 0xa1b2cd34,
} as const

/** Link-type field bits 16-25: must be zero (draft-ietf-opsawg-pcap §4). */
const LINKTYPE_RESERVED_BITS = 0x03ff0000

/** The variant a magic names, or null if the 4 bytes at `o` are not a pcap magic. */
export function pcapVariant(b: Uint8Array, o = 0): { littleEndian: boolean; nano: boolean; modified: boolean } | null {
  for (const littleEndian of [false, true]) {
    const m = littleEndian ? u32le(b, o) : u32(b, o)
    if (m === Magic.MICRO) return { littleEndian, nano: false, modified: false }
    if (m === Magic.NANO) return { littleEndian, nano: true, modified: false }
    if (m === Magic.MODIFIED) return { littleEndian, nano: false, modified: true }
  }
  return null
}

export class PcapParser implements CaptureParser {
  readonly file: string
  readonly format = 'pcap' as const
  private readonly w = new Warnings()
  readonly interfaces: InterfaceInfo[] = []
  readonly skippedBlocks: Record<string, number> = {}
  /** Records delivered, and the sum of their captured lengths. */
  packets = 0
  bytes = 0
  /** True once the file header has been read and accepted. */
  headerDone = false
  /** True once no more frames will come (end() called, or the rest of the file is not trusted). */
  stopped = false

  private readonly q = new ByteQueue()
  private le = true
  private nano = false
  private recordHeaderLen = RECORD_HEADER_LEN
  private linkType = 0

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

  /**
   * Reads the file header once enough bytes are pushed: true when done, false when more bytes are
   * needed. Throws CaptureError when the header is not an acceptable pcap header.
   */
  parseHeader(): boolean {
    if (this.headerDone) return true
    const q = this.q
    if (!q.ensure(FILE_HEADER_LEN)) return false
    const b = q.buf
    const o = q.pos
    const v = pcapVariant(b, o)
    if (v === null) throw new CaptureError(this.file, 0, 'not a pcap file (bad magic number)')
    this.le = v.littleEndian
    this.nano = v.nano
    this.recordHeaderLen = v.modified ? MODIFIED_RECORD_HEADER_LEN : RECORD_HEADER_LEN
    const major = this.u16(b, o + 4)
    if (major !== 2) throw new CaptureError(this.file, 4, `pcap: major version ${major} unsupported`)
    const snaplen = this.u32(b, o + 16)
    const rawLinkType = this.u32(b, o + 20)
    this.linkType = rawLinkType & 0xffff
    if ((rawLinkType & LINKTYPE_RESERVED_BITS) !== 0) {
      const hex = rawLinkType.toString(16).padStart(8, '0')
      this.w.add(20, `link type field 0x${hex} has reserved bits 16-25 set; read as ${linkTypeName(this.linkType)}`)
    }
    this.interfaces.push({ linkType: this.linkType, snaplen, section: 0, tsresol: this.nano ? '10^-9' : '10^-6' })
    q.skip(FILE_HEADER_LEN)
    this.headerDone = true
    return true
  }

  /** Fills `out` with the next record; false when more bytes are needed or the file is done. */
  next(out: Frame): boolean {
    if (this.stopped || !this.parseHeader()) return false
    const q = this.q
    const hl = this.recordHeaderLen
    if (!q.ensure(hl)) return false
    const caplen = this.u32(q.buf, q.pos + 8)
    if (caplen > MAX_RECORD_BYTES) {
      this.stop(`record ${this.packets + 1}: captured length ${caplen} is beyond the limit of ${MAX_RECORD_BYTES} bytes (corrupt length field)`)
      return false
    }
    if (!q.ensure(hl + caplen)) return false
    const b = q.buf
    const o = q.pos
    // A fraction field of a second or more is carried into the seconds (contract); tshark prints it as is.
    const unitsPerSec = this.nano ? 1e9 : 1e6
    let sec = this.u32(b, o)
    let frac = this.u32(b, o + 4)
    if (frac >= unitsPerSec) {
      sec += Math.floor(frac / unitsPerSec)
      frac %= unitsPerSec
    }
    out.frameNumber = this.packets + 1
    out.bytes = b.subarray(o + hl, o + hl + caplen)
    out.caplen = caplen
    out.origlen = this.u32(b, o + 12)
    out.tsSec = sec
    out.tsNsec = this.nano ? frac : frac * 1000
    out.hasTimestamp = true
    out.linkType = this.linkType
    out.interfaceId = 0
    out.fileOffset = q.offset
    this.packets++
    this.bytes += caplen
    q.skip(hl + caplen)
    return true
  }

  /**
   * The input has ended: a record left incomplete becomes one warning naming its offset. Throws
   * CaptureError when not even the file header was complete.
   */
  end(): void {
    if (this.stopped) return
    const q = this.q
    const have = q.available()
    if (!this.headerDone && !this.parseHeader()) {
      throw new CaptureError(this.file, 0, `pcap: truncated file header: ${have} of ${FILE_HEADER_LEN} bytes`)
    }
    const left = q.available()
    const hl = this.recordHeaderLen
    if (left > 0 && left < hl) {
      this.w.add(q.offset, `truncated record header: ${left} of ${hl} bytes`)
    } else if (left > 0 && q.ensure(hl)) {
      const caplen = this.u32(q.buf, q.pos + 8)
      this.w.add(q.offset, `truncated record data: ${left - hl} of ${caplen} bytes (record ${this.packets + 1})`)
    }
    this.stopped = true
    q.clear()
  }

  /** The rest of the file is not trusted: warn at the current record and read no further. */
  private stop(reason: string): void {
    this.w.add(this.q.offset, `${reason}; the rest of the file is not read`)
    this.stopped = true
    this.q.clear()
  }

  private u16(b: Uint8Array, o: number): number {
    return this.le ? u16le(b, o) : u16(b, o)
  }

  private u32(b: Uint8Array, o: number): number {
    return this.le ? u32le(b, o) : u32(b, o)
  }
}
