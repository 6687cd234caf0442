/**
 * The fuzzer's own view of a capture file: where each pcap record or pcapng block starts and
 * ends, where its length fields are, and where a packet's bytes are. Deliberately separate
 * from src/capture (the code under test): it must find structure in files the real parser
 * would refuse, and it never throws (what it cannot walk, it stops at).
 */

export interface LengthField {
  /** Byte offset in the file. */
  at: number
  size: 2 | 4
  littleEndian: boolean
  /** What it is, for the failure's label: "pcap incl_len", "pcapng block length", ... */
  name: string
}

export interface Part {
  start: number
  end: number
  /** 'header' (pcap file header, pcapng SHB), 'packet' (pcap record, EPB, SPB, PB) or 'block' (other pcapng). */
  kind: 'header' | 'packet' | 'block'
  /** The packet's bytes in the file (packets only). */
  dataStart: number
  dataLen: number
  linkType: number
  lengths: LengthField[]
}

export interface Layout {
  format: 'pcap' | 'pcapng' | 'unknown'
  littleEndian: boolean
  parts: Part[]
}

const PCAP_MAGICS = [0xa1b2c3d4, 0xa1b23c4d]

export function layoutOf(b: Uint8Array): Layout {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  if (b.length >= 24) {
    const le = dv.getUint32(0, true)
    const be = dv.getUint32(0, false)
    if (PCAP_MAGICS.includes(le) || PCAP_MAGICS.includes(be)) return pcapLayout(b, dv, PCAP_MAGICS.includes(le))
  }
  if (b.length >= 12 && dv.getUint32(0, true) === 0x0a0d0d0a) return pcapngLayout(b, dv)
  return { format: 'unknown', littleEndian: true, parts: [] }
}

function pcapLayout(b: Uint8Array, dv: DataView, le: boolean): Layout {
  const linkType = dv.getUint32(20, le) & 0xffff
  const parts: Part[] = [{ start: 0, end: 24, kind: 'header', dataStart: 24, dataLen: 0, linkType, lengths: [{ at: 16, size: 4, littleEndian: le, name: 'pcap snaplen' }] }]
  let at = 24
  while (at + 16 <= b.length) {
    const incl = dv.getUint32(at + 8, le)
    const end = at + 16 + incl
    if (end > b.length) break
    parts.push({
      start: at, end, kind: 'packet', dataStart: at + 16, dataLen: incl, linkType,
      lengths: [{ at: at + 8, size: 4, littleEndian: le, name: 'pcap incl_len' }, { at: at + 12, size: 4, littleEndian: le, name: 'pcap orig_len' }],
    })
    at = end
  }
  return { format: 'pcap', littleEndian: le, parts }
}

function pcapngLayout(b: Uint8Array, dv: DataView): Layout {
  const parts: Part[] = []
  let le = true
  let linkTypes: number[] = []
  let at = 0
  while (at + 12 <= b.length) {
    let type = dv.getUint32(at, le)
    if (dv.getUint32(at, true) === 0x0a0d0d0a) {
      if (at + 12 > b.length) break
      le = dv.getUint32(at + 8, true) === 0x1a2b3c4d
      type = 0x0a0d0d0a
      linkTypes = []
    }
    const total = dv.getUint32(at + 4, le)
    if (total < 12 || total % 4 !== 0 || at + total > b.length) break
    const end = at + total
    const lengths: LengthField[] = [
      { at: at + 4, size: 4, littleEndian: le, name: 'pcapng block length' },
      { at: end - 4, size: 4, littleEndian: le, name: 'pcapng trailing block length' },
    ]
    let kind: Part['kind'] = 'block'
    let dataStart = at + 8
    let dataLen = 0
    let linkType = 0
    let optionsAt = -1
    if (type === 0x0a0d0d0a) { kind = 'header'; optionsAt = at + 24; lengths.push({ at: at + 16, size: 4, littleEndian: le, name: 'pcapng section length (low)' }) }
    else if (type === 1 && total >= 20) { linkTypes.push(dv.getUint16(at + 8, le)); optionsAt = at + 16; lengths.push({ at: at + 12, size: 4, littleEndian: le, name: 'pcapng IDB snaplen' }) }
    else if (type === 6 && total >= 32) {
      kind = 'packet'
      linkType = linkTypes[dv.getUint32(at + 8, le)] ?? 1
      dataStart = at + 28
      dataLen = Math.min(dv.getUint32(at + 20, le), end - 4 - dataStart)
      optionsAt = dataStart + ((dataLen + 3) & ~3)
      lengths.push({ at: at + 20, size: 4, littleEndian: le, name: 'pcapng EPB caplen' }, { at: at + 24, size: 4, littleEndian: le, name: 'pcapng EPB origlen' })
    } else if (type === 3 && total >= 16) {
      kind = 'packet'
      linkType = linkTypes[0] ?? 1
      dataStart = at + 12
      dataLen = Math.min(dv.getUint32(at + 8, le), end - 4 - dataStart)
      lengths.push({ at: at + 8, size: 4, littleEndian: le, name: 'pcapng SPB origlen' })
    }
    if (optionsAt >= 0) {
      // Options: code (2), length (2), value padded to 4; ends at opt_endofopt or the block's end.
      let o = optionsAt
      for (let n = 0; n < 64 && o + 4 <= end - 4; n++) {
        const code = dv.getUint16(o, le)
        const len = dv.getUint16(o + 2, le)
        lengths.push({ at: o + 2, size: 2, littleEndian: le, name: `pcapng option ${code} length` })
        if (code === 0) break
        o += 4 + ((len + 3) & ~3)
      }
    }
    parts.push({ start: at, end, kind, dataStart, dataLen: Math.max(0, dataLen), linkType, lengths })
    at = end
  }
  return { format: 'pcapng', littleEndian: le, parts }
}

