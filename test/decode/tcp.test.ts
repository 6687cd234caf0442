import { describe, expect, it } from 'vitest'

import { OK, type Decoded, type DecodeIssue } from '../../src/decode/issue.js'
import type { TcpOptionsRecord } from '../../src/decode/record.js'
import * as tcp from '../../src/decode/tcp.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { seededRandom } from '../support/random.js'

const decodeAt = layerDecodeAt(tcp)

// linktype-sll-nsec-magic-tcp-handshake.pcap frame 1 (76 bytes, Linux SLL + IPv4): a Linux SYN.
//   0000  00 04 02 00 ... 08 00 | 45 00 00 3c ... (SLL 16 bytes, IPv4 20 bytes, total length 60)
//   0024  b6 40 00 50                    46656 -> 80
//   0028  2f 84 2a cb 00 00 00 00        seq=797190859 ack=0
//   0030  a0 02 6a 40 50 c4 00 00        data offset 10 (40 bytes), flags SYN, window 27200, csum, urgent 0
//   0038  02 04 05 50                    MSS 1360
//   003c  04 02                          SACK permitted
//   003e  08 0a 43 6a 03 62 00 00 00 00  timestamps 1131021154 / 0
//   0048  01 03 03 07                    NOP, window scale 7
// Oracle PKT: tcp_seq=797190859 tcp_ack=0 tcp_flags=2 tcp_win=27200 tcp_len=0.
const SYN_SLL = fromHex(`
  00040200000000000000000000000800 4500003c29a940004006db5f839bd7458974515e
  b6400050 2f842acb00000000 a0026a4050c40000
  02040550 0402 080a436a036200000000 01030307`)

// The same capture, frame 3 (68 bytes): the handshake's final ACK, timestamps only.
//   0024  b6 40 00 50 2f 84 2a cc b7 83 9f 91   seq=797190860 ack=3078856593
//   0030  80 10 00 d5 d4 0c 00 00              data offset 8 (32 bytes), ACK, window 213
//   0038  01 01 08 0a 43 6a 03 82 0d f5 af 50  NOP NOP timestamps 1131021186 / 234205008
// Oracle PKT: tcp_seq=797190860 tcp_ack=3078856593 tcp_flags=16 tcp_win=213 tcp_len=0.
const ACK_SLL = fromHex(`
  00040200000000000000000000000800 4500003429aa40004006db66839bd7458974515e
  b64000502f842accb7839f91801000d5d40c0000
  0101080a436a03820df5af50`)

// bgp-session-tcp-md5-open-keepalive.pcap frame 1 (78 bytes, Ethernet + IPv4): a BGP SYN signed with TCP MD5.
//   0022  64 dc 00 b3 9f 49 77 8a 00 00 00 00  25820 -> 179 seq=2672392074 ack=0
//   002e  b0 02 40 00 69 55 00 00              data offset 11 (44 bytes), SYN, window 16384
//   0036  02 04 05 a0                          MSS 1440
//   003a  13 12 8b 9b b7 93 ... 9e 88          kind 19 (MD5 signature), length 18
//   004c  00 00                                EOL, padding
// Oracle PKT: tcp_seq=2672392074 tcp_ack=0 tcp_flags=2 tcp_win=16384 tcp_len=0.
const MD5_SYN = fromHex(`
  c2024f3d0000c2014f3d00000800 45c00040a80700000106c79cc0a86401c0a86402
  64dc00b39f49778a00000000b002400069550000
  020405a0 13128b9bb7931de55ab93223f5b043dc9e88 0000`)

// dns-tcp-a-query-response.pcap frame 2 (60 bytes): a SYN-ACK whose IPv4 Total Length (44) ends at
// byte 58; the last 2 bytes are Ethernet padding.
//   0022  00 35 83 f3 79 d2 49 13 23 fe c8 0d 60 12 fa f0 dd ed 00 00   data offset 6, SYN+ACK, window 64240
//   0036  02 04 05 b4                                                    MSS 1460
//   003a  00 00                                                          Ethernet padding
// Oracle PKT: tcp_seq=2043824403 tcp_ack=603899917 tcp_flags=18 tcp_win=64240 tcp_len=0.
const SYNACK_PADDED = fromHex(`
  0011223344550011223344660800 4500002c002e00008006ae80d157f912c0a8010b
  003583f379d2491323fec80d6012faf0dded0000 020405b4
  0000`)

