import { describe, expect, it } from 'vitest'
import { createFrame, type Frame } from '../../src/capture/frame.js'
import { Router, type Routes } from '../../src/engine/route.js'
import { LEVEL_BITS, TRACK_ONLY } from '../../src/flow/share.js'
import { packet } from '../../src/samples/packet.js'
import { seededRandom } from '../support/random.js'

let n = 0
function frame(bytes: Uint8Array): Frame {
  const f = createFrame()
  f.frameNumber = ++n
  f.bytes = bytes
  f.caplen = f.origlen = bytes.length
  f.linkType = 1
  return f
}

const v4 = (src: string, dst: string) => packet().eth().ipv4(src, dst)
const data = (len: number) => new Uint8Array(len).fill(7)

describe('Router.hash', () => {
  it('is the same for both directions of TCP, UDP and IPv6 flows, and differs between pairs', () => {
    const r = new Router(8)
    const ab = r.hash(frame(v4('10.0.0.1', '10.0.0.2').tcp(40000, 443).build()))
    expect(r.hash(frame(v4('10.0.0.2', '10.0.0.1').tcp(443, 40000).build()))).toBe(ab)
    expect(r.hash(frame(v4('10.0.0.2', '10.0.0.1').udp(53, 5353).build()))).toBe(ab) // addresses only
    expect(r.hash(frame(v4('10.0.0.1', '10.0.0.3').tcp(40000, 443).build()))).not.toBe(ab)
    const six = r.hash(frame(packet().eth().ipv6('fd00::1', '2001:db8::9').tcp(1, 2).build()))
    expect(r.hash(frame(packet().eth().ipv6('2001:db8::9', 'fd00::1').tcp(2, 1).build()))).toBe(six)
    expect(six).not.toBe(0)
  })

  it('ignores VLAN tags and link framing in front of the IP header', () => {
    const r = new Router(8)
    const plain = r.hash(frame(v4('10.0.0.1', '10.0.0.2').udp(1, 2).build()))
    expect(r.hash(frame(packet().eth().vlan(100).ipv4('10.0.0.2', '10.0.0.1').udp(2, 1).build()))).toBe(plain)
    expect(r.hash(frame(packet().eth().vlan(5, 0, 0x88a8).vlan(6).ipv4('10.0.0.1', '10.0.0.2').udp(1, 2).build()))).toBe(plain)
  })

  it('keeps every fragment of a datagram with its flow, in any order', () => {
    const r = new Router(8)
    const flow = r.hash(frame(v4('10.0.0.2', '10.0.0.1').udp(4500, 50000).payload(data(10)).build()))
    const datagram = packet().udp(50000, 4500).payload(data(4000)).build()
    const frags: Frame[] = []
    for (let off = 0; off < datagram.length; off += 1480) {
      const fields = { id: 0x12, mf: off + 1480 < datagram.length, fragmentOffset: off, protocol: 17 }
      frags.push(frame(packet().eth().ipv4('10.0.0.1', '10.0.0.2', fields).payload(datagram.subarray(off, off + 1480)).build()))
    }
    for (const f of [frags[2]!, frags[0]!, frags[1]!]) expect(r.hash(f)).toBe(flow)
  })

  it('sends every fragment of a tunnel datagram where the tunnel\'s whole packets of its inner pair go', () => {
    const r = new Router(64)
    const inner = packet().eth().ipv4('10.200.0.1', '10.200.1.1').tcp(1000, 80).payload(data(2000)).build()
    const datagram = packet().udp(49152, 4789).vxlan(7).payload(inner).build()
    const fragment = (off: number, id: number) => frame(packet().eth().ipv4('172.16.0.1', '172.16.0.2', {
      id, mf: off === 0, fragmentOffset: off, protocol: 17,
    }).payload(datagram.subarray(off, off + 1480)).build())
    const reply = packet().eth().ipv4('10.200.1.1', '10.200.0.1').tcp(80, 1000).build()
    const whole = r.hash(frame(packet().eth().ipv4('172.16.0.2', '172.16.0.1').udp(49152, 4789).vxlan(7).payload(reply).build()))
    const vteps = r.hash(frame(v4('172.16.0.2', '172.16.0.1').udp(5000, 6000).build()))
    expect(whole).not.toBe(vteps)
    expect([0, 1480].map((off) => r.hash(fragment(off, 9)))).toEqual([whole, whole])
    // The last fragment seen first cannot name the inner pair: the whole datagram goes by the VTEP pair.
    expect([1480, 0].map((off) => r.hash(fragment(off, 10)))).toEqual([vteps, vteps])
  })

  it('sends an ICMP error to the flow it quotes, not to the router that sent it', () => {
    const r = new Router(8)
    const flow = r.hash(frame(v4('10.0.0.1', '198.51.100.7').udp(33000, 53).payload(data(30)).build()))
    const quoted = packet().ipv4('10.0.0.1', '198.51.100.7').udp(33000, 53).payload(data(30)).build().subarray(0, 28)
    const err = frame(v4('192.0.2.254', '10.0.0.1').icmp(3, 3).payload(quoted).build())
    expect(r.hash(err)).toBe(flow)
    expect(r.hash(frame(v4('192.0.2.254', '10.0.0.1').icmp(8, 0).build()))).not.toBe(flow) // an echo is its own flow
    const flow6 = r.hash(frame(packet().eth().ipv6('fd00::1', '2001:db8::1').tcp(1, 2).build()))
    const quoted6 = packet().ipv6('fd00::1', '2001:db8::1').tcp(1, 2).build().subarray(0, 48)
    expect(r.hash(frame(packet().eth().ipv6('fd00::fe', 'fd00::1').icmpv6(2, 0, 1280).payload(quoted6).build()))).toBe(flow6)
  })

  it('routes tunnelled traffic by its inner pair and VNI', () => {
    const r = new Router(64)
    const inner = (src: string, dst: string) => packet().eth().ipv4(src, dst).tcp(1000, 80).build()
    const vx = (vtepA: string, vtepB: string, vni: number, bytes: Uint8Array) =>
      frame(v4(vtepA, vtepB).udp(49152, 4789).vxlan(vni).payload(bytes).build())
    const ab = r.hash(vx('172.16.0.1', '172.16.0.2', 5001, inner('10.200.0.1', '10.200.1.1')))
    // The other direction, even through another VTEP pair and outer ports, lands together ...
    expect(r.hash(vx('172.16.0.9', '172.16.0.1', 5001, inner('10.200.1.1', '10.200.0.1')))).toBe(ab)
    // ... while other inner pairs between the same VTEPs spread out, and the VNI separates tenants.
    const others = new Set([2, 3, 4, 5, 6, 7, 8, 9].map((i) => r.shardOf(vx('172.16.0.1', '172.16.0.2', 5001, inner(`10.200.0.${i}`, '10.200.1.1')))))
    expect(others.size).toBeGreaterThan(3)
    expect(r.hash(vx('172.16.0.1', '172.16.0.2', 5002, inner('10.200.0.1', '10.200.1.1')))).not.toBe(ab)
  })

  it('sends frames without IP to shard 0', () => {
    const r = new Router(4)
    const arp = frame(packet().eth('02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff', 0x0806).payload(data(28)).build())
    expect(r.hash(arp)).toBe(0)
    expect(r.shardOf(arp)).toBe(0)
    expect(r.shardOf(frame(new Uint8Array(5)))).toBe(0) // not even Ethernet
  })

  it('spreads many host pairs evenly', () => {
    const r = new Router(4)
    const rnd = seededRandom(3)
    const counts = [0, 0, 0, 0]
    const ip = () => `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`
    for (let i = 0; i < 4000; i++) counts[r.shardOf(frame(v4(ip(), ip()).udp(1, 2).build()))]!++
    for (const c of counts) expect(c).toBeGreaterThan(850)
  })

  it('needs no decode for one shard and refuses nonsense shard counts', () => {
    expect(new Router(1).shardOf(frame(v4('10.0.0.1', '10.0.0.2').build()))).toBe(0)
    expect(() => new Router(0)).toThrow(RangeError)
    expect(() => new Router(1.5)).toThrow(RangeError)
  })
})

