import { describe, expect, it } from 'vitest'

import { OK } from '../../src/decode/issue.js'
import * as loopback from '../../src/decode/loopback.js'
import { fromHex } from '../support/bytes.js'
import { fuzzInputs } from '../support/random.js'

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
