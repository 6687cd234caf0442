/**
 * Structure-aware mutations of a capture file. Each takes the file and a seeded random source
 * and returns the mutated file with a label saying what was done (kept with a failure, so a
 * reproducer says which lie broke what). Blind byte mutations are among them: structure-aware
 * ones reach deep layers, blind ones find what the structure walk does not know about.
 */
import { gzipSync } from 'node:zlib'
import { getField, layoutOf, rebuild, setField, withPacketData, type Layout, type Part } from './container.js'
import { shapeOf, type PacketField } from './fields.js'

export type Random = () => number

export interface Mutant {
  bytes: Uint8Array
  label: string
}

type Mutator = (b: Uint8Array, layout: Layout, r: Random) => Mutant | null

const pick = <T>(r: Random, xs: readonly T[]): T | undefined => xs[Math.floor(r() * xs.length)]
const int = (r: Random, n: number): number => Math.floor(r() * n)

/** A value for a length field of `size` bytes whose current value is `v`: 0, max, off by one, or a lie from `extra`. */
function lie(r: Random, size: 1 | 2 | 4, v: number, extra: readonly number[] = []): number {
  const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff
  const choices = [0, max, v - 1, v + 1, 1, v * 2, max - 1, (max >>> 1) + 1, int(r, max + 1), ...extra]
  return (pick(r, choices) ?? 0) >>> 0
}

const packets = (l: Layout): Part[] => l.parts.filter((p) => p.kind === 'packet')

const blind: Mutator = (b, _l, r) => {
  const out = Uint8Array.from(b)
  const at = int(r, Math.max(1, b.length))
  switch (int(r, 6)) {
    case 0: if (out.length) out[at] = out[at]! ^ (1 << int(r, 8)); return { bytes: out, label: `bit flip at ${at}` }
    case 1: if (out.length) out[at] = pick(r, [0, 0xff, 0x7f, 0x80, 1])!; return { bytes: out, label: `byte ${at} set` }
    case 2: {
      const n = 1 + int(r, 8)
      const ins = new Uint8Array(b.length + n)
      ins.set(b.subarray(0, at)); for (let i = 0; i < n; i++) ins[at + i] = int(r, 256); ins.set(b.subarray(at), at + n)
      return { bytes: ins, label: `${n} bytes inserted at ${at}` }
    }
    case 3: {
      // Up to n bytes: a deletion near the end stops at the end.
      const end = Math.min(b.length, at + 1 + int(r, 8))
      const del = new Uint8Array(b.length - (end - at))
      del.set(b.subarray(0, at)); del.set(b.subarray(end), at)
      return { bytes: del, label: `${end - at} bytes deleted at ${at}` }
    }
    case 4: return { bytes: b.slice(0, at), label: `file cut at ${at}` }
    default: {
      for (let k = 0; k < 8; k++) out[int(r, Math.max(1, out.length))] = int(r, 256)
      return { bytes: out, label: 'eight random bytes' }
    }
  }
}

/** pcap record lengths, pcapng block, caplen and option lengths: 0, max, off by one. */
const containerLength: Mutator = (b, l, r) => {
  const part = pick(r, l.parts)
  const f = part && pick(r, part.lengths)
  if (!f) return null
  const out = Uint8Array.from(b)
  const v = lie(r, f.size, getField(out, f), [12, 16, 28, 32, 0x40000, 0x40001, 0x1000004])
  setField(out, f, v)
  return { bytes: out, label: `${f.name} at ${f.at} set to ${v}` }
}

/** A length, count or pointer inside a packet: IPv4/UDP/TCP/DNS/BGP/VXLAN (see fields.ts). */
const packetField: Mutator = (b, l, r) => {
  const part = pick(r, packets(l))
  if (!part) return null
  const data = b.subarray(part.dataStart, part.dataStart + part.dataLen)
  const field: PacketField | undefined = pick(r, shapeOf(data, part.linkType).fields)
  if (!field) return null
  const out = Uint8Array.from(b)
  const at = { at: part.dataStart + field.at, size: field.size, littleEndian: false }
  const v = lie(r, field.size, getField(out, at), field.extra)
  setField(out, at, v)
  return { bytes: out, label: `${field.name} of the packet at ${part.start} set to ${v}` }
}

