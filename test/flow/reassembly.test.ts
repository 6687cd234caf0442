import { describe, expect, it } from 'vitest'
import { Flag } from '../../src/decode/tcp.js'
import {
  MAX_TCP_OOO_BYTES,
  MAX_TCP_OOO_SEGMENTS,
  MAX_TCP_REASSEMBLY_BYTES,
  MAX_TCP_STREAM_BYTES,
} from '../../src/decode/limits.js'
import {
  DEFAULT_STREAM_LIMITS,
  SEGMENT_OVERHEAD_BYTES,
  StreamReassembler,
  createStreamBudget,
  type StreamLimits,
} from '../../src/flow/reassembly.js'
import { seededRandom } from '../support/random.js'

// ---------------------------------------------------------------------------------------------
// Helpers

const { ACK, SYN, FIN, RST } = Flag
const enc = new TextEncoder()
const dec = new TextDecoder()

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? enc.encode(data) : data
}

/** Add a segment whose payload sits at offset 3 of a larger buffer (the decoder passes frames, not copies). */
function seg(r: StreamReassembler, seq: number, data: string | Uint8Array, frame: number, flags: number = ACK): void {
  const payload = bytesOf(data)
  const frameBytes = new Uint8Array(payload.length + 7).fill(0xee)
  frameBytes.set(payload, 3)
  r.add(seq, flags, frameBytes, 3, 3 + payload.length, frame)
  frameBytes.fill(0xdd) // the caller reuses its buffer: the reassembler must have copied what it keeps
}

interface Drained {
  text: string
  /** Stream positions at which a view started after a gap. */
  gapsAt: number[]
}

/** Read and consume everything readable, across gaps, the way a non-parsing consumer would. */
function drain(r: StreamReassembler): Drained {
  let text = ''
  const gapsAt: number[] = []
  for (;;) {
    const v = r.readable()
    if (v.afterGap) gapsAt.push(v.position)
    if (v.offset === v.end) break
    text += dec.decode(v.bytes.subarray(v.offset, v.end))
    r.consume(v.end - v.offset)
  }
  return { text, gapsAt }
}

/** A toy framing like DNS over TCP: a 2-byte big-endian length, then that many bytes. */
function framed(...bodies: string[]): Uint8Array {
  const parts = bodies.map((b) => enc.encode(b))
  const out = new Uint8Array(parts.reduce((n, p) => n + 2 + p.length, 0))
  let o = 0
  for (const p of parts) {
    out[o] = p.length >> 8
    out[o + 1] = p.length & 0xff
    out.set(p, o + 2)
    o += 2 + p.length
  }
  return out
}

interface Message {
  body: string
  /** Frame in which the message's last byte became readable. */
  frame: number
  afterGap: boolean
}

/** The application loop the stream decoders use: parse complete messages, drop a partial one cut by a gap. */
function parseMessages(r: StreamReassembler): Message[] {
  const out: Message[] = []
  for (;;) {
    const v = r.readable()
    const avail = v.end - v.offset
    if (avail >= 2) {
      const len = (v.bytes[v.offset]! << 8) | v.bytes[v.offset + 1]!
      if (avail >= 2 + len) {
        out.push({
          body: dec.decode(v.bytes.subarray(v.offset + 2, v.offset + 2 + len)),
          frame: r.frameOfByte(v.position + 2 + len - 1),
          afterGap: v.afterGap,
        })
        r.consume(2 + len)
        continue
      }
    }
    if (v.gapAhead) {
      r.consume(avail) // a partial message before a gap can never complete
      continue
    }
    return out
  }
}

const ISN = 1000

// ---------------------------------------------------------------------------------------------

describe('reassembly limits', () => {
  it('defaults come from limits.ts', () => {
    expect(DEFAULT_STREAM_LIMITS).toEqual({
      maxOutOfOrderBytes: MAX_TCP_OOO_BYTES,
      maxOutOfOrderSegments: MAX_TCP_OOO_SEGMENTS,
      maxBufferedBytes: MAX_TCP_STREAM_BYTES,
    })
    expect(MAX_TCP_OOO_BYTES).toBe(256 * 1024)
    expect(MAX_TCP_STREAM_BYTES).toBe(1024 * 1024)
    expect(createStreamBudget()).toEqual({ limit: MAX_TCP_REASSEMBLY_BYTES, used: 0 })
  })
})

