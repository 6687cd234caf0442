import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_LIMITS,
  Defragmenter,
  DropReason,
  FRAGMENT_OVERHEAD_BYTES,
  fragmentKey,
  type DefragLimits,
  type FragmentInput,
  type FragmentResult,
} from '../../src/decode/defrag.js'
import {
  FRAGMENT_TIMEOUT_SECONDS,
  MAX_DATAGRAM_BYTES,
  MAX_FRAGMENT_BYTES,
  MAX_FRAGMENT_DATAGRAMS,
  MAX_FRAGMENTS_PER_DATAGRAM,
} from '../../src/decode/limits.js'
import { fromHex } from '../support/bytes.js'
import { seededRandom } from '../support/random.js'

// ---------------------------------------------------------------------------------------------
// Helpers: a fragment is its key bytes (source and destination address) followed by its payload.

const SRC4 = [192, 0, 2, 1]
const DST4 = [198, 51, 100, 2]
const SRC6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
const DST6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]

interface Spec {
  family?: 4 | 6
  id?: number
  protocol?: number
  scope?: number
  offset: number
  more: boolean
  data: ArrayLike<number>
  frame?: number
  ts?: number
  /** Defaults to data.length. */
  declared?: number
  /** Bytes of data actually captured; defaults to all of it. */
  captured?: number
  src?: number[]
}

function frag(s: Spec): FragmentInput {
  const family = s.family ?? 4
  const src = s.src ?? (family === 4 ? SRC4 : SRC6)
  const dst = family === 4 ? DST4 : DST6
  const a = src.length
  const bytes = new Uint8Array(2 * a + s.data.length)
  bytes.set(src, 0)
  bytes.set(dst, a)
  bytes.set(s.data, 2 * a)
  const input: FragmentInput = {
    family,
    bytes,
    srcOffset: 0,
    dstOffset: a,
    id: s.id ?? 0x1234,
    protocol: s.protocol ?? 17,
    offset: s.offset,
    more: s.more,
    payloadOffset: 2 * a,
    payloadEnd: 2 * a + (s.captured ?? s.data.length),
    declaredLength: s.declared ?? s.data.length,
    tsSec: s.ts ?? 1000,
    frame: s.frame ?? 1,
  }
  if (s.scope !== undefined) input.scope = s.scope
  return input
}

/** `len` bytes that differ from position to position and from seed to seed. */
function pattern(len: number, seed = 0): Uint8Array {
  const out = new Uint8Array(len)
  for (let i = 0; i < len; i++) out[i] = (i * 7 + seed * 31 + (i >> 8)) & 0xff
  return out
}

function complete(r: FragmentResult): Extract<FragmentResult, { status: 'complete' }> {
  if (r.status !== 'complete') throw new Error(`expected complete, got ${JSON.stringify(r)}`)
  return r
}

const HELD = { status: 'held' }

// ---------------------------------------------------------------------------------------------

describe('Defragmenter: ordering', () => {
  const whole = pattern(40)
  const parts = [
    { offset: 0, more: true, data: whole.subarray(0, 16), frame: 1 },
    { offset: 16, more: true, data: whole.subarray(16, 32), frame: 2 },
    { offset: 32, more: false, data: whole.subarray(32, 40), frame: 3 },
  ]

  it('reassembles fragments that arrive in order', () => {
    const d = new Defragmenter()
    expect(d.add(frag(parts[0]!))).toEqual(HELD)
    expect(d.add(frag(parts[1]!))).toEqual(HELD)
    expect(d.stats.held).toBe(1)
    expect(d.stats.bytesHeld).toBe(32 + 2 * FRAGMENT_OVERHEAD_BYTES)
    const r = complete(d.add(frag(parts[2]!)))
    expect(r.payload).toEqual(whole)
    expect(r.frames).toEqual([1, 2, 3])
    expect(r.protocol).toBe(17)
    expect(r.overlaps).toBe(0)
    expect(r.conflicts).toBe(0)
    // The datagram's memory is freed as soon as it completes.
    expect(d.stats).toMatchObject({ held: 0, bytesHeld: 0, completed: 1, fragments: 3 })
    expect(d.size).toBe(0)
  })

  it('reassembles out of order (middle, last, first) and in reverse order', () => {
    for (const order of [[1, 2, 0], [2, 1, 0], [2, 0, 1], [0, 2, 1]]) {
      const d = new Defragmenter()
      const results = order.map((i) => d.add(frag(parts[i]!)))
      expect(results.slice(0, 2)).toEqual([HELD, HELD])
      const r = complete(results[2]!)
      expect(r.payload).toEqual(whole)
      // Frames in Wireshark's order: by offset, whatever the arrival order.
      expect(r.frames).toEqual([1, 2, 3])
      expect(d.stats.bytesHeld).toBe(0)
    }
  })

  it('returns a fresh buffer, not a view of the caller\'s packet', () => {
    const d = new Defragmenter()
    const a = frag(parts[0]!)
    d.add(a)
    d.add(frag(parts[1]!))
    const r = complete(d.add(frag(parts[2]!)))
    a.bytes.fill(0) // the frame loop reuses its buffers
    expect(r.payload).toEqual(whole)
    expect(r.payload.byteOffset).toBe(0)
    expect(r.payload.buffer.byteLength).toBe(40)
  })

  it('completes an atomic fragment (offset 0, more=false) on its own without touching pending datagrams', () => {
    const d = new Defragmenter()
    d.add(frag(parts[0]!))
    const r = complete(d.add(frag({ offset: 0, more: false, data: [1, 2, 3], frame: 9 })))
    expect(r.payload).toEqual(new Uint8Array([1, 2, 3]))
    expect(r.frames).toEqual([9])
    expect(d.stats.held).toBe(1)
    d.add(frag(parts[1]!))
    expect(complete(d.add(frag(parts[2]!))).payload).toEqual(whole)
  })
})

