/**
 * The layer loop: whole frames built with our encoders, decoded into the
 * contract's records. Each test writes the stack it builds as a comment.
 */
import { describe, expect, it } from 'vitest'
import { toDecodeRecord } from '../../src/decode/decode-record.js'
import { FrameDecoder, decimalTextOrder } from '../../src/decode/frame.js'
import { MAX_TUNNEL_DEPTH, MAX_VLAN_TAGS } from '../../src/decode/limits.js'
import { packet } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'

function decode(bytes: Uint8Array, opts = {}, decoder = new FrameDecoder()) {
  const f = frameOf(bytes, opts)
  return toDecodeRecord(f, decoder.decode(f))
}
const types = (r: { layers: Array<{ type: string }> }) => r.layers.map((l) => l.type)

describe('FrameDecoder.decode', () => {
  it('decodes Ethernet[802.1Q[802.1Q[IPv4[UDP]]]] with every contract field', () => {
    const bytes = packet().eth('00:15:5d:00:00:01', '00:15:5d:00:00:02').vlan(100, 3).vlan(200)
      .ipv4('10.10.0.29', '192.0.2.53', { id: 4660, ttl: 128 }).udp(51000, 5001).payload([1, 2, 3, 4]).build()
    const r = decode(bytes, { tsSec: 1763632800, tsNsec: 123456789 })
    expect(r.ts).toBe('2025-11-20T10:00:00.123456789Z')
    expect(r.layers).toEqual([
      { type: 'eth', src: '00:15:5d:00:00:01', dst: '00:15:5d:00:00:02', etherType: 0x8100 },
      { type: 'vlan', id: 100, pcp: 3, dei: false, tpid: 0x8100, etherType: 0x8100 },
      { type: 'vlan', id: 200, pcp: 0, dei: false, tpid: 0x8100, etherType: 0x0800 },
      { type: 'ipv4', src: '10.10.0.29', dst: '192.0.2.53', proto: 17, ttl: 128, id: 4660, df: false, mf: false, fragmentOffset: 0,
        headerLength: 20, totalLength: 32, options: [] },
      { type: 'udp', srcPort: 51000, dstPort: 5001, length: 12 },
    ])
    expect(r.malformed).toEqual([])
  })

  it('marks the 802.1ad service tag by its TPID (QinQ)', () => {
    const r = decode(packet().eth().vlan(10, 0, 0x88a8).vlan(20).ipv4('192.0.2.1', '192.0.2.2').udp(1, 2).build())
    expect(r.layers.filter((l) => l.type === 'vlan').map((l) => l.type === 'vlan' && [l.tpid, l.id])).toEqual([[0x88a8, 10], [0x8100, 20]])
  })

  it(`stops after ${MAX_VLAN_TAGS} stacked tags with a located malformed entry`, () => {
    let b = packet().eth()
    for (let i = 0; i <= MAX_VLAN_TAGS; i++) b = b.vlan(i + 1)
    const r = decode(b.ipv4('192.0.2.1', '192.0.2.2').build())
    expect(types(r).filter((t) => t === 'vlan')).toHaveLength(MAX_VLAN_TAGS)
    expect(r.malformed).toEqual([{ layer: 'vlan', offset: 14 + 4 * MAX_VLAN_TAGS, reason: expect.stringContaining('tags') }])
  })

  it('decodes the datagram an ICMP error quotes, marking those layers quoted', () => {
    // Ethernet[IPv4[ICMP 3/3[IPv4[UDP 8 bytes]]]]: port unreachable for a DNS query
    const quoted = packet().ipv4('192.0.2.53', '10.10.0.29').udp(53, 51000, 60).build().subarray(0, 28)
    const r = decode(packet().eth().ipv4('10.10.0.29', '192.0.2.53').icmp(3, 3).payload(quoted).build())
    expect(types(r)).toEqual(['eth', 'ipv4', 'icmp', 'ipv4', 'udp'])
    expect(r.layers.slice(3).every((l) => 'quoted' in l && l.quoted)).toBe(true)
    // The quote is short by design (UDP length 60, 8 bytes present): no malformed entry.
    expect(r.malformed).toEqual([])
  })

  it('holds IPv4 fragments and shows the upper layers in the frame that completes the datagram', () => {
    const d = new FrameDecoder()
    const whole = packet().udp(5353, 53).payload(new Uint8Array(40).fill(7)).build() // 48 bytes of UDP
    const frag = (off: number, data: Uint8Array, mf: boolean) =>
      packet().eth().ipv4('192.0.2.1', '192.0.2.2', { id: 99, mf, fragmentOffset: off, protocol: 17 }).payload(data).build()
    const first = decode(frag(0, whole.subarray(0, 24), true), {}, d)
    expect(types(first)).toEqual(['eth', 'ipv4'])
    const last = decode(frag(24, whole.subarray(24), false), { frameNumber: 2 }, d)
    expect(types(last)).toEqual(['eth', 'ipv4', 'udp'])
    expect(last.layers[1]).toMatchObject({ reassembled: true, fragmentOffset: 24, mf: false })
    expect(last.layers[2]).toMatchObject({ srcPort: 5353, dstPort: 53, length: 48 })
  })

  it('reports tcp payloadLength from the IP header even when the snap length cut the frame', () => {
    const full = packet().eth().ipv4('192.0.2.1', '192.0.2.2').tcp(443, 50000, { seq: 1, flags: 0x18 }).payload(new Uint8Array(1000)).build()
    const r = decode(full.subarray(0, 80), { origlen: full.length })
    expect(r.layers[2]).toMatchObject({ type: 'tcp', payloadLength: 1000, seq: 1, flags: 0x18 })
    expect(r.malformed).toEqual([]) // a snaplen cut is routine, not malformed
  })

  it('lists a length field that lies when the snap length does not explain it', () => {
    const bytes = packet().eth().ipv4('192.0.2.1', '192.0.2.2').udp(1, 2, 200).payload([0, 0]).build()
    const r = decode(bytes)
    expect(types(r)).toEqual(['eth', 'ipv4', 'udp'])
    expect(r.malformed).toEqual([{ layer: 'udp', offset: 34, reason: 'truncated payload: need 200 bytes, have 10 (ipv4.totalLength)' }])
  })

  it('keeps the outer layers and names the layer, offset and reason of a cut header', () => {
    const bytes = packet().eth().ipv6('2001:db8::1', '2001:db8::2').udp(1, 2).build().subarray(0, 14 + 30)
    const r = decode(bytes)
    expect(types(r)).toEqual(['eth'])
    expect(r.malformed).toEqual([{ layer: 'ipv6', offset: 14, reason: 'truncated header: need 40 bytes, have 30 (capture)' }])
  })

  it('ends the chain as payload for an unknown EtherType or protocol, without an error', () => {
    expect(decode(packet().eth('02:00:00:00:00:01', '02:00:00:00:00:02', 0x88cc).payload([1, 2, 3]).build()))
      .toMatchObject({ layers: [{ type: 'eth', etherType: 0x88cc }], malformed: [] })
    const sctp = decode(packet().eth().ipv4('192.0.2.1', '192.0.2.2', { protocol: 132 }).payload(new Uint8Array(12)).build())
    expect(types(sctp)).toEqual(['eth', 'ipv4'])
    expect(sctp.malformed).toEqual([])
  })

  it('decodes raw IP link types by the version nibble', () => {
    const v6 = packet().ipv6('2001:db8::1', '2001:db8::2').udp(53, 53).build()
    expect(types(decode(v6, { linkType: 101 }))).toEqual(['ipv6', 'udp'])
    expect(types(decode(v6, { linkType: 229 }))).toEqual(['ipv6', 'udp'])
    const v4 = packet().ipv4('192.0.2.1', '192.0.2.2').udp(53, 53).build()
    expect(types(decode(v4, { linkType: 228 }))).toEqual(['ipv4', 'udp'])
  })
})

