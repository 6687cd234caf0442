import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../bench/random.js'
import { AddressSet, ipv4Number, parseAddress, parsePrefix, prefixContains } from '../../src/policy/cidr.js'

/** The definition AddressSet must agree with: parse the text, test every prefix. */
function reference(prefixes: string[], ip: string): boolean {
  const bytes = parseAddress(ip)
  return bytes !== null && prefixes.some((t) => prefixContains(parsePrefix(t)!, bytes))
}

describe('ipv4Number', () => {
  it('reads dotted quads as unsigned numbers', () => {
    expect(ipv4Number('0.0.0.0')).toBe(0)
    expect(ipv4Number('255.255.255.255')).toBe(0xffffffff)
    expect(ipv4Number('10.1.2.3')).toBe(0x0a010203)
    expect(ipv4Number('192.168.010.001')).toBe(0xc0a80a01) // leading zeros, as parseAddress takes them
  })

  it('refuses what parseAddress refuses', () => {
    for (const t of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4 ', ' 1.2.3.4', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4/8', '1.2.3.0004', '::1', '::ffff:1.2.3.4', 'a.b.c.d', '1.2.3.-4']) {
      expect(ipv4Number(t), t).toBe(-1)
      expect(parseAddress(t)?.length === 4, t).toBe(false)
    }
  })
})

describe('AddressSet', () => {
  const sets = [
    ['10.0.0.0/8', '192.168.100.0/22', '172.16.5.7', '0.0.0.0/0'],
    ['10.0.0.0/8', '192.168.100.0/22', '172.16.5.7', '100.64.0.0/10', '203.0.113.128/25'],
    ['2001:db8::/32', 'fe80::/10', '10.20.30.40/31'],
    ['2001:db8:1::/48'],
    ['198.51.100.0/24', '198.51.100.0/24', '198.51.100.7/32'],
  ]

  it('answers as parse-and-compare does, for IPv4, IPv6 and text that is neither', () => {
    const next = seededRandom(7)
    const byte = () => Math.floor(next() * 256)
    const candidates: string[] = ['', 'x', '1.2.3', '256.0.0.1', '10.0.0.1 ', '::1', '::ffff:10.1.2.3', '2001:db8::1', 'fe80::1%eth0', '2001:db9::1', '198.51.100.7', '198.51.101.7', '10.20.30.41', '10.20.30.42', '172.16.5.7', '172.16.5.8']
    for (let i = 0; i < 4000; i++) {
      const near = [10, 192, 172, 100, 203, 198][i % 6]!
      candidates.push(`${i % 3 === 0 ? near : byte()}.${byte()}.${byte()}.${byte()}`)
    }
    for (let i = 0; i < 500; i++) candidates.push(`2001:db8:${Math.floor(next() * 4).toString(16)}::${Math.floor(next() * 65536).toString(16)}`)
    for (const texts of sets) {
      const set = new AddressSet(texts)
      let inside = 0
      for (const ip of candidates) {
        const want = reference(texts, ip)
        expect(set.has(ip), `${ip} in ${texts.join(',')}`).toBe(want)
        expect(set.has(ip), `${ip} again (cached)`).toBe(want)
        if (want) inside++
      }
      expect(inside).toBeGreaterThan(0) // each set matches some candidates: the test exercises both answers
    }
  })

  it('never matches across families', () => {
    expect(new AddressSet(['0.0.0.0/0']).has('::ffff:1.2.3.4')).toBe(false)
    expect(new AddressSet(['::/0']).has('1.2.3.4')).toBe(false)
    expect(new AddressSet(['::/0']).has('::ffff:1.2.3.4')).toBe(true)
  })
})