describe('StreamReassembler.add in order', () => {
  it('delivers the bytes after the SYN, in order', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    expect(r.initialSeq).toBe(ISN)
    seg(r, ISN + 1, 'hello ', 3)
    seg(r, ISN + 7, 'world', 5)
    expect(r.stats.buffered).toBe(11)
    const v = r.readable()
    expect(dec.decode(v.bytes.subarray(v.offset, v.end))).toBe('hello world')
    expect([v.position, v.afterGap, v.gapAhead]).toEqual([0, false, false])
    expect([r.frameOfByte(0), r.frameOfByte(5), r.frameOfByte(6), r.frameOfByte(10), r.frameOfByte(11)]).toEqual([3, 3, 5, 5, -1])
    r.consume(6)
    expect(r.frameOfByte(5)).toBe(-1) // consumed
    expect(drain(r)).toEqual({ text: 'world', gapsAt: [] })
    expect(r.stats).toMatchObject({ midstream: false, deliveredBytes: 11, consumedBytes: 11, buffered: 0, charged: 0, gaps: 0, missedBytes: 0 })
  })

  it('takes data carried on the SYN, and ignores the same SYN retransmitted', () => {
    const r = new StreamReassembler()
    seg(r, ISN, 'syn-data', 1, SYN)
    seg(r, ISN, 'syn-data', 2, SYN)
    seg(r, ISN + 9, '+more', 3)
    expect(drain(r).text).toBe('syn-data+more')
    expect(r.stats.duplicateBytes).toBe(8)
    expect(r.stats.conflicts).toBe(0)
  })

  it('ignores pure ACKs before the stream starts and zero-length segments after', () => {
    const r = new StreamReassembler()
    seg(r, 5, '', 1)
    expect(r.isStarted).toBe(false)
    seg(r, ISN, '', 2, SYN)
    seg(r, ISN + 1, '', 3)
    seg(r, ISN + 1, 'x', 4)
    seg(r, ISN + 999, '', 5)
    expect(drain(r).text).toBe('x')
    expect(r.stats.outOfOrderSegments).toBe(0)
  })
})

describe('StreamReassembler.add out of order', () => {
  it('holds segments after a hole and delivers them when the hole fills', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 11, 'ccc', 2)
    seg(r, ISN + 6, 'bbbbb', 3)
    expect(r.readable().end - r.readable().offset).toBe(0)
    expect(r.stats).toMatchObject({ outOfOrderBytes: 8, outOfOrderSegments: 2, buffered: 0 })
    seg(r, ISN + 1, 'aaaaa', 4)
    expect(r.stats).toMatchObject({ outOfOrderBytes: 0, outOfOrderSegments: 0, buffered: 13 })
    // Every byte became readable in frame 4, the frame that filled the hole (Wireshark's "reassembled in").
    expect([r.frameOfByte(0), r.frameOfByte(7), r.frameOfByte(12)]).toEqual([4, 4, 4])
    expect(drain(r)).toEqual({ text: 'aaaaabbbbbccc', gapsAt: [] })
    expect(r.stats.missedBytes).toBe(0)
  })

  it('fills several holes with one segment that spans held segments', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 3, 'CD', 2) //   bytes 2..3
    seg(r, ISN + 7, 'GH', 3) //   bytes 6..7
    seg(r, ISN + 1, 'abcdefghij', 4) // all of 0..9: the held CD and GH are kept (first received wins)
    expect(drain(r).text).toBe('abCDefGHij')
    expect(r.stats.duplicateBytes).toBe(4)
    expect(r.stats.conflicts).toBe(1)
  })

  it('fills holes between held segments without reaching the front', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 5, 'EF', 2)
    seg(r, ISN + 9, 'IJ', 3)
    seg(r, ISN + 4, 'defghij', 4) // 3..9 over EF and IJ: the pieces d, gh are inserted
    expect(r.stats.outOfOrderSegments).toBe(4)
    expect(r.stats.outOfOrderBytes).toBe(7)
    seg(r, ISN + 1, 'abc', 5)
    expect(drain(r).text).toBe('abcdEFghIJ')
  })
})