describe('tcp.decode: known bytes', () => {
  it('reads every field and option of a Linux SYN', () => {
    const { result, header } = decodeAt(SYN_SLL, 36)
    expect(result).toBe(OK)
    expect(header).toEqual({
      srcPort: 46656, dstPort: 80, seq: 797190859, ack: 0, dataOffset: 10, reserved: 0, ae: false, flags: tcp.Flag.SYN,
      window: 27200, checksum: 0x50c4, urgent: 0,
      headerLength: 40, mss: 1360, windowScale: 7, sackPermitted: true, sack: [],
      hasTimestamps: true, tsVal: 1131021154, tsEcr: 0, md5: false,
      payloadOffset: 76, payloadEnd: 76, payloadLength: 0,
    } satisfies tcp.Header)
    expect(tcp.toRecord(header)).toEqual({
      type: 'tcp', srcPort: 46656, dstPort: 80, seq: 797190859, ack: 0, flags: 2, window: 27200, payloadLength: 0,
      headerLength: 40, options: { mss: 1360, windowScale: 7, sackPermitted: true, timestamp: [1131021154, 0] },
    })
    expect(tcp.describe(header)).toBe('TCP 46656 -> 80 [SYN] seq=797190859 ack=0 win=27200 len=0')
  })

  it('reads the final ACK of the handshake', () => {
    const { result, header } = decodeAt(ACK_SLL, 36)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      seq: 797190860, ack: 3078856593, dataOffset: 8, flags: tcp.Flag.ACK, window: 213, headerLength: 32,
      mss: -1, windowScale: -1, sackPermitted: false, hasTimestamps: true, tsVal: 1131021186, tsEcr: 234205008,
      payloadOffset: 68, payloadEnd: 68, payloadLength: 0,
    })
    expect(tcp.toRecord(header).options).toEqual({ timestamp: [1131021186, 234205008] })
  })

  it('recognises the MD5 signature option (kind 19) of a BGP session', () => {
    const { result, header } = decodeAt(MD5_SYN, 34)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      srcPort: 25820, dstPort: 179, seq: 2672392074, ack: 0, dataOffset: 11, flags: 2, window: 16384,
      headerLength: 44, mss: 1440, md5: true, hasTimestamps: false, payloadOffset: 78, payloadLength: 0,
    })
    expect(tcp.toRecord(header)).toEqual({
      type: 'tcp', srcPort: 25820, dstPort: 179, seq: 2672392074, ack: 0, flags: 2, window: 16384, payloadLength: 0,
      headerLength: 44, options: { mss: 1440, md5: true },
    })
  })

  it('reads a SYN-ACK; the payload ends where IPv4 says, not at the padded frame end', () => {
    const { result, header } = decodeAt(SYNACK_PADDED, 34, 58, 'ipv4.totalLength')
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      seq: 2043824403, ack: 603899917, flags: tcp.Flag.SYN | tcp.Flag.ACK, window: 64240, mss: 1460,
      payloadOffset: 58, payloadEnd: 58, payloadLength: 0,
    })
    expect(tcp.describe(header)).toBe('TCP 53 -> 33779 [SYN,ACK] seq=2043824403 ack=603899917 win=64240 len=0')
  })

  it('resets every reused option field on the next decode', () => {
    const header = tcp.create()
    const sack = header.sack
    const withSack = sackSegment([[1, 2]])
    expect(tcp.decode(withSack, 0, withSack.length, header)).toBe(OK)
    expect(header.sack).toEqual([1, 2])
    expect(tcp.decode(SYN_SLL, 36, SYN_SLL.length, header)).toBe(OK)
    expect(tcp.decode(MD5_SYN, 34, MD5_SYN.length, header)).toBe(OK)
    expect(header).toMatchObject({ mss: 1440, windowScale: -1, sackPermitted: false, sack: [], hasTimestamps: false, tsVal: 0, tsEcr: 0, md5: true })
    expect(header.sack).toBe(sack)
    expect(tcp.decode(ACK_SLL, 36, ACK_SLL.length, header)).toBe(OK)
    expect(header).toMatchObject({ mss: -1, md5: false, hasTimestamps: true })
  })
})

