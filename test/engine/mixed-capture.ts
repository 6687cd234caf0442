/**
 * A mixed two-file window for the pipeline tests, built from our own encoders with a fixed seed:
 *
 *   TCP over IPv4 (untagged, 802.1Q, QinQ) and IPv6, both directions, handshake to FIN;
 *   TCP inside VXLAN (two VNIs reusing the same inner addresses, two VTEP pairs);
 *   UDP request/response; UDP datagrams in IPv4 fragments (one datagram's fragments reversed);
 *   TCP inside VXLAN whose data segments' outer datagrams are fragmented (IPv4 or IPv6 underlay) and whose
 *   ACKs are not;
 *   ICMP and ICMPv6 errors quoting flows seen before (some quotes too short for a TCP header,
 *   some inside the tunnel); ARP and LLDP (no IP); frames cut by the snap length.
 *
 * Flows are interleaved at random and the window is split into a µs pcap and an ns pcapng
 * (two interfaces, some Simple Packet Blocks without timestamps), with flows running across the
 * split. `expected` holds what the generator knows, for sanity checks on the 'count' result.
 */
import { PcapngBuilder, pcapFile, tsUnits, type PcapRecord } from '../../src/capture/writer.js'
import type { Fields as Ipv4Fields } from '../../src/decode/ipv4.js'
import { packet, type PacketBuilder } from '../../src/samples/packet.js'
import { seededRandom } from '../support/random.js'

interface Spec {
  a: string
  b: string
  v6: boolean
  vlans: number[]
  /** VXLAN: vni and the VTEP pair (a's side, b's side). */
  tunnel: { vni: number; vteps: [string, string] } | null
}

type Frame = { data: Uint8Array; cut?: boolean }

export interface MixedWindow {
  pcap: Uint8Array
  pcapng: Uint8Array
  frames: number
  expected: {
    /** ICMP/ICMPv6 errors, all sent after a packet of the flow they quote. */
    icmpErrors: number
    /** Fragmented UDP datagrams (each completes in the frame of its last fragment). */
    datagrams: number
  }
}

function payloadBytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff
  return b
}

/** A whole frame from `src` to `dst` of `spec` (either direction), through its VLANs and tunnel. */
function ipFrame(spec: Spec, src: string, dst: string, l4: (b: PacketBuilder) => PacketBuilder, ip: Partial<Ipv4Fields> = {}): Uint8Array {
  let b = packet().eth('02:00:00:00:00:0a', '02:00:00:00:00:0b')
  for (const v of spec.vlans) b = v >= 4000 ? b.vlan(v - 4000, 0, 0x88a8) : b.vlan(v)
  b = spec.v6 ? b.ipv6(src, dst) : b.ipv4(src, dst, ip)
  const inner = l4(b).build()
  if (!spec.tunnel) return inner
  const forward = src === spec.a || (src !== spec.b && dst === spec.b)
  const [va, vb] = forward ? spec.tunnel.vteps : [spec.tunnel.vteps[1], spec.tunnel.vteps[0]]
  return packet().eth().ipv4(va, vb).udp(49152 + (spec.tunnel.vni % 1000) + (forward ? 0 : 1), 4789)
    .vxlan(spec.tunnel.vni).payload(inner).build()
}

/** The quote an ICMP error carries: the IP header of the packet plus `extra` bytes of it. */
function quote(spec: Spec, src: string, dst: string, l4: (b: PacketBuilder) => PacketBuilder, extra: number): Uint8Array {
  const p = l4(spec.v6 ? packet().ipv6(src, dst) : packet().ipv4(src, dst)).build()
  return p.subarray(0, (spec.v6 ? 40 : 20) + extra)
}

function icmpError(spec: Spec, router: string, to: string, quoted: Uint8Array, rnd: () => number): Uint8Array {
  if (spec.v6) return ipFrame(spec, router, to, (b) => b.icmpv6(rnd() < 0.5 ? 1 : 2, 0, 1280).payload(quoted))
  return ipFrame(spec, router, to, (b) => b.icmp(rnd() < 0.5 ? 3 : 11, rnd() < 0.5 ? 3 : 0).payload(quoted))
}

