import { describe, expect, it } from 'vitest'

import { OK } from '../../src/decode/issue.js'
import * as sll from '../../src/decode/sll.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// Frame 1 of shared/pcaps/bgp-role-capability-open-updates-sll.pcapng, first 20 bytes:
//   0000  00 04                    packet type 4 (outgoing)
//         00 01                    ARPHRD_ETHER
//         00 06                    address length 6
//         18 c0 4d 96 fa 3f 00 00  address (6 bytes used, 2 of padding)
//         08 00                    protocol: IPv4
//   0010  45 c0 00 9f ...          IPv4
const OUTGOING_ETHER = fromHex(`
  0000  00 04 00 01 00 06 18 c0 4d 96 fa 3f 00 00 08 00
  0010  45 c0 00 9f
`)

// Frame 1 of shared/pcaps/linktype-sll-nsec-magic-tcp-handshake.pcap: a PPP interface
// (ARPHRD 512) with no link-layer address.
//   0000  00 04 02 00 00 00 00 00 00 00 00 00 00 00 08 00 | 45 00 00 3c ...
const PPP_NO_ADDRESS = fromHex(`
  0000  00 04 02 00 00 00 00 00 00 00 00 00 00 00 08 00
  0010  45 00 00 3c 29 a9 40 00
`)

// Frame 1 of shared/pcaps/bgp-malformed-updates-snaplen96-sll.pcap: address length 0, but the
// address field holds leftover bytes (ce 2a); the record must still print "" (tshark: "(empty)").
const STALE_ADDRESS = fromHex(`
  0000  00 04 02 00 00 00 ce 2a 00 00 00 00 00 00 08 00
  0010  45 00 00 4a
`)

const decodeAt = layerDecodeAt(sll)

describe('sll.decode', () => {
  it('reads every field of a real outgoing Ethernet packet', () => {
    const { result, header } = decodeAt(OUTGOING_ETHER)
    expect(result).toBe(OK)
    expect(header).toEqual({
      packetType: 4, arphrd: 1, addressLength: 6, address: fromHex('18 c0 4d 96 fa 3f 00 00'),
      protocol: 0x0800, payloadOffset: 16, payloadEnd: 20,
    })
    expect(sll.toRecord(header)).toEqual({
      type: 'sll', packetType: 4, protocol: 0x0800, src: '18:c0:4d:96:fa:3f', arphrd: 1,
    })
    expect(Object.keys(sll.toRecord(header))).toEqual(['type', 'packetType', 'protocol', 'src', 'arphrd'])
    expect(sll.describe(header)).toBe('SLL outgoing 18:c0:4d:96:fa:3f arphrd=1 proto=0x0800')
  })

  it('prints an empty source when the address length is 0', () => {
    const { result, header } = decodeAt(PPP_NO_ADDRESS)
    expect(result).toBe(OK)
    expect(header).toEqual({
      packetType: 4, arphrd: 512, addressLength: 0, address: new Uint8Array(8),
      protocol: 0x0800, payloadOffset: 16, payloadEnd: 24,
    })
    expect(sll.toRecord(header).src).toBe('')
    expect(sll.describe(header)).toBe('SLL outgoing - arphrd=512 proto=0x0800')
  })

  it('keeps leftover address bytes but prints only the first addressLength of them', () => {
    const { header } = decodeAt(STALE_ADDRESS)
    expect(header.address).toEqual(fromHex('ce 2a 00 00 00 00 00 00'))
    expect(sll.toRecord(header).src).toBe('')
  })

  it.each([
    [1, '18'], [6, '18:c0:4d:96:fa:3f'], [8, '18:c0:4d:96:fa:3f:00:00'],
    // InfiniBand reports 20; only 8 bytes fit in the header.
    [20, '18:c0:4d:96:fa:3f:00:00'], [0xffff, '18:c0:4d:96:fa:3f:00:00'],
  ])('prints min(addressLength, 8) bytes for addressLength %i', (len, src) => {
    const bytes = OUTGOING_ETHER.slice()
    bytes[sll.Field.ADDRESS_LENGTH] = len >>> 8
    bytes[sll.Field.ADDRESS_LENGTH + 1] = len & 0xff
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(header.addressLength).toBe(len)
    expect(sll.toRecord(header).src).toBe(src)
  })

  it('reports a truncated header for every length short of 16 bytes', () => {
    for (let have = 0; have < sll.HEADER_LEN; have++) {
      expect(decodeAt(OUTGOING_ETHER.subarray(0, have)).result).toEqual({
        ok: false, kind: 'truncated', layer: 'sll', part: 'header',
        need: 16, have, lenSource: 'capture', offset: 0,
      })
    }
  })

  // No value is forbidden: unknown packet types, ARPHRD types and protocols (including the
  // 802.3 / LLC markers 1 and 4) decode and stay raw for the frame loop.
  it.each([
    ['packet type', sll.Field.PACKET_TYPE, 0xffff, { packetType: 0xffff }],
    ['ARPHRD', sll.Field.ARPHRD, 0xfffe, { arphrd: 0xfffe }],
    ['protocol 802.3', sll.Field.PROTOCOL, sll.PROTOCOL_8023, { protocol: 1 }],
    ['protocol 802.2', sll.Field.PROTOCOL, sll.PROTOCOL_8022, { protocol: 4 }],
    ['protocol 0xffff', sll.Field.PROTOCOL, 0xffff, { protocol: 0xffff }],
  ])('keeps an unusual %s as it is', (_name, field, value, expected) => {
    const bytes = OUTGOING_ETHER.slice()
    bytes[field] = value >>> 8
    bytes[field + 1] = value & 0xff
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(header).toMatchObject(expected)
  })
})

describe('sll.decode payload bounds', () => {
  it('accepts a header with nothing after it', () => {
    const { result, header } = decodeAt(OUTGOING_ETHER.subarray(0, 16))
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([16, 16])
  })

  it('starts the payload at offset + 16 and ends it at `end`', () => {
    const bytes = new Uint8Array(40)
    bytes.set(OUTGOING_ETHER, 4)
    const { header } = decodeAt(bytes, 4, 30)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([20, 30])
  })
})

describe('sll.encode', () => {
  it('writes the real header byte for byte', () => {
    const bytes = new Uint8Array(sll.encodingLength())
    sll.encode({
      packetType: 4, arphrd: 1, addressLength: 6, address: fromHex('18 c0 4d 96 fa 3f'), protocol: 0x0800,
    }, bytes, 0)
    expect(bytes).toEqual(OUTGOING_ETHER.subarray(0, 16))
  })

  it('round-trips through decode at a non-zero offset', () => {
    const fields: sll.Fields = {
      packetType: sll.PacketType.OTHERHOST, arphrd: sll.Arphrd.IPGRE, addressLength: 4,
      address: fromHex('c0 00 02 01 de ad be ef'), protocol: 0x86dd,
    }
    const bytes = new Uint8Array(9 + sll.encodingLength())
    const end = sll.encode(fields, bytes, 9)
    expect(end).toBe(bytes.length)

    const header = sll.create()
    expect(sll.decode(bytes, 9, end, header)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([25, 25])
    expect(sll.toRecord(header).src).toBe('c0:00:02:01')
  })
})

describe('sll.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = sll.create()
    for (const [bytes, offset, end] of fuzzInputs(0x113, OUTGOING_ETHER, 3000)) {
      const result = sll.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 16)
        expect(header.payloadEnd).toBe(end)
        expect(sll.toRecord(header).src.length).toBeLessThanOrEqual(23)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})
