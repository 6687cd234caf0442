/**
 * Flow keys: both directions give one key, the levels of tunnelled and quoted frames, and the
 * symmetric shard hash the router uses.
 */
import { describe, expect, it } from 'vitest'
import { FrameDecoder } from '../../src/decode/frame.js'
import {
  FlowKey, FrameLevels, addressText, frameLevels, hashKey, levelKey, sameKey, setIpv4Key, setIpv6Key,
} from '../../src/flow/key.js'
import { ipv4Number, ipv6Bytes, packet } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'

const A = ipv4Number('10.0.0.1')
const B = ipv4Number('10.0.0.2')

function levelsOf(bytes: Uint8Array) {
  const decoded = new FrameDecoder().decode(frameOf(bytes))
  const lv = frameLevels(decoded.layers, new FrameLevels())
  return { decoded, lv }
}

describe('setIpv4Key / setIpv6Key', () => {
  it('A->B and B->A give the same key and hash, with opposite directions', () => {
    const x = new FlowKey()
    const y = new FlowKey()
    setIpv4Key(x, 6, A, 50000, B, 443, -1, -1, 7)
    setIpv4Key(y, 6, B, 443, A, 50000, -1, -1, 7)
    expect(sameKey(x, y)).toBe(true)
    expect(x.hash).toBe(y.hash)
    expect([x.dir, y.dir]).toEqual([0, 1])
    expect(addressText(x, 'a')).toBe('10.0.0.1')
    expect(addressText(x, 'b')).toBe('10.0.0.2')
  })

  it('the same address on both sides is ordered by port', () => {
    const x = new FlowKey()
    setIpv4Key(x, 17, A, 9000, A, 53, -1, -1, 0)
    expect([x.portA, x.portB, x.dir]).toEqual([53, 9000, 1])
  })

  it('VLAN, VNI, protocol and ports tell flows apart; ICMP ignores ports', () => {
    const base = new FlowKey()
    setIpv4Key(base, 17, A, 1, B, 2, -1, -1, 0)
    const variants: Array<(k: FlowKey) => void> = [
      (k) => setIpv4Key(k, 17, A, 1, B, 2, 10, -1, 0),
      (k) => setIpv4Key(k, 17, A, 1, B, 2, -1, 5000, 0),
      (k) => setIpv4Key(k, 6, A, 1, B, 2, -1, -1, 0),
      (k) => setIpv4Key(k, 17, A, 1, B, 3, -1, -1, 0),
    ]
    for (const v of variants) {
      const k = new FlowKey()
      v(k)
      expect(sameKey(base, k)).toBe(false)
    }
    const i1 = new FlowKey()
    const i2 = new FlowKey()
    setIpv4Key(i1, 1, A, 8, B, 0, -1, -1, 0)
    setIpv4Key(i2, 1, B, 0, A, 0, -1, -1, 0)
    expect(sameKey(i1, i2)).toBe(true)
  })

  it('IPv6: canonical order by address words, text in RFC 5952', () => {
    const x = new FlowKey()
    const y = new FlowKey()
    const a = ipv6Bytes('2001:db8::1')
    const b = ipv6Bytes('2001:db8::2:0:0:1')
    setIpv6Key(x, 6, b, 443, a, 50000, -1, -1, 1)
    setIpv6Key(y, 6, a, 50000, b, 443, -1, -1, 1)
    expect(sameKey(x, y)).toBe(true)
    expect(x.dir).toBe(1)
    expect(addressText(x, 'a')).toBe('2001:db8::1')
    expect(addressText(x, 'b')).toBe('2001:db8::2:0:0:1')
    // An IPv4 address and the IPv6 address with the same low word are different flows.
    const v4 = new FlowKey()
    setIpv4Key(v4, 6, 1, 443, 2, 50000, -1, -1, 1)
    const v6 = new FlowKey()
    setIpv6Key(v6, 6, ipv6Bytes('::1'), 443, ipv6Bytes('::2'), 50000, -1, -1, 1)
    expect(sameKey(v4, v6)).toBe(false)
  })

  it('the seed changes the hash, not the key', () => {
    const x = new FlowKey()
    setIpv4Key(x, 6, A, 1, B, 2, -1, -1, 1)
    expect(hashKey(x, 1)).toBe(x.hash)
    expect(hashKey(x, 2)).not.toBe(x.hash)
  })
})