function tcpFlow(spec: Spec, cport: number, sport: number, rnd: () => number, errors: { n: number }): Frame[] {
  const out: Frame[] = []
  let cseq = Math.floor(rnd() * 1e9)
  let sseq = Math.floor(rnd() * 1e9)
  const seg = (fromClient: boolean, flags: number, len: number): Frame => {
    const [src, dst, sp, dp] = fromClient ? [spec.a, spec.b, cport, sport] : [spec.b, spec.a, sport, cport]
    const seq = fromClient ? cseq : sseq
    const ack = fromClient ? sseq : cseq
    const data = payloadBytes(len, seq)
    const frame = ipFrame(spec, src, dst, (b) => b.tcp(sp, dp, { seq, ack, flags }).payload(data))
    if (fromClient) cseq = (cseq + len + (flags & 3 ? 1 : 0)) >>> 0
    else sseq = (sseq + len + (flags & 3 ? 1 : 0)) >>> 0
    return { data: frame, cut: len > 1000 && rnd() < 0.2 }
  }
  out.push(seg(true, 0x02, 0), seg(false, 0x12, 0), seg(true, 0x10, 0))
  const n = 6 + Math.floor(rnd() * 20)
  for (let i = 0; i < n; i++) {
    const fromClient = rnd() < 0.5
    out.push(seg(fromClient, 0x18, Math.floor(rnd() * 1400)))
    if (i === 2 && rnd() < 0.3) {
      // A router complains about the client's last segment; half the quotes are too short for TCP's header.
      const q = quote(spec, spec.a, spec.b, (b) => b.tcp(cport, sport, { seq: cseq }), rnd() < 0.5 ? 8 : 20)
      out.push({ data: icmpError(spec, spec.v6 ? 'fd00::fe' : '10.255.0.1', spec.a, q, rnd) })
      errors.n++
    }
  }
  out.push(seg(true, 0x11, 0), seg(false, 0x11, 0), seg(true, 0x10, 0))
  return out
}

function udpFlow(spec: Spec, cport: number, sport: number, rnd: () => number, errors: { n: number }): Frame[] {
  const out: Frame[] = []
  const n = 1 + Math.floor(rnd() * 4)
  for (let i = 0; i < n; i++) {
    const q = payloadBytes(20 + Math.floor(rnd() * 200), i)
    out.push({ data: ipFrame(spec, spec.a, spec.b, (b) => b.udp(cport, sport).payload(q)) })
    if (rnd() < 0.15) {
      out.push({ data: icmpError(spec, spec.b, spec.a, quote(spec, spec.a, spec.b, (b) => b.udp(cport, sport).payload(q), 8), rnd) })
      errors.n++
    } else {
      out.push({ data: ipFrame(spec, spec.b, spec.a, (b) => b.udp(sport, cport).payload(payloadBytes(40 + Math.floor(rnd() * 400), i))) })
    }
  }
  return out
}

/** A UDP request of `size` bytes in 1480-byte IPv4 fragments, then an unfragmented reply. */
function fragmentedUdp(spec: Spec, cport: number, sport: number, size: number, id: number, reverse: boolean): Frame[] {
  const datagram = packet().udp(cport, sport).payload(payloadBytes(size, id)).build()
  const frags: Frame[] = []
  for (let off = 0; off < datagram.length; off += 1480) {
    const chunk = datagram.subarray(off, off + 1480)
    const mf = off + 1480 < datagram.length
    frags.push({ data: ipFrame(spec, spec.a, spec.b, (b) => b.payload(chunk), { id, mf, fragmentOffset: off, protocol: 17 }) })
  }
  if (reverse) frags.reverse()
  frags.push({ data: ipFrame(spec, spec.b, spec.a, (b) => b.udp(sport, cport).payload(payloadBytes(64, id))) })
  return frags
}

/**
 * A TCP connection inside VXLAN behind a too-small underlay MTU: handshake whole, then each data segment's
 * outer datagram in two IPv4 fragments (first fragment first), each answered by a whole ACK. The inner flow
 * has packets on the fragments' route and on its own (engine/fragment-routes.ts).
 */
