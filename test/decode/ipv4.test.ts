import { describe, expect, it } from 'vitest'

import { OK, type Decoded, type DecodeIssue } from '../../src/decode/issue.js'
import * as ipv4 from '../../src/decode/ipv4.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { seededRandom } from '../support/random.js'

const decodeAt = layerDecodeAt(ipv4)

// ipv4-fragments-overlapping-tcp.pcap frame 5 (82 bytes, Ethernet): a middle fragment of a TCP segment.
//   0000  00 01 30 24 9d 00 00 b0 d0 e4 13 11 08 00        Ethernet, type 0x0800
//   000e  45 10 00 44 00 00 20 03 ff 06 e2 f1              v4 ihl=5 tos=0x10 len=68 id=0 MF off=3 (24 bytes) ttl=255 proto=6 csum
//   001a  80 20 2e 8e 0a 00 00 01                          128.32.46.142 -> 10.0.0.1
//   0022  2f 6d 73 61 ... (48 bytes of fragment data)
// Oracle PKT: ip_ttl=255 ip_id=0 ip_df=false ip_mf=true ip_off=24, frag mf=1,off=3.
const FRAGMENT = fromHex(`
  000130249d0000b0d0e413110800
  451000440000 2003ff06e2f1 80202e8e0a000001
  2f6d736164632f2e2e2532662e2e2f2e2e2532662e2e2f2e524b4e575572646f6f4d2b57736b4f324969414c51544900`)

// linktype-sll-nsec-magic-tcp-handshake.pcap frame 1 (76 bytes, Linux SLL): a TCP SYN with DF.
//   0000  00 04 02 00 00 00 00 00 00 00 00 00 00 00 08 00 SLL, protocol 0x0800
//   0010  45 00 00 3c 29 a9 40 00 40 06 db 5f              v4 ihl=5 len=60 id=10665 DF ttl=64 proto=6
//   001c  83 9b d7 45 89 74 51 5e                          131.155.215.69 -> 137.116.81.94
//   0024  b6 40 00 50 ... (40-byte TCP header)
// Oracle PKT: ip_ttl=64 ip_id=10665 ip_df=true ip_mf=false ip_off=0.
const SYN_SLL = fromHex(`
  00040200000000000000000000000800
  4500003c29a940004006db5f839bd7458974515e
  b64000502f842acb00000000a0026a4050c40000020405500402080a436a03620000000001030307`)

// dns-tcp-a-query-response.pcap frame 2 (60 bytes): Total Length 44 ends at byte 58, the last 2 bytes are
// Ethernet padding (the minimum frame is 60 bytes without the FCS).
//   000e  45 00 00 2c 00 2e 00 00 80 06 ae 80 d1 57 f9 12 c0 a8 01 0b   len=44 id=46 ttl=128 proto=6
//   0022  ... 24-byte TCP SYN-ACK ...                                      0036  00 00  padding
// Oracle PKT: ip_ttl=128 ip_id=46 ip_df=false ip_mf=false ip_off=0.
const PADDED = fromHex(`
  0011223344550011223344660800
  4500002c002e00008006ae80d157f912c0a8010b
  003583f379d2491323fec80d6012faf0dded0000020405b4
  0000`)

// Built by hand (no capture in the corpus carries IPv4 options): an IGMPv2 report's header with
// IHL 6 and the Router Alert option (RFC 2113), as every IGMPv2 sender writes it.
//   0000  46 c0 00 20 00 00 40 00 01 02 41 04 0a 00 00 05 e0 00 00 16   ihl=6 len=32 DF ttl=1 proto=2
//   0014  94 04 00 00                                                    option 148 (Router Alert), length 4
//   0018  16 00 fa 04 e0 00 00 16                                        IGMP
const ROUTER_ALERT = fromHex(`
  46c0002000004000010241040a000005e0000016
  94040000
  1600fa04e0000016`)

