import { describe, expect, it } from 'vitest'

import { OK } from '../../src/decode/issue.js'
import * as vlan from '../../src/decode/vlan.js'
import { fromHex } from '../support/bytes.js'
import { fuzzInputs } from '../support/random.js'

// Frame 1 of shared/pcaps/vlan-8021ad-qinq-arp.pcap: Ethernet type 0x88a8, then two tags.
//   000c  88 a8                TPID (Ethernet's type field): 802.1ad S-tag
//   000e  00 c8 81 00          TCI pcp=0 dei=0 id=200,  type 0x8100 (a C-tag follows)
//   0012  07 d1 08 06          TCI pcp=0 dei=0 id=2001, type 0x0806 (ARP)
const QINQ_ARP = fromHex(`
  0000  ff ff ff ff ff ff 00 20 d2 5a fb 3f 88 a8 00 c8
  0010  81 00 07 d1 08 06 00 01 08 00 06 04 00 01 00 20
  0020  d2 5a fb 3f ac 15 4f 61 00 00 00 00 00 00 ac 15
  0030  4f 64 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`)

// Frame 1 of shared/pcaps/vlan-pcp-dei-mixed-tag-depth.pcapng: two 802.1Q tags with priorities.
//   000e  e0 0a 81 00          TCI 0xe00a: pcp=7 dei=0 id=10, type 0x8100
//   0012  b0 14 08 00          TCI 0xb014: pcp=5 dei=1 id=20, type 0x0800 (IPv4)
const PCP_DEI = fromHex(`
  0000  ff ff ff ff ff ff 16 4b df 50 b2 93 81 00 e0 0a
  0010  81 00 b0 14 08 00 45 00 00 28 00 01 00 00 40 06
  0020  f6 52 c0 a8 01 64 c0 a8 01 c8 30 39 00 50 00 00
  0030  03 e8 00 00 00 00 50 02 20 00 d6 f4 00 00
`)

function decodeAt(bytes: Uint8Array, offset: number, tpid = vlan.TPID_CTAG, end = bytes.length) {
  const header = vlan.create()
  const result = vlan.decode(bytes, offset, end, header, 'capture', tpid)
  return { result, header }
}

describe('vlan.decode', () => {
  it('reads an 802.1ad S-tag and the C-tag inside it', () => {
    const outer = decodeAt(QINQ_ARP, 14, vlan.TPID_STAG)
    expect(outer.result).toBe(OK)
    expect(outer.header).toEqual({
      pcp: 0, dei: false, id: 200, etherType: 0x8100, tpid: 0x88a8, payloadOffset: 18, payloadEnd: 64,
    })
    const inner = decodeAt(QINQ_ARP, 18, outer.header.etherType)
    expect(inner.result).toBe(OK)
    expect(inner.header).toEqual({
      pcp: 0, dei: false, id: 2001, etherType: 0x0806, tpid: 0x8100, payloadOffset: 22, payloadEnd: 64,
    })
    expect(vlan.toRecord(outer.header)).toEqual({
      type: 'vlan', id: 200, pcp: 0, dei: false, tpid: 0x88a8, etherType: 0x8100,
    })
    expect(Object.keys(vlan.toRecord(inner.header))).toEqual(['type', 'id', 'pcp', 'dei', 'tpid', 'etherType'])
    expect(vlan.describe(outer.header)).toBe('VLAN 0x88a8 id=200 pcp=0 dei=0 type=0x8100')
  })

  it('splits priority, drop eligibility and VLAN ID out of the TCI', () => {
    const outer = decodeAt(PCP_DEI, 14)
    const inner = decodeAt(PCP_DEI, 18)
    expect(outer.header).toEqual({
      pcp: 7, dei: false, id: 10, etherType: 0x8100, tpid: 0x8100, payloadOffset: 18, payloadEnd: 62,
    })
    expect(inner.header).toEqual({
      pcp: 5, dei: true, id: 20, etherType: 0x0800, tpid: 0x8100, payloadOffset: 22, payloadEnd: 62,
    })
    expect(vlan.toRecord(inner.header)).toEqual({
      type: 'vlan', id: 20, pcp: 5, dei: true, tpid: 0x8100, etherType: 0x0800,
    })
  })

  it('takes the TPID from its argument, 0x8100 when none is given', () => {
    const header = vlan.create()
    vlan.decode(PCP_DEI, 14, PCP_DEI.length, header, 'capture', vlan.TPID_QINQ_LEGACY)
    expect(header.tpid).toBe(0x9100)
    vlan.decode(PCP_DEI, 14, PCP_DEI.length, header)
    expect(header.tpid).toBe(0x8100)
  })

  it('reports a truncated tag for every length short of 4 bytes', () => {
    for (let have = 0; have < vlan.HEADER_LEN; have++) {
      expect(decodeAt(QINQ_ARP, 14, vlan.TPID_STAG, 14 + have).result).toEqual({
        ok: false, kind: 'truncated', layer: 'vlan', part: 'header',
        need: 4, have, lenSource: 'capture', offset: 14,
      })
    }
  })

  it('names the enclosing length when an inner frame is short', () => {
    const result = vlan.decode(QINQ_ARP, 18, 20, vlan.create(), 'udp.length')
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'vlan', part: 'header',
      need: 4, have: 2, lenSource: 'udp.length', offset: 18,
    })
  })

  // No TCI value is forbidden: VID 0 is a priority tag, VID 4095 is reserved by 802.1Q
  // but is still a fact about the frame.
  it.each([
    ['0x0000', 0x0000, { pcp: 0, dei: false, id: 0 }],
    ['0x0fff', 0x0fff, { pcp: 0, dei: false, id: 4095 }],
    ['0x1000', 0x1000, { pcp: 0, dei: true, id: 0 }],
    ['0xffff', 0xffff, { pcp: 7, dei: true, id: 4095 }],
  ])('decodes TCI %s without an issue', (_name, tci, expected) => {
    const bytes = PCP_DEI.slice()
    bytes[14] = tci >>> 8
    bytes[15] = tci & 0xff
    const { result, header } = decodeAt(bytes, 14)
    expect(result).toBe(OK)
    expect(header).toMatchObject(expected)
  })
})

