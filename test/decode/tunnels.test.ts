/**
 * VXLAN, GRE, Geneve and ERSPAN headers: real bytes from ../shared/pcaps (copied inline
 * from `tshark -x`), truncation sweeps, forbidden values and encode round trips.
 */
import { describe, expect, it } from 'vitest'
import * as erspan from '../../src/decode/erspan.js'
import * as geneve from '../../src/decode/geneve.js'
import * as gre from '../../src/decode/gre.js'
import { OK } from '../../src/decode/issue.js'
import * as vxlan from '../../src/decode/vxlan.js'
import { fromHex } from '../support/bytes.js'

describe('vxlan', () => {
  // vxlan-vni100-icmp-arp.pcap frame 1, from the UDP payload:
  //   08 00 00 00 00 00 64 00 | 00 30 88 01 ...   flags=0x08 (I), VNI=100, then the inner Ethernet frame
  const BYTES = fromHex('0800000000006400 0030880100020016')

  it('reads the flags byte and the VNI', () => {
    const h = vxlan.create()
    expect(vxlan.decode(BYTES, 0, BYTES.length, h)).toBe(OK)
    expect(h).toEqual({ flags: 0x08, vni: 100, payloadOffset: 8, payloadEnd: 16 })
    expect(vxlan.toRecord(h)).toEqual({ type: 'vxlan', vni: 100, flags: 8 })
  })

  it('decodes a clear I flag (the vxlan-format rule judges it, not the decoder)', () => {
    const b = BYTES.slice(); b[0] = 0
    expect(vxlan.decode(b, 0, b.length, vxlan.create())).toBe(OK)
  })

  it('reports a truncated header for every length short of 8', () => {
    for (let n = 0; n < 8; n++) {
      expect(vxlan.decode(BYTES, 0, n, vxlan.create())).toEqual({ ok: false, kind: 'truncated', layer: 'vxlan', part: 'header', need: 8, have: n, lenSource: 'capture', offset: 0 })
    }
  })

  it('round-trips at a non-zero offset', () => {
    const b = new Uint8Array(20)
    expect(vxlan.encode({ flags: 0x08, vni: 0xabcdef }, b, 5)).toBe(13)
    const h = vxlan.create()
    expect(vxlan.decode(b, 5, 20, h)).toBe(OK)
    expect([h.flags, h.vni, h.payloadOffset]).toEqual([8, 0xabcdef, 13])
  })
})

describe('gre', () => {
  // gre-ipv4-inner-ntp-ssh-icmp.pcap frame 1 at byte 34: 00 00 08 00 = no options, IPv4 follows.
  const PLAIN = fromHex('00000800 4500')
  // pcap-big-endian-pptp-gre.pcap first GRE frame at byte 34:
  //   30 01 88 0b | 00 30 00 00 | 00 00 00 00 | ff 03 c0 21   K+S, version 1, PPP; key = length 0x30 << 16 | call id 0; seq 0
  const PPTP = fromHex('3001880b 00300000 00000000 ff03c021')
  // vxlan-inside-gre-erspan-http.pcap frame 1 at byte 34: 10 00 88 be | 00 00 00 00  S set (type II ERSPAN), seq 0
  const ERSPAN_GRE = fromHex('100088be 00000000 10000014 00000001')

  it('reads a plain header', () => {
    const h = gre.create()
    expect(gre.decode(PLAIN, 0, PLAIN.length, h)).toBe(OK)
    expect(gre.toRecord(h)).toEqual({ type: 'gre', protocol: 0x0800, key: null, version: 0, sequence: null })
    expect(h.payloadOffset).toBe(4)
  })

  it('reads PPTP enhanced GRE: key = payload length << 16 | call id, and the sequence number', () => {
    const h = gre.create()
    expect(gre.decode(PPTP, 0, PPTP.length, h)).toBe(OK)
    expect(gre.toRecord(h)).toEqual({ type: 'gre', protocol: 0x880b, key: 0x300000, version: 1, sequence: 0 })
    expect(h.payloadOffset).toBe(12)
  })

  it('reads the sequence number in front of ERSPAN type II', () => {
    const h = gre.create()
    expect(gre.decode(ERSPAN_GRE, 0, ERSPAN_GRE.length, h)).toBe(OK)
    expect([h.protocol, h.sequence, h.headerLength]).toEqual([0x88be, 0, 8])
  })

  it('splits an NVGRE key into VSID and flow id', () => {
    const b = new Uint8Array(12)
    gre.encode({ version: 0, protocol: 0x6558, checksum: null, key: (5001 << 8) | 7, sequence: null, ack: null }, b, 0)
    const h = gre.create()
    expect(gre.decode(b, 0, 12, h)).toBe(OK)
    expect(gre.toRecord(h)).toMatchObject({ protocol: 0x6558, vsid: 5001, flowId: 7 })
  })

  it('reports truncation inside the optional fields', () => {
    for (let n = 0; n < PPTP.length - 4; n++) {
      const r = gre.decode(PPTP, 0, n, gre.create())
      expect(r).toMatchObject({ ok: false, kind: 'truncated', layer: 'gre', part: 'header', need: n < 4 ? 4 : 12, have: n })
    }
  })

  it.each([
    ['version 2', '0002 0800', 'version', 2],
    ['RFC 1701 routing', '4000 0800', 'routing', 1],
  ])('rejects %s', (_what, bytes, field, value) => {
    expect(gre.decode(fromHex(bytes), 0, 4, gre.create())).toMatchObject({ ok: false, kind: 'malformed', layer: 'gre', field, value })
  })

  it('round-trips every optional field at a non-zero offset', () => {
    const f: gre.Fields = { version: 0, protocol: 0x86dd, checksum: 0xbeef, key: 42, sequence: 7, ack: null }
    const b = new Uint8Array(3 + gre.encodingLength(f))
    expect(gre.encode(f, b, 3)).toBe(b.length)
    const h = gre.create()
    expect(gre.decode(b, 3, b.length, h)).toBe(OK)
    expect({ version: h.version, protocol: h.protocol, checksum: h.checksum, key: h.key, sequence: h.sequence, ack: h.ack }).toEqual(f)
  })
})

