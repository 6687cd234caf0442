import { describe, expect, it } from 'vitest'
import { UdpPorts } from '../../src/decode/dispatch.js'
import { FRAGMENT_TIMEOUT_SECONDS } from '../../src/decode/limits.js'
import { FragmentRoutes, MAX_DECISIONS } from '../../src/engine/fragment-routes.js'
import { ipv4PairHash, ipv6PairHash } from '../../src/engine/pair-hash.js'
import { ipv4Number, ipv6Bytes, packet } from '../../src/samples/packet.js'

const VTEP_A = '172.16.9.1'
const VTEP_B = '172.16.9.2'
const routes = () => new FragmentRoutes(new UdpPorts({ applications: false }))
const vteps = ipv4PairHash(ipv4Number(VTEP_A), ipv4Number(VTEP_B), -1)
const payload = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff)

/** The outer IPv4 datagram's fragments (UDP header and on) as frames, cut at `cut`; with `options`, 4 bytes of IPv4 options. */
function fragments(udpAndOn: Uint8Array, id: number, cut = 1000, options = false): Uint8Array[] {
  return [0, cut].map((off) => {
    const f = packet().eth().ipv4(VTEP_A, VTEP_B, { id, mf: off === 0, fragmentOffset: off, protocol: 17 })
      .payload(udpAndOn.subarray(off, off === 0 ? cut : udpAndOn.length)).build()
    if (!options) return f
    const out = new Uint8Array(f.length + 4)
    out.set(f.subarray(0, 34))
    out.set([1, 1, 1, 0], 34) // NOP, NOP, NOP, end of options
    out.set(f.subarray(34), 38)
    out[14] = 0x46
    const total = ((out[16]! << 8) | out[17]!) + 4
    out[16] = total >> 8
    out[17] = total & 0xff
    return out
  })
}

/** The same over an IPv6 underlay: a fragment header (next header UDP) after the fixed header. */
function fragments6(udpAndOn: Uint8Array, id: number, cut = 1000): Uint8Array[] {
  return [0, cut].map((off) => {
    const chunk = udpAndOn.subarray(off, off === 0 ? cut : udpAndOn.length)
    const header = new Uint8Array(8)
    header[0] = 17
    header[2] = off >> 8
    header[3] = (off & 0xf8) | (off === 0 ? 1 : 0)
    header[4] = id >>> 24; header[5] = (id >>> 16) & 0xff; header[6] = (id >>> 8) & 0xff; header[7] = id & 0xff
    const payload = new Uint8Array(8 + chunk.length)
    payload.set(header)
    payload.set(chunk, 8)
    return packet().eth().ipv6('fd00:9::1', 'fd00:9::2', { nextHeader: 44 }).payload(payload).build()
  })
}

const vxlan = (inner: Uint8Array, vni = 7001, port = 4789) => packet().udp(49152, port).vxlan(vni).payload(inner).build()
const tcpInner = (src: string, dst: string) => packet().eth().ipv4(src, dst).tcp(43000, 443).payload(payload(1400)).build()

