import { describe, expect, it } from 'vitest'

import { OK } from '../../src/decode/issue.js'
import * as loopback from '../../src/decode/loopback.js'

// Frame 1 of shared/pcaps/ntp-v2-bsd-null-loopback.pcap (LINKTYPE_NULL), first 20 bytes:
//   0000  02 00 00 00              family 2 (AF_INET), written little-endian by the capturing host
//         45 00 00 65 ...          IPv4
const NULL_IPV4 = fromHex(`
  0000  02 00 00 00 45 00 00 65 44 82 00 00 40 11 00 00
  0010  7f 00 00 01
`)

function decodeAt(bytes: Uint8Array, networkOrder = false, offset = 0, end = bytes.length) {
  const header = loopback.create()
  const result = loopback.decode(bytes, offset, end, header, networkOrder)
  return { result, header }
}

describe('loopback.decode', () => {
  it('reads the little-endian AF_INET of a real BSD loopback capture', () => {
    const { result, header } = decodeAt(NULL_IPV4)
    expect(result).toBe(OK)
    expect(header).toEqual({ family: 2, bigEndian: false, payloadOffset: 4, payloadEnd: 20 })
    expect(loopback.ipVersion(header.family)).toBe(4)
    expect(loopback.toRecord(header)).toEqual({ type: 'null', family: 2 })
    expect(Object.keys(loopback.toRecord(header))).toEqual(['type', 'family'])
    expect(loopback.describe(header)).toBe('Null family=2 (IPv4, little-endian)')
  })

  // LINKTYPE_NULL: the host's byte order, detected from the value.
  it.each([
    ['02 00 00 00', 2, false, 4],
    ['00 00 00 02', 2, true, 4],
    ['0a 00 00 00', 10, false, 6],
    ['00 00 00 0a', 10, true, 6],
    ['18 00 00 00', 24, false, 6],
    ['00 00 00 18', 24, true, 6],
    ['1c 00 00 00', 28, false, 6],
    ['00 00 00 1c', 28, true, 6],
    ['1e 00 00 00', 30, false, 6],
    ['00 00 00 1e', 30, true, 6],
    // Not an IP family: the order in which the value fits in 16 bits.
    ['07 00 00 00', 7, false, 0],
    ['00 00 00 07', 7, true, 0],
    ['00 00 01 00', 256, true, 0],
    ['00 00 00 00', 0, false, 0],
    // Fits neither way: little-endian, the common host order.
    ['12 34 56 78', 0x78563412, false, 0],
  ])('LINKTYPE_NULL %s is family %i (big-endian: %s, IP version %i)', (hexBytes, family, bigEndian, version) => {
    const { result, header } = decodeAt(fromHex(hexBytes))
    expect(result).toBe(OK)
    expect(header).toEqual({ family, bigEndian, payloadOffset: 4, payloadEnd: 4 })
    expect(loopback.ipVersion(header.family)).toBe(version)
  })

  it('reads LINKTYPE_LOOP in network byte order, whatever the value', () => {
    expect(decodeAt(fromHex('00 00 00 18'), true).header).toEqual({
      family: 24, bigEndian: true, payloadOffset: 4, payloadEnd: 4,
    })
    expect(decodeAt(fromHex('02 00 00 00'), true).header).toEqual({
      family: 0x02000000, bigEndian: true, payloadOffset: 4, payloadEnd: 4,
    })
  })

  it('reports a truncated header for every length short of 4 bytes', () => {
    for (let have = 0; have < loopback.HEADER_LEN; have++) {
      for (const networkOrder of [false, true]) {
        expect(decodeAt(NULL_IPV4.subarray(0, have), networkOrder).result).toEqual({
          ok: false, kind: 'truncated', layer: 'null', part: 'header',
          need: 4, have, lenSource: 'capture', offset: 0,
        })
      }
    }
  })

  // No family value is forbidden (the table above has unknown ones): nothing is malformed here.
  it('describes an unknown family without judging it', () => {
    expect(loopback.describe(decodeAt(fromHex('00 00 00 07')).header)).toBe('Null family=7 (unknown, big-endian)')
  })
})

describe('loopback.decode payload bounds', () => {
  it('starts the payload after the 4-byte family and ends it at `end`', () => {
    const { header } = decodeAt(NULL_IPV4, false, 0, 12)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([4, 12])
  })

  it('accepts a header with nothing after it', () => {
    const { result, header } = decodeAt(NULL_IPV4.subarray(0, 4))
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([4, 4])
  })
})

describe('loopback.encode', () => {
  it('writes the real header byte for byte', () => {
    const bytes = new Uint8Array(loopback.encodingLength())
    loopback.encode({ family: 2, bigEndian: false }, bytes, 0)
    expect(bytes).toEqual(NULL_IPV4.subarray(0, 4))
  })

  it.each([
    [{ family: 30, bigEndian: false }, false],
    [{ family: 28, bigEndian: true }, false],
    [{ family: 2, bigEndian: true }, true],
    [{ family: 0xfffffff0, bigEndian: true }, true],
  ])('round-trips %o through decode at a non-zero offset', (fields, networkOrder) => {
    const bytes = new Uint8Array(6 + loopback.encodingLength())
    const end = loopback.encode(fields, bytes, 6)
    expect(end).toBe(bytes.length)

    const header = loopback.create()
    expect(loopback.decode(bytes, 6, end, header, networkOrder)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([10, 10])
  })
})

describe('loopback.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = loopback.create()
    let n = 0
    for (const [bytes, offset, end] of fuzzInputs(0x108, NULL_IPV4, 3000)) {
      const result = loopback.decode(bytes, offset, end, header, n++ % 3 === 0)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 4)
        expect(header.payloadEnd).toBe(end)
        expect(header.family).toBeGreaterThanOrEqual(0)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})

// ---- helpers (inline so each test file stands alone) ----

/** Bytes from a hexdump: whitespace-separated byte pairs; a leading "0000 " offset column is skipped. */
function fromHex(dump: string): Uint8Array {
  const out: number[] = []
  for (const line of dump.trim().split('\n')) {
    for (const b of line.trim().replace(/^[0-9a-f]{4}\s{2}/, '').split(/\s+/)) if (b) out.push(parseInt(b, 16))
  }
  return Uint8Array.from(out)
}

/** mulberry32: a small seeded PRNG, so the fuzz sees the same inputs on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * `count` seeded inputs: every other one random bytes, the rest `base` with a
 * few bytes overwritten; each with a random offset and end inside the buffer.
 */
function* fuzzInputs(seed: number, base: Uint8Array, count: number): Generator<[Uint8Array, number, number]> {
  const rand = mulberry32(seed)
  const int = (n: number) => Math.floor(rand() * n)
  for (let n = 0; n < count; n++) {
    let bytes: Uint8Array
    if (n % 2 === 0) {
      bytes = new Uint8Array(int(base.length * 2 + 1))
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(256)
    } else {
      bytes = base.slice(0, int(base.length + 1))
      for (let k = int(4); k >= 0 && bytes.length > 0; k--) bytes[int(bytes.length)] = int(256)
    }
    const offset = int(Math.min(bytes.length, 8) + 1)
    const end = offset + int(bytes.length - offset + 1)
    yield [bytes, offset, end]
  }
}
