import { describe, expect, it } from 'vitest'
import { createFrame } from '../../src/capture/frame.js'
import { resolution, toSecNsec, type PcapngParser } from '../../src/capture/pcapng.js'
import { MAX_BLOCK_BYTES, MAX_INTERFACES, MAX_RECORD_BYTES } from '../../src/decode/limits.js'
import { BlockType, Opt, PcapngBuilder, catchError, concat, parseCapture, payload, tsUnits, type Endian } from '../support/capture-builder.js'

const A = payload(60, 1)
const B = payload(342, 2)
const C = payload(1514, 3)
const NS_2026 = tsUnits(1_767_663_089, 500_330_493, 9) // nanoseconds since 1970: above 2^53

const summary = (frames: ReturnType<typeof parseCapture>['frames']) =>
  frames.map((f) => [f.frameNumber, f.interfaceId, f.linkType, f.hasTimestamp ? `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}` : '-', f.caplen, f.origlen])

describe('PcapngParser: one section', () => {
  for (const endian of ['le', 'be'] as Endian[]) {
    it(`reads EPB, SPB and PB in a ${endian} section, with offsets and bytes`, () => {
      const b = new PcapngBuilder(endian).shb().idb({ linkType: 1, snaplen: 0 })
      const epbAt = b.offset
      b.epb({ ts: tsUnits(1_340_954_905, 298_858_000), data: A, origlen: 70 })
      const spbAt = b.offset
      b.spb({ data: B })
      const pbAt = b.offset
      b.pb({ ts: tsUnits(1_340_954_906, 1000), data: C, drops: 7 })
      const { frames, warnings, parser } = parseCapture(b.build())
      expect(warnings).toEqual([])
      expect(summary(frames)).toEqual([
        [1, 0, 1, '1340954905.298858000', 60, 70],
        [2, 0, 1, '-', 342, 342],
        [3, 0, 1, '1340954906.000001000', 1514, 1514],
      ])
      expect(frames.map((f) => f.fileOffset)).toEqual([epbAt, spbAt, pbAt])
      expect(frames.map((f) => f.bytes)).toEqual([A, B, C])
      expect(parser.interfaces).toEqual([expect.objectContaining({ linkType: 1, snaplen: 0, section: 0, tsresol: '10^-6' })])
    })
  }

  it('gives an SPB min(original length, snaplen, block body) bytes', () => {
    const b = new PcapngBuilder().shb().idb({ snaplen: 100 })
      .spb({ data: C }) // origlen 1514, snaplen 100 -> 100
      .spb({ data: A, origlen: 1000 }) // block body holds 60 -> 60
      .spb({ data: C, origlen: 80 }) // origlen 80 -> 80
    expect(parseCapture(b.build()).frames.map((f) => [f.caplen, f.origlen, f.hasTimestamp])).toEqual([[100, 1514, false], [60, 1000, false], [80, 80, false]])
  })

  it('converts if_tsresol 10^-n and 2^-n and adds if_tsoffset, per interface', () => {
    const b = new PcapngBuilder().shb()
      .idb({ linkType: 1, tsresol: 9 }) // 0: ns
      .idb({ linkType: 0, tsresol: 0x80 | 20, tsoffset: 100n }) // 1: 2^-20 s, +100 s
      .idb({ linkType: 113, tsresol: 3, tsoffset: -5n }) // 2: ms, -5 s
      .idb({ linkType: 1, tsresol: 12 }) // 3: ps (truncated to ns)
      .idb({ linkType: 1, tsresol: 0 }) // 4: seconds
      .epb({ interfaceId: 0, ts: NS_2026, data: A })
      .epb({ interfaceId: 1, ts: (7n << 20n) + (1n << 19n), data: A }) // 7.5 s
      .epb({ interfaceId: 2, ts: 1_500n, data: A })
      .epb({ interfaceId: 3, ts: 2_000_000_000_123_999n, data: A })
      .epb({ interfaceId: 4, ts: 1_767_663_089n, data: A })
    const { frames, parser } = parseCapture(b.build())
    expect(summary(frames).map((r) => [r[1], r[2], r[3]])).toEqual([
      [0, 1, '1767663089.500330493'],
      [1, 0, '107.500000000'],
      [2, 113, '-4.500000000'], // 1.5 s - 5 s: seconds may go negative, the fraction stays in 0..999999999
      [3, 1, '2000.000000123'],
      [4, 1, '1767663089.000000000'],
    ])
    expect(parser.interfaces.map((i) => i.tsresol)).toEqual(['10^-9', '2^-20', '10^-3', '10^-12', '10^-0'])
  })

  it('counts NRB, ISB, DSB, custom and unknown blocks as skipped; custom blocks take a frame number as in Wireshark', () => {
    const b = new PcapngBuilder().shb().nrb().idb().isb().epb({ data: A }).dsb().custom().custom({ copy: false })
      .block(0x00000bee, [1, 2, 3, 4]).block(0x80000001, []).epb({ data: B })
    const { frames, warnings, parser } = parseCapture(b.build())
    expect(warnings).toEqual([])
    expect(frames.map((f) => f.frameNumber)).toEqual([1, 4])
    expect(parser.skippedBlocks).toEqual({ NRB: 1, ISB: 1, DSB: 1, custom: 2, '0x00000bee': 1, '0x80000001': 1 })
    expect(parser.packets).toBe(2)
  })

  it('stops at an option that runs past the IDB end, keeping the interface, with a warning', () => {
    const b = new PcapngBuilder().shb()
    const at = b.offset
    b.idb({ options: [Opt.ifTsresol(9), Opt.comment('abcd')] })
    const bytes = b.epb({ ts: 5n, data: A }).build()
    bytes[at + 16 + 8 + 2] = 200 // the comment's length: 200, past the block end
    const { frames, warnings } = parseCapture(bytes)
    expect(frames.map((f) => f.tsNsec)).toEqual([5])
    expect(warnings).toEqual([{ offset: at, message: expect.stringContaining('IDB: option 1 (200 bytes) runs past the block end') }])
  })
})

