import { describe, expect, it } from 'vitest'

import { OK } from '../../src/decode/issue.js'
import * as udp from '../../src/decode/udp.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// A DNS query over IPv4, frame 1 of shared/pcaps/dns-udp-a-ns-aaaa-edns-cookie.pcap
// (Ethernet 14 + IPv4 20 + UDP 8 + DNS 56 = 98 bytes). The UDP header starts at 0x22:
//   0020  .. .. ab be 00 35 00 40 78 24
//         sport=43966 dport=53 len=64 csum=0x7824 | 56 bytes of DNS
const DNS_QUERY = fromHex(`
  0000  00 11 22 33 44 66 00 11 22 33 44 55 08 00 45 00
  0010  00 54 59 cd 00 00 40 11 94 ae c0 a8 01 0b d1 57
  0020  f9 12 ab be 00 35 00 40 78 24 59 34 01 20 00 01
  0030  00 00 00 00 00 01 03 77 77 77 07 74 63 70 64 75
  0040  6d 70 03 6f 72 67 00 00 01 00 01 00 00 29 10 00
  0050  00 00 00 00 00 0c 00 0a 00 08 42 f5 d0 09 96 f9
  0060  0b 13
`)
const UDP_AT = 0x22

// The only frame of shared/pcaps/trunc-udp-payload-cut.pcap: a 65549-byte datagram
// captured as 42 bytes. The UDP header at 0x22 claims len=65515 (0xffeb):
//   0020  .. .. 9c 40 d9 03 ff eb 00 00
//         sport=40000 dport=55555 len=65515 csum=0 | (nothing captured)
const CUT = fromHex(`
  0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
  0010  ff ff 12 34 00 00 40 11 7c 82 c0 00 02 01 c6 33
  0020  64 02 9c 40 d9 03 ff eb 00 00
`)

// The style guide's DNS header + 4 payload bytes, alone in a buffer:
//   bf 00 00 35 00 0c 12 4d | aa 00 00 ff
//   sport=48896 dport=53 len=12 csum=0x124d | payload
const SMALL = fromHex('bf 00 00 35 00 0c 12 4d aa 00 00 ff')

const decodeAt = layerDecodeAt(udp)

describe('udp.decode', () => {
  it('reads every field of a real DNS query datagram', () => {
    const { result, header } = decodeAt(DNS_QUERY, UDP_AT)
    expect(result).toBe(OK)
    expect(header).toEqual({
      srcPort: 43966, dstPort: 53, length: 64, checksum: 0x7824, payloadOffset: 42, payloadEnd: 98,
    })
    expect(udp.toRecord(header)).toEqual({ type: 'udp', srcPort: 43966, dstPort: 53, length: 64 })
    expect(Object.keys(udp.toRecord(header))).toEqual(['type', 'srcPort', 'dstPort', 'length'])
    expect(udp.describe(header)).toBe('UDP 43966 -> 53 len=64')
  })

  it('reports a truncated header for every length short of 8 bytes', () => {
    for (let have = 0; have < udp.HEADER_LEN; have++) {
      const { result } = decodeAt(SMALL.subarray(0, have))
      expect(result).toEqual({
        ok: false, kind: 'truncated', layer: 'udp', part: 'header',
        need: 8, have, lenSource: 'capture', offset: 0,
      })
    }
  })

  it('names the length that ran out and the layer offset in a truncated header', () => {
    const result = udp.decode(DNS_QUERY, UDP_AT, UDP_AT + 5, udp.create(), 'ipv4.totalLength')
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'udp', part: 'header',
      need: 8, have: 5, lenSource: 'ipv4.totalLength', offset: UDP_AT,
    })
  })

  it.each([0, 1, 7])('rejects a Length field of %i, smaller than the header', (length) => {
    const bytes = SMALL.slice()
    bytes[udp.Field.LENGTH] = 0
    bytes[udp.Field.LENGTH + 1] = length
    expect(decodeAt(bytes).result).toEqual({
      ok: false, kind: 'malformed', layer: 'udp', field: 'length', value: length, expected: '>= 8', offset: 0,
    })
  })

  it('accepts a Length of exactly 8: an empty payload', () => {
    const bytes = SMALL.slice(0, 8)
    bytes[udp.Field.LENGTH + 1] = 8
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([8, 8])
  })
})

describe('udp.decode payload bounds', () => {
  it('keeps the header when the capture cut the payload short (real snaplen cut)', () => {
    const { result, header } = decodeAt(CUT, UDP_AT)
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'udp', part: 'payload',
      need: 65515, have: 8, lenSource: 'capture', offset: UDP_AT,
    })
    expect(header).toEqual({
      srcPort: 40000, dstPort: 55555, length: 65515, checksum: 0, payloadOffset: 42, payloadEnd: 42,
    })
  })

  it('cuts the payload at `end` and names the enclosing length when that is what ran out', () => {
    const header = udp.create()
    const result = udp.decode(SMALL, 0, 10, header, 'ipv4.totalLength')
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'udp', part: 'payload',
      need: 12, have: 10, lenSource: 'ipv4.totalLength', offset: 0,
    })
    expect(header.dstPort).toBe(53)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([8, 10])
  })

  it('ends the payload at Length, not at the end of an Ethernet-padded frame', () => {
    // 12-byte datagram followed by 18 bytes of link padding.
    const padded = new Uint8Array(30)
    padded.set(SMALL)
    const { result, header } = decodeAt(padded)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([8, 12])
  })
})

describe('udp.encode', () => {
  it('writes the real header byte for byte', () => {
    const bytes = new Uint8Array(udp.encodingLength())
    udp.encode({ srcPort: 43966, dstPort: 53, length: 64, checksum: 0x7824 }, bytes, 0)
    expect(bytes).toEqual(DNS_QUERY.subarray(UDP_AT, UDP_AT + 8))
  })

  it('round-trips through decode at a non-zero offset', () => {
    const fields: udp.Fields = { srcPort: 33000, dstPort: 4789, length: 8, checksum: 0xffff }
    const bytes = new Uint8Array(3 + udp.encodingLength())
    const end = udp.encode(fields, bytes, 3)
    expect(end).toBe(bytes.length)

    const header = udp.create()
    expect(udp.decode(bytes, 3, end, header)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([11, 11])
  })

  it('writes invalid values as given', () => {
    const bytes = new Uint8Array(8)
    udp.encode({ srcPort: 0, dstPort: 0, length: 3, checksum: 0 }, bytes, 0)
    expect(decodeAt(bytes).result).toMatchObject({ kind: 'malformed', field: 'length', value: 3 })
  })
})

describe('udp.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = udp.create()
    for (const [bytes, offset, end] of fuzzInputs(0x0d9, DNS_QUERY.subarray(UDP_AT), 4000)) {
      const result = udp.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 8)
        expect(header.payloadEnd).toBeLessThanOrEqual(end)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
        if (result.kind === 'truncated' && result.part === 'payload') expect(header.payloadEnd).toBe(end)
      }
    }
  })
})