describe('ipv4.decode: known bytes', () => {
  it('reads every field of a middle fragment (offset in bytes, MF)', () => {
    const { result, header } = decodeAt(FRAGMENT, 14)
    expect(result).toBe(OK)
    expect(header).toEqual({
      version: 4, ihl: 5, tos: 0x10, totalLength: 68, id: 0, reserved: false, df: false, mf: true,
      fragmentOffset: 24, ttl: 255, protocol: 6, checksum: 0xe2f1, src: 0x80202e8e, dst: 0x0a000001,
      headerLength: 20, options: [], tso: false, payloadOffset: 34, payloadEnd: 82, declaredEnd: 82,
    } satisfies ipv4.Header)
    expect(ipv4.isFragment(header)).toBe(true)
    expect(ipv4.toRecord(header)).toEqual({
      type: 'ipv4', src: '128.32.46.142', dst: '10.0.0.1', proto: 6, ttl: 255, id: 0, df: false, mf: true,
      fragmentOffset: 24, headerLength: 20, totalLength: 68, options: [],
    })
    expect(ipv4.describe(header)).toBe('IPv4 128.32.46.142 -> 10.0.0.1 proto=6 ttl=255 id=0 len=68 frag=24+')
  })

  it('reads a whole datagram with DF behind a Linux cooked header', () => {
    const { result, header } = decodeAt(SYN_SLL, 16)
    expect(result).toBe(OK)
    expect(header).toEqual({
      version: 4, ihl: 5, tos: 0, totalLength: 60, id: 10665, reserved: false, df: true, mf: false,
      fragmentOffset: 0, ttl: 64, protocol: 6, checksum: 0xdb5f, src: 0x839bd745, dst: 0x8974515e,
      headerLength: 20, options: [], tso: false, payloadOffset: 36, payloadEnd: 76, declaredEnd: 76,
    } satisfies ipv4.Header)
    expect(ipv4.isFragment(header)).toBe(false)
    expect(ipv4.toRecord(header)).toMatchObject({ src: '131.155.215.69', dst: '137.116.81.94', df: true, mf: false })
  })

  it('keeps option type numbers, with the header length in bytes', () => {
    const { result, header } = decodeAt(ROUTER_ALERT, 0)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ ihl: 6, headerLength: 24, options: [148], payloadOffset: 24, payloadEnd: 32, ttl: 1, protocol: 2 })
    expect(ipv4.toRecord(header)).toEqual({
      type: 'ipv4', src: '10.0.0.5', dst: '224.0.0.22', proto: 2, ttl: 1, id: 0, df: true, mf: false,
      fragmentOffset: 0, headerLength: 24, totalLength: 32, options: [148],
    })
  })

  it('skips NOPs, stops at EOL, and walks options of every length up to the header end', () => {
    // ihl=15: NOP, type 7 (record route, length 11), NOP, type 68 (timestamp, length 8), type 130 (length 3),
    // EOL, then padding that is not read (a bogus "length 0" after EOL is not an option).
    const opts = new Uint8Array(40)
    opts.set([1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1, 68, 8, 5, 0, 0, 0, 0, 0, 130, 3, 9, 0, 0, 0x44, 0])
    const bytes = new Uint8Array(60)
    ipv4.encode({ ...fieldsOf(decodeAt(FRAGMENT, 14).header), ihl: 15, totalLength: 60 }, bytes, 0, opts)
    const { result, header } = decodeAt(bytes, 0)
    expect(result).toBe(OK)
    expect(header.options).toEqual([7, 68, 130])
    expect(header.headerLength).toBe(60)
  })

  it('reuses the options array: a header without options empties it', () => {
    const header = ipv4.create()
    const options = header.options
    expect(ipv4.decode(ROUTER_ALERT, 0, ROUTER_ALERT.length, header)).toBe(OK)
    expect(header.options).toEqual([148])
    expect(ipv4.decode(SYN_SLL, 16, SYN_SLL.length, header)).toBe(OK)
    expect(header.options).toEqual([])
    expect(header.options).toBe(options)
  })

  it('gives the record its own copy of the options', () => {
    const { header } = decodeAt(ROUTER_ALERT, 0)
    const record = ipv4.toRecord(header)
    header.options.length = 0
    expect(record.options).toEqual([148])
  })
})