/** A bare ACK segment at offset 0 carrying `options` (padded with EOL to 4 bytes). */
function segment(options: number[], flags: number = tcp.Flag.ACK): Uint8Array {
  const padded = [...options]
  while (padded.length % 4 !== 0) padded.push(0)
  const fields: tcp.Fields = {
    srcPort: 1, dstPort: 2, seq: 3, ack: 4, dataOffset: 5 + padded.length / 4, reserved: 0, ae: false, flags,
    window: 5, checksum: 6, urgent: 0,
  }
  const bytes = new Uint8Array(tcp.encodingLength(padded))
  tcp.encode(fields, bytes, 0, padded)
  return bytes
}
function sackSegment(blocks: Array<[number, number]>): Uint8Array {
  return segment([...tcp.encodeOptions({ sack: blocks })])
}

describe('tcp.decode: options', () => {
  it('reads SACK blocks as raw sequence number pairs', () => {
    const { result, header } = decodeAt(sackSegment([[0xfffffff0, 0x10], [100, 200], [300, 400]]), 0)
    expect(result).toBe(OK)
    expect(header.sack).toEqual([0xfffffff0, 0x10, 100, 200, 300, 400])
    expect(tcp.optionsRecord(header)).toEqual({ sack: [[0xfffffff0, 0x10], [100, 200], [300, 400]] })
  })

  it('skips unknown kinds by length (not an error)', () => {
    // MPTCP (30, length 4), TCP Fast Open cookie (34, length 2), an unassigned kind 200 of length 6, then MSS.
    const { result, header } = decodeAt(segment([30, 4, 0x10, 0x01, 34, 2, 200, 6, 1, 2, 3, 4, 2, 4, 0x05, 0xb4]), 0)
    expect(result).toBe(OK)
    expect(header.mss).toBe(1460)
  })

  it('skips a known option whose length is not its fixed size, and reads on', () => {
    const { result, header } = decodeAt(segment([
      2, 6, 0x05, 0xb4, 0, 0, // MSS of length 6
      3, 4, 7, 0, // window scale of length 4
      4, 3, 0, // SACK permitted of length 3
      8, 6, 0, 0, 0, 1, // timestamps of length 6
      5, 7, 0, 0, 0, 1, 0, // SACK of length 7 (not 2 + 8n)
      19, 4, 0, 0, // MD5 of length 4
      2, 4, 0x02, 0x18, // a good MSS: 536
    ]), 0)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ mss: 536, windowScale: -1, sackPermitted: false, hasTimestamps: false, sack: [], md5: false })
  })

  it('stops at EOL: what follows is padding, even if it looks like a bad option', () => {
    const { result, header } = decodeAt(segment([1, 0, 2, 0, 99, 1]), 0)
    expect(result).toBe(OK)
    expect(header.mss).toBe(-1)
  })
})

describe('tcp.decode: truncation', () => {
  it('reports a truncated header for every length short of 20 bytes', () => {
    for (let have = 0; have < tcp.HEADER_LEN; have++) {
      expect(decodeAt(MD5_SYN, 34, 34 + have, 'ipv4.totalLength').result).toEqual({
        ok: false, kind: 'truncated', layer: 'tcp', part: 'header', need: 20, have, lenSource: 'ipv4.totalLength', offset: 34,
      })
    }
  })

  it('reports a truncated header for every length short of the data offset', () => {
    for (let have = 20; have < 44; have++) {
      expect(decodeAt(MD5_SYN, 34, 34 + have).result).toEqual({
        ok: false, kind: 'truncated', layer: 'tcp', part: 'header', need: 44, have, lenSource: 'capture', offset: 34,
      })
    }
  })
})

