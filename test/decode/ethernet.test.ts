import { describe, expect, it } from 'vitest'

import * as ethernet from '../../src/decode/ethernet.js'
import { OK } from '../../src/decode/issue.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// Frame 1 of shared/pcaps/vlan-8021ad-qinq-arp.pcap: a QinQ-tagged ARP request, 64 bytes.
//   0000  ff ff ff ff ff ff                  dst = broadcast
//         00 20 d2 5a fb 3f                  src
//         88 a8                              type = 802.1ad S-tag (the tags are the next layers)
//         00 c8 81 00 07 d1 08 06 ...        tags, ARP, padding
const QINQ_ARP = fromHex(`
  0000  ff ff ff ff ff ff 00 20 d2 5a fb 3f 88 a8 00 c8
  0010  81 00 07 d1 08 06 00 01 08 00 06 04 00 01 00 20
  0020  d2 5a fb 3f ac 15 4f 61 00 00 00 00 00 00 ac 15
  0030  4f 64 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`)

// The only frame of shared/pcaps/trunc-snaplen1-ethernet-only-8-bytes.pcap: a 78-byte frame
// captured as its first 8 bytes (dst 00:26:88:e7:8d:81 and two bytes of src).
const SNAPLEN_8 = fromHex('00 26 88 e7 8d 81 a8 20')

// An IEEE 802.3 frame (built for this test: no capture in shared/pcaps has one): a spanning-tree
// BPDU whose type field is a length, 38 = LLC 42 42 03 + 35-byte BPDU, padded to 60 bytes.
//   01 80 c2 00 00 00 | 00 1b 21 3a 4f 5e | 00 26 | 42 42 03 00 00 ...
const STP_8023 = new Uint8Array(60)
STP_8023.set(fromHex('01 80 c2 00 00 00 00 1b 21 3a 4f 5e 00 26 42 42 03'))

const decodeAt = layerDecodeAt(ethernet)

describe('ethernet.decode', () => {
  it('reads both addresses and the type of a real QinQ frame', () => {
    const { result, header } = decodeAt(QINQ_ARP)
    expect(result).toBe(OK)
    expect(header).toEqual({
      dst: fromHex('ff ff ff ff ff ff'), src: fromHex('00 20 d2 5a fb 3f'), etherType: 0x88a8,
      payloadOffset: 14, payloadEnd: 64,
    })
    expect(ethernet.isLength(header)).toBe(false)
    expect(ethernet.toRecord(header)).toEqual({
      type: 'eth', src: '00:20:d2:5a:fb:3f', dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x88a8,
    })
    expect(Object.keys(ethernet.toRecord(header))).toEqual(['type', 'src', 'dst', 'etherType'])
    expect(ethernet.describe(header)).toBe('Ethernet 00:20:d2:5a:fb:3f -> ff:ff:ff:ff:ff:ff type=0x88a8')
  })

  it('copies the addresses, so the header outlives the frame buffer', () => {
    const bytes = QINQ_ARP.slice()
    const { header } = decodeAt(bytes)
    bytes.fill(0xee)
    expect(ethernet.toRecord(header).src).toBe('00:20:d2:5a:fb:3f')
  })

  it('reports a truncated header for every length short of 14 bytes', () => {
    for (let have = 0; have < ethernet.HEADER_LEN; have++) {
      expect(decodeAt(QINQ_ARP.subarray(0, have)).result).toEqual({
        ok: false, kind: 'truncated', layer: 'eth', part: 'header',
        need: 14, have, lenSource: 'capture', offset: 0,
      })
    }
  })

  it('reports the real 8-byte snaplen cut as a truncated header', () => {
    expect(decodeAt(SNAPLEN_8).result).toEqual({
      ok: false, kind: 'truncated', layer: 'eth', part: 'header',
      need: 14, have: 8, lenSource: 'capture', offset: 0,
    })
  })

  it('names the enclosing length when an inner frame (VXLAN) is short', () => {
    const result = ethernet.decode(QINQ_ARP, 50, 60, ethernet.create(), 'udp.length')
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'eth', part: 'header',
      need: 14, have: 10, lenSource: 'udp.length', offset: 50,
    })
  })

  // No type value is forbidden: EtherTypes, 802.3 lengths and the undefined gap between
  // them (1501-1535) all decode; the frame loop decides what follows.
  it.each([
    [0x0000, true], [0x0026, true], [1500, true], [1501, false], [1535, false],
    [0x0600, false], [0x0800, false], [0x86dd, false], [0xffff, false],
  ])('keeps the type field %i as it is (802.3 length: %s)', (etherType, isLength) => {
    const bytes = QINQ_ARP.slice()
    bytes[ethernet.Field.ETHER_TYPE] = etherType >>> 8
    bytes[ethernet.Field.ETHER_TYPE + 1] = etherType & 0xff
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(header.etherType).toBe(etherType)
    expect(ethernet.isLength(header)).toBe(isLength)
  })
})

describe('ethernet.decode payload bounds', () => {
  it('keeps an 802.3 length raw and leaves the padding in the payload', () => {
    const { result, header } = decodeAt(STP_8023)
    expect(result).toBe(OK)
    expect(header.etherType).toBe(38)
    expect(ethernet.describe(header)).toBe('Ethernet 00:1b:21:3a:4f:5e -> 01:80:c2:00:00:00 len=38')
    expect([header.payloadOffset, header.payloadEnd]).toEqual([14, 60])
  })

  it('accepts a frame that is only a header: an empty payload', () => {
    const { result, header } = decodeAt(QINQ_ARP.subarray(0, 14))
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([14, 14])
  })

  it('ends the payload at `end`, not at the buffer end (an inner frame)', () => {
    const bytes = new Uint8Array(100)
    bytes.set(QINQ_ARP, 20)
    const { result, header } = decodeAt(bytes, 20, 84)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([34, 84])
  })
})

describe('ethernet.encode', () => {
  it('writes the real header byte for byte', () => {
    const bytes = new Uint8Array(ethernet.encodingLength())
    ethernet.encode({ dst: fromHex('ff ff ff ff ff ff'), src: fromHex('00 20 d2 5a fb 3f'), etherType: 0x88a8 }, bytes, 0)
    expect(bytes).toEqual(QINQ_ARP.subarray(0, 14))
  })

  it('round-trips through decode at a non-zero offset', () => {
    const fields: ethernet.Fields = {
      dst: fromHex('00 15 5d 00 00 02'), src: fromHex('00 15 5d 00 00 01'), etherType: 0x0800,
    }
    const bytes = new Uint8Array(5 + ethernet.encodingLength())
    const end = ethernet.encode(fields, bytes, 5)
    expect(end).toBe(bytes.length)

    const header = ethernet.create()
    expect(ethernet.decode(bytes, 5, end, header)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([19, 19])
  })

  it('writes each address as exactly 6 bytes, whatever the array length', () => {
    const bytes = new Uint8Array(15).fill(0xaa)
    ethernet.encode({ dst: fromHex('01 02'), src: fromHex('11 12 13 14 15 16 17 18'), etherType: 0x1234 }, bytes, 0)
    expect(bytes).toEqual(fromHex('01 02 00 00 00 00 11 12 13 14 15 16 12 34 aa'))
  })
})

describe('ethernet.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = ethernet.create()
    for (const [bytes, offset, end] of fuzzInputs(0xe7, QINQ_ARP, 3000)) {
      const result = ethernet.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 14)
        expect(header.payloadEnd).toBe(end)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})