describe('StreamReassembler retransmissions and overlaps', () => {
  it('drops exact retransmissions and counts them', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, 'abcdef', 2)
    seg(r, ISN + 1, 'abcdef', 3)
    seg(r, ISN + 7, 'gh', 4)
    expect(drain(r).text).toBe('abcdefgh')
    expect(r.stats.duplicateBytes).toBe(6)
    expect(r.stats.conflicts).toBe(0)
    // Frames: the retransmission did not move the bytes' frame.
    seg(r, ISN + 9, 'i', 5)
    expect(r.frameOfByte(8)).toBe(5)
  })

  it('keeps only the new part of a partial overlap, in order and out of order', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, 'abcd', 2)
    seg(r, ISN + 3, 'cdefg', 3) // 2 old bytes, 3 new
    seg(r, ISN + 12, 'lmn', 4) // held
    seg(r, ISN + 10, 'jklm', 5) // held, overlaps lm
    seg(r, ISN + 8, 'hi', 6)
    expect(drain(r).text).toBe('abcdefghijklmn')
    expect(r.stats.duplicateBytes).toBe(2 + 2)
    expect(r.stats.conflicts).toBe(0)
  })

  it('keeps the first bytes received when an overlap differs, and counts a conflict', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    // Against readable bytes not consumed yet.
    seg(r, ISN + 1, 'GET /', 2)
    seg(r, ISN + 1, 'XXX /a', 3)
    expect(r.stats.conflicts).toBe(1)
    seg(r, ISN + 2, 'Q', 3) // wholly inside the readable bytes
    expect(r.stats.conflicts).toBe(2)
    // Against held bytes.
    seg(r, ISN + 10, 'HTTP', 4)
    seg(r, ISN + 8, 'b HTXP/1', 5)
    expect(r.stats.conflicts).toBe(3)
    seg(r, ISN + 7, ' ', 6)
    expect(drain(r).text).toBe('GET /a b HTTP/1')
    // Against consumed bytes: they are freed, so the overlap is counted but cannot be compared.
    seg(r, ISN + 1, 'ZZZ', 7)
    expect(r.stats.conflicts).toBe(3)
    expect(r.stats.duplicateBytes).toBe(5 + 1 + 4 + 3)
  })
})

describe('StreamReassembler gaps', () => {
  it('skips a hole that never fills at flush, counts it, signals it, and goes on', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, framed('one'), 2) // 5 bytes, positions 0..4
    seg(r, ISN + 6, framed('two-long').subarray(0, 4), 3) // a partial message, then 100 bytes lost
    seg(r, ISN + 6 + 10 + 100, framed('three'), 4)
    expect(parseMessages(r).map((m) => m.body)).toEqual(['one'])
    r.flush()
    expect(r.stats).toMatchObject({ missedBytes: 106, gaps: 1, outOfOrderSegments: 0 })
    const v = r.readable()
    expect(v.gapAhead).toBe(true) // the partial 'two-long' ends at the gap
    expect(v.end - v.offset).toBe(4)
    const after = parseMessages(r)
    expect(after).toEqual([{ body: 'three', frame: 4, afterGap: true }])
    // Delivery goes on after the gap.
    seg(r, ISN + 6 + 10 + 100 + 7, framed('four'), 5)
    expect(parseMessages(r)).toEqual([{ body: 'four', frame: 5, afterGap: false }])
  })

  it('waits past an out-of-order FIN for the retransmission that fills the hole', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, 'abc', 2)
    seg(r, ISN + 7, 'ghi', 3, ACK | FIN) // the FIN overtook the segment with def
    expect(r.finSeen).toBe(true)
    expect(r.ended).toBe(false)
    seg(r, ISN + 4, 'def', 4)
    expect(r.ended).toBe(true)
    expect(drain(r)).toEqual({ text: 'abcdefghi', gapsAt: [] })
    expect(r.stats.missedBytes).toBe(0)
  })

  it('skips the holes before the FIN at flush, including the one just before it', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, 'abc', 2)
    seg(r, ISN + 7, 'ghi', 3)
    seg(r, ISN + 13, '', 4, ACK | FIN) // jkl never came
    r.flush()
    expect(r.ended).toBe(true)
    expect(r.stats).toMatchObject({ missedBytes: 6, gaps: 2 })
    const v = r.readable()
    expect([v.gapAhead, v.end - v.offset]).toEqual([true, 3])
    expect(drain(r)).toEqual({ text: 'abcghi', gapsAt: [3, 6] })
  })

  it('skips every hole at a RST and keeps what came after', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, 'abc', 2)
    seg(r, ISN + 10, 'jkl', 3)
    seg(r, ISN + 13, '', 4, RST)
    expect(r.rstSeen).toBe(true)
    expect(r.stats).toMatchObject({ missedBytes: 6, gaps: 1, outOfOrderSegments: 0 })
    expect(drain(r)).toEqual({ text: 'abcjkl', gapsAt: [3] })
    expect(r.frameOfByte(5)).toBe(-1)
  })

  it('ignores bytes past the FIN and a second FIN elsewhere', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 30, 'late', 2) // held, beyond the FIN to come: dropped when the FIN arrives
    seg(r, ISN + 1, 'abc', 3, ACK | FIN)
    expect(r.ended).toBe(true)
    expect(r.stats).toMatchObject({ afterFinBytes: 4, outOfOrderSegments: 0, charged: 3 + SEGMENT_OVERHEAD_BYTES })
    seg(r, ISN + 4, 'more', 4)
    seg(r, ISN + 2, 'bcde', 5) // bc again, de past the FIN
    seg(r, ISN + 8, '', 6, FIN)
    expect(drain(r).text).toBe('abc')
    expect(r.stats).toMatchObject({ afterFinBytes: 4 + 4 + 2, duplicateBytes: 2, ignoredFins: 1 })
  })

  it('trims a held segment that crosses the FIN', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 3, 'cdefg', 2)
    seg(r, ISN + 6, '', 3, FIN) // FIN after byte 4 (e): fg are past it
    expect(r.stats).toMatchObject({ afterFinBytes: 2, outOfOrderBytes: 3 })
    seg(r, ISN + 1, 'ab', 4)
    expect(drain(r).text).toBe('abcde')
    expect(r.ended).toBe(true)
    expect(r.stats.charged).toBe(0)
  })
})