describe('ipv4.decode: truncation', () => {
  it('reports a truncated header for every length short of 20 bytes', () => {
    for (let have = 0; have < ipv4.HEADER_LEN; have++) {
      const { result } = decodeAt(SYN_SLL, 16, 16 + have)
      expect(result).toEqual({
        ok: false, kind: 'truncated', layer: 'ipv4', part: 'header', need: 20, have, lenSource: 'capture', offset: 16,
      })
    }
  })

  it('reports a truncated header for every length short of IHL x 4 when there are options', () => {
    for (let have = 20; have < 24; have++) {
      const { result } = decodeAt(ROUTER_ALERT, 0, have)
      expect(result).toEqual({
        ok: false, kind: 'truncated', layer: 'ipv4', part: 'header', need: 24, have, lenSource: 'capture', offset: 0,
      })
    }
  })

  it('names the length that ran out (an enclosing layer, e.g. an ICMP quote)', () => {
    const { result } = decodeAt(SYN_SLL, 16, 30, 'quoted')
    expect(result).toMatchObject({ kind: 'truncated', part: 'header', need: 20, have: 14, lenSource: 'quoted' })
  })

  it('matches trunc-ipv4-header-cut.pcap: 6 bytes of a 20-byte header', () => {
    // 0000  00 10 db 88 d2 ef c8 bc c8 96 d2 a0 08 00 | 45 00 00 20 00 01   (caplen 20 of 46)
    const bytes = fromHex('0010db88d2efc8bcc896d2a00800 450000200001')
    expect(decodeAt(bytes, 14).result).toEqual({
      ok: false, kind: 'truncated', layer: 'ipv4', part: 'header', need: 20, have: 6, lenSource: 'capture', offset: 14,
    })
  })
})

describe('ipv4.decode: forbidden values', () => {
  function withByte(base: Uint8Array, at: number, value: number): Uint8Array {
    const b = base.slice()
    b[at] = value
    return b
  }
  function withBytes(base: Uint8Array, at: number, values: number[]): Uint8Array {
    const b = base.slice()
    b.set(values, at)
    return b
  }
  // ROUTER_ALERT with its 4 option bytes replaced.
  const opt = (values: number[]) => withBytes(ROUTER_ALERT, 20, values)

  // [name, bytes, where the IPv4 header starts, the issue]
  const rows: Array<[string, Uint8Array, number, DecodeIssue]> = [
    ['version 0', withByte(SYN_SLL, 16, 0x05), 16, mal('version', 0, '4', 16)],
    ['version 6', withByte(SYN_SLL, 16, 0x65), 16, mal('version', 6, '4', 16)],
    ['version 15', withByte(SYN_SLL, 16, 0xf5), 16, mal('version', 15, '4', 16)],
    ['IHL 0', withByte(SYN_SLL, 16, 0x40), 16, mal('ihl', 0, '>= 5 (32-bit words)', 16)],
    ['IHL 4', withByte(SYN_SLL, 16, 0x44), 16, mal('ihl', 4, '>= 5 (32-bit words)', 16)],
    ['total length 1', withBytes(SYN_SLL, 18, [0, 1]), 16, mal('totalLength', 1, '>= 20 (the header length)', 16)],
    ['total length 19', withBytes(SYN_SLL, 18, [0, 19]), 16, mal('totalLength', 19, '>= 20 (the header length)', 16)],
    ['total length 23 < IHL 6', withBytes(ROUTER_ALERT, 2, [0, 23]), 0, mal('totalLength', 23, '>= 24 (the header length)', 0)],
    ['option length 0', opt([0x94, 0, 0, 0]), 0, mal('options', 0, '>= 2 (option length)', 20)],
    ['option length 1', opt([0x94, 1, 0, 0]), 0, mal('options', 1, '>= 2 (option length)', 20)],
    ['option length past the header', opt([0x94, 5, 0, 0]), 0, mal('options', 5, '<= 4 (bytes left in the header)', 20)],
    ['option overrun after a NOP', opt([1, 0x94, 4, 0]), 0, mal('options', 4, '<= 3 (bytes left in the header)', 21)],
    ['option without its length byte', opt([1, 1, 1, 0x83]), 0, mal('options', 0x83, 'a length byte inside the header', 23)],
  ]
  for (const [name, bytes, start, issue] of rows) {
    it(`rejects ${name}`, () => {
      expect(decodeAt(bytes, start).result).toEqual(issue)
    })
  }

  function mal(field: string, value: number, expected: string, offset: number): DecodeIssue {
    return { ok: false, kind: 'malformed', layer: 'ipv4', field, value, expected, offset }
  }
})

