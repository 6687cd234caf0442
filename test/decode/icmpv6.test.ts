import { describe, expect, it } from 'vitest'

import * as icmpv6 from '../../src/decode/icmpv6.js'
import { OK } from '../../src/decode/issue.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// Frame 83 of shared/pcaps/ipv6-dns-ssh-icmpv6-mixed.pcap (122 bytes): Ethernet, IPv6
// (next header 58), then at 0x36 a time exceeded that quotes a traceroute probe:
//   0036  03 00           type 3 (time exceeded), code 0 (hop limit exceeded in transit)
//         f7 52           checksum
//         00 00 00 00     rest: unused
//   003e  60 00 00 00 ... the quoted IPv6 header (hop limit 1), UDP header and payload
const TIME_EXCEEDED = fromHex(`
  0000  00 00 86 05 80 da 00 60 97 07 69 ea 86 dd 60 00
  0010  00 00 00 44 3a 40 3f fe 05 07 00 00 00 01 02 60
  0020  97 ff fe 07 69 ea 3f fe 05 07 00 00 00 01 02 00
  0030  86 ff fe 05 80 da 03 00 f7 52 00 00 00 00 60 00
  0040  00 00 00 14 11 01 3f fe 05 07 00 00 00 01 02 00
  0050  86 ff fe 05 80 da 3f fe 05 01 04 10 00 00 02 c0
  0060  df ff fe 47 03 3e a0 75 82 9b 00 14 82 8b 01 01
  0070  00 00 f9 c8 e7 36 f5 ed 08 00
`)
const ICMPV6_AT = 0x36

// Frame 3 of shared/pcaps/linktype-sll2-icmp-icmpv6-arp.pcap, from the ICMPv6 header (0x3c) on:
// an echo request, identifier 9, sequence 1 (the first 16 of 64 bytes).
//   80 00 a8 d7 00 09 00 01 | f8 bd f9 62 00 00 00 00
const ECHO_REQUEST = fromHex('80 00 a8 d7 00 09 00 01 f8 bd f9 62 00 00 00 00')

const decodeAt = layerDecodeAt(icmpv6)

