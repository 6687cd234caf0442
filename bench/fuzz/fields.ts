/**
 * Length and count fields inside one Ethernet frame, found by a small walk of its layers
 * (VLAN tags, IPv4/IPv6, UDP/TCP, VXLAN, DNS, BGP): the places where a lie hurts a decoder
 * most. Independent of src/decode on purpose; it gives up quietly where the bytes do not fit.
 */

export interface PacketField {
  /** Offset in the packet. */
  at: number
  size: 1 | 2
  name: string
  /** Values worth trying besides 0, max and off-by-one (DNS pointers to themselves, ...). */
  extra?: number[]
}

/** Layer boundaries (offsets where a header starts) and the fields found. */
export interface PacketShape {
  boundaries: number[]
  fields: PacketField[]
}

const MAX_WALK = 256

export function shapeOf(p: Uint8Array, linkType: number): PacketShape {
  const shape: PacketShape = { boundaries: [], fields: [] }
  if (linkType === 1) ethernet(p, 0, shape, 0)
  return shape
}

const u16 = (p: Uint8Array, o: number): number => o + 2 <= p.length ? (p[o]! << 8) | p[o + 1]! : -1

function ethernet(p: Uint8Array, o: number, s: PacketShape, depth: number): void {
  if (depth > 8 || o + 14 > p.length) return
  s.boundaries.push(o)
  let at = o + 12
  let type = u16(p, at)
  for (let n = 0; n < 8 && (type === 0x8100 || type === 0x88a8); n++) {
    s.fields.push({ at, size: 2, name: 'VLAN TPID', extra: [0x8100, 0x88a8] })
    s.boundaries.push(at + 2)
    at += 4
    type = u16(p, at)
  }
  s.fields.push({ at, size: 2, name: 'EtherType', extra: [0x0800, 0x86dd, 0x8100, 0x0806, 0x8847] })
  if (type === 0x0800) ipv4(p, at + 2, s, depth)
  else if (type === 0x86dd) ipv6(p, at + 2, s, depth)
}

function ipv4(p: Uint8Array, o: number, s: PacketShape, depth: number): void {
  if (o + 20 > p.length) return
  s.boundaries.push(o)
  s.fields.push({ at: o, size: 1, name: 'IPv4 version/IHL', extra: [0x40, 0x45, 0x4f, 0x46] })
  s.fields.push({ at: o + 2, size: 2, name: 'IPv4 total length', extra: [20, 21, 28] })
  s.fields.push({ at: o + 6, size: 2, name: 'IPv4 flags/fragment offset', extra: [0x2000, 0x0001, 0x2001, 0x1fff] })
  s.fields.push({ at: o + 9, size: 1, name: 'IPv4 protocol', extra: [1, 4, 6, 17, 41, 47, 58] })
  if ((u16(p, o + 6) & 0x1fff) !== 0) return
  transport(p, o + (p[o]! & 15) * 4, p[o + 9]!, s, depth)
}

function ipv6(p: Uint8Array, o: number, s: PacketShape, depth: number): void {
  if (o + 40 > p.length) return
  s.boundaries.push(o)
  s.fields.push({ at: o + 4, size: 2, name: 'IPv6 payload length' })
  s.fields.push({ at: o + 6, size: 1, name: 'IPv6 next header', extra: [0, 6, 17, 43, 44, 58, 59, 60] })
  transport(p, o + 40, p[o + 6]!, s, depth)
}

function transport(p: Uint8Array, o: number, proto: number, s: PacketShape, depth: number): void {
  if (proto === 17 && o + 8 <= p.length) {
    s.boundaries.push(o)
    s.fields.push({ at: o + 4, size: 2, name: 'UDP length', extra: [8, 7, 9] })
    const sport = u16(p, o)
    const dport = u16(p, o + 2)
    if (sport === 53 || dport === 53) dns(p, o + 8, s)
    else if (dport === 4789 && o + 16 <= p.length) {
      s.boundaries.push(o + 8)
      s.fields.push({ at: o + 8, size: 1, name: 'VXLAN flags', extra: [0x08, 0x00, 0x0c] })
      ethernet(p, o + 16, s, depth + 1)
    }
  } else if (proto === 6 && o + 20 <= p.length) {
    s.boundaries.push(o)
    s.fields.push({ at: o + 12, size: 1, name: 'TCP data offset', extra: [0x00, 0x40, 0x50, 0x60, 0xf0] })
    const sport = u16(p, o)
    const dport = u16(p, o + 2)
    const data = o + (p[o + 12]! >> 4) * 4
    if (sport === 179 || dport === 179) bgp(p, data, s)
    else if ((sport === 53 || dport === 53) && data + 2 <= p.length) {
      s.fields.push({ at: data, size: 2, name: 'DNS-over-TCP length' })
      dns(p, data + 2, s)
    }
  } else if ((proto === 4 || proto === 41) && depth < 8) {
    if (proto === 4) ipv4(p, o, s, depth + 1)
    else ipv6(p, o, s, depth + 1)
  }
}

