import { describe, expect, it } from 'vitest'

import * as icmp from '../../src/decode/icmp.js'
import { OK } from '../../src/decode/issue.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// Frame 34 of shared/pcaps/gre-ipv4-inner-ntp-ssh-icmp.pcap (127 bytes): Ethernet, IPv4, GRE,
// inner IPv4 (proto 1), then at 0x3a a port unreachable that quotes a DNS query:
//   003a  03 03           type 3 (destination unreachable), code 3 (port unreachable)
//         5d 50           checksum
//         00 00 00 00     rest: unused
//   0042  45 00 00 3d ... the quoted IPv4 header, UDP header and DNS query
const PORT_UNREACHABLE = fromHex(`
  0000  00 02 2d 56 4a fd 00 c0 ca 14 b0 52 08 00 45 00
  0010  00 71 00 00 40 00 ec 2f 31 3c 42 3b 6d 89 ac 1b
  0020  01 42 00 00 08 00 45 c0 00 59 90 8d 00 00 3f 01
  0030  8a 3e ac 1c 02 03 42 3b 6f be 03 03 5d 50 00 00
  0040  00 00 45 00 00 3d 00 00 40 00 3f 11 db 97 42 3b
  0050  6f be ac 1c 02 03 93 2b 00 35 00 29 17 1d bd aa
  0060  01 00 00 01 00 00 00 00 00 00 03 77 77 77 07 67
  0070  6c 65 65 62 6c 65 03 6f 72 67 00 00 ff 00 01
`)
const ICMP_AT = 0x3a

// Frame 1 of shared/pcaps/linktype-sll2-icmp-icmpv6-arp.pcap, from the ICMP header (0x28) on:
// an echo request, identifier 8, sequence 1, with 56 bytes of data (the first 16 kept here).
//   08 00 66 b4 00 08 00 01 | e9 bd f9 62 00 00 00 00 e2 4e 0d 00 00 00 00 00
//   type 8 code 0 csum=0x66b4 id=8 seq=1 | timestamp and pattern
const ECHO_REQUEST = fromHex(`
  08 00 66 b4 00 08 00 01 e9 bd f9 62 00 00 00 00
  e2 4e 0d 00 00 00 00 00
`)

const decodeAt = layerDecodeAt(icmp)