/** A packet cut at a layer boundary (or a byte either side), the record's lengths kept consistent. */
const truncateLayer: Mutator = (b, l, r) => {
  const part = pick(r, packets(l))
  if (!part) return null
  const data = b.subarray(part.dataStart, part.dataStart + part.dataLen)
  const cuts = shapeOf(data, part.linkType).boundaries.flatMap((x) => [x, x + 1, x + 2, x + 4, x + 8, Math.max(0, x - 1)])
  const cut = Math.min(data.length, pick(r, cuts) ?? int(r, data.length + 1))
  const pieces = l.parts.map((p) => (p === part ? withPacketData(b, l, p, data.slice(0, cut)) : b.subarray(p.start, p.end)))
  return { bytes: rebuild(b, l, pieces), label: `packet at ${part.start} cut to ${cut} bytes` }
}

/** Records duplicated, swapped, dropped or reversed (pcapng: interface blocks too, so a packet may lose its IDB). */
const records: Mutator = (b, l, r) => {
  if (l.parts.length < 2) return null
  const header = l.parts[0]!
  const rest = l.parts.slice(1)
  let order = rest.slice()
  let label: string
  const i = int(r, rest.length)
  const j = int(r, rest.length)
  switch (int(r, 5)) {
    case 0: order.splice(i, 0, ...Array.from({ length: 1 + int(r, 3) }, () => rest[i]!)); label = `record ${i + 1} duplicated`; break
    case 1: [order[i], order[j]] = [order[j]!, order[i]!]; label = `records ${i + 1} and ${j + 1} swapped`; break
    case 2: order.splice(i, 1 + int(r, 3)); label = `records from ${i + 1} dropped`; break
    case 3: order.reverse(); label = 'records reversed'; break
    default: order = [...order, ...order]; label = 'all records twice'; break
  }
  return { bytes: rebuild(b, l, [b.subarray(header.start, header.end), ...order.map((p) => b.subarray(p.start, p.end))]), label }
}

/** An Ethernet packet wrapped in 1-8 VXLAN (or GRE) layers: past the tunnel depth bound. */
const nestTunnels: Mutator = (b, l, r) => {
  const part = pick(r, packets(l).filter((p) => p.linkType === 1))
  if (!part) return null
  let data: Uint8Array = b.slice(part.dataStart, part.dataStart + part.dataLen)
  const depth = 1 + int(r, 8)
  const gre = r() < 0.3
  for (let k = 0; k < depth; k++) data = gre ? greWrap(data) : vxlanWrap(data, k)
  const pieces = l.parts.map((p) => (p === part ? withPacketData(b, l, p, data) : b.subarray(p.start, p.end)))
  return { bytes: rebuild(b, l, pieces), label: `packet at ${part.start} wrapped in ${depth} ${gre ? 'GRE' : 'VXLAN'} layers` }
}

/** A DNS name turned into a pointer to itself, or two names pointing at each other. */
const dnsLoop: Mutator = (b, l, r) => {
  const candidates = packets(l).flatMap((p) => {
    const data = b.subarray(p.dataStart, p.dataStart + p.dataLen)
    return shapeOf(data, p.linkType).fields.filter((f) => f.name === 'DNS label length' || f.name === 'DNS compression pointer').map((f) => ({ p, f }))
  })
  const c = pick(r, candidates)
  if (!c) return null
  const out = Uint8Array.from(b)
  const data = out.subarray(c.p.dataStart, c.p.dataStart + c.p.dataLen)
  const dnsStart = shapeOf(data, c.p.linkType).fields.find((f) => f.name === 'DNS QDCOUNT')
  if (!dnsStart) return null
  const base = dnsStart.at - 4
  const rel = c.f.at - base
  if (c.f.at + 2 > data.length) return null
  const target = r() < 0.5 ? rel : 12
  data[c.f.at] = 0xc0 | ((target >> 8) & 0x3f)
  data[c.f.at + 1] = target & 0xff
  // And the question's first label pointing back at this name: a two-name cycle.
  if (target === 12 && base + 14 <= data.length) { data[base + 12] = 0xc0 | ((rel >> 8) & 0x3f); data[base + 13] = rel & 0xff }
  return { bytes: out, label: `DNS name at ${c.f.at} of the packet at ${c.p.start} made a pointer loop (${target === rel ? 'self' : 'via the question'})` }
}