describe('StreamReassembler sequence numbers', () => {
  it('wraps around 2^32, in order and out of order', () => {
    const isn = 0xfffffff0
    const data = 'The quick brown fox jumps over the lazy dog' // 43 bytes: 15 before the wrap, 28 after
    for (const order of [[0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]]) {
      const r = new StreamReassembler()
      seg(r, isn, '', 1, SYN)
      const cuts = [0, 10, 16, 30, 43]
      for (const i of order) seg(r, (isn + 1 + cuts[i]!) >>> 0, data.slice(cuts[i], cuts[i + 1]), 2 + i)
      expect(drain(r).text).toBe(data)
      seg(r, (isn + 1 + 43) >>> 0, '', 9, FIN)
      expect(r.ended).toBe(true)
      expect(r.stats.duplicateBytes + r.stats.missedBytes + r.stats.invalid).toBe(0)
    }
  })

  it('accepts raw sequence numbers outside 0..2^32-1 modulo 2^32', () => {
    const r = new StreamReassembler()
    seg(r, -1, '', 1, SYN) // 0xffffffff
    seg(r, 2 ** 32, 'ab', 2) // 0
    seg(r, 2 ** 33 + 2, 'cd', 3) // 2
    expect(drain(r).text).toBe('abcd')
  })

  it('picks a direction up mid-stream at the first segment with data', () => {
    const r = new StreamReassembler()
    seg(r, 0xfffffffe, '', 1) // a pure ACK: not an anchor
    seg(r, 0xfffffffe, 'mid', 2)
    expect(r.stats.midstream).toBe(true)
    expect(r.initialSeq).toBe(0xfffffffe)
    seg(r, 4, 'gh', 3) // held: 'def' (seq 1..3) missing
    seg(r, 1, 'def', 4)
    seg(r, 0xfffffff0, 'old', 5) // before the pickup point: as good as a retransmission
    expect(drain(r).text).toBe('middefgh')
    expect(r.stats.duplicateBytes).toBe(3)
  })

  it('stays exact after jumps that add up to more than 2^48 bytes', () => {
    const r = new StreamReassembler(undefined, { maxOutOfOrderSegments: 0 }) // every jump is skipped at once
    seg(r, ISN, '', 1, SYN)
    let seq = ISN + 1
    const jump = 0x7fffffff
    const jumps = Math.ceil(2 ** 48 / jump) + 10
    for (let i = 0; i < jumps; i++) {
      seq = (seq + jump) >>> 0
      seg(r, seq, 'x', 2)
      seq = (seq + 1) >>> 0
      if (i % 1000 === 0) r.consume(r.stats.buffered)
    }
    expect(r.stats.missedBytes).toBe(jumps * jump)
    seg(r, seq, 'in step', 3)
    r.consume(r.stats.buffered - 7)
    expect(drain(r).text).toBe('in step')
  })

  it('holds a segment 2^31 - 1 ahead, and counts the jump as missed at flush', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, 'a', 2)
    seg(r, (ISN + 2 + 0x7fffffff - 1) >>> 0, 'z', 3)
    seg(r, (ISN + 2 + 0x80000000) >>> 0, 'behind', 4) // 2^31 away reads as behind: a duplicate
    expect(r.stats.outOfOrderSegments).toBe(1)
    r.flush()
    expect(r.stats.missedBytes).toBe(0x7fffffff - 1)
    expect(drain(r)).toEqual({ text: 'az', gapsAt: [1] })
    seg(r, (ISN + 2 + 0x7fffffff) >>> 0, 'next', 5) // sequence tracking is still in step
    expect(drain(r).text).toBe('next')
  })
})