describe('Defragmenter: keys', () => {
  it('keeps IPv4 datagrams apart by source, destination, protocol and id (RFC 791)', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: pattern(8, 1), id: 7, protocol: 17 }))
    d.add(frag({ offset: 0, more: true, data: pattern(8, 2), id: 7, protocol: 6 }))
    d.add(frag({ offset: 0, more: true, data: pattern(8, 3), id: 8, protocol: 17 }))
    d.add(frag({ offset: 0, more: true, data: pattern(8, 4), id: 7, protocol: 17, src: [192, 0, 2, 9] }))
    d.add(frag({ offset: 0, more: true, data: pattern(8, 5), id: 7, protocol: 17, scope: 100 }))
    expect(d.stats.held).toBe(5)
    const r = complete(d.add(frag({ offset: 8, more: false, data: pattern(8, 6), id: 7, protocol: 6 })))
    expect(r.protocol).toBe(6)
    expect(r.payload.subarray(0, 8)).toEqual(pattern(8, 2))
    expect(d.stats.held).toBe(4)
  })

  it('builds compact readable keys', () => {
    expect(fragmentKey(frag({ offset: 0, more: true, data: [], id: 4660, protocol: 6 }))).toBe(
      '4:c0000201>c6336402#4660/6',
    )
    expect(fragmentKey(frag({ family: 6, offset: 0, more: true, data: [], id: 1, protocol: 17, scope: 3 }))).toBe(
      '6:20010db8000000000000000000000001>20010db8000000000000000000000002#1@3',
    )
  })

  it('IPv6: the key has no protocol (RFC 8200); the protocol comes from the offset-0 fragment', () => {
    const d = new Defragmenter()
    const whole = pattern(24, 9)
    // A later fragment carries a different next header value: it still joins (RFC 8200 keys by
    // src, dst, id only), and the result uses the first fragment's.
    expect(d.add(frag({ family: 6, offset: 16, more: false, data: whole.subarray(16), protocol: 59, frame: 3 }))).toEqual(HELD)
    expect(d.add(frag({ family: 6, offset: 0, more: true, data: whole.subarray(0, 8), protocol: 17, frame: 1 }))).toEqual(HELD)
    // The same numbers as IPv4 are another datagram.
    expect(d.add(frag({ family: 4, offset: 8, more: true, data: whole.subarray(8, 16), protocol: 17 }))).toEqual(HELD)
    const r = complete(d.add(frag({ family: 6, offset: 8, more: true, data: whole.subarray(8, 16), protocol: 17, frame: 2 })))
    expect(r.payload).toEqual(whole)
    expect(r.protocol).toBe(17)
    expect(r.frames).toEqual([1, 2, 3])
    expect(d.stats.held).toBe(1)
  })

  it('IPv6: an empty fragment is kept (tshark keeps it) and may carry the total length; IPv4 ignores it', () => {
    const d = new Defragmenter()
    d.add(frag({ family: 6, offset: 0, more: true, data: pattern(16) }))
    const r = complete(d.add(frag({ family: 6, offset: 16, more: false, data: [], frame: 2 })))
    expect(r.payload).toEqual(pattern(16))
    expect(d.add(frag({ family: 4, offset: 16, more: false, data: [] }))).toEqual({ status: 'dropped', reason: DropReason.EMPTY })
    expect(d.stats.refused[DropReason.EMPTY]).toBe(1)
  })
})