describe('ipv4.decode: payload bounds', () => {
  it('ends the datagram at Total Length: Ethernet padding is not payload', () => {
    const { result, header } = decodeAt(PADDED, 14)
    expect(result).toBe(OK)
    expect(PADDED.length).toBe(60)
    expect([header.payloadOffset, header.payloadEnd, header.declaredEnd]).toEqual([34, 58, 58])
    expect([header.ttl, header.id, header.df, header.mf, header.fragmentOffset]).toEqual([128, 46, false, false, 0])
  })

  it('cuts the payload at the captured end and says which length ran out', () => {
    const { result, header } = decodeAt(FRAGMENT, 14, 50)
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'ipv4', part: 'payload', need: 68, have: 36, lenSource: 'capture', offset: 14,
    })
    // The header is kept: declaredEnd still says where the datagram ends (tshark's tcp.len counts to it).
    expect([header.payloadOffset, header.payloadEnd, header.declaredEnd]).toEqual([34, 50, 82])
    expect(header.mf).toBe(true)
  })

  it('passes the enclosing length source on to a payload issue', () => {
    const { result } = decodeAt(FRAGMENT, 14, 60, 'reassembly')
    expect(result).toMatchObject({ part: 'payload', need: 68, have: 46, lenSource: 'reassembly' })
  })

  it('takes Total Length 0 as TSO/GSO on the capturing host: up to the captured end, not malformed', () => {
    const bytes = SYN_SLL.slice()
    bytes[18] = 0
    bytes[19] = 0
    const { result, header } = decodeAt(bytes, 16)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ totalLength: 0, tso: true, payloadOffset: 36, payloadEnd: 76, declaredEnd: 76 })
    expect(ipv4.describe(header)).toContain('len=tso')
    // The next packet decoded into the same header clears the flag.
    expect(ipv4.decode(SYN_SLL, 16, SYN_SLL.length, header)).toBe(OK)
    expect(header.tso).toBe(false)
  })

  it('accepts a header with no payload at all', () => {
    const bytes = ROUTER_ALERT.slice(0, 24)
    bytes[3] = 24
    const { result, header } = decodeAt(bytes, 0)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([24, 24])
  })

  it('flags the last fragment (offset > 0, no MF) as a fragment too', () => {
    const { header } = decodeAt(FRAGMENT, 14)
    header.mf = false
    expect(ipv4.isFragment(header)).toBe(true)
    header.fragmentOffset = 0
    expect(ipv4.isFragment(header)).toBe(false)
  })
})

function fieldsOf(h: ipv4.Header): ipv4.Fields {
  const { headerLength, options, tso, payloadOffset, payloadEnd, declaredEnd, ...fields } = h
  return fields
}

