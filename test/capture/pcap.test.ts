import { describe, expect, it } from 'vitest'
import { CaptureError } from '../../src/capture/errors.js'
import { PcapParser } from '../../src/capture/pcap.js'
import { MAX_RECORD_BYTES } from '../../src/decode/limits.js'
import { catchError, concat, parseCapture, payload, pcapFile, pcapHeader, pcapRecord, type PcapOptions } from '../support/capture-builder.js'

const A = payload(60, 1)
const B = payload(1514, 2)
const C = payload(0)

describe('PcapParser: the four magics', () => {
  const variants: Array<[string, PcapOptions, number[]]> = [
    ['µs little-endian', { endian: 'le' }, [0xd4, 0xc3, 0xb2, 0xa1]],
    ['µs big-endian', { endian: 'be' }, [0xa1, 0xb2, 0xc3, 0xd4]],
    ['ns little-endian', { endian: 'le', nano: true }, [0x4d, 0x3c, 0xb2, 0xa1]],
    ['ns big-endian', { endian: 'be', nano: true }, [0xa1, 0xb2, 0x3c, 0x4d]],
  ]
  for (const [name, opts, magic] of variants) {
    it(`reads ${name} records with their timestamps, lengths and bytes`, () => {
      const bytes = pcapFile([
        { data: A, tsSec: 1_700_000_000, tsFrac: 123_456, origlen: 60 },
        { data: B, tsSec: 4_294_967_295, tsFrac: 999_999, origlen: 1600 },
        { data: C, tsSec: 0, tsFrac: 0 },
      ], { ...opts, linkType: 113, snaplen: 65535 })
      expect([...bytes.subarray(0, 4)]).toEqual(magic)
      const { frames, warnings, parser } = parseCapture(bytes)
      const scale = opts.nano ? 1 : 1000
      expect(frames.map((f) => [f.frameNumber, f.tsSec, f.tsNsec, f.caplen, f.origlen, f.linkType, f.interfaceId, f.fileOffset])).toEqual([
        [1, 1_700_000_000, 123_456 * scale, 60, 60, 113, 0, 24],
        [2, 4_294_967_295, 999_999 * scale, 1514, 1600, 113, 0, 24 + 16 + 60],
        [3, 0, 0, 0, 0, 113, 0, 24 + 16 + 60 + 16 + 1514],
      ])
      expect(frames[0]!.bytes).toEqual(A)
      expect(frames[1]!.bytes).toEqual(B)
      expect(frames.every((f) => f.hasTimestamp)).toBe(true)
      expect(warnings).toEqual([])
      expect(parser.interfaces).toEqual([{ linkType: 113, snaplen: 65535, section: 0, tsresol: opts.nano ? '10^-9' : '10^-6' }])
      expect([parser.packets, parser.bytes]).toEqual([3, 60 + 1514])
    })
  }

  it('reads the modified (Kuznetzov) format a1b2cd34, with 24-byte record headers, in either byte order', () => {
    for (const endian of ['le', 'be'] as const) {
      const bytes = pcapFile([
        { data: A, tsSec: 10, tsFrac: 5, ifindex: 3, protocol: 0x0800, pktType: 4 },
        { data: B, tsSec: 11, tsFrac: 6 },
      ], { modified: true, endian })
      const { frames, warnings } = parseCapture(bytes)
      expect(warnings).toEqual([])
      expect(frames.map((f) => [f.tsSec, f.tsNsec, f.caplen, f.fileOffset])).toEqual([[10, 5000, 60, 24], [11, 6000, 1514, 24 + 24 + 60]])
      expect(frames[1]!.bytes).toEqual(B)
    }
  })
})