function fragmentedTunnelTcp(spec: Spec, cport: number, sport: number, segments: number, id: number, underlay6 = false): Frame[] {
  const [va, vb] = spec.tunnel!.vteps
  const vni = spec.tunnel!.vni
  const inner = (fromA: boolean, tcp: (b: PacketBuilder) => PacketBuilder) =>
    tcp(packet().eth('02:00:00:00:00:0a', '02:00:00:00:00:0b').ipv4(fromA ? spec.a : spec.b, fromA ? spec.b : spec.a)).build()
  // The tunnel's packets over an IPv4 underlay as ipFrame builds them, or over IPv6 between the same VTEP numbers.
  const v6 = (ip: string) => `fd00:9::${ip.split('.').map(Number)[3]!.toString(16)}`
  const outer = (fromA: boolean) => underlay6 ? packet().eth().ipv6(v6(fromA ? va : vb), v6(fromA ? vb : va)) : packet().eth().ipv4(fromA ? va : vb, fromA ? vb : va)
  const whole = (fromA: boolean, flags: number, seq: number, ack: number) => ({
    data: outer(fromA).udp(49152 + (vni % 1000) + (fromA ? 0 : 1), 4789).vxlan(vni)
      .payload(inner(fromA, (b) => (fromA ? b.tcp(cport, sport, { flags, seq, ack }) : b.tcp(sport, cport, { flags, seq, ack })))).build(),
  })
  const out: Frame[] = [whole(true, 0x02, 0, 0), whole(false, 0x12, 0, 1), whole(true, 0x10, 1, 1)]
  for (let k = 0; k < segments; k++) {
    const seq = 1 + k * 1400
    // The outer datagram's payload: UDP, VXLAN, the inner frame.
    const udp = packet().udp(49152 + (vni % 1000), 4789).vxlan(vni)
      .payload(inner(true, (b) => b.tcp(cport, sport, { flags: 0x18, seq, ack: 1 }).payload(payloadBytes(1400, id + k)))).build()
    for (const off of [0, 1000]) {
      const chunk = udp.subarray(off, off === 0 ? 1000 : udp.length)
      if (!underlay6) {
        out.push({ data: packet().eth().ipv4(va, vb, { id: id + k, mf: off === 0, fragmentOffset: off, protocol: 17 }).payload(chunk).build() })
        continue
      }
      const fragment = new Uint8Array(8 + chunk.length) // the IPv6 fragment header, then the chunk
      fragment.set([17, 0, off >> 8, (off & 0xf8) | (off === 0 ? 1 : 0), 0, 0, (id + k) >> 8, (id + k) & 0xff])
      fragment.set(chunk, 8)
      out.push({ data: packet().eth().ipv6(v6(va), v6(vb), { nextHeader: 44 }).payload(fragment).build() })
    }
    out.push(whole(false, 0x10, 1, seq + 1400))
  }
  return out
}

function arp(i: number): Frame {
  const body = new Uint8Array(28)
  body.set([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, i & 0xff, 10, 0, 0, i & 0xff, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1])
  return { data: packet().eth(`02:00:00:00:00:${(i & 0xff).toString(16).padStart(2, '0')}`, 'ff:ff:ff:ff:ff:ff', 0x0806).payload(body).build() }
}

function lldp(i: number): Frame {
  return { data: packet().eth('02:00:00:00:00:99', '01:80:c2:00:00:0e', 0x88cc).payload(payloadBytes(40, i)).build() }
}

