import { describe, expect, it } from 'vitest'
import { isoTimestamp } from '../../src/capture/frame.js'

describe('frame.isoTimestamp', () => {
  it('prints nine fractional digits in UTC', () => {
    expect(isoTimestamp(1575842394, 599412000)).toBe('2019-12-08T21:59:54.599412000Z')
    expect(isoTimestamp(0, 0)).toBe('1970-01-01T00:00:00.000000000Z')
    expect(isoTimestamp(0, 1)).toBe('1970-01-01T00:00:00.000000001Z')
  })

  it('agrees with Date over leap years and century boundaries', () => {
    // Every 7919 s + a prime stride covers many days; compare with Date where Date can represent it.
    for (let s = -2208988800; s < 4102444800; s += 86400 * 37 + 7919) {
      const expected = new Date(s * 1000).toISOString().slice(0, 19)
      expect(isoTimestamp(s, 0).slice(0, 19)).toBe(expected)
    }
  })

  it('handles the 32-bit pcap maximum (2106) and 64-bit pcapng values beyond Date', () => {
    expect(isoTimestamp(4294967295, 999999000)).toBe('2106-02-07T06:28:15.999999000Z')
    expect(isoTimestamp(2 ** 53, 0)).toMatch(/^\+\d{6,}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000000Z$/)
  })

  it('gives the same text on the flat fast path as Date and padStart do, up to the year boundaries', () => {
    let seed = 12345
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
    for (let k = 0; k < 2000; k++) {
      const s = Math.floor(rnd() * 8_000_000_000) - 2_000_000_000
      const ns = Math.floor(rnd() * 1e9)
      const date = new Date(s * 1000).toISOString().slice(0, 19)
      expect(isoTimestamp(s, ns)).toBe(`${date}.${String(ns).padStart(9, '0')}Z`)
    }
    expect(isoTimestamp(-62167219200, 5)).toBe('0000-01-01T00:00:00.000000005Z')
    expect(isoTimestamp(253402300799, 999999999)).toBe('9999-12-31T23:59:59.999999999Z')
    expect(isoTimestamp(253402300800, 0)).toBe('+010000-01-01T00:00:00.000000000Z')
  })
})