describe('vlan.decode payload bounds', () => {
  it('accepts a tag at the very end of the capture: an empty payload', () => {
    const { result, header } = decodeAt(QINQ_ARP.subarray(0, 22), 18)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([22, 22])
  })

  it('keeps the Ethernet padding after the tag in the payload (the next layer trims it)', () => {
    const { header } = decodeAt(QINQ_ARP, 18)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([22, 64])
  })
})

describe('vlan.encode', () => {
  it('writes the real tags byte for byte', () => {
    const bytes = new Uint8Array(8)
    let o = vlan.encode({ pcp: 7, dei: false, id: 10, etherType: 0x8100 }, bytes, 0)
    o = vlan.encode({ pcp: 5, dei: true, id: 20, etherType: 0x0800 }, bytes, o)
    expect(o).toBe(8)
    expect(bytes).toEqual(PCP_DEI.subarray(14, 22))
  })

  it('round-trips through decode at a non-zero offset', () => {
    const fields: vlan.Fields = { pcp: 3, dei: true, id: 4094, etherType: 0x86dd }
    const bytes = new Uint8Array(7 + vlan.encodingLength())
    const end = vlan.encode(fields, bytes, 7)
    expect(end).toBe(bytes.length)

    const header = vlan.create()
    expect(vlan.decode(bytes, 7, end, header, 'capture', vlan.TPID_STAG)).toBe(OK)
    const { payloadOffset, payloadEnd, tpid, ...decoded } = header
    expect(decoded).toEqual(fields)
    expect([tpid, payloadOffset, payloadEnd]).toEqual([0x88a8, 11, 11])
  })

  it('masks each field to its bit width and nothing more', () => {
    const bytes = new Uint8Array(4)
    vlan.encode({ pcp: 9, dei: false, id: 0x1234, etherType: 0x12345 }, bytes, 0)
    expect(bytes).toEqual(fromHex('22 34 23 45'))
  })
})

describe('vlan.decode fuzz', () => {
  it('never throws, and every offset it returns lies inside the buffer', () => {
    const header = vlan.create()
    for (const [bytes, offset, end] of fuzzInputs(0x81, PCP_DEI.subarray(14), 3000)) {
      const result = vlan.decode(bytes, offset, end, header)
      if (result.ok) {
        expect(header.payloadOffset).toBe(offset + 4)
        expect(header.payloadEnd).toBe(end)
        expect(header.pcp).toBeLessThanOrEqual(7)
        expect(header.id).toBeLessThanOrEqual(4095)
      } else {
        expect(result.offset).toBe(offset)
        expect(result.offset).toBeLessThanOrEqual(bytes.length)
      }
    }
  })
})