/** Writes `value` (cut to the field's size) into `b` at the field. */
export function setField(b: Uint8Array, f: { at: number; size: 1 | 2 | 4; littleEndian: boolean }, value: number): void {
  if (f.at < 0 || f.at + f.size > b.length) return
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  if (f.size === 1) dv.setUint8(f.at, value & 0xff)
  else if (f.size === 2) dv.setUint16(f.at, value & 0xffff, f.littleEndian)
  else dv.setUint32(f.at, value >>> 0, f.littleEndian)
}

export function getField(b: Uint8Array, f: { at: number; size: 1 | 2 | 4; littleEndian: boolean }): number {
  if (f.at < 0 || f.at + f.size > b.length) return 0
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return f.size === 1 ? dv.getUint8(f.at) : f.size === 2 ? dv.getUint16(f.at, f.littleEndian) : dv.getUint32(f.at, f.littleEndian)
}

/**
 * The part rebuilt around new packet bytes (pcap record or EPB; other parts unchanged): lengths
 * fixed up, so that a truncated or wrapped packet is still a well-formed record.
 */
export function withPacketData(b: Uint8Array, layout: Layout, p: Part, data: Uint8Array): Uint8Array {
  const le = layout.littleEndian
  if (layout.format === 'pcap') {
    const out = new Uint8Array(16 + data.length)
    out.set(b.subarray(p.start, p.start + 16))
    const dv = new DataView(out.buffer)
    dv.setUint32(8, data.length, le)
    dv.setUint32(12, Math.max(data.length, new DataView(b.buffer, b.byteOffset).getUint32(p.start + 12, le)), le)
    out.set(data, 16)
    return out
  }
  const dv0 = new DataView(b.buffer, b.byteOffset, b.byteLength)
  if (p.kind !== 'packet' || dv0.getUint32(p.start, le) !== 6) return b.slice(p.start, p.end)
  const padded = (data.length + 3) & ~3
  const total = 28 + padded + 4
  const out = new Uint8Array(total)
  out.set(b.subarray(p.start, p.start + 28))
  const dv = new DataView(out.buffer)
  dv.setUint32(4, total, le)
  dv.setUint32(20, data.length, le)
  dv.setUint32(24, Math.max(data.length, dv0.getUint32(p.start + 24, le)), le)
  out.set(data, 28)
  dv.setUint32(total - 4, total, le)
  return out
}

/** The file rebuilt from its parts in a new order (or with some repeated or missing), the rest after them kept. */
export function rebuild(b: Uint8Array, layout: Layout, pieces: Uint8Array[]): Uint8Array {
  const last = layout.parts[layout.parts.length - 1]
  const tail = last ? b.subarray(last.end) : new Uint8Array(0)
  const size = pieces.reduce((n, x) => n + x.length, 0) + tail.length
  const out = new Uint8Array(size)
  let o = 0
  for (const x of pieces) { out.set(x, o); o += x.length }
  out.set(tail, o)
  return out
}
