import { describe, expect, it } from 'vitest'

import * as arp from '../../src/decode/arp.js'
import { OK } from '../../src/decode/issue.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// Frame 1 of shared/pcaps/vlan-8021ad-qinq-arp.pcap (64 bytes): Ethernet + two tags, then
// at 0x16 an ARP request, then link padding.
//   0016  00 01        hardware type 1 (Ethernet)
//         08 00        protocol type IPv4
//         06 04        hlen 6, plen 4
//         00 01        operation 1 (request)
//         00 20 d2 5a fb 3f   ac 15 4f 61    sender 00:20:d2:5a:fb:3f 172.21.79.97
//         00 00 00 00 00 00   ac 15 4f 64    target 00:00:00:00:00:00 172.21.79.100
//   0032  00 ... 00    14 bytes of padding
const QINQ_ARP = fromHex(`
  0000  ff ff ff ff ff ff 00 20 d2 5a fb 3f 88 a8 00 c8
  0010  81 00 07 d1 08 06 00 01 08 00 06 04 00 01 00 20
  0020  d2 5a fb 3f ac 15 4f 61 00 00 00 00 00 00 ac 15
  0030  4f 64 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`)
const ARP_AT = 0x16

// Frame 2 of the same file: the reply, "172.21.79.100 is at 00:80:ea:81:88:63".
const QINQ_ARP_REPLY = fromHex(`
  0000  00 20 d2 5a fb 3f 00 80 ea 81 88 63 88 a8 00 c8
  0010  81 00 07 d1 08 06 00 01 08 00 06 04 00 02 00 80
  0020  ea 81 88 63 ac 15 4f 64 00 20 d2 5a fb 3f ac 15
  0030  4f 61 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`)

// Frame 6 of shared/pcaps/linktype-sll2-icmp-icmpv6-arp.pcap, after the 20-byte SLL2 header:
// a RARP request (operation 3) in the ARP format, no padding (28 bytes end the frame).
//   00 01 08 00 06 04 00 03 | 8e 36 06 44 ac af c0 00 02 01 | 00 00 00 00 00 00 c0 00 02 02
const RARP = fromHex(`
  0000  00 01 08 00 06 04 00 03 8e 36 06 44 ac af c0 00
  0010  02 01 00 00 00 00 00 00 c0 00 02 02
`)

const decodeAt = layerDecodeAt(arp)