describe('ipv4.encode', () => {
  it('round-trips through decode at a non-zero offset, options included', () => {
    const fields: ipv4.Fields = {
      version: 4, ihl: 7, tos: 0xb8, totalLength: 36, id: 0xbeef, reserved: true, df: false, mf: true,
      fragmentOffset: 1480, ttl: 63, protocol: 17, checksum: 0x1234, src: 0xc0a80001, dst: 0xfffffffe,
    }
    const options = [1, 0x94, 4, 0, 0, 1, 0, 0] // NOP, Router Alert, NOP, EOL, padding
    const bytes = new Uint8Array(5 + ipv4.encodingLength(options) + 8)
    const end = ipv4.encode(fields, bytes, 5, options)
    expect(end).toBe(5 + 28)
    expect(ipv4.encodingLength(options)).toBe(28)

    const header = ipv4.create()
    expect(ipv4.decode(bytes, 5, bytes.length, header)).toBe(OK)
    expect(fieldsOf(header)).toEqual(fields)
    expect(header).toMatchObject({ headerLength: 28, options: [0x94], payloadOffset: 33, payloadEnd: 41, declaredEnd: 41 })
  })

  it('re-encodes captured bytes exactly', () => {
    const { header } = decodeAt(SYN_SLL, 16)
    const bytes = new Uint8Array(20)
    ipv4.encode(fieldsOf(header), bytes, 0)
    expect(bytes).toEqual(SYN_SLL.subarray(16, 36))
  })

  it('writes forbidden values as given', () => {
    const fields: ipv4.Fields = { ...fieldsOf(decodeAt(SYN_SLL, 16).header), version: 7 }
    const bytes = new Uint8Array(ipv4.encodingLength())
    ipv4.encode(fields, bytes, 0)
    expect(bytes[0]).toBe(0x75)
    expect(decodeAt(bytes, 0).result).toMatchObject({ kind: 'malformed', field: 'version', value: 7 })
    ipv4.encode({ ...fields, version: 4, ihl: 3 }, bytes, 0)
    expect(decodeAt(bytes, 0).result).toMatchObject({ kind: 'malformed', field: 'ihl', value: 3 })
  })
})

describe('ipv4.decode: no-throw fuzz', () => {
  it('never throws on mutated and random input, and every issue lies inside the buffer', () => {
    const random = seededRandom(0x49505634)
    const bases: Array<[Uint8Array, number]> = [[FRAGMENT, 14], [SYN_SLL, 16], [PADDED, 14], [ROUTER_ALERT, 0]]
    const header = ipv4.create()
    const failures: string[] = []
    for (let i = 0; i < 20_000 && failures.length < 5; i++) {
      let bytes: Uint8Array
      let offset = 0
      if (i % 4 === 0) {
        bytes = new Uint8Array(Math.floor(random() * 80))
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256)
        if (bytes.length > 0 && random() < 0.8) bytes[0] = 0x40 | (bytes[0]! & 0x0f) // mostly version 4
      } else {
        const [base, start] = bases[i % bases.length]!
        bytes = base.slice()
        offset = start
        for (let f = 1 + Math.floor(random() * 4); f > 0; f--) {
          bytes[offset + Math.floor(random() * Math.min(60, bytes.length - offset))] = Math.floor(random() * 256)
        }
      }
      const end = offset + Math.floor(random() * (bytes.length - offset + 1))
      const input = `${Buffer.from(bytes).toString('hex')} @${offset}..${end}`
      let result: Decoded
      try {
        result = ipv4.decode(bytes, offset, end, header)
      } catch (e) {
        failures.push(`threw ${String(e)}: ${input}`)
        continue
      }
      if (result.ok) {
        if (!(header.payloadOffset <= header.payloadEnd && header.payloadEnd <= end)) failures.push(`bounds: ${input}`)
      } else if (result.offset < 0 || result.offset > end) {
        failures.push(`issue offset ${result.offset}: ${input}`)
      }
    }
    expect(failures).toEqual([])
  })
})