describe('PcapngParser: several sections', () => {
  it('resets byte order and interfaces per section; frame numbers and interface ids go on', () => {
    const b = new PcapngBuilder('le').shb().idb({ linkType: 1, snaplen: 96 }).idb({ linkType: 0, tsresol: 9 })
      .epb({ interfaceId: 1, ts: NS_2026, data: A }).custom()
      .shb({ endian: 'be' }).idb({ linkType: 113, tsoffset: 10n }).spb({ data: B }).epb({ ts: 1n, data: C })
      .shb({ endian: 'le' }).nrb().idb({ linkType: 101 }).idb({ linkType: 1, tsresol: 0x80 | 10 }).isb()
      .epb({ interfaceId: 1, ts: 1024n * 3n, data: A }).pb({ interfaceId: 0, ts: 2_000_001n, data: B })
    const { frames, warnings, parser } = parseCapture(b.build())
    expect(warnings).toEqual([])
    expect(summary(frames)).toEqual([
      [1, 1, 0, '1767663089.500330493', 60, 60],
      [3, 2, 113, '-', 342, 342],
      [4, 2, 113, '10.000001000', 1514, 1514],
      [5, 4, 1, '3.000000000', 60, 60],
      [6, 3, 101, '2.000001000', 342, 342],
    ])
    expect(parser.interfaces.map((i) => [i.linkType, i.section])).toEqual([[1, 0], [0, 0], [113, 1], [101, 2], [1, 2]])
    expect((parser as PcapngParser).sections).toBe(3)
    expect(parser.skippedBlocks).toEqual({ custom: 1, NRB: 1, ISB: 1 })
  })

  it('does not let a packet name an interface of an earlier section', () => {
    const b = new PcapngBuilder().shb().idb().idb().epb({ data: A }).shb()
    const at = b.offset
    b.idb().epb({ interfaceId: 1, data: B }).epb({ data: C })
    const { frames, warnings } = parseCapture(b.build())
    expect(frames.map((f) => f.caplen)).toEqual([60])
    expect(warnings).toEqual([{ offset: at + 20, message: 'EPB: interface 1 is not defined in this section; the rest of the file is not read' }])
  })
})