/** The header counts, then every name's labels and pointers, and every RDLENGTH. */
function dns(p: Uint8Array, d: number, s: PacketShape): void {
  if (d + 12 > p.length) return
  s.boundaries.push(d)
  const names = ['QDCOUNT', 'ANCOUNT', 'NSCOUNT', 'ARCOUNT']
  for (let i = 0; i < 4; i++) s.fields.push({ at: d + 4 + 2 * i, size: 2, name: `DNS ${names[i]}` })
  const counts = [u16(p, d + 4), u16(p, d + 6), u16(p, d + 8), u16(p, d + 10)]
  let o = d + 12
  let steps = 0
  const name = (): boolean => {
    while (o < p.length && steps++ < MAX_WALK) {
      const len = p[o]!
      const rel = o - d
      if (len >= 0xc0) {
        // A pointer: to itself, to the header, to the byte just after it (all loops or lies).
        s.fields.push({ at: o, size: 2, name: 'DNS compression pointer', extra: [0xc000 | rel, 0xc000 | (rel + 2), 0xc00c, 0xc000] })
        o += 2
        return true
      }
      s.fields.push({ at: o, size: 1, name: 'DNS label length', extra: [0xc0, 63, 64, 0x80] })
      if (len === 0) { o++; return true }
      o += 1 + len
    }
    return false
  }
  for (let q = 0; q < Math.min(counts[0]!, 8); q++) { if (!name()) return; o += 4 }
  const records = Math.min(counts[1]! + counts[2]! + counts[3]!, 32)
  for (let r = 0; r < records; r++) {
    if (!name() || o + 10 > p.length) return
    s.fields.push({ at: o + 8, size: 2, name: 'DNS RDLENGTH' })
    o += 10 + u16(p, o + 8)
  }
}

/** Every BGP message in the segment: its length, and for an UPDATE the withdrawn and attribute lengths. */
function bgp(p: Uint8Array, m: number, s: PacketShape): void {
  for (let n = 0; n < 16 && m + 19 <= p.length; n++) {
    s.boundaries.push(m)
    const len = u16(p, m + 16)
    s.fields.push({ at: m + 16, size: 2, name: 'BGP message length', extra: [18, 19, 20, 4096, 4097] })
    const type = p[m + 18]!
    s.fields.push({ at: m + 18, size: 1, name: 'BGP type', extra: [1, 2, 3, 4, 5] })
    if (type === 1 && m + 29 <= p.length) s.fields.push({ at: m + 28, size: 1, name: 'BGP OPEN optional parameters length' })
    if (type === 2 && m + 23 <= p.length) {
      const withdrawn = u16(p, m + 19)
      s.fields.push({ at: m + 19, size: 2, name: 'BGP withdrawn routes length' })
      const attrsAt = m + 21 + withdrawn
      const attrsLen = u16(p, attrsAt)
      if (attrsLen >= 0) {
        s.fields.push({ at: attrsAt, size: 2, name: 'BGP path attributes length' })
        let a = attrsAt + 2
        const end = Math.min(p.length, a + attrsLen)
        for (let k = 0; k < 64 && a + 3 <= end; k++) {
          const flags = p[a]!
          s.fields.push({ at: a, size: 1, name: 'BGP attribute flags', extra: [0x10, 0x40, 0x50, 0x80, 0xd0] })
          if (flags & 0x10) {
            s.fields.push({ at: a + 2, size: 2, name: 'BGP attribute length (extended)' })
            a += 4 + Math.max(0, u16(p, a + 2))
          } else {
            s.fields.push({ at: a + 2, size: 1, name: 'BGP attribute length' })
            a += 3 + p[a + 2]!
          }
        }
      }
    }
    if (len < 19) return
    m += len
  }
}