describe('FrameDecoder tunnels', () => {
  it('decodes VXLAN on 4789 and 8472 by default and on the ports a policy configures', () => {
    const build = (port: number) => packet().eth().ipv4('10.30.0.1', '10.30.0.2').udp(49152, port).vxlan(5001)
      .eth().ipv4('172.16.0.5', '172.16.0.9').tcp(50000, 443, { flags: 2 }).build()
    expect(types(decode(build(4789)))).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp'])
    expect(types(decode(build(8472)))).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp'])
    expect(types(decode(build(9999)))).toEqual(['eth', 'ipv4', 'udp'])
    const custom = new FrameDecoder({ vxlanPorts: [9999] })
    expect(types(decode(build(9999), {}, custom))).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp'])
    expect(types(decode(build(4789), {}, custom))).toEqual(['eth', 'ipv4', 'udp'])
  })

  it('decodes NVGRE: GRE with a key carrying Ethernet', () => {
    const r = decode(packet().eth().ipv4('10.30.0.1', '10.30.0.2').gre({ key: (6001 << 8) | 1 }).eth().ipv4('172.16.0.5', '172.16.0.9').udp(1, 2).build())
    expect(types(r)).toEqual(['eth', 'ipv4', 'gre', 'eth', 'ipv4', 'udp'])
    expect(r.layers[2]).toMatchObject({ protocol: 0x6558, vsid: 6001, flowId: 1 })
  })

  it(`stops after MAX_TUNNEL_DEPTH (${MAX_TUNNEL_DEPTH}) nested tunnels with a located malformed entry`, () => {
    let b = packet().eth()
    for (let i = 0; i <= MAX_TUNNEL_DEPTH; i++) b = b.ipv4('10.0.0.1', '10.0.0.2').udp(1000, 4789).vxlan(i + 1).eth()
    const r = decode(b.build())
    expect(types(r).filter((t) => t === 'vxlan')).toHaveLength(MAX_TUNNEL_DEPTH)
    expect(r.malformed).toEqual([{ layer: 'vxlan', offset: expect.any(Number), reason: expect.stringContaining('nested tunnels') }])
  })
})