describe('StreamReassembler bounds', () => {
  it('skips the first hole when the out-of-order bytes overflow', () => {
    const r = new StreamReassembler(undefined, { maxOutOfOrderBytes: 100 })
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, 'x'.repeat(10), 2)
    seg(r, ISN + 21, 'a'.repeat(60), 3) // hole of 10 at 10..19
    expect(r.stats.overflows).toBe(0)
    seg(r, ISN + 81, 'b'.repeat(60), 4) // 120 held > 100: skip
    expect(r.stats).toMatchObject({ overflows: 1, missedBytes: 10, gaps: 1, outOfOrderBytes: 0, buffered: 130 })
    // Skipped-to bytes keep the frame they arrived in.
    expect([r.frameOfByte(9), r.frameOfByte(10), r.frameOfByte(129)]).toEqual([2, 3, 4])
    expect(drain(r).gapsAt).toEqual([10])
    seg(r, ISN + 11, 'y'.repeat(10), 5) // the retransmission comes too late
    expect(r.stats.duplicateBytes).toBe(10)
  })

  it('skips holes when the out-of-order segment count overflows', () => {
    const r = new StreamReassembler(undefined, { maxOutOfOrderSegments: 3 })
    seg(r, ISN, '', 1, SYN)
    for (let i = 0; i < 4; i++) seg(r, ISN + 1 + 2 * i + 1, String(i), 2 + i) // bytes 1, 3, 5, 7; holes at 0, 2, 4, 6
    expect(r.stats).toMatchObject({ overflows: 1, missedBytes: 1, outOfOrderSegments: 3, buffered: 1 })
    r.flush()
    expect(drain(r)).toEqual({ text: '0123', gapsAt: [0, 1, 2, 3] })
    expect(r.stats.missedBytes).toBe(4)
  })

  it('stops buffering at the per-stream cap when nothing is consumed, says so, and resumes after a gap', () => {
    const r = new StreamReassembler(undefined, { maxBufferedBytes: 1000 })
    seg(r, ISN, '', 1, SYN)
    for (let i = 0; i < 10; i++) seg(r, ISN + 1 + 200 * i, String(i).repeat(200), 2 + i)
    // 3 x (200 + 64) = 792 charged; the 4th segment gets 1000 - 792 - 64 = 144 bytes.
    expect(r.stats).toMatchObject({ buffered: 744, charged: 1000, capDroppedBytes: 56 + 6 * 200, gaps: 1, budgetDroppedBytes: 0 })
    const v = r.readable()
    expect([v.end - v.offset, v.gapAhead]).toEqual([744, true])
    r.consume(744)
    expect(r.stats.charged).toBe(0)
    seg(r, ISN + 2001, 'resumed', 12)
    const after = r.readable()
    expect([after.position, after.afterGap, dec.decode(after.bytes.subarray(after.offset, after.end))]).toEqual([744, true, 'resumed'])
    expect(r.frameOfByte(744)).toBe(12)
  })

  it('shares one budget between streams, counts what it refuses, and gets it back on close', () => {
    const budget = createStreamBudget(1000)
    const a = new StreamReassembler(budget)
    const b = new StreamReassembler(budget)
    seg(a, ISN, '', 1, SYN)
    seg(b, ISN, '', 2, SYN)
    seg(a, ISN + 1, 'a'.repeat(600), 3)
    expect(budget.used).toBe(664)
    seg(b, ISN + 1, 'b'.repeat(600), 4)
    expect(budget.used).toBe(1000)
    expect(b.stats).toMatchObject({ buffered: 272, budgetDroppedBytes: 328, capDroppedBytes: 0, gaps: 1 })
    seg(b, ISN + 700, 'held', 5) // out of order, no room: refused
    expect(b.stats).toMatchObject({ outOfOrderSegments: 0, budgetDroppedBytes: 332 })
    expect(a.stats.charged + b.stats.charged).toBe(budget.used)
    a.close()
    expect(budget.used).toBe(b.stats.charged)
    expect(a.stats).toMatchObject({ charged: 0, buffered: 0 })
    seg(a, ISN + 601, 'after close', 6) // still usable, in step
    expect(drain(a).text).toBe('after close')
    b.close()
    a.close()
    expect(budget.used).toBe(0)
  })

  it('frees consumed bytes: a long drained stream keeps a small buffer', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    const chunk = new Uint8Array(1460).fill(0x41)
    let seq = ISN + 1
    for (let i = 0; i < 20_000; i++) {
      seg(r, seq, chunk, 2 + i)
      seq = (seq + chunk.length) >>> 0
      if (i % 3 === 2) r.consume(r.stats.buffered - 100) // the application keeps a partial message
    }
    expect(r.stats.deliveredBytes).toBe(20_000 * 1460)
    expect(r.capacity).toBeLessThanOrEqual(16 * 1024)
    expect(r.stats.charged).toBeLessThan(5 * 1460)
  })

  it('gives a large buffer back once the application catches up', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, new Uint8Array(200_000), 2)
    expect(r.capacity).toBeGreaterThanOrEqual(200_000)
    r.consume(150_000)
    expect(r.capacity).toBeLessThan(200_000)
    r.consume(50_000)
    expect(r.capacity).toBe(0)
  })
})