describe('PcapngParser: impossible blocks (warning at the block, earlier frames kept, rest ignored)', () => {
  const prefix = () => new PcapngBuilder().shb().idb({ snaplen: 0 }).epb({ data: A })
  const cases: Array<[string, (b: PcapngBuilder) => void, string]> = [
    ['length below 12', (b) => b.raw([6, 0, 0, 0, 8, 0, 0, 0]), 'EPB: impossible block length 8'],
    ['length not a multiple of 4', (b) => b.epb({ data: A, totalLength: 94 }), 'EPB: impossible block length 94'],
    ['length above MAX_BLOCK_BYTES', (b) => b.block(4, [], { totalLength: MAX_BLOCK_BYTES + 4 }), `NRB: impossible block length ${MAX_BLOCK_BYTES + 4}`],
    ['length too short for its type', (b) => b.block(BlockType.EPB, [0, 0, 0, 0]), 'EPB: impossible block length 16'],
    ['trailing length != leading', (b) => b.epb({ data: A, trailingLength: 96 }), 'EPB: trailing length 96 != 92'],
    ['caplen past the block', (b) => b.epb({ data: A, caplen: 61 }), 'EPB: captured length 61 runs past the block (60 bytes of room)'],
    ['caplen beyond MAX_RECORD_BYTES', (b) => b.epb({ data: payload(MAX_RECORD_BYTES + 4) }), `EPB: captured length ${MAX_RECORD_BYTES + 4} is beyond the limit`],
    ['SPB beyond MAX_RECORD_BYTES', (b) => b.spb({ data: payload(MAX_RECORD_BYTES + 4) }), `SPB: captured length ${MAX_RECORD_BYTES + 4} is beyond the limit`],
    ['undefined interface', (b) => b.epb({ interfaceId: 1, data: A }), 'EPB: interface 1 is not defined'],
    ['undefined PB interface', (b) => b.pb({ interfaceId: 9, data: A }), 'PB: interface 9 is not defined'],
    ['second SHB with a bad byte-order magic', (b) => b.shb({ byteOrderMagic: 0x11223344 }), 'SHB: bad byte-order magic'],
    ['second SHB of major version 2', (b) => b.shb({ major: 2 }), 'SHB: major version 2 unsupported'],
  ]
  for (const [name, bad, message] of cases) {
    it(name, () => {
      const b = prefix()
      const at = b.offset
      bad(b)
      b.epb({ data: B })
      const { frames, warnings, parser } = parseCapture(b.build())
      expect(frames.map((f) => f.caplen)).toEqual([60])
      expect(warnings).toEqual([{ offset: at, message: expect.stringContaining(message) }])
      expect(warnings[0]!.message).toMatch(/the rest of the file is not read$/)
      expect(parser.stopped).toBe(true)
    })
  }

  it('a packet block before any IDB', () => {
    const b = new PcapngBuilder().shb()
    const at = b.offset
    const { frames, warnings } = parseCapture(b.spb({ data: A }).idb().epb({ data: A }).build())
    expect(frames).toEqual([])
    expect(warnings).toEqual([{ offset: at, message: expect.stringContaining('SPB: interface 0 is not defined') }])
  })

  it(`more than MAX_INTERFACES (${MAX_INTERFACES}) interfaces`, () => {
    const b = new PcapngBuilder().shb()
    for (let i = 0; i < MAX_INTERFACES; i++) b.idb()
    const at = b.offset
    const { warnings, parser } = parseCapture(b.idb().build())
    expect(parser.interfaces.length).toBe(MAX_INTERFACES)
    expect(warnings).toEqual([{ offset: at, message: expect.stringContaining(`more than ${MAX_INTERFACES} interfaces`) }])
  })
})