describe('Defragmenter: duplicates and overlaps (Wireshark\'s policy: lowest offset wins, ties to the first arrival)', () => {
  it('absorbs an identical retransmission without storing its bytes again', () => {
    const d = new Defragmenter()
    const whole = pattern(32)
    d.add(frag({ offset: 0, more: true, data: whole.subarray(0, 16), frame: 1 }))
    const before = d.stats.bytesHeld
    expect(d.add(frag({ offset: 0, more: true, data: whole.subarray(0, 16), frame: 2 }))).toEqual(HELD)
    expect(d.stats.bytesHeld).toBe(before + FRAGMENT_OVERHEAD_BYTES) // the record, not the 16 bytes
    const r = complete(d.add(frag({ offset: 16, more: false, data: whole.subarray(16), frame: 3 })))
    expect(r.payload).toEqual(whole)
    expect(r.frames).toEqual([1, 2, 3])
    // tshark flags the repeat as "Fragment overlap", without a conflict.
    expect(r.overlaps).toBe(1)
    expect(r.conflicts).toBe(0)
  })

  it('duplicate last fragment: harmless', () => {
    const d = new Defragmenter()
    const whole = pattern(24)
    d.add(frag({ offset: 16, more: false, data: whole.subarray(16), frame: 1 }))
    d.add(frag({ offset: 16, more: false, data: whole.subarray(16), frame: 2 }))
    const r = complete(d.add(frag({ offset: 0, more: true, data: whole.subarray(0, 16), frame: 3 })))
    expect(r.payload).toEqual(whole)
    expect(r.frames).toEqual([3, 1, 2])
    expect(d.stats.multipleTails).toBe(0)
  })

  it('overlap with identical bytes: counted as an overlap, not a conflict', () => {
    const d = new Defragmenter()
    const whole = pattern(40)
    d.add(frag({ offset: 0, more: true, data: whole.subarray(0, 24), frame: 1 }))
    d.add(frag({ offset: 16, more: true, data: whole.subarray(16, 32), frame: 2 }))
    const r = complete(d.add(frag({ offset: 32, more: false, data: whole.subarray(32), frame: 3 })))
    expect(r.payload).toEqual(whole)
    expect([r.overlaps, r.conflicts]).toEqual([1, 0])
  })

  it('conflicting overlap: the lower-offset fragment wins even when it arrives later', () => {
    // The shape of the real capture below: [48,72) arrives first, [24,72) later with other bytes.
    const d = new Defragmenter()
    const high = new Uint8Array(24).fill(0xbb)
    const low = new Uint8Array(48).fill(0xaa)
    d.add(frag({ offset: 48, more: true, data: high, frame: 1 }))
    d.add(frag({ offset: 72, more: false, data: [0xcc], frame: 2 }))
    d.add(frag({ offset: 0, more: true, data: new Uint8Array(24).fill(0x11), frame: 3 }))
    const r = complete(d.add(frag({ offset: 24, more: true, data: low, frame: 4 })))
    expect(r.payload.subarray(24, 72)).toEqual(low)
    expect(r.payload[72]).toBe(0xcc)
    expect(r.frames).toEqual([3, 4, 1, 2])
    expect([r.overlaps, r.conflicts]).toEqual([1, 1])
    expect(d.stats).toMatchObject({ overlaps: 1, conflicts: 1 })
  })

  it('conflicting overlap at the same offset: the first to arrive wins', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: new Uint8Array(16).fill(1), frame: 1 }))
    d.add(frag({ offset: 0, more: true, data: new Uint8Array(16).fill(2), frame: 2 }))
    const r = complete(d.add(frag({ offset: 16, more: false, data: [3], frame: 3 })))
    expect(Array.from(r.payload)).toEqual([...new Array<number>(16).fill(1), 3])
    expect([r.overlaps, r.conflicts]).toEqual([1, 1])
  })

  it('a longer fragment at the same offset adds only the bytes past the first one', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: new Uint8Array(8).fill(1), frame: 1 }))
    d.add(frag({ offset: 0, more: true, data: new Uint8Array(16).fill(2), frame: 2 }))
    const r = complete(d.add(frag({ offset: 16, more: false, data: new Uint8Array(8).fill(3), frame: 3 })))
    expect(Array.from(r.payload)).toEqual([
      ...new Array<number>(8).fill(1), ...new Array<number>(8).fill(2), ...new Array<number>(8).fill(3),
    ])
    expect(r.frames).toEqual([1, 2, 3])
    expect([r.overlaps, r.conflicts]).toEqual([1, 1])
  })

  it('completes as soon as the bytes are covered; a later middle fragment is not waited for', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: new Uint8Array(8).fill(1), frame: 1 }))
    const r = complete(d.add(frag({ offset: 8, more: false, data: new Uint8Array(8).fill(3), frame: 2 })))
    expect(Array.from(r.payload)).toEqual([...new Array<number>(8).fill(1), ...new Array<number>(8).fill(3)])
  })

  it('sorted copy: a fragment whose offset is lower wins bytes it shares with a higher-offset one', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 8, more: false, data: new Uint8Array(16).fill(3), frame: 1 })) // [8,24)
    d.add(frag({ offset: 4, more: true, data: new Uint8Array(8).fill(2), frame: 2 })) // [4,12)
    const r = complete(d.add(frag({ offset: 0, more: true, data: new Uint8Array(8).fill(1), frame: 3 }))) // [0,8)
    // [0,8) from frame 3, [8,12) from frame 2 (offset 4 < 8), [12,24) from frame 1.
    expect(Array.from(r.payload)).toEqual([
      ...new Array<number>(8).fill(1), ...new Array<number>(4).fill(2), ...new Array<number>(12).fill(3),
    ])
    expect(r.frames).toEqual([3, 2, 1])
    expect([r.overlaps, r.conflicts]).toEqual([2, 2])
  })

  it('multiple tails: the first more=false fragment fixes the length; bytes past it are ignored', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 16, more: false, data: new Uint8Array(8).fill(2), frame: 1 })) // total 24
    d.add(frag({ offset: 24, more: false, data: new Uint8Array(8).fill(3), frame: 2 })) // says 32
    d.add(frag({ offset: 40, more: true, data: new Uint8Array(8).fill(4), frame: 3 })) // past the end
    const r = complete(d.add(frag({ offset: 0, more: true, data: new Uint8Array(16).fill(1), frame: 4 })))
    expect(r.payload.length).toBe(24)
    expect(r.frames).toEqual([4, 1, 2, 3])
    expect(d.stats).toMatchObject({ multipleTails: 1, pastEnd: 2 })
  })

  it('a tail shorter than data already held: completes at the tail\'s length', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: pattern(32), frame: 1 }))
    const r = complete(d.add(frag({ offset: 8, more: false, data: pattern(8, 5), frame: 2 })))
    expect(r.payload).toEqual(pattern(32).subarray(0, 16))
    expect(d.stats.pastEnd).toBe(1)
  })
})