describe('FragmentRoutes', () => {
  it('names nothing but an outermost IPv4 fragment', () => {
    const r = routes()
    expect(r.route(packet().eth().ipv4(VTEP_A, VTEP_B).udp(49152, 4789).vxlan(1).payload(tcpInner('10.0.0.1', '10.0.0.2')).build(), 0)).toBeNull()
    expect(r.route(packet().eth().ipv6('fd00::1', 'fd00::2').udp(1, 2).build(), 0)).toBeNull()
    expect(r.route(packet().eth('02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff', 0x0806).payload(payload(28)).build(), 0)).toBeNull()
    expect(r.route(new Uint8Array(20), 0)).toBeNull()
    expect(r.size).toBe(0)
  })

  it('sends a VXLAN datagram\'s fragments by its inner pair and VNI, with the VTEP pair as the outer flow', () => {
    const r = routes()
    const inner = ipv4PairHash(ipv4Number('10.210.0.1'), ipv4Number('10.210.1.1'), 7001)
    for (const f of fragments(vxlan(tcpInner('10.210.0.1', '10.210.1.1')), 5)) expect({ ...r.route(f, 100)! }).toEqual({ own: inner, outer: vteps })
    // IPv6 inside, 802.1Q-tagged inner frames and outer IPv4 options alike.
    const six = packet().eth().vlan(30).ipv6('fd00::5', 'fd00::1').udp(5000, 53).payload(payload(1400)).build()
    const six0 = ipv6PairHash(ipv6Bytes('fd00::5'), 0, ipv6Bytes('fd00::1'), 0, 7002)
    for (const f of fragments(vxlan(six, 7002), 6, 1000, true)) expect({ ...r.route(f, 100)! }).toEqual({ own: six0, outer: vteps })
  })

  it('does the same over an IPv6 underlay, and leaves atomic IPv6 fragments to the decoder', () => {
    const r = routes()
    const inner = ipv4PairHash(ipv4Number('10.210.0.1'), ipv4Number('10.210.1.1'), 7001)
    const underlay = ipv6PairHash(ipv6Bytes('fd00:9::1'), 0, ipv6Bytes('fd00:9::2'), 0, -1)
    for (const f of fragments6(vxlan(tcpInner('10.210.0.1', '10.210.1.1')), 0x10001)) expect({ ...r.route(f, 100)! }).toEqual({ own: inner, outer: underlay })
    for (const f of fragments6(vxlan(tcpInner('10.210.0.1', '10.210.1.1')), 0x10002).reverse()) expect({ ...r.route(f, 100)! }).toEqual({ own: underlay, outer: -1 })
    const atomic = fragments6(vxlan(tcpInner('10.210.0.1', '10.210.1.1')), 3)[0]!
    atomic[14 + 40 + 3] = 0 // offset 0, no more fragments
    expect(r.route(atomic, 100)).toBeNull()
  })

  it('keeps a datagram with its own pair when the first fragment seen cannot name the inner flow', () => {
    const r = routes()
    const own = { own: vteps, outer: -1 }
    // The last fragment first.
    for (const f of fragments(vxlan(tcpInner('10.210.0.1', '10.210.1.1')), 7).reverse()) expect({ ...r.route(f, 100)! }).toEqual(own)
    // Not VXLAN; a tunnel inside the tunnel; inner headers past the first fragment; an inner ICMP error.
    const cases = [
      packet().udp(5000, 6000).payload(payload(1500)).build(),
      vxlan(packet().eth().ipv4('10.1.0.1', '10.1.0.2').udp(49152, 4789).vxlan(9).payload(tcpInner('10.2.0.1', '10.2.0.2')).build()),
      vxlan(tcpInner('10.210.0.1', '10.210.1.1')),
      vxlan(packet().eth().ipv4('10.0.0.254', '10.210.0.1').icmp(3, 4, 1450).payload(payload(1400)).build()),
    ]
    cases.forEach((c, k) => {
      for (const f of fragments(c, 20 + k, k === 2 ? 40 : 1000)) expect({ ...r.route(f, 100)! }, `case ${k}`).toEqual(own)
    })
  })

  it('decides once per datagram for the timeout, then anew for a reused id; holds at most MAX_DECISIONS', () => {
    const r = routes()
    const [first, last] = fragments(vxlan(tcpInner('10.210.0.1', '10.210.1.1')), 99)
    expect(r.route(last!, 100)!.outer).toBe(-1) // last fragment first: the pair's
    expect(r.route(first!, 100 + FRAGMENT_TIMEOUT_SECONDS)!.outer).toBe(-1) // still that datagram
    expect(r.route(first!, 90)!.outer).toBe(-1) // a clock stepping back: still that datagram
    expect(r.route(first!, 101 + FRAGMENT_TIMEOUT_SECONDS)!.outer).toBe(vteps) // a new datagram with the same id
    for (let id = 0; id < MAX_DECISIONS + 500; id++) r.route(fragments(packet().udp(1, 2).payload(payload(1100)).build(), id)[0]!, 200)
    expect(r.size).toBe(MAX_DECISIONS)
  })
})