describe('StreamReassembler with a length-prefixed application', () => {
  it('delivers several messages carried in one segment, each on that frame', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    seg(r, ISN + 1, framed('first', 'second', 'third'), 7)
    expect(parseMessages(r)).toEqual([
      { body: 'first', frame: 7, afterGap: false },
      { body: 'second', frame: 7, afterGap: false },
      { body: 'third', frame: 7, afterGap: false },
    ])
  })

  it('delivers one message spread over several segments on the frame of its last byte', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    const wire = framed('a fairly long message body', 'x', 'split again')
    // Cuts inside the length field and inside bodies: [0,1) [1,10) [10,28) [28,33) [33,46)
    const cuts = [0, 1, 10, 28, 33, wire.length]
    const got: Message[] = []
    for (let i = 0; i + 1 < cuts.length; i++) {
      seg(r, ISN + 1 + cuts[i]!, wire.subarray(cuts[i]!, cuts[i + 1]!), 10 + i)
      got.push(...parseMessages(r))
    }
    expect(got).toEqual([
      { body: 'a fairly long message body', frame: 12, afterGap: false }, // its last byte (27) is in [10,28)
      { body: 'x', frame: 13, afterGap: false }, // bytes 28..30
      { body: 'split again', frame: 14, afterGap: false },
    ])
  })

  it('reports a message completed by a retransmission on the frame that filled the hole', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    const wire = framed('0123456789')
    seg(r, ISN + 1 + 6, wire.subarray(6), 2) // tail first
    expect(parseMessages(r)).toEqual([])
    seg(r, ISN + 1, wire.subarray(0, 6), 3)
    expect(parseMessages(r)).toEqual([{ body: '0123456789', frame: 3, afterGap: false }])
  })

  it('drops the message cut by a gap and parses the next one, told that a gap came before it', () => {
    const r = new StreamReassembler()
    seg(r, ISN, '', 1, SYN)
    const wire = framed('kept', 'cut by the gap', 'after') // [0,6) [6,22) [22,29)
    seg(r, ISN + 1, wire.subarray(0, 11), 2) // message 2 stops after 5 of its 16 bytes: [11,22) is lost
    seg(r, ISN + 1 + 22, wire.subarray(22), 3) // held behind the hole
    expect(parseMessages(r)).toEqual([{ body: 'kept', frame: 2, afterGap: false }])
    r.flush()
    expect(parseMessages(r)).toEqual([{ body: 'after', frame: 3, afterGap: true }])
    expect(r.stats).toMatchObject({ missedBytes: 11, gaps: 1, consumedBytes: 11 + 7 })
  })
})

describe('StreamReassembler hostile input', () => {
  it('refuses bad offsets and sequence numbers without throwing', () => {
    const r = new StreamReassembler()
    const b = new Uint8Array(10)
    r.add(Number.NaN, ACK, b, 0, 4, 1)
    r.add(Infinity, ACK, b, 0, 4, 1)
    r.add(1, ACK, b, -1, 4, 1)
    r.add(1, ACK, b, 5, 4, 1)
    r.add(1, ACK, b, 0, 11, 1)
    r.add(1, ACK, b, 0.5, 4, 1)
    expect(r.stats).toMatchObject({ segments: 6, invalid: 6, deliveredBytes: 0 })
    expect(r.isStarted).toBe(false)
    r.consume(-5)
    r.consume(Number.NaN)
    r.consume(1e12)
    expect(r.frameOfByte(-1)).toBe(-1)
    expect(r.frameOfByte(Number.NaN)).toBe(-1)
    r.flush()
    r.close()
    expect(r.readable().offset).toBe(r.readable().end)
  })

  it('survives every flag combination on every kind of segment', () => {
    const r = new StreamReassembler()
    for (let flags = 0; flags < 256; flags++) {
      seg(r, ISN + (flags % 7) * 3, 'abc'.slice(0, flags % 4), flags, flags)
      if (flags % 5 === 0) drain(r)
    }
    expect(r.stats.segments).toBe(256)
  })
})

