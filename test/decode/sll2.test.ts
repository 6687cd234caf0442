import { describe, expect, it } from 'vitest'

import { OK } from '../../src/decode/issue.js'
import * as sll from '../../src/decode/sll.js'
import * as sll2 from '../../src/decode/sll2.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// Frame 5 of shared/pcaps/linktype-sll2-icmp-icmpv6-arp.pcap: an outgoing ARP request, 48 bytes.
//   0000  08 06                    protocol: ARP
//         00 00                    reserved
//         00 00 00 1a              interface index 26
//         00 01                    ARPHRD_ETHER
//         04                       packet type 4 (outgoing)
//         06                       address length 6
//         8e 36 06 44 ac af 00 00  address
//   0014  00 01 08 00 06 04 ...    ARP
const OUTGOING_ARP = fromHex(`
  0000  08 06 00 00 00 00 00 1a 00 01 04 06 8e 36 06 44
  0010  ac af 00 00 00 01 08 00 06 04 00 01 8e 36 06 44
  0020  ac af c0 00 02 01 00 00 00 00 00 00 c0 00 02 02
`)

// Frame 3 of the same file, first 24 bytes: an ICMPv6 echo request on the loopback
// interface (index 1, ARPHRD_LOOPBACK 772), packet type 0 (host), a 6-byte all-zero address.
//   0000  86 dd 00 00 00 00 00 01 03 04 00 06 00 00 00 00 00 00 00 00 | 60 05 c2 e4 ...
const LOOPBACK_ICMPV6 = fromHex(`
  0000  86 dd 00 00 00 00 00 01 03 04 00 06 00 00 00 00
  0010  00 00 00 00 60 05 c2 e4
`)

const decodeAt = layerDecodeAt(sll2)

describe('sll2.decode', () => {
  it('reads every field of a real outgoing ARP packet', () => {
    const { result, header } = decodeAt(OUTGOING_ARP)
    expect(result).toBe(OK)
    expect(header).toEqual({
      protocol: 0x0806, reserved: 0, ifIndex: 26, arphrd: 1, packetType: 4, addressLength: 6,
      address: fromHex('8e 36 06 44 ac af 00 00'), payloadOffset: 20, payloadEnd: 48,
    })
    expect(sll2.toRecord(header)).toEqual({
      type: 'sll2', packetType: 4, protocol: 0x0806, src: '8e:36:06:44:ac:af', arphrd: 1, ifIndex: 26,
    })
    expect(Object.keys(sll2.toRecord(header))).toEqual(['type', 'packetType', 'protocol', 'src', 'arphrd', 'ifIndex'])
    expect(sll2.describe(header)).toBe('SLL2 if=26 outgoing 8e:36:06:44:ac:af arphrd=1 proto=0x0806')
  })

  it('prints a zero address of length 6 as six zero bytes (loopback)', () => {
    const { result, header } = decodeAt(LOOPBACK_ICMPV6)
    expect(result).toBe(OK)
    expect(header).toEqual({
      protocol: 0x86dd, reserved: 0, ifIndex: 1, arphrd: sll.Arphrd.LOOPBACK, packetType: 0, addressLength: 6,
      address: new Uint8Array(8), payloadOffset: 20, payloadEnd: 24,
    })
    expect(sll2.toRecord(header).src).toBe('00:00:00:00:00:00')
  })

  it.each([[0, ''], [2, '8e:36'], [8, '8e:36:06:44:ac:af:00:00'], [255, '8e:36:06:44:ac:af:00:00']])(
    'prints min(addressLength, 8) bytes for addressLength %i', (len, src) => {
      const bytes = OUTGOING_ARP.slice()
      bytes[sll2.Field.ADDRESS_LENGTH] = len
      const { result, header } = decodeAt(bytes)
      expect(result).toBe(OK)
      expect(sll2.toRecord(header).src).toBe(src)
    })

  it('reads the interface index as an unsigned 32-bit number', () => {
    const bytes = OUTGOING_ARP.slice()
    bytes.set([0xff, 0xff, 0xff, 0xfe], sll2.Field.IF_INDEX)
    expect(decodeAt(bytes).header.ifIndex).toBe(0xfffffffe)
  })

  it('reports a truncated header for every length short of 20 bytes', () => {
    for (let have = 0; have < sll2.HEADER_LEN; have++) {
      expect(decodeAt(OUTGOING_ARP.subarray(0, have)).result).toEqual({
        ok: false, kind: 'truncated', layer: 'sll2', part: 'header',
        need: 20, have, lenSource: 'capture', offset: 0,
      })
    }
  })

  // No value is forbidden. The reserved field must be zero on the wire, but a non-zero value
  // says nothing about the payload: it is kept, not reported.
  it.each([
    ['reserved', sll2.Field.RESERVED, 2, 0xbeef, { reserved: 0xbeef }],
    ['packet type', sll2.Field.PACKET_TYPE, 1, 0xff, { packetType: 0xff }],
    ['ARPHRD', sll2.Field.ARPHRD, 2, 824, { arphrd: 824 }],
    ['protocol', sll2.Field.PROTOCOL, 2, sll.PROTOCOL_8022, { protocol: 4 }],
  ])('keeps an unusual %s as it is', (_name, field, width, value, expected) => {
    const bytes = OUTGOING_ARP.slice()
    if (width === 2) bytes.set([value >>> 8, value & 0xff], field)
    else bytes[field] = value
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(header).toMatchObject(expected)
  })
})

describe('sll2.decode payload bounds', () => {
  it('accepts a header with nothing after it', () => {
    const { result, header } = decodeAt(OUTGOING_ARP.subarray(0, 20))
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([20, 20])
  })

  it('ends the payload at `end`, not at the buffer end', () => {
    const { header } = decodeAt(OUTGOING_ARP, 0, 30)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([20, 30])
  })
})

describe('sll2.encode', () => {
  it('writes the real header byte for byte', () => {
    const bytes = new Uint8Array(sll2.encodingLength())
    sll2.encode({
      protocol: 0x0806, reserved: 0, ifIndex: 26, arphrd: 1, packetType: 4, addressLength: 6,
      address: fromHex('8e 36 06 44 ac af'),
    }, bytes, 0)
    expect(bytes).toEqual(OUTGOING_ARP.subarray(0, 20))
  })

  it('round-trips through decode at a non-zero offset, invalid reserved value included', () => {
    const fields: sll2.Fields = {
      protocol: 0x0800, reserved: 0x0102, ifIndex: 0xffffffff, arphrd: sll.Arphrd.NONE,
      packetType: sll.PacketType.BROADCAST, addressLength: 12, address: fromHex('01 02 03 04 05 06 07 08'),
    }
    const bytes = new Uint8Array(2 + sll2.encodingLength())
    const end = sll2.encode(fields, bytes, 2)
    expect(end).toBe(bytes.length)

    const header = sll2.create()
    expect(sll2.decode(bytes, 2, end, header)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([22, 22])
  })
})

describe('sll2.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = sll2.create()
    for (const [bytes, offset, end] of fuzzInputs(0x276, OUTGOING_ARP, 3000)) {
      const result = sll2.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 20)
        expect(header.payloadEnd).toBe(end)
        expect(header.ifIndex).toBeGreaterThanOrEqual(0)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})