describe('Defragmenter: snap length', () => {
  it('a fragment cut by the snap length drops its datagram; later fragments are refused', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: pattern(64), frame: 1 }))
    expect(d.stats.bytesHeld).toBeGreaterThan(0)
    // 1480 bytes declared, 40 captured.
    const cut = d.add(frag({ offset: 64, more: true, data: pattern(40), declared: 1480, frame: 2 }))
    expect(cut).toEqual({ status: 'dropped', reason: 'cut by snap length' })
    expect(d.stats).toMatchObject({ held: 0, bytesHeld: 0, dropped: { 'cut by snap length': 1 } })
    expect(d.add(frag({ offset: 1544, more: false, data: pattern(8), frame: 3 }))).toEqual({
      status: 'dropped', reason: 'datagram already dropped',
    })
    expect(d.stats.held).toBe(0)
    expect(d.stats.refused['datagram already dropped']).toBe(1)
    // The tombstone goes with the timeout; then the key is free again (id reuse).
    expect(d.add(frag({ offset: 0, more: true, data: pattern(8), ts: 1000 + FRAGMENT_TIMEOUT_SECONDS + 1 }))).toEqual(HELD)
  })

  it('the first fragment of a datagram may be the cut one', () => {
    const d = new Defragmenter()
    expect(d.add(frag({ offset: 0, more: true, data: pattern(60), declared: 1480 })).status).toBe('dropped')
    expect(d.add(frag({ offset: 1480, more: false, data: pattern(20) }))).toEqual({
      status: 'dropped', reason: 'datagram already dropped',
    })
    expect(d.stats.dropped).toEqual({ 'cut by snap length': 1 })
  })

  it('padding past the declared length (Ethernet minimum frame) is not payload', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: pattern(8) }))
    const r = complete(d.add(frag({ offset: 8, more: false, data: [9, 9, 0, 0, 0, 0], declared: 2 })))
    expect(Array.from(r.payload)).toEqual([...pattern(8), 9, 9])
  })
})

describe('Defragmenter: timeout', () => {
  it('a gap that never fills is held until the timeout, then expired and counted', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: pattern(16), ts: 100 }))
    d.add(frag({ offset: 24, more: false, data: pattern(8), ts: 101 })) // 16..23 never comes
    expect(d.stats.held).toBe(1)
    expect(d.expire(100 + FRAGMENT_TIMEOUT_SECONDS)).toBe(0) // counted from the first fragment
    expect(d.stats.held).toBe(1)
    expect(d.expire(100 + FRAGMENT_TIMEOUT_SECONDS + 0.5)).toBe(1)
    expect(d.stats).toMatchObject({ held: 0, bytesHeld: 0, dropped: { timeout: 1 } })
  })

  it('expires lazily on add, in age order, and a clock going backwards does not rewind', () => {
    const d = new Defragmenter()
    d.add(frag({ id: 1, offset: 0, more: true, data: pattern(8), ts: 10 }))
    d.add(frag({ id: 2, offset: 0, more: true, data: pattern(8), ts: 25 }))
    d.add(frag({ id: 3, offset: 0, more: true, data: pattern(8), ts: 5 })) // out-of-order timestamp: age from 25
    expect(d.add(frag({ id: 4, offset: 0, more: true, data: pattern(8), ts: 41 }))).toEqual(HELD)
    expect(d.stats.dropped.timeout).toBe(1) // id 1 only
    expect(d.stats.held).toBe(3)
    expect(d.expire(56)).toBe(2) // ids 2 and 3 (both from clock 25)
    expect(d.stats.held).toBe(1)
  })

  it('ignores timestamps that are not finite numbers', () => {
    const d = new Defragmenter()
    d.add(frag({ offset: 0, more: true, data: pattern(8), ts: 10 }))
    expect(d.expire(Number.NaN)).toBe(0)
    expect(d.expire(Number.POSITIVE_INFINITY)).toBe(0)
    expect(d.stats.held).toBe(1)
  })
})

