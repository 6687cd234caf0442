/**
 * Build whole frames from our own encoders, outermost layer first:
 *
 *   packet().eth(A, B).vlan(100).ipv4('10.0.0.1', '192.0.2.53').udp(51000, 53).payload(q).build()
 *
 * Length fields (IPv4 total length, IPv6 payload length, UDP length), the
 * EtherType / protocol chain and the TCP data offset are filled in at
 * `build()`; anything can be overridden to build malformed packets on purpose.
 * Tests, sample recipes and benchmarks all build their traffic with this.
 */
import { put16 } from '../decode/bytes.js'
import { finish, onesSum, pseudoHeaderSum } from '../decode/checksum.js'
import * as ethernet from '../decode/ethernet.js'
import * as icmp from '../decode/icmp.js'
import * as icmpv6 from '../decode/icmpv6.js'
import * as ipv4 from '../decode/ipv4.js'
import * as ipv6 from '../decode/ipv6.js'
import * as tcp from '../decode/tcp.js'
import type { TcpOptionsRecord } from '../decode/record.js'
import * as udp from '../decode/udp.js'
import * as vlan from '../decode/vlan.js'
import * as gre from '../decode/gre.js'
import * as vxlan from '../decode/vxlan.js'

/** Parse a dotted quad into an unsigned 32-bit number. */
export function ipv4Number(text: string): number {
  const parts = text.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${text}`)
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0
}

/** Parse IPv6 text (with at most one `::`) into 16 bytes. */
export function ipv6Bytes(text: string): Uint8Array {
  const [head = '', tail] = text.split('::')
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : [])
  const h = groups(head)
  const t = tail === undefined ? [] : groups(tail)
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t]
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`not an IPv6 address: ${text}`)
  const out = new Uint8Array(16)
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff })
  return out
}

export function macBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)))
}

interface Layer {
  /** Bytes of this layer's own header. */
  size: number
  /** The EtherType / IP protocol the layer in front of this one must announce. */
  announce?: { etherType?: number; protocol?: number }
  /** Write the header at `offset`; `inner` is the byte count of everything after it. */
  write(bytes: Uint8Array, offset: number, inner: number, next: Layer | undefined): void
  /** Ethernet headers say so, for a GRE header in front (transparent Ethernet bridging). */
  isEthernet?: true
  /** IP layers: where the source address starts and how long addresses are (for pseudo-headers). */
  ip?: { srcAt: number; addrLen: 4 | 16 }
  /** Fill in the checksum once everything inside is written; `ip` is the enclosing IP header's offset. */
  checksum?(bytes: Uint8Array, offset: number, end: number, ip: { offset: number; srcAt: number; addrLen: 4 | 16 } | undefined): void
}

/** Where a checksum field sits in a layer, and whether a pseudo-header (with this protocol) covers it. */
function transportChecksum(at: number, protocol: number | null): Layer['checksum'] {
  return (b, o, end, ip) => {
    put16(b, o + at, 0)
    const initial = protocol !== null && ip ? pseudoHeaderSum(b, ip.offset + ip.srcAt, ip.addrLen, protocol, end - o) : 0
    let sum = finish(onesSum(b, o, end, initial))
    if (protocol === 17 && sum === 0) sum = 0xffff // RFC 768: a computed zero is sent as all ones
    put16(b, o + at, sum)
  }
}

export class PacketBuilder {
  private readonly layers: Layer[] = []

  eth(src = '02:00:00:00:00:01', dst = '02:00:00:00:00:02', etherType?: number): this {
    this.layers.push({
      size: ethernet.HEADER_LEN,
      isEthernet: true,
      write: (b, o, _inner, next) => {
        ethernet.encode({ src: macBytes(src), dst: macBytes(dst), etherType: etherType ?? next?.announce?.etherType ?? 0 }, b, o)
      },
    })
    return this
  }

  /** An 802.1Q (or, with tpid 0x88a8, 802.1ad) tag; the TPID is announced to the layer in front. */
  vlan(id: number, pcp = 0, tpid = 0x8100): this {
    this.layers.push({
      size: vlan.HEADER_LEN,
      announce: { etherType: tpid },
      write: (b, o, _inner, next) => {
        vlan.encode({ id, pcp, dei: false, etherType: next?.announce?.etherType ?? 0 }, b, o)
      },
    })
    return this
  }

  ipv4(src: string, dst: string, f: Partial<ipv4.Fields> = {}): this {
    this.layers.push({
      size: ipv4.HEADER_LEN,
      announce: { etherType: 0x0800, protocol: 4 },
      write: (b, o, inner, next) => {
        ipv4.encode({
          version: 4, ihl: 5, tos: 0, totalLength: ipv4.HEADER_LEN + inner, id: 0, reserved: false, df: false, mf: false,
          fragmentOffset: 0, ttl: 64, protocol: next?.announce?.protocol ?? 0, checksum: 0,
          src: ipv4Number(src), dst: ipv4Number(dst), ...f,
        }, b, o)
      },
      ip: { srcAt: 12, addrLen: 4 },
      ...(f.checksum === undefined ? { checksum: (b: Uint8Array, o: number) => { put16(b, o + 10, finish(onesSum(b, o, o + ipv4.HEADER_LEN))) } } : {}),
    })
    return this
  }

  ipv6(src: string, dst: string, f: Partial<ipv6.Fields> = {}): this {
    this.layers.push({
      size: ipv6.HEADER_LEN,
      announce: { etherType: 0x86dd, protocol: 41 },
      write: (b, o, inner, next) => {
        ipv6.encode({
          version: 6, trafficClass: 0, flowLabel: 0, payloadLength: inner, nextHeader: next?.announce?.protocol ?? 59,
          hopLimit: 64, src: ipv6Bytes(src), dst: ipv6Bytes(dst), ...f,
        }, b, o)
      },
      ip: { srcAt: 8, addrLen: 16 },
    })
    return this
  }

  udp(srcPort: number, dstPort: number, length?: number): this {
    this.layers.push({
      size: udp.HEADER_LEN,
      announce: { protocol: 17 },
      write: (b, o, inner) => { udp.encode({ srcPort, dstPort, length: length ?? udp.HEADER_LEN + inner, checksum: 0 }, b, o) },
      checksum: transportChecksum(6, 17),
    })
    return this
  }

  tcp(srcPort: number, dstPort: number, f: Partial<tcp.Fields> = {}, options: TcpOptionsRecord = {}): this {
    const opt = tcp.encodeOptions(options)
    const size = tcp.HEADER_LEN + opt.length
    this.layers.push({
      size,
      announce: { protocol: 6 },
      write: (b, o) => {
        tcp.encode({
          srcPort, dstPort, seq: 0, ack: 0, dataOffset: size / 4, reserved: 0, ae: false, flags: tcp.Flag.ACK,
          window: 65535, checksum: 0, urgent: 0, ...f,
        }, b, o, opt)
      },
      ...(f.checksum === undefined ? { checksum: transportChecksum(16, 6) } : {}),
    })
    return this
  }

  icmp(type: number, code: number, rest = 0, protocol = 1): this {
    this.layers.push({
      size: icmp.HEADER_LEN,
      announce: { protocol },
      write: (b, o) => { icmp.encode({ type, code, checksum: 0, rest }, b, o) },
      checksum: transportChecksum(2, null),
    })
    return this
  }

  /** ICMPv6 (its checksum covers the IPv6 pseudo-header). */
  icmpv6(type: number, code: number, rest = 0): this {
    this.layers.push({
      size: icmpv6.HEADER_LEN,
      announce: { protocol: 58 },
      write: (b, o) => { icmpv6.encode({ type, code, checksum: 0, rest }, b, o) },
      checksum: transportChecksum(2, 58),
    })
    return this
  }

  /** A VXLAN header (I flag set unless `flags` says otherwise); an Ethernet layer should follow. */
  vxlan(vni: number, flags = vxlan.FLAG_VNI_VALID): this {
    this.layers.push({ size: vxlan.HEADER_LEN, write: (b, o) => { vxlan.encode({ flags, vni }, b, o) } })
    return this
  }

  /** A GRE header; the protocol is taken from the next layer (0x6558 in front of Ethernet) unless given. */
  gre(f: Partial<gre.Fields> = {}): this {
    const fields: gre.Fields = { version: 0, protocol: 0, checksum: null, key: null, sequence: null, ack: null, ...f }
    this.layers.push({
      size: gre.encodingLength(fields),
      announce: { protocol: 47 },
      write: (b, o, _inner, next) => {
        gre.encode({ ...fields, protocol: f.protocol ?? next?.announce?.etherType ?? (next?.isEthernet ? 0x6558 : 0) }, b, o)
      },
    })
    return this
  }

  /** Raw bytes, as the last layer (or in the middle, to splice in a prebuilt header). */
  payload(data: ArrayLike<number>, announce?: { etherType?: number; protocol?: number }): this {
    this.layers.push({ size: data.length, ...(announce ? { announce } : {}), write: (b, o) => { b.set(data, o) } })
    return this
  }

  build(): Uint8Array {
    const total = this.layers.reduce((n, l) => n + l.size, 0)
    const bytes = new Uint8Array(total)
    let offset = 0
    let inner = total
    const starts: number[] = []
    this.layers.forEach((l, i) => {
      inner -= l.size
      starts.push(offset)
      l.write(bytes, offset, inner, this.layers[i + 1])
      offset += l.size
    })
    // Checksums innermost first: an outer checksum covers the inner ones (tunnels).
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const l = this.layers[i]!
      if (!l.checksum) continue
      let ip: { offset: number; srcAt: number; addrLen: 4 | 16 } | undefined
      for (let j = i - 1; j >= 0 && !ip; j--) {
        const e = this.layers[j]!
        if (e.ip) ip = { offset: starts[j]!, ...e.ip }
      }
      l.checksum(bytes, starts[i]!, ipPayloadEnd(bytes, ip, total), ip)
    }
    return bytes
  }
}

/** Where the enclosing IP datagram's payload ends (its length field), so padding is never summed. */
function ipPayloadEnd(b: Uint8Array, ip: { offset: number; addrLen: 4 | 16 } | undefined, total: number): number {
  if (!ip) return total
  if (ip.addrLen === 4) return Math.min(total, ip.offset + ((b[ip.offset + 2]! << 8) | b[ip.offset + 3]!))
  return Math.min(total, ip.offset + 40 + ((b[ip.offset + 4]! << 8) | b[ip.offset + 5]!))
}

export function packet(): PacketBuilder {
  return new PacketBuilder()
}
