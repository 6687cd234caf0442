/**
 * Writes pcap and pcapng files byte by byte, for sample recipes, benchmarks and tests, including
 * the broken ones: every length and version field can be overridden to lie.
 *
 *   pcapFile([{ data, tsSec: 1, tsFrac: 5 }], { endian: 'be', nano: true })
 *   new PcapngBuilder('le').shb().idb({ linkType: 1, tsresol: 9 }).epb({ ts: 1_000_000_001n, data }).build()
 */

export type Endian = 'le' | 'be'
export type Bytes = Uint8Array | readonly number[]

/** Little helper for writing fields in one byte order. */
class Writer {
  private readonly parts: number[] = []
  readonly endian: Endian
  constructor(endian: Endian) {
    this.endian = endian
  }
  u8(v: number): this { this.parts.push(v & 0xff); return this }
  u16(v: number): this {
    const b = [(v >>> 8) & 0xff, v & 0xff]
    this.parts.push(...(this.endian === 'le' ? b.reverse() : b))
    return this
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]
    this.parts.push(...(this.endian === 'le' ? b.reverse() : b))
    return this
  }
  /** 64-bit, two's complement for negative values. */
  u64(v: bigint): this {
    const x = BigInt.asUintN(64, v)
    const hi = Number(x >> 32n)
    const lo = Number(x & 0xffffffffn)
    return this.endian === 'le' ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo)
  }
  /** A pcapng timestamp: high 32 bits, then low 32 bits, each in the byte order (not a 64-bit value). */
  ts(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn))
  }
  bytes(b: Bytes): this { for (const x of b) this.parts.push(x); return this }
  /** Zero bytes up to the next multiple of 4. */
  pad4(): this { while (this.parts.length % 4 !== 0) this.parts.push(0); return this }
  get length(): number { return this.parts.length }
  build(): Uint8Array { return Uint8Array.from(this.parts) }
}