// ---------------------------------------------------------------------------------------------
// Seeded fuzz

describe('StreamReassembler fuzz', () => {
  it('never throws and never holds more than its bounds, whatever the segments', () => {
    const rnd = seededRandom(0x5eed)
    const int = (n: number): number => Math.floor(rnd() * n)
    const limits: StreamLimits = { maxOutOfOrderBytes: 4096, maxOutOfOrderSegments: 16, maxBufferedBytes: 8192 }
    const budget = createStreamBudget(40_000)
    const streams = Array.from({ length: 8 }, () => new StreamReassembler(budget, limits))
    // Bytes from a small alphabet, so that overlapping segments sometimes agree and sometimes conflict.
    const pool = new Uint8Array(8000)
    for (let i = 0; i < pool.length; i++) pool[i] = int(4)
    const totals = { delivered: 0, capDropped: 0, budgetDropped: 0, overflows: 0, conflicts: 0, missed: 0, invalid: 0 }
    const retire = (r: StreamReassembler): void => {
      totals.delivered += r.stats.deliveredBytes
      totals.capDropped += r.stats.capDroppedBytes
      totals.budgetDropped += r.stats.budgetDroppedBytes
      totals.overflows += r.stats.overflows
      totals.conflicts += r.stats.conflicts
      totals.missed += r.stats.missedBytes
      totals.invalid += r.stats.invalid
      r.close()
    }
    let frame = 0
    for (let step = 0; step < 60_000; step++) {
      const k = int(streams.length)
      const r = streams[k]!
      const op = rnd()
      if (op < 0.8) {
        const next = r.expectedSeq < 0 ? int(2 ** 32) : r.expectedSeq
        const where = rnd()
        const seq =
          where < 0.75 ? next - 3000 + int(12_000) // around the delivery point: in order, old, held
          : where < 0.9 ? int(2 ** 32) // anywhere
          : where < 0.95 ? next + 2 ** 31 - int(3) // the edge of the signed window
          : [Number.NaN, -1, 2 ** 40, 0.5, Infinity][int(5)]!
        const len = rnd() < 0.1 ? 0 : int(1600)
        const off = int(pool.length - len)
        const f = rnd()
        const flags = f < 0.97 ? ACK : f < 0.985 ? SYN | ACK : f < 0.995 ? int(256) & ~FIN : int(256)
        if (rnd() < 0.02) r.add(seq, flags, pool, off, off + len + 10_000, ++frame) // end past the bytes
        else r.add(seq, flags, pool, off, off + len, ++frame)
      } else if (op < 0.9) {
        const v = r.readable()
        expect(v.offset).toBeGreaterThanOrEqual(0)
        expect(v.end).toBeGreaterThanOrEqual(v.offset)
        expect(v.end).toBeLessThanOrEqual(v.bytes.length)
        if (v.end > v.offset) {
          expect(r.frameOfByte(v.position)).toBeGreaterThan(0)
          expect(r.frameOfByte(v.position + (v.end - v.offset) - 1)).toBeGreaterThan(0)
        }
        r.consume(rnd() < 0.5 ? v.end - v.offset : int(v.end - v.offset + 1))
      } else if (op < 0.97) {
        r.flush()
      } else {
        retire(r) // the connection leaves the table; a new one takes its slot
        streams[k] = new StreamReassembler(budget, limits)
      }
      expect(r.stats.buffered).toBeLessThanOrEqual(limits.maxBufferedBytes)
      expect(r.stats.outOfOrderBytes).toBeLessThanOrEqual(limits.maxOutOfOrderBytes)
      expect(r.stats.outOfOrderSegments).toBeLessThanOrEqual(limits.maxOutOfOrderSegments)
      expect(r.stats.charged).toBeLessThanOrEqual(
        limits.maxBufferedBytes + limits.maxOutOfOrderBytes + limits.maxOutOfOrderSegments * SEGMENT_OVERHEAD_BYTES,
      )
      expect(r.capacity).toBeLessThanOrEqual(2 * limits.maxBufferedBytes)
      expect(budget.used).toBeLessThanOrEqual(budget.limit)
    }
    expect(budget.used).toBe(streams.reduce((n, s) => n + s.stats.charged, 0))
    for (const s of streams) retire(s)
    expect(budget.used).toBe(0)
    // The run reached every bound it is meant to test.
    for (const [name, n] of Object.entries(totals)) expect(n, name).toBeGreaterThan(0)
  })

  it('rebuilds the original stream from its segments in any order, with duplicates', () => {
    const rnd = seededRandom(20240611)
    const int = (n: number): number => Math.floor(rnd() * n)
    for (let round = 0; round < 150; round++) {
      const length = int(30_000)
      const original = new Uint8Array(length)
      for (let i = 0; i < length; i++) original[i] = int(256)
      const isn = rnd() < 0.3 ? (2 ** 32 - int(length + 2)) >>> 0 : int(2 ** 32) // often across the wrap
      // Segments tiling the stream, then retransmissions: exact copies and arbitrary overlapping ranges.
      const segs: { from: number; to: number; flags: number }[] = []
      for (let at = 0; at < length; ) {
        const n = 1 + int(1500)
        segs.push({ from: at, to: Math.min(length, at + n), flags: ACK })
        at += n
      }
      const copies = int(segs.length + 1)
      for (let i = 0; i < copies; i++) {
        if (rnd() < 0.5) segs.push({ ...segs[int(segs.length)]! })
        else {
          const from = int(length + 1)
          segs.push({ from, to: Math.min(length, from + int(3000)), flags: ACK })
        }
      }
      segs.push({ from: length, to: length, flags: ACK | FIN })
      for (let i = segs.length - 1; i > 0; i--) {
        const j = int(i + 1)
        ;[segs[i], segs[j]] = [segs[j]!, segs[i]!]
      }
      const r = new StreamReassembler()
      r.add(isn, SYN, new Uint8Array(0), 0, 0, 1)
      const out: number[] = []
      let frame = 1
      const take = (all: boolean): void => {
        const v = r.readable()
        expect(v.afterGap || v.gapAhead).toBe(false)
        const n = all ? v.end - v.offset : int(v.end - v.offset + 1)
        for (let i = 0; i < n; i++) out.push(v.bytes[v.offset + i]!)
        r.consume(n)
      }
      for (const s of segs) {
        r.add((isn + 1 + s.from) >>> 0, s.flags, original, s.from, s.to, ++frame)
        if (rnd() < 0.5) take(false)
      }
      take(true)
      r.flush()
      take(true)
      expect(out.length).toBe(length)
      expect(Buffer.from(out).equals(Buffer.from(original))).toBe(true)
      expect(r.ended).toBe(true)
      expect(r.stats).toMatchObject({ missedBytes: 0, gaps: 0, conflicts: 0, buffered: 0, charged: 0, outOfOrderSegments: 0 })
    }
  })
})