describe('icmpv6.decode', () => {
  it('reads a real time exceeded and marks it as quoting a packet', () => {
    const { result, header } = decodeAt(TIME_EXCEEDED, ICMPV6_AT)
    expect(result).toBe(OK)
    expect(header).toEqual({ type: 3, code: 0, checksum: 0xf752, rest: 0, payloadOffset: 0x3e, payloadEnd: 122 })
    expect(icmpv6.quotesDatagram(header)).toBe(true)
    expect(icmpv6.mtu(header)).toBeNull()
    expect(icmpv6.toRecord(header)).toEqual({ type: 'icmpv6', icmpType: 3, code: 0 })
    expect(Object.keys(icmpv6.toRecord(header))).toEqual(['type', 'icmpType', 'code'])
    expect(icmpv6.describe(header)).toBe('ICMPv6 type=3 code=0')
    // The quoted packet is an IPv6 header (version 6).
    expect((TIME_EXCEEDED[header.payloadOffset] ?? 0) >> 4).toBe(6)
  })

  it('reads a real echo request; identifier and sequence stay in `rest`', () => {
    const { result, header } = decodeAt(ECHO_REQUEST)
    expect(result).toBe(OK)
    expect(header).toEqual({ type: 128, code: 0, checksum: 0xa8d7, rest: 0x00090001, payloadOffset: 8, payloadEnd: 16 })
    expect(icmpv6.quotesDatagram(header)).toBe(false)
    expect(icmpv6.describe(header)).toBe('ICMPv6 type=128 code=0 id=9 seq=1')
  })

  it('quotes a packet for types 1, 2, 3 and 4 only', () => {
    const quoting: number[] = []
    for (let type = 0; type < 256; type++) {
      if (icmpv6.quotesDatagram({ type, code: 0, checksum: 0, rest: 0 })) quoting.push(type)
    }
    expect(quoting).toEqual([1, 2, 3, 4])
  })

  it('reads the MTU of "packet too big" from all 32 bits of `rest`', () => {
    // Built for this test (no capture in shared/pcaps has one): type 2, code 0, MTU 1280.
    const bytes = fromHex('02 00 12 34 00 00 05 00 60 00 00 00')
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(icmpv6.mtu(header)).toBe(1280)
    expect(icmpv6.quotesDatagram(header)).toBe(true)
    expect(icmpv6.describe(header)).toBe('ICMPv6 type=2 code=0 mtu=1280')
    expect(icmpv6.mtu({ type: 2, code: 0, checksum: 0, rest: 0xffffffff })).toBe(0xffffffff)
    expect(icmpv6.mtu({ type: 1, code: 0, checksum: 0, rest: 1280 })).toBeNull()
  })

  it('reports a truncated header for every length short of 8 bytes', () => {
    for (let have = 0; have < icmpv6.HEADER_LEN; have++) {
      expect(decodeAt(TIME_EXCEEDED, ICMPV6_AT, ICMPV6_AT + have).result).toEqual({
        ok: false, kind: 'truncated', layer: 'icmpv6', part: 'header',
        need: 8, have, lenSource: 'capture', offset: ICMPV6_AT,
      })
    }
  })

  it('names the enclosing length when the IPv6 payload is short', () => {
    expect(icmpv6.decode(ECHO_REQUEST, 0, 6, icmpv6.create(), 'ipv6.payloadLength')).toEqual({
      ok: false, kind: 'truncated', layer: 'icmpv6', part: 'header',
      need: 8, have: 6, lenSource: 'ipv6.payloadLength', offset: 0,
    })
  })

  // No type or code is forbidden: unknown ones (and the private-experimentation types) are facts.
  it.each([[0, 0], [127, 9], [200, 0], [255, 255]])('decodes type %i code %i without an issue', (type, code) => {
    const bytes = ECHO_REQUEST.slice()
    bytes[icmpv6.Field.TYPE] = type
    bytes[icmpv6.Field.CODE] = code
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect([header.type, header.code]).toEqual([type, code])
  })
})

describe('icmpv6.decode payload bounds', () => {
  it('accepts a message that is only a header: an empty body', () => {
    const { result, header } = decodeAt(ECHO_REQUEST.subarray(0, 8))
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([8, 8])
  })

  it('ends the body at `end`, so a quote cut by the capture is left to the quoted layers', () => {
    const { result, header } = decodeAt(TIME_EXCEEDED, ICMPV6_AT, ICMPV6_AT + 30)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([ICMPV6_AT + 8, ICMPV6_AT + 30])
  })
})

describe('icmpv6.encode', () => {
  it('writes the real header byte for byte', () => {
    const bytes = new Uint8Array(icmpv6.encodingLength())
    icmpv6.encode({ type: 3, code: 0, checksum: 0xf752, rest: 0 }, bytes, 0)
    expect(bytes).toEqual(TIME_EXCEEDED.subarray(ICMPV6_AT, ICMPV6_AT + 8))
  })

  it('round-trips through decode at a non-zero offset', () => {
    const fields: icmpv6.Fields = { type: 136, code: 0, checksum: 0x1234, rest: 0xe0000000 }
    const bytes = new Uint8Array(40 + icmpv6.encodingLength())
    const end = icmpv6.encode(fields, bytes, 40)
    expect(end).toBe(bytes.length)

    const header = icmpv6.create()
    expect(icmpv6.decode(bytes, 40, end, header)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([48, 48])
  })
})

describe('icmpv6.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = icmpv6.create()
    for (const [bytes, offset, end] of fuzzInputs(0x3a, TIME_EXCEEDED.subarray(ICMPV6_AT), 3000)) {
      const result = icmpv6.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 8)
        expect(header.payloadEnd).toBe(end)
        expect(header.rest).toBeGreaterThanOrEqual(0)
        icmpv6.describe(header)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})