describe('geneve', () => {
  // vxlan-inside-geneve-inner-dns-snaplen176.pcap frame 1 at byte 42: 00 00 08 00 | 00 10 92 00 -> IPv4, VNI 4242, no options
  const BYTES = fromHex('00000800 00109200 4500')

  it('reads the fixed header', () => {
    const h = geneve.create()
    expect(geneve.decode(BYTES, 0, BYTES.length, h)).toBe(OK)
    expect(geneve.toRecord(h)).toEqual({ type: 'geneve', vni: 4242, protocol: 0x0800, optionsLength: 0 })
    expect(h.payloadOffset).toBe(8)
  })

  it('skips options by their length and reports options cut short', () => {
    const f: geneve.Fields = { version: 0, optionsLength: 8, oam: false, critical: true, protocol: 0x6558, vni: 9 }
    const b = new Uint8Array(16 + 2)
    geneve.encode(f, b, 0)
    const h = geneve.create()
    expect(geneve.decode(b, 0, b.length, h)).toBe(OK)
    expect([h.payloadOffset, h.critical, h.protocol]).toEqual([16, true, 0x6558])
    expect(geneve.decode(b, 0, 12, geneve.create())).toMatchObject({ kind: 'truncated', need: 16, have: 12 })
    for (let n = 0; n < 8; n++) expect(geneve.decode(b, 0, n, geneve.create())).toMatchObject({ kind: 'truncated', need: 8, have: n })
  })

  it('rejects an unknown version (RFC 8926 §3.4)', () => {
    expect(geneve.decode(fromHex('40000800 00000100'), 0, 8, geneve.create())).toMatchObject({ kind: 'malformed', field: 'version', value: 1 })
  })
})

describe('erspan', () => {
  // vxlan-inside-gre-erspan-http.pcap frame 1 at byte 42: 10 00 00 14 | 00 00 00 01 -> ver 1 (type II), VLAN 0, session 20
  const BYTES = fromHex('10000014 00000001 ffddffff')

  it('reads a type II header', () => {
    const h = erspan.create()
    expect(erspan.decode(BYTES, 0, BYTES.length, h, 2)).toBe(OK)
    expect(erspan.toRecord(h)).toEqual({ type: 'erspan', version: 1, vlan: 0, sessionId: 20 })
    expect(h.payloadOffset).toBe(8)
  })

  it('has no header for type I and a 12- or 20-byte one for type III', () => {
    const h = erspan.create()
    expect(erspan.decode(BYTES, 0, BYTES.length, h, 1)).toBe(OK)
    expect(h.payloadOffset).toBe(0)
    const t3 = new Uint8Array(24)
    erspan.encode({ version: 2, vlan: 10, sessionId: 3 }, t3, 0)
    expect(erspan.decode(t3, 0, 24, h, 3)).toBe(OK)
    expect([h.version, h.vlan, h.sessionId, h.payloadOffset]).toEqual([2, 10, 3, 12])
    t3[11] = 1 // O bit: an 8-byte platform sub-header follows
    expect(erspan.decode(t3, 0, 24, h, 3)).toBe(OK)
    expect(h.payloadOffset).toBe(20)
  })

  it('rejects a version that does not match the GRE protocol and reports truncation', () => {
    expect(erspan.decode(BYTES, 0, BYTES.length, erspan.create(), 3)).toMatchObject({ kind: 'malformed', field: 'version', value: 1 })
    for (let n = 0; n < 8; n++) expect(erspan.decode(BYTES, 0, n, erspan.create(), 2)).toMatchObject({ kind: 'truncated', need: 8, have: n })
  })
})