describe('Defragmenter: bounds', () => {
  it('table full: the oldest incomplete datagram is evicted and counted', () => {
    const d = new Defragmenter()
    for (let id = 0; id < MAX_FRAGMENT_DATAGRAMS; id++) {
      expect(d.add(frag({ id, offset: 8, more: false, data: pattern(8, id), ts: 1000 + id / 10_000 }))).toEqual(HELD)
    }
    expect(d.stats.held).toBe(MAX_FRAGMENT_DATAGRAMS)
    expect(d.stats.evicted).toBe(0)
    expect(d.add(frag({ id: 99_999, offset: 8, more: false, data: pattern(8) }))).toEqual(HELD)
    expect(d.stats.held).toBe(MAX_FRAGMENT_DATAGRAMS)
    expect(d.stats).toMatchObject({ evicted: 1, dropped: { 'table full': 1 } })
    // id 0 was the oldest: its first half now starts a new datagram instead of completing.
    expect(d.add(frag({ id: 0, offset: 0, more: true, data: pattern(8) }))).toEqual(HELD)
    expect(d.stats.evicted).toBe(2) // id 1 made room
    // id 2 is still there and completes.
    expect(complete(d.add(frag({ id: 2, offset: 0, more: true, data: pattern(8) }))).payload.length).toBe(16)
    expect(d.stats.held).toBeLessThanOrEqual(MAX_FRAGMENT_DATAGRAMS)
  })

  it('too many fragments: the datagram is dropped at fragment MAX_FRAGMENTS_PER_DATAGRAM + 1', () => {
    const d = new Defragmenter()
    // One-byte fragments from offset 1 on (offset 0 never comes).
    for (let i = 1; i <= MAX_FRAGMENTS_PER_DATAGRAM; i++) {
      expect(d.add(frag({ offset: i, more: true, data: [i & 0xff] }))).toEqual(HELD)
    }
    expect(d.stats.fragments).toBe(MAX_FRAGMENTS_PER_DATAGRAM)
    expect(d.add(frag({ offset: 0, more: true, data: pattern(8) }))).toEqual({
      status: 'dropped', reason: 'too many fragments',
    })
    expect(d.stats).toMatchObject({ held: 0, bytesHeld: 0, dropped: { 'too many fragments': 1 } })
  })

  it(`beyond ${MAX_DATAGRAM_BYTES} bytes: a fragment ending past it drops the datagram (Ping of Death)`, () => {
    const d = new Defragmenter()
    const last = MAX_DATAGRAM_BYTES - (MAX_DATAGRAM_BYTES % 8) // 65528, the largest IPv4 fragment offset
    expect(d.add(frag({ id: 1, offset: last, more: false, data: pattern(MAX_DATAGRAM_BYTES - last) }))).toEqual(HELD)
    d.add(frag({ id: 2, offset: 0, more: true, data: pattern(1480) }))
    expect(d.add(frag({ id: 2, offset: last, more: false, data: pattern(MAX_DATAGRAM_BYTES - last + 1) }))).toEqual({
      status: 'dropped', reason: 'beyond 65535 bytes',
    })
    expect(d.stats.dropped).toEqual({ 'beyond 65535 bytes': 1 })
    expect(d.stats.held).toBe(1)
    // A 65535-byte datagram is fine.
    const whole = pattern(MAX_DATAGRAM_BYTES, 3)
    const e = new Defragmenter()
    e.add(frag({ offset: last, more: false, data: whole.subarray(last) }))
    const r = complete(e.add(frag({ offset: 0, more: true, data: whole.subarray(0, last) })))
    expect(r.payload).toEqual(whole)
  })

  it('total bytes cap: the oldest datagrams are evicted; bytesHeld never exceeds the cap', () => {
    const d = new Defragmenter()
    const size = 65_000
    const perDatagram = size + FRAGMENT_OVERHEAD_BYTES
    const fit = Math.floor(MAX_FRAGMENT_BYTES / perDatagram)
    for (let id = 0; id < fit + 10; id++) {
      expect(d.add(frag({ id, offset: 8, more: false, data: pattern(size, id) }))).toEqual(HELD)
      expect(d.stats.bytesHeld).toBeLessThanOrEqual(MAX_FRAGMENT_BYTES)
    }
    expect(d.stats.held).toBe(fit)
    expect(d.stats).toMatchObject({ evicted: 10, dropped: { 'bytes full': 10 } })
    // ids 0..9 went first: id 0's other half starts a new datagram, id 10 is still whole.
    expect(d.add(frag({ id: 0, offset: 0, more: true, data: pattern(8) }))).toEqual(HELD)
    expect(complete(d.add(frag({ id: 10, offset: 0, more: true, data: pattern(8) }))).payload.length).toBe(size + 8)
    expect(d.stats.evicted).toBe(10)
    expect(d.stats.bytesHeld).toBeLessThanOrEqual(MAX_FRAGMENT_BYTES)
  })

  it('bytes cap: one datagram flooded with conflicting copies evicts the others, then itself', () => {
    const d = new Defragmenter()
    d.add(frag({ id: 1, offset: 0, more: true, data: pattern(8) }))
    let i = 0
    let r: FragmentResult = HELD as FragmentResult
    while (r.status === 'held' && i < 1000) {
      r = d.add(frag({ id: 2, offset: 8, more: true, data: pattern(60_000, ++i) }))
      expect(d.stats.bytesHeld).toBeLessThanOrEqual(MAX_FRAGMENT_BYTES)
    }
    expect(r).toEqual({ status: 'dropped', reason: 'bytes full' })
    expect(d.stats.dropped['bytes full']).toBe(2)
    expect(d.stats).toMatchObject({ held: 0, bytesHeld: 0, evicted: 2 })
  })

  it('empty fragments are charged too, so the record count stays bounded', () => {
    // With the real limits that is at most MAX_FRAGMENT_BYTES / FRAGMENT_OVERHEAD_BYTES = 131072
    // records; here a cap of 100 records' worth shows the accounting.
    const d = new Defragmenter({ maxBytes: 100 * FRAGMENT_OVERHEAD_BYTES })
    for (let id = 0; id < 30; id++) {
      for (let k = 0; k < 20; k++) {
        expect(d.add(frag({ family: 6, id, offset: 8 + 8 * k, more: true, data: [] }))).toEqual(HELD)
        expect(d.stats.bytesHeld).toBeLessThanOrEqual(100 * FRAGMENT_OVERHEAD_BYTES)
      }
    }
    expect(d.stats.bytesHeld).toBe(100 * FRAGMENT_OVERHEAD_BYTES)
    expect(d.stats.held).toBe(5)
    expect(d.stats).toMatchObject({ evicted: 25, dropped: { 'bytes full': 25 } })
  })

  it('refuses numbers the frame loop should never pass, without throwing', () => {
    const d = new Defragmenter()
    const good = frag({ offset: 8, more: true, data: pattern(8) })
    const bad: Array<Partial<FragmentInput>> = [
      { offset: -8 }, { offset: 1.5 }, { offset: Number.NaN }, { declaredLength: -1 },
      { payloadEnd: 999 }, { payloadOffset: 20, payloadEnd: 10 }, { srcOffset: 100 }, { dstOffset: -1 },
      { family: 5 as 4 }, { id: Number.POSITIVE_INFINITY },
    ]
    for (const b of bad) {
      expect(d.add({ ...good, ...b })).toEqual({ status: 'dropped', reason: 'invalid fragment' })
    }
    expect(d.stats.refused['invalid fragment']).toBe(bad.length)
    expect(d.stats.held).toBe(0)
  })
})