describe('tcp.decode: forbidden values', () => {
  function mal(field: string, value: number, expected: string, offset: number): DecodeIssue {
    return { ok: false, kind: 'malformed', layer: 'tcp', field, value, expected, offset }
  }
  // SYN_SLL's options span bytes 56..76; each row replaces some of them.
  function withBytes(at: number, values: number[]): Uint8Array {
    const b = SYN_SLL.slice()
    b.set(values, at)
    return b
  }
  const rows: Array<[string, Uint8Array, DecodeIssue]> = [
    ...[0, 1, 2, 3, 4].map((d): [string, Uint8Array, DecodeIssue] =>
      [`data offset ${d}`, withBytes(48, [d << 4]), mal('dataOffset', d, '>= 5 (32-bit words)', 36)]),
    ['MSS option length 0', withBytes(56, [2, 0]), mal('options', 0, '>= 2 (option length)', 56)],
    ['MSS option length 1', withBytes(56, [2, 1]), mal('options', 1, '>= 2 (option length)', 56)],
    ['unknown option length 0', withBytes(60, [99, 0]), mal('options', 0, '>= 2 (option length)', 60)],
    ['option running past the header', withBytes(73, [3, 4, 7]), mal('options', 4, '<= 3 (bytes left in the header)', 73)],
    ['SACK block list running past the header', withBytes(72, [5, 10, 0, 0]), mal('options', 10, '<= 4 (bytes left in the header)', 72)],
    ['option without its length byte', withBytes(73, [1, 1, 3]), mal('options', 3, 'a length byte inside the header', 75)],
  ]
  for (const [name, bytes, issue] of rows) {
    it(`rejects ${name}`, () => {
      expect(decodeAt(bytes, 36).result).toEqual(issue)
    })
  }
})

describe('tcp.decode: payload bounds', () => {
  it('runs the payload to the end the enclosing layer gives', () => {
    // Pretend the IPv4 layer said the segment ends 10 bytes past the header (the frame has them).
    const bytes = new Uint8Array(SYN_SLL.length + 10)
    bytes.set(SYN_SLL)
    const { result, header } = decodeAt(bytes, 36, 86, 'ipv4.totalLength')
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd, header.payloadLength]).toEqual([76, 86, 10])
  })

  it('counts only captured payload bytes (the frame loop overwrites payloadLength from the IP length)', () => {
    const bytes = new Uint8Array(SYN_SLL.length + 10)
    bytes.set(SYN_SLL)
    const { result, header } = decodeAt(bytes, 36, 80)
    expect(result).toBe(OK)
    expect(header.payloadLength).toBe(4)
  })

  it('would count Ethernet padding as payload if given the frame end: the IP end must be passed', () => {
    expect(decodeAt(SYNACK_PADDED, 34).header.payloadLength).toBe(2)
    expect(decodeAt(SYNACK_PADDED, 34, 58).header.payloadLength).toBe(0)
  })
})

function fieldsOf(h: tcp.Header): tcp.Fields {
  const { srcPort, dstPort, seq, ack, dataOffset, reserved, ae, flags, window, checksum, urgent } = h
  return { srcPort, dstPort, seq, ack, dataOffset, reserved, ae, flags, window, checksum, urgent }
}