describe('addBorrowing: segment bytes read in place', () => {
  const text = (r: StreamReassembler) => { const v = r.readable(); return dec.decode(v.bytes.subarray(v.offset, v.end)) }

  it('reads the caller bytes without copying, and release() copies only what was left', () => {
    const r = new StreamReassembler()
    const frame = enc.encode('xxhello world')
    r.addBorrowing(1000, ACK, frame, 2, frame.length, 1)
    expect(r.readable().bytes).toBe(frame)
    expect(r.capacity).toBe(frame.length)
    r.consume(6)
    r.release()
    frame.fill(0) // the caller reuses its buffer: the stream kept its own copy
    expect(text(r)).toBe('world')
    expect(r.stats).toMatchObject({ deliveredBytes: 11, consumedBytes: 6, buffered: 5 })
  })

  it('gives the same bytes, stats and frames as add() for any mix of in-order, out-of-order and overlapping segments', () => {
    const rnd = seededRandom(7)
    const data = enc.encode('abcdefghijklmnopqrstuvwxyz'.repeat(40))
    for (let run = 0; run < 40; run++) {
      const plain = new StreamReassembler(createStreamBudget(600))
      const lent = new StreamReassembler(createStreamBudget(600))
      const readPlain: number[] = []
      const readLent: number[] = []
      for (let k = 0; k < 60; k++) {
        const from = Math.floor(rnd() * data.length)
        const to = Math.min(data.length, from + 1 + Math.floor(rnd() * 80))
        const buf = data.slice(from, to)
        plain.add(5000 + from, ACK, buf, 0, buf.length, k)
        lent.addBorrowing(5000 + from, ACK, buf, 0, buf.length, k)
        const share = rnd() < 0.5 ? 1 : rnd() // often all: the next segment then lands in an empty buffer (borrowed)
        for (const [r, out] of [[plain, readPlain], [lent, readLent]] as const) {
          const v = r.readable()
          const n = Math.floor((v.end - v.offset) * share)
          for (let i = 0; i < n; i++) out.push(v.bytes[v.offset + i]!)
          r.consume(n)
        }
        lent.release()
        buf.fill(0)
        expect(lent.stats).toEqual(plain.stats)
      }
      expect(readLent).toEqual(readPlain)
    }
  })
})
