/**
 * Text made from captured bytes and addresses (decode/bytes.ts latin1, decode/format.ts ipv4ToString and
 * intern): the same text as the plain forms, whatever the length, the byte values or cache collisions.
 */
import { describe, expect, it } from 'vitest'
import { latin1 } from '../../src/decode/bytes.js'
import { intern, ipv4ToString } from '../../src/decode/format.js'
import { seededRandom } from '../../bench/random.js'

const plainLatin1 = (b: Uint8Array, o: number, e: number): string => {
  let s = ''
  for (let p = o; p < e; p++) s += String.fromCharCode(b[p]!)
  return s
}

describe('latin1', () => {
  it('maps every byte value to the character of that code, in a window of a larger array', () => {
    const all = Uint8Array.from({ length: 260 }, (_, i) => i & 0xff)
    expect(latin1(all, 2, 258)).toBe(plainLatin1(all, 2, 258))
    expect(latin1(all, 10, 10)).toBe('')
    expect(latin1(all, 0, 256).length).toBe(256)
  })

  it('reads texts longer than one fromCharCode call (8192) whole', () => {
    const rnd = seededRandom(11)
    const big = Uint8Array.from({ length: 20_000 }, () => Math.floor(rnd() * 256))
    expect(latin1(big, 5, 19_999)).toBe(plainLatin1(big, 5, 19_999))
  })

  it('clamps a range past the bytes as subarray does, on a view into a larger buffer', () => {
    const all = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff)
    const view = all.subarray(40, 140)
    expect(latin1(view, 90, 500)).toBe(plainLatin1(all, 130, 140))
    expect(latin1(view, -5, 3)).toBe(plainLatin1(all, 40, 43))
    expect(latin1(view, 120, 130)).toBe('')
    expect(latin1(view, 50, 20)).toBe('')
  })
})

describe('ipv4ToString', () => {
  it('gives the dotted quad of any address, also when two addresses share a cache slot and alternate', () => {
    const rnd = seededRandom(5)
    const plain = (a: number) => `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`
    const addresses = [0, 0xffffffff, 0x0a0a001d, 0xc0000201, ...Array.from({ length: 20_000 }, () => Math.floor(rnd() * 2 ** 32))]
    for (let round = 0; round < 2; round++) for (const a of addresses) expect(ipv4ToString(a)).toBe(plain(a))
    // A negative int32 (an address read with `|`) is the same address.
    expect(ipv4ToString(0xc0a80001 | 0)).toBe('192.168.0.1')
  })
})

describe('intern', () => {
  it('returns the same text, and null for null', () => {
    const built = ['login', 'microsoftonline', 'com'].join('.')
    expect(intern(built)).toBe('login.microsoftonline.com')
    expect(intern('')).toBe('')
    expect(intern(null)).toBeNull()
  })
})