describe('arp.decode', () => {
  it('reads every field of a real ARP request', () => {
    const { result, header } = decodeAt(QINQ_ARP, ARP_AT)
    expect(result).toBe(OK)
    expect(header).toEqual({
      hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 1,
      senderHardware: fromHex('00 20 d2 5a fb 3f'), senderProtocol: fromHex('ac 15 4f 61'),
      targetHardware: fromHex('00 00 00 00 00 00'), targetProtocol: fromHex('ac 15 4f 64'),
      payloadOffset: 50, payloadEnd: 50,
    })
    expect(arp.toRecord(header)).toEqual({
      type: 'arp', hardwareType: 1, protocolType: 0x0800, operation: 1,
      senderMac: '00:20:d2:5a:fb:3f', senderIp: '172.21.79.97',
      targetMac: '00:00:00:00:00:00', targetIp: '172.21.79.100',
    })
    expect(Object.keys(arp.toRecord(header))).toEqual([
      'type', 'hardwareType', 'protocolType', 'operation', 'senderMac', 'senderIp', 'targetMac', 'targetIp',
    ])
    expect(arp.describe(header)).toBe('ARP request 172.21.79.97 (00:20:d2:5a:fb:3f) -> 172.21.79.100')
  })

  it('reads a real reply and a real RARP request', () => {
    expect(arp.toRecord(decodeAt(QINQ_ARP_REPLY, ARP_AT).header)).toEqual({
      type: 'arp', hardwareType: 1, protocolType: 0x0800, operation: 2,
      senderMac: '00:80:ea:81:88:63', senderIp: '172.21.79.100',
      targetMac: '00:20:d2:5a:fb:3f', targetIp: '172.21.79.97',
    })
    const rarp = decodeAt(RARP)
    expect(rarp.result).toBe(OK)
    expect(arp.toRecord(rarp.header)).toEqual({
      type: 'arp', hardwareType: 1, protocolType: 0x0800, operation: arp.Operation.RARP_REQUEST,
      senderMac: '8e:36:06:44:ac:af', senderIp: '192.0.2.1',
      targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.2',
    })
    expect([rarp.header.payloadOffset, rarp.header.payloadEnd]).toEqual([28, 28])
  })

  it('reports a truncated message for every length short of the 28 bytes of Ethernet/IPv4', () => {
    for (let have = 0; have < arp.ETHERNET_IPV4_LEN; have++) {
      expect(decodeAt(RARP.subarray(0, have)).result).toEqual({
        ok: false, kind: 'truncated', layer: 'arp', part: 'header',
        // Until the two length bytes are there, only the fixed part is known to be needed.
        need: have < 8 ? 8 : 28, have, lenSource: 'capture', offset: 0,
      })
    }
  })

  it('counts the addresses the length fields announce, whatever they are', () => {
    const bytes = RARP.slice()
    bytes[arp.Field.HARDWARE_LENGTH] = 255
    bytes[arp.Field.PROTOCOL_LENGTH] = 255
    expect(decodeAt(bytes).result).toEqual({
      ok: false, kind: 'truncated', layer: 'arp', part: 'header',
      need: 8 + 2 * (255 + 255), have: 28, lenSource: 'capture', offset: 0,
    })
  })

  it('names the enclosing length and the layer offset when an inner frame is short', () => {
    const result = arp.decode(QINQ_ARP, ARP_AT, ARP_AT + 20, arp.create(), 'udp.length')
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'arp', part: 'header',
      need: 28, have: 20, lenSource: 'udp.length', offset: ARP_AT,
    })
  })

  // No value is forbidden: unusual types and lengths decode, and the record falls back to hex.
  it.each([
    ['operation 0 (reserved)', { operation: 0 }, { operation: 0, senderIp: '192.0.2.1' }],
    ['an unknown hardware type', { hardwareType: 0xffff }, { hardwareType: 0xffff, senderMac: '8e:36:06:44:ac:af' }],
    ['IPv4 lengths with another protocol type', { protocolType: 0x86dd }, { protocolType: 0x86dd, senderIp: 'c0000201' }],
  ])('decodes %s', (_name, patch, expected) => {
    const fields = { ...fieldsOf(RARP), ...patch }
    const bytes = new Uint8Array(arp.encodingLength(fields))
    arp.encode(fields, bytes, 0)
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(arp.toRecord(header)).toMatchObject(expected)
  })

  it('decodes addresses of any length, printing non-IPv4 protocol addresses in hex', () => {
    // hlen 8 (e.g. EUI-64), plen 16 (IPv6 protocol type), operation 1.
    const fields: arp.Fields = {
      hardwareType: 27, protocolType: 0x86dd, hardwareLength: 8, protocolLength: 16, operation: 1,
      senderHardware: fromHex('02 00 00 ff fe 00 00 01'),
      senderProtocol: fromHex('20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01'),
      targetHardware: new Uint8Array(8),
      targetProtocol: fromHex('20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02'),
    }
    const bytes = new Uint8Array(arp.encodingLength(fields))
    arp.encode(fields, bytes, 0)
    const { result, header } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(arp.toRecord(header)).toEqual({
      type: 'arp', hardwareType: 27, protocolType: 0x86dd, operation: 1,
      senderMac: '02:00:00:ff:fe:00:00:01', senderIp: '20010db8000000000000000000000001',
      targetMac: '00:00:00:00:00:00:00:00', targetIp: '20010db8000000000000000000000002',
    })
  })

  it('decodes zero-length addresses as empty strings', () => {
    const { result, header } = decodeAt(fromHex('00 01 08 00 00 00 00 01'))
    expect(result).toBe(OK)
    expect(arp.toRecord(header)).toMatchObject({ senderMac: '', senderIp: '', targetMac: '', targetIp: '' })
    expect([header.payloadOffset, header.payloadEnd]).toEqual([8, 8])
  })

  it('reuses one header across address lengths without mixing them up', () => {
    const header = arp.create()
    const before = header.senderHardware
    expect(arp.decode(RARP, 0, RARP.length, header)).toBe(OK)
    expect(header.senderHardware).toBe(before)          // same size: the array is reused
    const odd = fromHex('00 01 08 00 02 02 00 01 aa bb cc dd ee ff 11 22 33 44')
    expect(arp.decode(odd, 0, odd.length, header)).toBe(OK)
    expect(arp.toRecord(header)).toMatchObject({ senderMac: 'aa:bb', senderIp: 'ccdd', targetMac: 'ee:ff', targetIp: '1122' })
    expect(arp.decode(RARP, 0, RARP.length, header)).toBe(OK)
    expect(arp.toRecord(header)).toMatchObject({ senderMac: '8e:36:06:44:ac:af', targetIp: '192.0.2.2' })
  })
})