describe('frameLevels', () => {
  it('a VXLAN frame: the outer UDP flow (vlan, app vxlan) and the inner TCP flow (vni, its own vlan)', () => {
    const bytes = packet().eth().vlan(7).ipv4('192.0.2.1', '192.0.2.2').udp(50123, 4789).vxlan(5001)
      .eth().vlan(30).ipv4('10.0.0.1', '10.0.0.2').tcp(40000, 80, { flags: 0x02 }).build()
    const { lv } = levelsOf(bytes)
    expect(lv.count).toBe(2)
    expect([lv.vlan[0], lv.vni[0], lv.app[0], lv.outer[0]]).toEqual([7, -1, 'vxlan', true])
    expect([lv.vlan[1], lv.vni[1], lv.app[1], lv.outer[1]]).toEqual([30, 5001, null, false])
  })

  it('NVGRE: the VSID is the inner flow\'s VNI, the outer GRE flow is ip-47 with app nvgre', () => {
    const bytes = packet().eth().ipv4('192.0.2.1', '192.0.2.2').gre({ key: (6001 << 8) | 3 })
      .eth().ipv4('10.0.0.1', '10.0.0.2').udp(1000, 2000).build()
    const { decoded, lv } = levelsOf(bytes)
    expect(lv.count).toBe(2)
    expect(lv.app[0]).toBe('nvgre')
    expect(lv.vni[1]).toBe(6001)
    const k = new FlowKey()
    expect(levelKey(decoded, lv, 0, k, 0)).toBe(true)
    expect([k.proto, k.portA, k.portB]).toEqual([47, 0, 0])
  })

  it('IP in IP: the outer flow carries app ipip', () => {
    const bytes = packet().eth().ipv4('192.0.2.1', '192.0.2.2').ipv4('10.0.0.1', '10.0.0.2').udp(1, 2).build()
    const { lv } = levelsOf(bytes)
    expect(lv.count).toBe(2)
    expect(lv.app[0]).toBe('ipip')
  })

  it('an ICMP error: its own level plus the quoted datagram, whose ports come from the quote', () => {
    const quote = packet().ipv4('10.0.0.1', '10.0.0.2').tcp(40000, 443, { flags: 0x02 }).build().subarray(0, 28)
    const bytes = packet().eth().ipv4('10.0.0.254', '10.0.0.1').icmp(3, 1).payload(quote).build()
    const { decoded, lv } = levelsOf(bytes)
    expect(lv.count).toBe(1)
    expect(lv.quotedIp).toBeGreaterThan(0)
    expect(lv.quotedLevel).toBe(0)
    const k = new FlowKey()
    expect(levelKey(decoded, lv, -1, k, 0)).toBe(true)
    expect([k.proto, addressText(k, 'a'), k.portA, addressText(k, 'b'), k.portB, k.dir]).toEqual([6, '10.0.0.1', 40000, '10.0.0.2', 443, 0])
  })

  it('a quoted first fragment still gives the ports; a quoted later fragment has no key', () => {
    const first = packet().ipv4('10.0.0.1', '10.0.0.2', { mf: true, id: 7 }).udp(5000, 9999).payload(new Uint8Array(8)).build().subarray(0, 28)
    const later = packet().ipv4('10.0.0.1', '10.0.0.2', { fragmentOffset: 1480, id: 7 }).payload(new Uint8Array(8), { protocol: 17 }).build()
    for (const [quote, keyed] of [[first, true], [later, false]] as const) {
      const { decoded, lv } = levelsOf(packet().eth().ipv4('10.0.0.2', '10.0.0.1').icmp(11, 1).payload(quote).build())
      const k = new FlowKey()
      expect(levelKey(decoded, lv, -1, k, 0)).toBe(keyed)
      if (keyed) expect([k.proto, k.portA, k.portB]).toEqual([17, 5000, 9999])
    }
  })

  it('DNS on UDP 53 names the app', () => {
    const query = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]
    const { lv } = levelsOf(packet().eth().ipv4('10.0.0.1', '10.0.0.53').udp(5353, 53).payload(query).build())
    expect(lv.app[0]).toBe('dns')
  })

  it('ARP has no level; a held fragment has no key', () => {
    expect(levelsOf(packet().eth().payload(new Uint8Array(28), { etherType: 0x0806 }).build()).lv.count).toBe(0)
    const frag = packet().eth().ipv4('10.0.0.1', '10.0.0.2', { mf: true, id: 9 }).udp(1, 2).payload(new Uint8Array(16)).build()
    const { decoded, lv } = levelsOf(frag)
    expect(lv.count).toBe(1)
    expect(levelKey(decoded, lv, 0, new FlowKey(), 0)).toBe(false)
  })
})