/** The file gzipped (hubcap reads .gz captures), whole or cut short, or with a byte of the stream changed. */
const gzipped: Mutator = (b, _l, r) => {
  const z = gzipSync(b, { level: 1 })
  const how = int(r, 3)
  if (how === 0) return { bytes: z, label: 'gzipped' }
  if (how === 1) { const at = 2 + int(r, Math.max(1, z.length - 2)); return { bytes: z.subarray(0, at), label: `gzipped, cut at ${at}` } }
  const at = 10 + int(r, Math.max(1, z.length - 10))
  const out = Uint8Array.from(z)
  if (at < out.length) out[at] = out[at]! ^ (1 << int(r, 8))
  return { bytes: out, label: `gzipped, bit flipped at ${at}` }
}

const MUTATORS: Array<[Mutator, number]> = [
  [blind, 3], [containerLength, 2], [packetField, 6], [truncateLayer, 2], [records, 1], [nestTunnels, 1], [dnsLoop, 1],
]
const TOTAL = MUTATORS.reduce((n, [, w]) => n + w, 0)

/** 1-4 mutations stacked on `seed`, each later one seeing the layout of the file the earlier made; sometimes gzipped. */
export function mutateCapture(seed: Uint8Array, r: Random): Mutant {
  let bytes = seed
  const labels: string[] = []
  for (let k = 1 + int(r, 4); k > 0; k--) {
    let x = r() * TOTAL
    let m = MUTATORS[0]![0]
    for (const [f, w] of MUTATORS) { if ((x -= w) < 0) { m = f; break } }
    const out = m(bytes, layoutOf(bytes), r) ?? blind(bytes, layoutOf(bytes), r)!
    bytes = out.bytes
    labels.push(out.label)
  }
  // Last, sometimes: the result gzipped (a mutation after it would only see compressed bytes).
  if (r() < 0.06) {
    const z = gzipped(bytes, layoutOf(bytes), r)!
    bytes = z.bytes
    labels.push(z.label)
  }
  return { bytes, label: labels.join('; ') }
}

// ---- tunnel wrappers (fixed outer addresses; checksums zero, as UDP over IPv4 allows) ----------

function ipv4Udp(inner: Uint8Array, sport: number, dport: number, prefix: number[]): Uint8Array {
  const udpLen = 8 + prefix.length + inner.length
  const total = 20 + udpLen
  const out = new Uint8Array(14 + total)
  out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00])
  out.set([0x45, 0, total >> 8, total & 0xff, 0, 1, 0, 0, 64, 17, 0, 0, 10, 30, 0, 1, 10, 30, 0, 2], 14)
  out.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, (udpLen >> 8) & 0xff, udpLen & 0xff, 0, 0], 34)
  out.set(prefix, 42)
  out.set(inner, 42 + prefix.length)
  return out
}

function vxlanWrap(inner: Uint8Array, k: number): Uint8Array {
  return ipv4Udp(inner, 40000 + k, 4789, [0x08, 0, 0, 0, 0, 0, k + 1, 0])
}

function greWrap(inner: Uint8Array): Uint8Array {
  const total = 20 + 4 + inner.length
  const out = new Uint8Array(14 + total)
  out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00])
  out.set([0x45, 0, (total >> 8) & 0xff, total & 0xff, 0, 1, 0, 0, 64, 47, 0, 0, 10, 31, 0, 1, 10, 31, 0, 2], 14)
  out.set([0, 0, 0x65, 0x58], 34) // transparent Ethernet bridging
  out.set(inner, 38)
  return out
}