describe('Defragmenter: cost', () => {
  it('8192 one-byte fragments in reverse order reassemble quickly (no quadratic blow-up)', () => {
    const d = new Defragmenter()
    const n = MAX_FRAGMENTS_PER_DATAGRAM
    const whole = pattern(n, 4)
    const t0 = performance.now()
    let r: FragmentResult | undefined
    for (let i = n - 1; i >= 0; i--) {
      r = d.add(frag({ offset: i, more: i !== n - 1, data: whole.subarray(i, i + 1), frame: i + 1 }))
    }
    const ms = performance.now() - t0
    expect(complete(r!).payload).toEqual(whole)
    expect(ms).toBeLessThan(2000)
  })
})

// ---------------------------------------------------------------------------------------------
// The real capture: ../shared/pcaps/ipv4-fragments-overlapping-tcp.pcap (zeek's
// testing/btest/Traces/ipv4/fragmented-4.pcap), bytes copied by hand with xxd: pcap header 24
// bytes, record header 16, Ethernet 14, then the 20-byte IPv4 header and the fragment payload.
//   frame 2  record @94   IP @124  payload @144  off 0   MF  24 bytes
//   frame 3  record @168  IP @198  payload @218  off 48  MF  24 bytes
//   frame 4  record @242  IP @272  payload @292  off 72      17 bytes
//   frame 5  record @309  IP @339  payload @359  off 24  MF  48 bytes  (overlaps frame 3 at 48..71)

const CAPTURE_FRAMES: Array<{ frame: number; ip: string; payload: string }> = [
  {
    frame: 2,
    ip: '4510002c00002000ff06e30c80202e8e0a000001',
    payload: '1e6e005000e08925002d97f25000ffff4f69000047455420', // ... "GET "
  },
  {
    frame: 3,
    ip: '4510002c00002006ff06e30680202e8e0a000001',
    payload: '2e2532662e2e2f77696e6e742f73797374656d33322f636d', // ".%2f../winnt/system32/cm"
  },
  {
    frame: 4,
    ip: '4510002500000009ff06030b80202e8e0a000001',
    payload: '642e6578653f2f632b6469722b633a5c0a', // "d.exe?/c+dir+c:\\\n"
  },
  {
    frame: 5,
    ip: '4510004400002003ff06e2f180202e8e0a000001',
    payload:
      '2f6d736164632f2e2e2532662e2e2f2e2e2532662e2e2f2e' + // "/msadc/..%2f../..%2f../."
      '524b4e575572646f6f4d2b57736b4f324969414c51544900', // "RKNWUrdooM+WskO2IiALQTI\0"
  },
]

/**
 * tshark 4.0.17 `-o ip.defragment:TRUE -x`, frame 5, "Reassembled IPv4 (89 bytes)"; its tree says
 * "[4 IPv4 Fragments (89 bytes): #2(24), #5(48), #3(24), #4(17)]" with "Fragment overlap: True" and
 * "Conflicting data in fragment overlap: True" on frame 3.
 */
const TSHARK_REASSEMBLED =
  '1e6e005000e08925002d97f25000ffff' +
  '4f690000474554202f6d736164632f2e' +
  '2e2532662e2e2f2e2e2532662e2e2f2e' +
  '524b4e575572646f6f4d2b57736b4f32' +
  '4969414c51544900642e6578653f2f63' +
  '2b6469722b633a5c0a'

/** Decode the IPv4 header fields the frame loop would pass (header bytes are real, from xxd). */
function ipv4Fragment(ipHex: string, payloadHex: string, frame: number): FragmentInput {
  const ip = fromHex(ipHex)
  const payload = fromHex(payloadHex)
  const bytes = new Uint8Array(ip.length + payload.length)
  bytes.set(ip, 0)
  bytes.set(payload, ip.length)
  const ihl = (ip[0]! & 0x0f) * 4
  const totalLength = (ip[2]! << 8) | ip[3]!
  const flagsOffset = (ip[6]! << 8) | ip[7]!
  return {
    family: 4,
    bytes,
    srcOffset: 12,
    dstOffset: 16,
    id: (ip[4]! << 8) | ip[5]!,
    protocol: ip[9]!,
    offset: (flagsOffset & 0x1fff) * 8,
    more: (flagsOffset & 0x2000) !== 0,
    payloadOffset: ihl,
    payloadEnd: bytes.length,
    declaredLength: totalLength - ihl,
    tsSec: 1020580534.846229,
    frame,
  }
}