describe('FrameDecoder port-based guesses', () => {
  it('decodes NTP on port 123 and reports a flow that is not NTP once, then only counts it', () => {
    const d = new FrameDecoder()
    const notNtp = () => packet().eth().ipv4('10.10.0.29', '192.0.2.123').udp(40000, 123).payload(new Uint8Array(48)).build()
    const first = decode(notNtp(), {}, d)
    expect(first.malformed).toEqual([{ layer: 'ntp', offset: 42, reason: expect.stringContaining('protocol violation') }])
    for (let i = 0; i < 5; i++) expect(decode(notNtp(), {}, d).malformed).toEqual([])
    expect(d.violations).toMatchObject({ packets: 6, reported: 1 })
    // The reply direction is the same flow.
    const reply = packet().eth().ipv4('192.0.2.123', '10.10.0.29').udp(123, 40000).payload(new Uint8Array(48)).build()
    expect(decode(reply, {}, d).malformed).toEqual([])
    expect(d.violations.reported).toBe(1)
  })
})

describe('decimalTextOrder (which side of a TCP connection is numbered 0)', () => {
  it('orders 32-bit numbers as their decimal texts compare', () => {
    const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0)
    const text = (a: number, b: number) => sign(String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)
    const edges = [0, 1, 9, 10, 11, 99, 100, 101, 255, 256, 999, 1000, 0x0a000001, 0x0a000002, 167772160, 1677721600, 2 ** 31, 2 ** 32 - 1, 429496729, 4294967290]
    let x = 12345
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0)
    const values = [...edges, ...Array.from({ length: 400 }, () => next() >>> (next() % 32))]
    for (const a of values) for (const b of values) expect(sign(decimalTextOrder(a, b)), `${a} vs ${b}`).toBe(text(a, b))
  })
})