describe('Router.hash from header bytes', () => {
  const inner = packet().eth().vlan(20).ipv4('10.200.0.1', '10.200.1.1').tcp(1000, 80).payload(data(60)).build()
  const cases: Array<[string, Uint8Array]> = [
    ['ipv4 tcp', v4('10.0.0.1', '10.0.0.2').tcp(40000, 443).payload(data(100)).build()],
    ['ipv4 udp', v4('10.0.0.2', '10.0.0.1').udp(53, 40000).payload(data(40)).build()],
    ['802.1Q', packet().eth().vlan(100).ipv4('10.0.0.1', '10.0.0.2').udp(1, 2).build()],
    ['two tags', packet().eth().vlan(100).vlan(200).ipv4('10.0.0.1', '10.0.0.2').tcp(1, 2).build()],
    ['802.1ad', packet().eth().vlan(5, 0, 0x88a8).vlan(6).ipv4('10.0.0.1', '10.0.0.2').udp(1, 2).build()],
    ['ipv6 tcp', packet().eth().ipv6('2001:db8::9', 'fd00::1').tcp(2, 1).payload(data(30)).build()],
    ['ipv6 udp', packet().eth().vlan(7).ipv6('fd00::1', '2001:db8::9').udp(1, 2).payload(data(30)).build()],
    ['vxlan', v4('172.16.0.1', '172.16.0.2').udp(49152, 4789).vxlan(7).payload(inner).build()],
    ['vxlan, inner arp', v4('172.16.0.1', '172.16.0.2').udp(49152, 4789).vxlan(7)
      .payload(packet().eth('02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff', 0x0806).payload(data(28)).build()).build()],
    ['fragment', v4('10.0.0.1', '10.0.0.2').payload(data(64)).build()],
    ['icmp error', v4('10.0.0.254', '10.0.0.1').icmp(3, 3).payload(packet().ipv4('10.0.0.1', '198.51.100.7').udp(33000, 53).build()).build()],
    ['gre', v4('10.0.0.1', '10.0.0.2').payload(data(20)).build()],
  ]
  // Mark the 'fragment' case as one (MF) and the 'gre' case as protocol 47 by patching the IPv4 header.
  cases[9]![1][14 + 6] = 0x20
  cases[11]![1][14 + 9] = 47

  it('gives the decoder\'s hash for every case, cut at every length, and with corrupted header bytes', () => {
    const rnd = seededRandom(11)
    const r = new Router(4)
    const ref = new Router(4)
    for (const [name, bytes] of cases) {
      for (let len = 0; len <= bytes.length; len++) {
        const f = frame(bytes.subarray(0, len))
        expect(r.hash(f), `${name} cut at ${len}`).toBe(ref.decodedHash(f))
      }
      for (let k = 0; k < 200; k++) {
        const b = bytes.slice()
        const at = Math.floor(rnd() * Math.min(b.length, 80))
        b[at] = Math.floor(rnd() * 256)
        const f = frame(b)
        expect(r.hash(f), `${name} byte ${at} = ${b[at]}`).toBe(ref.decodedHash(f))
      }
    }
    // The common cases never needed the decoder; the odd ones did.
    expect(r.counts.headers).toBeGreaterThan(0)
    expect(r.counts.decoded).toBeGreaterThan(0)
  })

  it('routes outer levels as the decoder does too, for every case cut and corrupted', () => {
    const rnd = seededRandom(12)
    for (const shards of [2, 3, 4]) {
      const r = new Router(shards, {}, true)
      const ref = new Router(shards, {}, true)
      let split = 0
      for (const [name, bytes] of cases) {
        const check = (b: Uint8Array, what: string) => {
          const f = frame(b)
          const got = copy(r.route(f))
          expect(got, `${name} ${what}`).toEqual(copy(ref.decodedRoute(f)))
          if (got.length > 1) split++
        }
        for (let len = 0; len <= bytes.length; len++) check(bytes.subarray(0, len), `cut at ${len}`)
        for (let k = 0; k < 200; k++) {
          const b = bytes.slice()
          const at = Math.floor(rnd() * Math.min(b.length, 80))
          b[at] = Math.floor(rnd() * 256)
          check(b, `byte ${at} = ${b[at]}`)
        }
      }
      expect(split).toBeGreaterThan(0)
    }
  })
})

