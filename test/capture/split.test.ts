/**
 * Chunk-boundary invariance (style guide B.4): the same bytes pushed in any split give the same
 * frames (numbers, timestamps, offsets, bytes) and the same warnings. Covers every carry-over path.
 */
import { describe, expect, it } from 'vitest'
import { MAX_RECORD_BYTES } from '../../src/decode/limits.js'
import { PcapngBuilder, concat, parseCapture, payload, pcapFile, pcapRecord, tsUnits } from '../support/capture-builder.js'

const files: Record<string, Uint8Array> = {
  'pcap, ns, big-endian, fraction carry, cut tail': concat(
    pcapFile([
      { data: payload(60, 1), tsSec: 1, tsFrac: 1_500_000_000 },
      { data: payload(0), tsSec: 2 },
      { data: payload(300, 2), tsSec: 3, origlen: 1514 },
      { data: payload(61, 3), tsSec: 4 },
    ], { nano: true, endian: 'be' }),
    pcapRecord({ data: payload(40) }, { endian: 'be' }).subarray(0, 30),
  ),
  'pcap modified, impossible length in the middle': concat(
    pcapFile([{ data: payload(98, 4) }, { data: payload(7, 5) }], { modified: true }),
    pcapRecord({ data: payload(10), caplen: MAX_RECORD_BYTES + 1 }, { modified: true }),
    pcapRecord({ data: payload(10) }, { modified: true }),
  ),
  'pcapng, three sections mixed endian, every block type, cut tail': new PcapngBuilder('le')
    .shb().nrb().idb({ linkType: 1, snaplen: 96, tsresol: 9 }).idb({ linkType: 0, tsoffset: 7n })
    .epb({ interfaceId: 0, ts: tsUnits(1_767_663_089, 500_330_493, 9), data: payload(96, 6), origlen: 314 })
    .custom().isb().epb({ interfaceId: 1, ts: 1n, data: payload(33, 7) })
    .shb({ endian: 'be' }).idb({ linkType: 113, snaplen: 50 }).spb({ data: payload(80, 8) }).dsb()
    .pb({ ts: 99n, data: payload(13, 9) }).block(0x1234, [1, 2, 3])
    .shb({ endian: 'le' }).idb({ linkType: 1, tsresol: 0x80 | 20 }).epb({ ts: 3n << 20n, data: payload(5, 10) })
    .raw(new PcapngBuilder('le').epb({ data: payload(20) }).build().subarray(0, 25))
    .build(),
  'pcapng, trailing length mismatch after two packets': new PcapngBuilder('be')
    .shb().idb().epb({ data: payload(10) }).epb({ data: payload(11) }).epb({ data: payload(12), trailingLength: 4 })
    .epb({ data: payload(13) }).build(),
}

describe('push-parsers give the same result however the input is split', () => {
  for (const [name, bytes] of Object.entries(files)) {
    const whole = parseCapture(bytes)

    it(`${name}: reference parse sees frames and one warning`, () => {
      expect(whole.frames.length).toBeGreaterThanOrEqual(2)
      expect(whole.warnings.length).toBe(1)
    })

    it(`${name}: two chunks, cut at every byte boundary`, () => {
      for (let cut = 1; cut < bytes.length; cut++) {
        const split = parseCapture(bytes, [cut])
        expect(split.frames, `cut at ${cut}`).toEqual(whole.frames)
        expect(split.warnings, `cut at ${cut}`).toEqual(whole.warnings)
      }
    })

    it(`${name}: 1-, 3- and 7-byte chunks`, () => {
      for (const size of [1, 3, 7]) {
        const split = parseCapture(bytes, size)
        expect(split.frames).toEqual(whole.frames)
        expect(split.warnings).toEqual(whole.warnings)
      }
    })
  }
})