export function concat(...parts: Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/** Deterministic filler packet bytes: `n` bytes starting at `seed`. */
export function payload(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = (seed + i * 7) & 0xff
  return b
}

// ---------------------------------------------------------------------------------------------
// Classic pcap

export interface PcapOptions {
  /** Byte order of every field; default 'le'. */
  endian?: Endian
  /** Nanosecond magic a1b23c4d (default: microsecond a1b2c3d4). */
  nano?: boolean
  /** Kuznetzov's modified format: magic a1b2cd34, 24-byte record headers. */
  modified?: boolean
  /** Overrides the magic number itself (e.g. to write garbage). */
  magic?: number
  major?: number
  minor?: number
  thiszone?: number
  sigfigs?: number
  /** Default 262144; 0 = unlimited. */
  snaplen?: number
  /** The whole 32-bit link-type field (FCS and reserved bits included); default 1 (Ethernet). */
  linkType?: number
}

export interface PcapRecord {
  data: Bytes
  tsSec?: number
  /** Fraction field as written: µs, or ns with `nano` (may be >= one second, to test the carry). */
  tsFrac?: number
  /** Default data.length. */
  origlen?: number
  /** The header's captured length; default data.length (set it to lie). */
  caplen?: number
  /** Modified format only. */
  ifindex?: number
  protocol?: number
  pktType?: number
}

export function pcapHeader(o: PcapOptions = {}): Uint8Array {
  const magic = o.magic ?? (o.modified ? 0xa1b2cd34 : o.nano ? 0xa1b23c4d : 0xa1b2c3d4)
  return new Writer(o.endian ?? 'le')
    .u32(magic).u16(o.major ?? 2).u16(o.minor ?? 4).u32(o.thiszone ?? 0).u32(o.sigfigs ?? 0)
    .u32(o.snaplen ?? 262144).u32(o.linkType ?? 1).build()
}

export function pcapRecord(r: PcapRecord, o: PcapOptions = {}): Uint8Array {
  const w = new Writer(o.endian ?? 'le')
    .u32(r.tsSec ?? 0).u32(r.tsFrac ?? 0).u32(r.caplen ?? r.data.length).u32(r.origlen ?? r.data.length)
  if (o.modified) w.u32(r.ifindex ?? 0).u16(r.protocol ?? 0x0800).u8(r.pktType ?? 0).u8(0)
  return w.bytes(r.data).build()
}

export function pcapFile(records: PcapRecord[], o: PcapOptions = {}): Uint8Array {
  return concat(pcapHeader(o), ...records.map((r) => pcapRecord(r, o)))
}

// ---------------------------------------------------------------------------------------------
// pcapng

export const BlockType = {
  SHB: 0x0a0d0d0a, IDB: 1, PB: 2, SPB: 3, NRB: 4, ISB: 5, EPB: 6, DSB: 0xa, CB: 0xbad, DCB: 0x40000bad,
} as const

/** An option: bytes, a string (UTF-8), or a bigint (64 bits in the block's byte order). */
export interface BlockOption { code: number; value: Bytes | string | bigint }

export const Opt = {
  comment: (text: string): BlockOption => ({ code: 1, value: text }),
  ifName: (name: string): BlockOption => ({ code: 2, value: name }),
  /** 10^-v, or 2^-(v & 0x7f) when the top bit is set. */
  ifTsresol: (v: number): BlockOption => ({ code: 9, value: [v] }),
  /** Seconds added to every timestamp of the interface (signed). */
  ifTsoffset: (seconds: bigint): BlockOption => ({ code: 14, value: seconds }),
} as const

/** A timestamp in interface units: seconds + nanoseconds at 10^-digits resolution. */
export function tsUnits(sec: number | bigint, nsec: number, digits = 6): bigint {
  return BigInt(sec) * 10n ** BigInt(digits) + (BigInt(nsec) * 10n ** BigInt(digits)) / 1_000_000_000n
}

export interface BlockOverrides {
  /** Leading total length as written (default: the true length). */
  totalLength?: number
  /** Trailing copy as written (default: the leading one). */
  trailingLength?: number
}

export class PcapngBuilder {
  private readonly parts: Uint8Array[] = []
  private size = 0
  /** Byte order of the current section (the last SHB's). */
  endian: Endian

  constructor(endian: Endian = 'le') {
    this.endian = endian
  }

  /** Where the next block will start. */
  get offset(): number {
    return this.size
  }

  /** Section Header Block; `endian` switches the byte order from here on. */
  shb(o: { endian?: Endian; major?: number; minor?: number; sectionLength?: bigint; byteOrderMagic?: number; options?: BlockOption[] } & BlockOverrides = {}): this {
    if (o.endian) this.endian = o.endian
    const w = this.writer().u32(o.byteOrderMagic ?? 0x1a2b3c4d).u16(o.major ?? 1).u16(o.minor ?? 0).u64(o.sectionLength ?? -1n)
    return this.block(BlockType.SHB, this.withOptions(w, o.options), o)
  }

  /** Interface Description Block; `tsresol` / `tsoffset` add those options. */
  idb(o: { linkType?: number; snaplen?: number; tsresol?: number; tsoffset?: bigint; options?: BlockOption[] } & BlockOverrides = {}): this {
    const options = [...(o.options ?? [])]
    if (o.tsresol !== undefined) options.push(Opt.ifTsresol(o.tsresol))
    if (o.tsoffset !== undefined) options.push(Opt.ifTsoffset(o.tsoffset))
    const w = this.writer().u16(o.linkType ?? 1).u16(0).u32(o.snaplen ?? 0)
    return this.block(BlockType.IDB, this.withOptions(w, options), o)
  }

  /** Enhanced Packet Block; `ts` in the interface's units. */
  epb(o: { interfaceId?: number; ts?: bigint; data: Bytes; origlen?: number; caplen?: number; options?: BlockOption[] } & BlockOverrides): this {
    const w = this.writer().u32(o.interfaceId ?? 0).ts(o.ts ?? 0n)
      .u32(o.caplen ?? o.data.length).u32(o.origlen ?? o.data.length).bytes(o.data).pad4()
    return this.block(BlockType.EPB, this.withOptions(w, o.options), o)
  }

  /** Obsolete Packet Block (type 2): 16-bit interface id and drops count. */
  pb(o: { interfaceId?: number; drops?: number; ts?: bigint; data: Bytes; origlen?: number; caplen?: number } & BlockOverrides): this {
    const w = this.writer().u16(o.interfaceId ?? 0).u16(o.drops ?? 0).ts(o.ts ?? 0n)
      .u32(o.caplen ?? o.data.length).u32(o.origlen ?? o.data.length).bytes(o.data).pad4()
    return this.block(BlockType.PB, w.build(), o)
  }

  /** Simple Packet Block: interface 0, no timestamp, no captured length. */
  spb(o: { data: Bytes; origlen?: number } & BlockOverrides): this {
    const w = this.writer().u32(o.origlen ?? o.data.length).bytes(o.data).pad4()
    return this.block(BlockType.SPB, w.build(), o)
  }

  /** Name Resolution Block with one IPv4 record (10.0.0.1 = "host") and the end record. */
  nrb(o: BlockOverrides = {}): this {
    const name = new TextEncoder().encode('host\0')
    const w = this.writer().u16(1).u16(4 + name.length).bytes([10, 0, 0, 1]).bytes(name).pad4().u16(0).u16(0)
    return this.block(BlockType.NRB, w.build(), o)
  }

  /** Interface Statistics Block. */
  isb(o: { interfaceId?: number; ts?: bigint } & BlockOverrides = {}): this {
    return this.block(BlockType.ISB, this.writer().u32(o.interfaceId ?? 0).ts(o.ts ?? 0n).build(), o)
  }

  /** Decryption Secrets Block (default: TLS key log, type 0x544c534b). */
  dsb(o: { secretsType?: number; data?: Bytes } & BlockOverrides = {}): this {
    const data = o.data ?? new TextEncoder().encode('CLIENT_RANDOM 00 00\n')
    const w = this.writer().u32(o.secretsType ?? 0x544c534b).u32(data.length).bytes(data).pad4()
    return this.block(BlockType.DSB, w.build(), o)
  }

  /** Custom Block: 0x00000BAD (copy = true) or 0x40000BAD (do not copy). */
  custom(o: { copy?: boolean; pen?: number; data?: Bytes } & BlockOverrides = {}): this {
    const w = this.writer().u32(o.pen ?? 32473).bytes(o.data ?? [1, 2, 3]).pad4()
    return this.block(o.copy === false ? BlockType.DCB : BlockType.CB, w.build(), o)
  }

  /** Any block: the body is padded to 4 bytes and framed by the two lengths. */
  block(type: number, body: Bytes, o: BlockOverrides = {}): this {
    const padded = (body.length + 3) & ~3
    const len = 12 + padded
    const w = this.writer().u32(type).u32(o.totalLength ?? len).bytes(body).pad4().u32(o.trailingLength ?? o.totalLength ?? len)
    return this.raw(w.build())
  }

  /** Arbitrary bytes (garbage, a cut block). */
  raw(bytes: Bytes): this {
    const b = Uint8Array.from(bytes)
    this.parts.push(b)
    this.size += b.length
    return this
  }

  build(): Uint8Array {
    return concat(...this.parts)
  }

  private writer(): Writer {
    return new Writer(this.endian)
  }

  private withOptions(w: Writer, options: BlockOption[] | undefined): Uint8Array {
    if (!options || options.length === 0) return w.build()
    for (const { code, value } of options) {
      const v = typeof value === 'string' ? new TextEncoder().encode(value)
        : typeof value === 'bigint' ? new Writer(this.endian).u64(value).build() : value
      w.u16(code).u16(v.length).bytes(v).pad4()
    }
    return w.u16(0).u16(0).build()
  }
}

// ---------------------------------------------------------------------------------------------
// gzip

let crcTable: Uint32Array | null = null

/** CRC-32 as gzip uses it (IEEE 802.3, reflected, polynomial 0xedb88320). */
export function crc32(data: Bytes): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (const b of data) crc = crcTable[(crc ^ b) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/**
 * One gzip member (RFC 1952) holding `data` in stored deflate blocks (RFC 1951 §3.2.4, BTYPE 00):
 * no compression, so the bytes are the same on every zlib, OS and Node version (zlib's own output
 * is not), which a committed sample rebuilt byte for byte needs. MTIME 0, OS 255 (unknown).
 */
export function gzipStored(data: Bytes): Uint8Array {
  const w = new Writer('le').bytes([0x1f, 0x8b, 8, 0]).u32(0).u8(0).u8(255)
  const all = Uint8Array.from(data)
  let at = 0
  do {
    const n = Math.min(0xffff, all.length - at)
    const last = at + n === all.length
    w.u8(last ? 1 : 0).u16(n).u16(~n & 0xffff).bytes(all.subarray(at, at + n))
    at += n
  } while (at < all.length)
  return w.u32(crc32(all)).u32(all.length >>> 0).build()
}