export function mixedWindow(seed = 20261122): MixedWindow {
  const rnd = seededRandom(seed)
  const errors = { n: 0 }
  let datagrams = 0
  const flows: Frame[][] = []
  const plain = (a: string, b: string, vlans: number[] = []): Spec => ({ a, b, v6: false, vlans, tunnel: null })
  for (let i = 0; i < 60; i++) {
    const vlans = i % 5 === 1 ? [100 + (i % 3)] : i % 5 === 2 ? [4200, 300] : []
    flows.push(tcpFlow(plain(`10.1.${i % 7}.${10 + i}`, `192.0.2.${1 + (i % 9)}`, vlans), 40000 + i, i % 2 ? 443 : 179, rnd, errors))
  }
  for (let i = 0; i < 10; i++) {
    flows.push(tcpFlow({ a: `fd00::${(i + 1).toString(16)}`, b: `2001:db8::${(i % 3) + 1}`, v6: true, vlans: [], tunnel: null }, 41000 + i, 443, rnd, errors))
  }
  for (let i = 0; i < 20; i++) {
    // Two VNIs reuse the same inner addresses: the VNI is part of the flow.
    const tunnel = { vni: i % 2 ? 5001 : 5002, vteps: (i % 4 < 2 ? ['172.16.0.1', '172.16.0.2'] : ['172.16.0.3', '172.16.0.2']) as [string, string] }
    flows.push(tcpFlow({ a: `10.200.0.${1 + (i % 5)}`, b: '10.200.1.1', v6: false, vlans: [], tunnel }, 42000 + (i >> 1), 80, rnd, errors))
  }
  for (let i = 0; i < 100; i++) {
    const spec = i % 10 === 3
      ? { a: `fd00::1:${i.toString(16)}`, b: 'fd00::53', v6: true, vlans: [], tunnel: null }
      : plain(`10.2.${i % 11}.${1 + (i % 200)}`, `198.51.100.${1 + (i % 5)}`, i % 4 === 0 ? [200] : [])
    flows.push(udpFlow(spec, 30000 + i, i % 3 ? 53 : 123, rnd, errors))
  }
  for (let i = 0; i < 30; i++) {
    flows.push(fragmentedUdp(plain(`10.3.0.${1 + (i % 6)}`, '203.0.113.9', i % 3 === 0 ? [100] : []), 50000 + i, 4500, 1600 + Math.floor(rnd() * 3000), 0x1000 + i, i % 7 === 0))
    datagrams++
  }
  for (let i = 0; i < 12; i++) {
    const tunnel = { vni: 7001, vteps: ['172.16.9.1', '172.16.9.2'] as [string, string] }
    flows.push(fragmentedTunnelTcp({ a: `10.210.0.${1 + i}`, b: `10.210.1.${1 + (i % 3)}`, v6: false, vlans: [], tunnel }, 43000 + i, 443, 3, 0x2000 + 16 * i, i % 3 === 2))
  }
  for (let i = 0; i < 30; i++) flows.push([arp(i)])
  for (let i = 0; i < 10; i++) flows.push([lldp(i)])

  // Interleave: each step takes the next frame of a random flow that has frames left.
  const order: Frame[] = []
  const next = flows.map(() => 0)
  let live = flows.map((_, i) => i)
  while (live.length > 0) {
    const pick = Math.floor(rnd() * live.length)
    const f = live[pick]!
    order.push(flows[f]![next[f]!]!)
    next[f]!++
    if (next[f] === flows[f]!.length) live = live.filter((x) => x !== f)
  }

  const split = Math.floor(order.length * 0.7)
  const t0 = 1763632800
  const records: PcapRecord[] = order.slice(0, split).map((f, i) => {
    const us = i * 997
    const data = f.cut ? f.data.subarray(0, 96) : f.data
    return { data, origlen: f.data.length, tsSec: t0 + Math.floor(us / 1e6), tsFrac: us % 1e6 }
  })
  const ng = new PcapngBuilder().shb().idb({ linkType: 1, tsresol: 9 }).idb({ linkType: 1, tsresol: 9 })
  order.slice(split).forEach((f, j) => {
    const ns = (split + j) * 997_123
    const data = f.cut ? f.data.subarray(0, 96) : f.data
    if (j % 50 === 7) ng.spb({ data, origlen: f.data.length })
    else ng.epb({ interfaceId: j % 3 === 0 ? 1 : 0, ts: tsUnits(t0 + Math.floor(ns / 1e9), ns % 1e9, 9), data, origlen: f.data.length })
  })
  return {
    pcap: pcapFile(records, { snaplen: 65535 }),
    pcapng: ng.build(),
    frames: order.length,
    expected: { icmpErrors: errors.n, datagrams },
  }
}