/** A route list as [shard, share] pairs. */
const copy = (r: Routes): Array<[number, number]> => Array.from({ length: r.count }, (_, j) => [r.shard[j]!, r.share[j]!])

describe('Router.route: outer flows to their own shards', () => {
  const inner = (src: string, dst: string) => packet().eth().ipv4(src, dst).tcp(1000, 80).build()
  const vx = (vtepA: string, vtepB: string, bytes: Uint8Array) => frame(v4(vtepA, vtepB).udp(49152, 4789).vxlan(5001).payload(bytes).build())

  /**
   * For frames i = 1..59: route(frame) is the frame's own shard alone when level 0's owner is the same, else
   * the own shard skipping level 0 and level 0's owner tracking it alone; most of them split.
   */
  const expectLevel0Split = (cases: (i: number) => { f: Frame; own: number; level0: number }) => {
    const r = new Router(4, {}, true)
    let split = 0
    for (let i = 1; i < 60; i++) {
      const { f, own, level0 } = cases(i)
      const got = copy(r.route(f))
      if (own === level0) expect(got).toEqual([[own, 0]])
      else { split++; expect(got).toEqual([[own, 1], [level0, TRACK_ONLY | (LEVEL_BITS & ~1)]]) }
    }
    expect(split).toBeGreaterThan(20)
  }
  const shard = (bytes: Uint8Array) => new Router(4).shardOf(frame(bytes))

  it('a VXLAN frame: the inner flow\'s shard skips level 0; the VTEP pair\'s shard, where its plain frames go, tracks it', () => {
    expectLevel0Split((i) => {
      const f = vx('172.16.0.1', '172.16.0.2', inner(`10.200.0.${i}`, '10.200.1.1'))
      return { f, own: new Router(4).shardOf(f), level0: shard(v4('172.16.0.2', '172.16.0.1').udp(4789, 49152).build()) }
    })
  })

  it('a fragmented VXLAN datagram: every fragment routed as the tunnel\'s whole packets of its inner pair are', () => {
    let split = 0
    for (const shards of [2, 3, 4]) {
      const r = new Router(shards, {}, true)
      for (let k = 0; k < 24; k++) {
        const inner = packet().eth().ipv4(`10.210.0.${k + 1}`, '10.210.1.1').tcp(43000 + k, 443).payload(data(1400)).build()
        const datagram = packet().udp(49152, 4789).vxlan(7001).payload(inner).build()
        const whole = copy(r.route(frame(v4('172.16.9.1', '172.16.9.2').udp(49152, 4789).vxlan(7001).payload(inner).build())))
        for (const off of [0, 1000]) {
          const f = frame(packet().eth().ipv4('172.16.9.1', '172.16.9.2', { id: 100 * shards + k, mf: off === 0, fragmentOffset: off, protocol: 17 })
            .payload(datagram.subarray(off, off === 0 ? 1000 : datagram.length)).build())
          expect(copy(r.route(f)), `${shards} shards, inner pair ${k}, fragment at ${off}`).toEqual(whole)
        }
        if (whole.length > 1) split++
      }
      expect(r.counts.fragments).toBe(48)
    }
    expect(split).toBeGreaterThan(10) // most inner pairs route away from the VTEP pair: track-only shares
  })

  it('an ICMP error: the quoted flow\'s shard skips the error\'s own level, which goes where that pair\'s echo goes', () => {
    expectLevel0Split((i) => {
      const quote = packet().ipv4(`10.0.1.${i}`, '198.51.100.7').udp(33000, 53).build()
      return {
        f: frame(v4('10.0.0.254', `10.0.1.${i}`).icmp(3, 3).payload(quote).build()),
        own: shard(v4('198.51.100.7', `10.0.1.${i}`).udp(53, 33000).build()),
        level0: shard(v4(`10.0.1.${i}`, '10.0.0.254').icmp(0, 0).build()),
      }
    })
  })

  it('a datagram from the VXLAN port to an application port is that application\'s, not a tunnel, as workers decode it', () => {
    const r = new Router(4, {}, true)
    for (const port of [53, 123, 5353]) {
      let seen = 0
      for (let i = 1; i < 30; i++) {
        const vxlanLike = packet().vxlan(5001).eth().ipv4(`10.200.0.${i}`, '10.200.1.1').tcp(1000, 80).build()
        const f = frame(v4('172.16.0.1', '172.16.0.2').udp(4789, port).payload(vxlanLike).build())
        // Routed by the VTEP pair (the datagram's own flow), whole, by the header bytes and by the decoder.
        expect(copy(r.route(f))).toEqual([[r.shardOf(frame(v4('172.16.0.2', '172.16.0.1').udp(1, 2).build())), 0]])
        expect(copy(r.decodedRoute(f))).toEqual(copy(r.route(f)))
        seen++
      }
      expect(seen).toBe(29)
    }
  })

  it('only the frame\'s own shard without `levels`, or with one shard', () => {
    const f = vx('172.16.0.1', '172.16.0.2', inner('10.200.0.1', '10.200.1.1'))
    for (const r of [new Router(4), new Router(1, {}, true)]) expect(copy(r.route(f))).toEqual([[r.shardOf(f), 0]])
  })
})