describe('icmp.decode', () => {
  it('reads a real port unreachable and marks it as quoting a datagram', () => {
    const { result, header } = decodeAt(PORT_UNREACHABLE, ICMP_AT)
    expect(result).toBe(OK)
    expect(header).toEqual({ type: 3, code: 3, checksum: 0x5d50, rest: 0, payloadOffset: 0x42, payloadEnd: 127 })
    expect(icmp.quotesDatagram(header)).toBe(true)
    expect(icmp.nextHopMtu(header)).toBeNull()
    expect(icmp.toRecord(header)).toEqual({ type: 'icmp', icmpType: 3, code: 3 })
    expect(Object.keys(icmp.toRecord(header))).toEqual(['type', 'icmpType', 'code'])
    expect(icmp.describe(header)).toBe('ICMP type=3 code=3')
    // The quoted datagram is an IPv4 header (version 4, IHL 5).
    expect(PORT_UNREACHABLE[header.payloadOffset]).toBe(0x45)
  })

  it('reads a real echo request; identifier and sequence stay in `rest`', () => {
    const { result, header } = decodeAt(ECHO_REQUEST)
    expect(result).toBe(OK)
    expect(header).toEqual({ type: 8, code: 0, checksum: 0x66b4, rest: 0x00080001, payloadOffset: 8, payloadEnd: 24 })
    expect(icmp.quotesDatagram(header)).toBe(false)
    expect(icmp.describe(header)).toBe('ICMP type=8 code=0 id=8 seq=1')
  })

  it('quotes a datagram for types 3, 4, 5, 11 and 12 only', () => {
    const quoting: number[] = []
    for (let type = 0; type < 256; type++) {
      if (icmp.quotesDatagram({ type, code: 0, checksum: 0, rest: 0 })) quoting.push(type)
    }
    expect(quoting).toEqual([3, 4, 5, 11, 12])
  })

  it.each([
    ['an RFC 1191 router', 0x000005dc, 1500],
    ['unused high bits set', 0xabcd0578, 1400],
    ['a pre-RFC 1191 router (0)', 0x00000000, 0],
  ])('reads the next-hop MTU of "fragmentation needed" from %s', (_name, rest, mtu) => {
    const h = { type: 3, code: 4, checksum: 0, rest }
    expect(icmp.nextHopMtu(h)).toBe(mtu)
    const bytes = new Uint8Array(8)
    icmp.encode(h, bytes, 0)
    const { header } = decodeAt(bytes)
    expect(icmp.nextHopMtu(header)).toBe(mtu)
    expect(icmp.describe(header)).toBe(`ICMP type=3 code=4 mtu=${mtu}`)
  })

  it('has no next-hop MTU for any other type or code', () => {
    expect(icmp.nextHopMtu({ type: 3, code: 3, checksum: 0, rest: 1500 })).toBeNull()
    expect(icmp.nextHopMtu({ type: 11, code: 4, checksum: 0, rest: 1500 })).toBeNull()
  })

  it('reports a truncated header for every length short of 8 bytes', () => {
    for (let have = 0; have < icmp.HEADER_LEN; have++) {
      expect(decodeAt(PORT_UNREACHABLE, ICMP_AT, ICMP_AT + have).result).toEqual({
        ok: false, kind: 'truncated', layer: 'icmp', part: 'header',
        need: 8, have, lenSource: 'capture', offset: ICMP_AT,
      })
    }
  })

  it('names the enclosing length when the IPv4 datagram is short', () => {
    expect(icmp.decode(ECHO_REQUEST, 0, 4, icmp.create(), 'ipv4.totalLength')).toEqual({
      ok: false, kind: 'truncated', layer: 'icmp', part: 'header',
      need: 8, have: 4, lenSource: 'ipv4.totalLength', offset: 0,
    })
  })

  // No type or code is forbidden: unknown ones are facts.
  it.each([[255, 255], [3, 16], [44, 0]])('decodes type %i code %i without an issue', (type, code) => {
    const bytes = ECHO_REQUEST.slice()
    bytes[icmp.Field.TYPE] = type
    bytes[icmp.Field.CODE] = code
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect([header.type, header.code]).toEqual([type, code])
  })
})

describe('icmp.decode payload bounds', () => {
  it('accepts a message that is only a header: an empty payload', () => {
    const { result, header } = decodeAt(ECHO_REQUEST.subarray(0, 8))
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([8, 8])
  })

  it('ends the payload at `end`, so a quote cut by the capture is left to the quoted layers', () => {
    const { result, header } = decodeAt(PORT_UNREACHABLE, ICMP_AT, ICMP_AT + 20)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([ICMP_AT + 8, ICMP_AT + 20])
  })
})

describe('icmp.encode', () => {
  it('writes the real header byte for byte', () => {
    const bytes = new Uint8Array(icmp.encodingLength())
    icmp.encode({ type: 3, code: 3, checksum: 0x5d50, rest: 0 }, bytes, 0)
    expect(bytes).toEqual(PORT_UNREACHABLE.subarray(ICMP_AT, ICMP_AT + 8))
  })

  it('round-trips through decode at a non-zero offset', () => {
    const fields: icmp.Fields = { type: 11, code: 1, checksum: 0xbeef, rest: 0xffffffff }
    const bytes = new Uint8Array(13 + icmp.encodingLength())
    const end = icmp.encode(fields, bytes, 13)
    expect(end).toBe(bytes.length)

    const header = icmp.create()
    expect(icmp.decode(bytes, 13, end, header)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([21, 21])
  })
})

describe('icmp.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = icmp.create()
    for (const [bytes, offset, end] of fuzzInputs(0x1c, PORT_UNREACHABLE.subarray(ICMP_AT), 3000)) {
      const result = icmp.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 8)
        expect(header.payloadEnd).toBe(end)
        expect(header.rest).toBeGreaterThanOrEqual(0)
        icmp.describe(header)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})