describe('PcapParser: header fields', () => {
  it('masks the FCS bits (28-31 length, 26 present) off the link type without a warning', () => {
    const { frames, warnings, parser } = parseCapture(pcapFile([{ data: A }], { linkType: 0x40000000 | 0x04000000 | 105 }))
    expect(frames[0]!.linkType).toBe(105)
    expect(parser.interfaces[0]!.linkType).toBe(105)
    expect(warnings).toEqual([])
  })

  it('reads a file whose reserved link-type bits 16-25 are set, with one warning at byte 20', () => {
    const { frames, warnings } = parseCapture(pcapFile([{ data: A }], { linkType: 0x00300001 }))
    expect(frames.map((f) => f.linkType)).toEqual([1])
    expect(warnings).toEqual([{ offset: 20, message: expect.stringContaining('0x00300001 has reserved bits 16-25 set') }])
  })

  it('treats snaplen 0 as unlimited and delivers records longer than the snaplen as captured', () => {
    expect(parseCapture(pcapFile([{ data: B }], { snaplen: 0 })).frames[0]!.caplen).toBe(1514)
    expect(parseCapture(pcapFile([{ data: B }], { snaplen: 96 })).frames[0]!.caplen).toBe(1514)
  })

  it('delivers caplen bytes when caplen > origlen (not fatal)', () => {
    const { frames, warnings } = parseCapture(pcapFile([{ data: B, origlen: 60 }, { data: A }]))
    expect(frames.map((f) => [f.caplen, f.origlen])).toEqual([[1514, 60], [60, 60]])
    expect(warnings).toEqual([])
  })

  it('carries a fraction field at or above one second into the seconds', () => {
    const us = parseCapture(pcapFile([{ data: A, tsSec: 100, tsFrac: 1_000_000 }, { data: A, tsSec: 100, tsFrac: 4_294_967_295 }]))
    expect(us.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([[101, 0], [100 + 4294, 967_295_000]])
    const ns = parseCapture(pcapFile([{ data: A, tsSec: 100, tsFrac: 1_000_000_000 }, { data: A, tsSec: 4_294_967_295, tsFrac: 2_147_483_648 }], { nano: true }))
    expect(ns.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([[101, 0], [4_294_967_297, 147_483_648]])
  })
})

describe('PcapParser: bad files', () => {
  it('throws CaptureError at byte 4 for a major version other than 2', () => {
    for (const major of [1, 3, 0]) {
      const e = catchError(() => parseCapture(pcapFile([{ data: A }], { major })))
      expect(e).toBeInstanceOf(CaptureError)
      expect(e).toMatchObject({ offset: 4, reason: `pcap: major version ${major} unsupported`, file: 'test.pcap' })
      expect(e.message).toBe(`test.pcap: byte 4: pcap: major version ${major} unsupported`)
    }
  })

  it('throws CaptureError for a file header cut short, at every length', () => {
    const header = pcapHeader()
    for (let n = 4; n < 24; n++) {
      const e = catchError(() => parseCapture(header.subarray(0, n)))
      expect(e).toMatchObject({ offset: 0, reason: `pcap: truncated file header: ${n} of 24 bytes` })
    }
  })

  it('accepts a header-only file: no frames, no warning', () => {
    expect(parseCapture(pcapHeader())).toMatchObject({ frames: [], warnings: [] })
  })

  it('keeps every complete record and warns once, at the right offset, for a tail cut at any length', () => {
    for (const opts of [{}, { modified: true }] as PcapOptions[]) {
      const hl = opts.modified ? 24 : 16
      const good = pcapFile([{ data: A }, { data: B }], opts)
      const last = pcapRecord({ data: A, tsSec: 9 }, opts)
      for (let n = 1; n < last.length; n++) {
        const { frames, warnings } = parseCapture(concat(good, last.subarray(0, n)))
        expect(frames.map((f) => f.caplen)).toEqual([60, 1514])
        const message = n < hl ? `truncated record header: ${n} of ${hl} bytes` : `truncated record data: ${n - hl} of 60 bytes (record 3)`
        expect(warnings).toEqual([{ offset: good.length, message }])
      }
    }
  })

  it('stops at a captured length beyond MAX_RECORD_BYTES: warning at the record, earlier records kept, rest ignored', () => {
    const bad = pcapRecord({ data: A, caplen: MAX_RECORD_BYTES + 1 })
    const good = pcapFile([{ data: A }])
    const { frames, warnings } = parseCapture(concat(good, bad, pcapRecord({ data: B })))
    expect(frames.map((f) => f.caplen)).toEqual([60])
    expect(warnings).toEqual([{ offset: good.length, message: expect.stringContaining(`captured length ${MAX_RECORD_BYTES + 1} is beyond the limit`) }])
    // A record of exactly the limit is fine.
    const big = payload(MAX_RECORD_BYTES)
    expect(parseCapture(pcapFile([{ data: big }])).frames[0]!.caplen).toBe(MAX_RECORD_BYTES)
  })

  it('rejects a file whose magic is not pcap', () => {
    const parser = new PcapParser('x.pcap')
    parser.push(new Uint8Array(24))
    expect(() => parser.parseHeader()).toThrow(CaptureError)
  })
})