describe('tcp.encode', () => {
  const cases: Array<[string, TcpOptionsRecord]> = [
    ['a SYN', { mss: 1460, windowScale: 7, sackPermitted: true, timestamp: [0xffffffff, 0] }],
    ['a SACK', { sack: [[1000, 2000], [0xfffff000, 5]], timestamp: [1, 2] }],
    ['an MD5-signed SYN', { mss: 536, md5: true }],
    ['no options', {}],
  ]
  for (const [name, options] of cases) {
    it(`round-trips ${name} through decode at a non-zero offset`, () => {
      const optionBytes = tcp.encodeOptions(options)
      expect(optionBytes.length % 4).toBe(0)
      const fields: tcp.Fields = {
        srcPort: 49152, dstPort: 443, seq: 0xfedcba98, ack: 0x01234567, dataOffset: 5 + optionBytes.length / 4,
        reserved: 5, ae: true, flags: 0xff, window: 65535, checksum: 0xabcd, urgent: 0x8000,
      }
      const bytes = new Uint8Array(3 + tcp.encodingLength(optionBytes) + 7)
      const end = tcp.encode(fields, bytes, 3, optionBytes)
      expect(end).toBe(3 + 20 + optionBytes.length)

      const header = tcp.create()
      expect(tcp.decode(bytes, 3, bytes.length, header)).toBe(OK)
      expect(fieldsOf(header)).toEqual(fields)
      expect(tcp.optionsRecord(header)).toEqual(options)
      expect([header.payloadOffset, header.payloadEnd, header.payloadLength]).toEqual([end, end + 7, 7])
      // The record's flags are tshark's 12 bits: reserved 5 << 9, AE 256, the 8 flags.
      expect(tcp.toRecord(header).flags).toBe((5 << 9) | 0x100 | 0xff)
      expect(tcp.flags12(header)).toBe(0xbff)
    })
  }

  it('re-encodes captured bytes exactly', () => {
    const { header } = decodeAt(SYN_SLL, 36)
    const bytes = new Uint8Array(40)
    tcp.encode(fieldsOf(header), bytes, 0, SYN_SLL.subarray(56, 76))
    expect(bytes).toEqual(SYN_SLL.subarray(36, 76))
  })

  it('writes forbidden values as given', () => {
    const bytes = new Uint8Array(20)
    tcp.encode({ ...fieldsOf(decodeAt(SYN_SLL, 36).header), dataOffset: 3 }, bytes, 0)
    expect(bytes[12]).toBe(0x30)
    expect(decodeAt(bytes, 0).result).toMatchObject({ kind: 'malformed', field: 'dataOffset', value: 3 })
  })
})

describe('tcp.decode: no-throw fuzz', () => {
  it('never throws on mutated and random input, and every issue lies inside the buffer', () => {
    const random = seededRandom(0x54435000)
    const bases: Array<[Uint8Array, number]> = [[SYN_SLL, 36], [ACK_SLL, 36], [MD5_SYN, 34], [SYNACK_PADDED, 34]]
    const header = tcp.create()
    const failures: string[] = []
    for (let i = 0; i < 20_000 && failures.length < 5; i++) {
      let bytes: Uint8Array
      let offset = 0
      if (i % 4 === 0) {
        bytes = new Uint8Array(Math.floor(random() * 80))
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256)
        if (bytes.length > 12 && random() < 0.8) bytes[12] = (5 + Math.floor(random() * 11)) << 4
      } else {
        const [base, start] = bases[i % bases.length]!
        bytes = base.slice()
        offset = start
        for (let f = 1 + Math.floor(random() * 4); f > 0; f--) {
          bytes[offset + Math.floor(random() * (bytes.length - offset))] = Math.floor(random() * 256)
        }
      }
      const end = offset + Math.floor(random() * (bytes.length - offset + 1))
      const input = `${Buffer.from(bytes).toString('hex')} @${offset}..${end}`
      let result: Decoded
      try {
        result = tcp.decode(bytes, offset, end, header)
      } catch (e) {
        failures.push(`threw ${String(e)}: ${input}`)
        continue
      }
      if (result.ok) {
        const ok = header.payloadOffset <= header.payloadEnd && header.payloadEnd === end &&
          header.sack.length % 2 === 0 && header.sack.length <= 8
        if (!ok) failures.push(`bounds: ${input}`)
        tcp.toRecord(header)
      } else if (result.offset < 0 || result.offset > end) {
        failures.push(`issue offset ${result.offset}: ${input}`)
      }
    }
    expect(failures).toEqual([])
  })
})