describe('PcapngParser: cut short and unusable files', () => {
  it('keeps every complete block and warns once, at the right offset, for a tail cut at any length', () => {
    const good = new PcapngBuilder().shb().idb().epb({ data: A }).build()
    const last = new PcapngBuilder().epb({ data: B }).build()
    for (let n = 1; n < last.length; n++) {
      const { frames, warnings } = parseCapture(concat(good, last.subarray(0, n)))
      expect(frames.map((f) => f.caplen)).toEqual([60])
      const message = n < 8 ? `truncated block header: ${n} of 8 bytes` : `EPB: truncated block, ${n} of ${last.length} bytes`
      expect(warnings).toEqual([{ offset: good.length, message }])
    }
  })

  it('warns for a second SHB cut short, reading its length in its own byte order', () => {
    const good = new PcapngBuilder('le').shb().idb().epb({ data: A }).build()
    const shb = new PcapngBuilder('be').shb().build()
    const { warnings } = parseCapture(concat(good, shb.subarray(0, 20)))
    expect(warnings).toEqual([{ offset: good.length, message: 'SHB: truncated block, 20 of 28 bytes' }])
  })

  it('throws CaptureError for a first SHB cut short (any length), with a bad trailer, length or byte order', () => {
    const shb = new PcapngBuilder().shb().build()
    for (let n = 4; n < shb.length; n++) {
      const reason = n < 8 ? `truncated block header: ${n} of 8 bytes` : `SHB: truncated block, ${n} of 28 bytes`
      expect(catchError(() => parseCapture(shb.subarray(0, n)))).toMatchObject({ offset: 0, reason })
    }
    expect(catchError(() => parseCapture(new PcapngBuilder().shb({ trailingLength: 52 }).build())))
      .toMatchObject({ offset: 0, reason: 'SHB: trailing length 52 != 28' })
    expect(catchError(() => parseCapture(new PcapngBuilder().shb({ totalLength: 30 }).build())))
      .toMatchObject({ offset: 0, reason: 'SHB: impossible block length 30' })
    expect(catchError(() => parseCapture(new PcapngBuilder().shb({ byteOrderMagic: 0 }).build())))
      .toMatchObject({ offset: 8, reason: 'SHB: bad byte-order magic' })
    expect(catchError(() => parseCapture(new PcapngBuilder().shb({ major: 2 }).build())))
      .toMatchObject({ offset: 12, reason: 'SHB: major version 2 unsupported' })
  })

  it('accepts an SHB with no interfaces and an SHB+IDB with no packets', () => {
    expect(parseCapture(new PcapngBuilder().shb().build())).toMatchObject({ frames: [], warnings: [] })
    expect(parseCapture(new PcapngBuilder('be').shb().idb({ linkType: 1 }).build()).parser.interfaces.length).toBe(1)
  })
})

describe('pcapng toSecNsec', () => {
  it('equals an exact BigInt reference for µs and ns counts around 2^52 and 2^64, and binary resolutions', () => {
    const out = createFrame()
    let seed = 12345
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0)
    const highs = [0, 1, 0xfffff, 0x100000, 0x1fffff, 0x3d0900, 0x18a5f7a0, 0xffffffff]
    for (const tsresol of [6, 9, 3, 0, 1, 10, 0x80 | 20, 0x80 | 30, 0x80 | 0, 0x80 | 63]) {
      const res = resolution(tsresol)
      for (const high of highs) {
        for (let k = 0; k < 200; k++) {
          const low = k < 2 ? [0, 0xffffffff][k]! : rnd()
          const t = (BigInt(high) << 32n) | BigInt(low)
          toSecNsec(high, low, res, 0, out)
          expect([out.tsSec, out.tsNsec]).toEqual([Number(t / res.perSec), Number(((t % res.perSec) * 1_000_000_000n) / res.perSec)])
        }
      }
    }
  })

  it('keeps nanoseconds exact beyond 2^53 ns (a Number would round them)', () => {
    const out = createFrame()
    const t = 1_767_663_089_500_330_493n
    toSecNsec(Number(t >> 32n), Number(t & 0xffffffffn), resolution(9), 0, out)
    expect([out.tsSec, out.tsNsec]).toEqual([1_767_663_089, 500_330_493])
    expect(Number(t) % 1e9).not.toBe(500_330_493) // why the BigInt path exists
  })
})