describe('arp.decode payload bounds', () => {
  it('ends the message after the target address and ignores the Ethernet padding', () => {
    const { header } = decodeAt(QINQ_ARP, ARP_AT)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([50, 50])
    expect(QINQ_ARP.length).toBe(64)
  })

  it('decodes a message that ends exactly at the end of the capture', () => {
    const { result } = decodeAt(QINQ_ARP, ARP_AT, ARP_AT + 28)
    expect(result).toBe(OK)
  })
})

describe('arp.encode', () => {
  it('writes the real message byte for byte', () => {
    const bytes = new Uint8Array(arp.encodingLength(fieldsOf(RARP)))
    expect(arp.encode(fieldsOf(RARP), bytes, 0)).toBe(28)
    expect(bytes).toEqual(RARP)
  })

  it('round-trips through decode at a non-zero offset', () => {
    const fields: arp.Fields = {
      hardwareType: 6, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 2,
      senderHardware: fromHex('00 15 5d 00 00 01'), senderProtocol: fromHex('0a 0a 00 1d'),
      targetHardware: fromHex('00 15 5d 00 00 02'), targetProtocol: fromHex('0a 0a 00 01'),
    }
    const bytes = new Uint8Array(11 + arp.encodingLength(fields))
    const end = arp.encode(fields, bytes, 11)
    expect(end).toBe(bytes.length)

    const header = arp.create()
    expect(arp.decode(bytes, 11, end, header)).toBe(OK)
    const { payloadOffset, payloadEnd, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([payloadOffset, payloadEnd]).toEqual([39, 39])
  })

  it('writes length fields and address arrays as given, even when they disagree', () => {
    const fields = { ...fieldsOf(RARP), hardwareLength: 9, senderProtocol: fromHex('01') }
    expect(arp.encodingLength(fields)).toBe(25)
    const bytes = new Uint8Array(25)
    arp.encode(fields, bytes, 0)
    expect(bytes[arp.Field.HARDWARE_LENGTH]).toBe(9)
    expect(decodeAt(bytes).result).toMatchObject({ kind: 'truncated', need: 8 + 2 * (9 + 4), have: 25 })
  })
})

describe('arp.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = arp.create()
    for (const [bytes, offset, end] of fuzzInputs(0x806, QINQ_ARP.subarray(ARP_AT), 4000)) {
      const result = arp.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + arp.messageLength(header.hardwareLength, header.protocolLength))
        expect(header.payloadEnd).toBeLessThanOrEqual(end)
        expect(header.senderHardware.length).toBe(header.hardwareLength)
        expect(header.targetProtocol.length).toBe(header.protocolLength)
        arp.toRecord(header)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})

/** The Fields of an Ethernet/IPv4 message in `bytes` (read by hand, independent of decode). */
function fieldsOf(bytes: Uint8Array): arp.Fields {
  const at = (i: number) => bytes[i] ?? 0
  return {
    hardwareType: (at(0) << 8) | at(1), protocolType: (at(2) << 8) | at(3),
    hardwareLength: at(4), protocolLength: at(5), operation: (at(6) << 8) | at(7),
    senderHardware: bytes.slice(8, 14), senderProtocol: bytes.slice(14, 18),
    targetHardware: bytes.slice(18, 24), targetProtocol: bytes.slice(24, 28),
  }
}