describe('Defragmenter: the overlapping-fragment capture, as tshark reassembles it', () => {
  it('completes in frame 5 with the bytes tshark shows: TCP seq 14715173, 69 payload bytes', () => {
    const d = new Defragmenter()
    const results = CAPTURE_FRAMES.map((c) => d.add(ipv4Fragment(c.ip, c.payload, c.frame)))
    expect(results.slice(0, 3)).toEqual([HELD, HELD, HELD])
    const r = complete(results[3]!)
    expect(r.payload).toEqual(fromHex(TSHARK_REASSEMBLED))
    expect(r.payload.length).toBe(89)
    expect(r.protocol).toBe(6)
    expect(r.frames).toEqual([2, 5, 3, 4])
    expect([r.overlaps, r.conflicts]).toEqual([1, 1])
    // What the expected TSV's PKT line for frame 5 says: tcp_seq 14715173, tcp_len 69, ports 7790 -> 80.
    const p = r.payload
    expect((p[0]! << 8) | p[1]!).toBe(7790)
    expect((p[2]! << 8) | p[3]!).toBe(80)
    expect(p[4]! * 0x1000000 + ((p[5]! << 16) | (p[6]! << 8) | p[7]!)).toBe(14715173)
    expect(p.length - (p[12]! >> 4) * 4).toBe(69)
    // Not "first received wins": frame 3 (first at 48..71) lost to frame 5 (lower offset).
    expect(new TextDecoder().decode(p.subarray(20))).toBe('GET /msadc/..%2f../..%2f../.RKNWUrdooM+WskO2IiALQTI\0d.exe?/c+dir+c:\\\n')
    expect(p.subarray(48, 72)).not.toEqual(fromHex(CAPTURE_FRAMES[1]!.payload))
  })

  it('gives the same bytes whatever order the four fragments arrive in', () => {
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]]
    for (const order of orders) {
      const d = new Defragmenter()
      const done = order
        .map((i) => d.add(ipv4Fragment(CAPTURE_FRAMES[i]!.ip, CAPTURE_FRAMES[i]!.payload, CAPTURE_FRAMES[i]!.frame)))
        .filter((r) => r.status === 'complete')
      // Bytes 48..71 come from the lowest offset that covers them (frame 5) in every order. When
      // frame 3 comes after the other three, the datagram is complete without it.
      expect(done).toHaveLength(1)
      expect(complete(done[0]!).payload).toEqual(fromHex(TSHARK_REASSEMBLED))
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Cross-check against tshark on every shared capture that has fragments (skipped when
// ../shared/pcaps is absent): feed each IPv4 fragment and the first IPv6 Fragment header of each
// frame, in capture order, and compare the frames where we complete a datagram with the frames
// where the oracle shows a reassembled upper layer (PKT: frag set and l4 tcp/udp), and the
// reassembled lengths with its udp_len / tcp_len / tcp_seq.

const here = dirname(fileURLToPath(import.meta.url))
const PCAPS = resolve(here, '../../../shared/pcaps')
const FRAGMENT_CAPTURES = [
  'ipv4-fragments-overlapping-tcp.pcap',
  'ipv4-ipv6-fragmented-dns-responses.pcap',
  'dns-ipv6-fragmented-txt-response.pcap',
  'ipv6-dstopts-hbh-atomic-fragments-tcp.pcap',
  'ipv6-long-extension-header-chain-udp.pcap',
]
const HAVE = FRAGMENT_CAPTURES.every((f) => existsSync(join(PCAPS, f)) && existsSync(join(PCAPS, 'expected', `${f}.tsv`)))

function* pcapRecords(buf: Uint8Array): Generator<{ frame: number; ts: number; data: Uint8Array }> {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const magic = v.getUint32(0, true)
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d
  const m = le ? magic : v.getUint32(0, false)
  const div = m === 0xa1b23c4d ? 1e9 : 1e6
  if (v.getUint32(20, le) !== 1) throw new Error('test reader: Ethernet only')
  let o = 24
  let frame = 0
  while (o + 16 <= buf.length) {
    const incl = v.getUint32(o + 8, le)
    const ts = v.getUint32(o, le) + v.getUint32(o + 4, le) / div
    yield { frame: ++frame, ts, data: buf.subarray(o + 16, o + 16 + incl) }
    o += 16 + incl
  }
}

function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0)
}

/** The fragment in an Ethernet frame, as the frame loop would describe it, or undefined. */
function fragmentOf(data: Uint8Array, frame: number, tsSec: number): FragmentInput | undefined {
  let o = 12
  let type = u16(data, o)
  while (type === 0x8100 || type === 0x88a8) {
    o += 4
    type = u16(data, o)
  }
  const ip = o + 2
  if (type === 0x0800) {
    const ihl = ((data[ip] ?? 0) & 0x0f) * 4
    const total = u16(data, ip + 2)
    const fo = u16(data, ip + 6)
    if ((fo & 0x3fff) === 0) return undefined
    return {
      family: 4, bytes: data, srcOffset: ip + 12, dstOffset: ip + 16, id: u16(data, ip + 4), protocol: data[ip + 9] ?? 0,
      offset: (fo & 0x1fff) * 8, more: (fo & 0x2000) !== 0, payloadOffset: ip + ihl,
      payloadEnd: Math.min(data.length, ip + total), declaredLength: total - ihl, tsSec, frame,
    }
  }
  if (type === 0x86dd) {
    const end = ip + 40 + u16(data, ip + 4)
    let nh = data[ip + 6] ?? 0
    let p = ip + 40
    while (nh === 0 || nh === 43 || nh === 60) {
      nh = data[p] ?? 0
      p += ((data[p + 1] ?? 0) + 1) * 8
    }
    if (nh !== 44) return undefined
    const fo = u16(data, p + 2)
    return {
      family: 6, bytes: data, srcOffset: ip + 8, dstOffset: ip + 24,
      id: ((data[p + 4] ?? 0) * 0x1000000) + u16(data, p + 5) * 256 + (data[p + 7] ?? 0), protocol: data[p] ?? 0,
      offset: fo & 0xfff8, more: (fo & 1) !== 0, payloadOffset: p + 8,
      payloadEnd: Math.min(data.length, end), declaredLength: end - (p + 8), tsSec, frame,
    }
  }
  return undefined
}

describe.skipIf(!HAVE)('Defragmenter: agrees with tshark on the shared captures', () => {
  for (const name of FRAGMENT_CAPTURES) {
    it(name, () => {
      const rows = readFileSync(join(PCAPS, 'expected', `${name}.tsv`), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('PKT\t'))
        .map((l) => l.split('\t'))
      // Columns (README "Oracle output format"): 1 frame, 14 l4, 18 frag, 38 tcp_seq, 42 tcp_len, 43 udp_len.
      const expected = new Map<number, { l4: string; seq: string; tcpLen: string; udpLen: string }>()
      for (const c of rows) {
        if (c[18] !== '-' && (c[14] === 'tcp' || c[14] === 'udp')) {
          expected.set(Number(c[1]), { l4: c[14], seq: c[38] ?? '', tcpLen: c[42] ?? '', udpLen: c[43] ?? '' })
        }
      }
      expect(expected.size).toBeGreaterThan(0)
      const d = new Defragmenter()
      const got = new Set<number>()
      for (const rec of pcapRecords(new Uint8Array(readFileSync(join(PCAPS, name))))) {
        const f = fragmentOf(rec.data, rec.frame, rec.ts)
        if (f === undefined) continue
        const r = d.add(f)
        if (r.status !== 'complete') continue
        got.add(rec.frame)
        const want = expected.get(rec.frame)
        if (want === undefined || r.frames.length < 2) continue // atomic fragments: nothing reassembled
        const p = r.payload
        if (want.l4 === 'udp') {
          expect(String(u16(p, 4)), `frame ${rec.frame} udp_len`).toBe(want.udpLen.split(',')[0])
        } else {
          expect(String(p.length - ((p[12] ?? 0) >> 4) * 4), `frame ${rec.frame} tcp_len`).toBe(want.tcpLen.split(',')[0])
          expect(String(u16(p, 4) * 65536 + u16(p, 6)), `frame ${rec.frame} tcp_seq`).toBe(want.seq.split(',')[0])
        }
      }
      expect([...got].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b))
      expect(d.stats.bytesHeld).toBeLessThanOrEqual(MAX_FRAGMENT_BYTES)
    })
  }
})

// ---------------------------------------------------------------------------------------------

function fuzz(seed: number, count: number, limits: Partial<DefragLimits>): void {
  const lim = { ...DEFAULT_LIMITS, ...limits }
  const rand = seededRandom(seed)
  const pick = (n: number): number => Math.floor(rand() * n)
  const d = new Defragmenter(limits)
  const buf = pattern(70_000, seed)
  let ts = 1_000
  for (let i = 0; i < count; i++) {
    const family = rand() < 0.5 ? 4 : 6
    const a = family === 4 ? 4 : 16
    const pay = pick(4) === 0 ? pick(3000) : pick(200)
    const start = pick(1000)
    const bytes = buf.subarray(start, start + 2 * a + pay + pick(10))
    const offsetRoll = pick(10)
    const offset =
      offsetRoll === 0 ? pick(70_000) : offsetRoll === 1 ? 65_528 : offsetRoll < 5 ? 0 : 8 * pick(64)
    const declared = pick(20) === 0 ? pay + pick(100) : pick(30) === 0 ? pick(70_000) : pay
    const f: FragmentInput = {
      family,
      bytes,
      srcOffset: pick(3) === 0 ? pick(8) : 0,
      dstOffset: a,
      id: pick(6),
      protocol: pick(3) === 0 ? 6 : 17,
      offset: pick(200) === 0 ? -8 : offset,
      more: rand() < 0.7,
      payloadOffset: 2 * a,
      payloadEnd: Math.min(bytes.length, 2 * a + pay),
      declaredLength: declared,
      tsSec: (ts += pick(5) === 0 ? rand() * 20 : rand() * 0.01) - (pick(50) === 0 ? 100 : 0),
      frame: i + 1,
    }
    if (pick(4) === 0) f.scope = pick(3)
    if (pick(300) === 0) f.payloadEnd = bytes.length + 5
    if (pick(300) === 0) f.tsSec = Number.NaN
    const r = d.add(f)
    if (r.status === 'complete') {
      expect(r.payload.length).toBeLessThanOrEqual(lim.maxDatagramBytes)
      expect(r.frames.length).toBeGreaterThan(0)
      expect(r.conflicts).toBeLessThanOrEqual(r.overlaps)
    }
    expect(d.stats.bytesHeld).toBeLessThanOrEqual(lim.maxBytes)
    expect(d.stats.bytesHeld).toBeGreaterThanOrEqual(0)
    expect(d.size).toBeLessThanOrEqual(lim.maxDatagrams)
    expect(d.stats.held).toBe(d.size)
    if (pick(100) === 0) d.expire(ts + rand() * 60)
  }
  // Everything pending goes at the timeout, and the books balance.
  d.expire(ts + lim.timeoutSeconds + 1_000)
  expect(d.size).toBe(0)
  expect(d.stats.bytesHeld).toBe(0)
}

describe('Defragmenter: seeded fuzz', () => {
  it('never throws and stays within its bounds (default limits)', () => {
    for (const seed of [1, 2, 3]) fuzz(seed, 20_000, {})
  })

  it('never throws and stays within its bounds (tiny limits, every bound hit often)', () => {
    for (const seed of [4, 5, 6, 7]) {
      fuzz(seed, 20_000, { maxDatagrams: 4, maxBytes: 4_000, maxFragmentsPerDatagram: 5, timeoutSeconds: 2 })
    }
  })
})
