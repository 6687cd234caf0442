/**
 * TCP stream reassembly: the in-order byte stream of ONE direction of one connection, with bounded memory.
 *
 * The frame loop owns the connection table and hands every TCP segment of a direction to `add()`; the
 * application decoder of that direction (BGP framing, DNS 2-byte lengths, TLS records, HTTP header
 * blocks) reads the in-order bytes with `readable()`, asks `frameOfByte()` where a message's last byte
 * became available, and calls `consume(n)` for what it parsed. Nothing here throws on hostile input.
 *
 * ```
 *   stream offsets (sequence numbers made relative to the ISN, 64-bit, never wrapping)
 *
 *   consumed, freed | readable: buf[head..tail)   | hole  | held   | hole  | held   |
 *   ----------------+-----------------------------+-------+--------+-------+--------+---->
 *                   readPos            (next expected) nextAbs
 *                         ^ gap markers: positions in the readable bytes after which bytes are missing
 * ```
 *
 * Sequence numbers: the ISN is taken from the SYN (data starts at ISN + 1); a direction picked up
 * mid-stream starts at the first segment seen with data or FIN (`stats.midstream`). A segment's place is
 * `nextAbs + int32(seq - nextSeq)`: modulo 2^32, so wraparound needs no special case, and a segment more
 * than 2^31 behind or ahead is taken as the other one (as every TCP stack does, RFC 9293 §3.4).
 *
 * Policies:
 *  - Overlaps and retransmissions: the FIRST received bytes are kept, whatever arrives later for the same
 *    sequence numbers (Suricata's and Snort's default "first" policy, and what Zeek does). Re-sent bytes are
 *    counted in `duplicateBytes`; where they differ from the kept bytes that are still buffered (readable
 *    or held), the segment counts one `conflicts`. Bytes already consumed are freed and cannot be compared.
 *  - Out-of-order segments are held (`maxOutOfOrderBytes`, `maxOutOfOrderSegments`) until the hole before
 *    them fills. When the held data exceeds either bound, the first hole is skipped: its size is added to
 *    `missedBytes` (Zeek's conn missed_bytes), a gap marker is placed, and delivery continues after it.
 *  - RST: the sender will not retransmit, so every hole is skipped at once (`flush()`). Later segments are
 *    still placed (a RST may be forged or ignored by the receiver).
 *  - FIN: fixes the end of the stream. Bytes past it are ignored (`afterFinBytes`); held segments before it
 *    are kept, because the missing segment is often retransmitted after the FIN that overtook it. The
 *    connection table calls `flush()` when the connection closes, times out or the capture ends; the holes
 *    are then skipped, and a hole before the FIN too.
 *  - Caps: readable bytes not yet consumed are bounded per direction (`maxBufferedBytes`) and all streams
 *    share a `StreamBudget`. Bytes that do not fit are dropped (`capDroppedBytes`, `budgetDroppedBytes`) and
 *    leave a gap marker; sequence tracking goes on, so delivery resumes in step once there is room.
 *
 * Frames: each readable byte remembers the frame in which it BECAME readable: the frame that carried it
 * when it arrived in order, or the frame that filled the hole before it (Wireshark's "reassembled in").
 * Bytes delivered by skipping a hole keep the frame they arrived in.
 *
 * Gaps: `readable()` stops at the first gap marker (`gapAhead`); the application parses the complete
 * messages before it and consumes the rest (a partial message that can never complete). The next view
 * starts just after the gap (`afterGap`): BGP looks for the next marker, DNS over TCP starts afresh.
 *
 * Cost: in-order segments are copied once into one growable buffer (compacted or reallocated as it is
 * consumed, amortised O(1) per byte); held segments are a sorted array found by binary search (insertion
 * moves at most `maxOutOfOrderSegments` pointers). The budget is charged for the bytes held; the buffer's
 * allocation (growth by doubling) stays below twice `maxBufferedBytes` and shrinks as bytes are consumed.
 */
import { Flag } from '../decode/tcp.js'
import {
  MAX_TCP_OOO_BYTES,
  MAX_TCP_OOO_SEGMENTS,
  MAX_TCP_REASSEMBLY_BYTES,
  MAX_TCP_STREAM_BYTES,
} from '../decode/limits.js'

export interface StreamLimits {
  /** Payload bytes held out of order before the first hole is skipped. */
  maxOutOfOrderBytes: number
  /** Segments held out of order before the first hole is skipped. */
  maxOutOfOrderSegments: number
  /** Readable bytes not yet consumed (plus SEGMENT_OVERHEAD_BYTES per frame run) before bytes are dropped. */
  maxBufferedBytes: number
}

export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimits> = Object.freeze({
  maxOutOfOrderBytes: MAX_TCP_OOO_BYTES,
  maxOutOfOrderSegments: MAX_TCP_OOO_SEGMENTS,
  maxBufferedBytes: MAX_TCP_STREAM_BYTES,
})

/**
 * Memory shared by all streams of one analyzer, in bytes. Every stream adds what it holds to `used` and
 * takes it back when it frees it (or on `close()`); nothing is stored while `used` would pass `limit`.
 */
export interface StreamBudget {
  readonly limit: number
  used: number
}

export function createStreamBudget(limit: number = MAX_TCP_REASSEMBLY_BYTES): StreamBudget {
  return { limit, used: 0 }
}

/**
 * Bytes charged per held segment and per frame run of readable bytes, on top of the payload: the record,
 * its Uint8Array and its array slots. Without it a flood of 1-byte segments would hold many times its
 * payload in bookkeeping (defrag.ts charges fragments the same way, as Linux charges skb truesize).
 */
export const SEGMENT_OVERHEAD_BYTES = 64

/** The readable bytes up to the next gap. One object per stream, overwritten by every `readable()` call. */
export interface StreamView {
  /** The stream's buffer: valid until the next call to `add`, `consume`, `flush` or `close`. */
  bytes: Uint8Array
  /** The first readable byte in `bytes`, and one past the last one before the next gap (or the end). */
  offset: number
  end: number
  /** Stream position of `bytes[offset]`: bytes delivered before it (missed bytes take no positions). */
  position: number
  /** Bytes are missing just before `bytes[offset]`: drop any partial state and resynchronise. */
  afterGap: boolean
  /** Bytes are missing just after `bytes[end - 1]`: a message not complete by `end` never will be. */
  gapAhead: boolean
}

export interface StreamStats {
  /** Calls to `add()`. */
  segments: number
  /** Segments refused: offsets outside `bytes`, a sequence number that is not a finite number. */
  invalid: number
  /** The direction was picked up without its SYN. */
  midstream: boolean
  /** Bytes made readable, in all. */
  deliveredBytes: number
  /** Bytes consumed by the application, in all. */
  consumedBytes: number
  /** Sequence space skipped over holes that never filled (Zeek's missed_bytes). */
  missedBytes: number
  /** Gap markers placed: holes skipped and runs of bytes dropped by a cap. */
  gaps: number
  /** Holes skipped because the out-of-order bounds were exceeded. */
  overflows: number
  /** Bytes received again (retransmissions, overlaps, late arrivals for a skipped hole) and ignored. */
  duplicateBytes: number
  /** Segments whose overlapping bytes differed from the buffered bytes kept (first received wins). */
  conflicts: number
  /** In-order bytes dropped because `maxBufferedBytes` was reached (the application did not consume). */
  capDroppedBytes: number
  /** Bytes dropped because the shared budget was exhausted. */
  budgetDroppedBytes: number
  /** Bytes past the FIN, ignored. */
  afterFinBytes: number
  /** FINs ignored: a second FIN at another place, or a FIN before bytes already delivered. */
  ignoredFins: number
  /** Now: readable bytes not yet consumed. */
  buffered: number
  /** Now: payload bytes and segments held out of order. */
  outOfOrderBytes: number
  outOfOrderSegments: number
  /** Now: bytes charged to the budget (buffered + held + SEGMENT_OVERHEAD_BYTES per run and segment). */
  charged: number
}

/** An out-of-order segment: stream offsets [start, end), its own copy of the bytes, its frame. */
interface Held {
  start: number
  end: number
  data: Uint8Array
  frame: number
}

const EMPTY = new Uint8Array(0)
/** The smallest buffer allocated: a few full-size segments, so a drained stream never reallocates. */
const MIN_CAPACITY = 4096
/** A buffer larger than this is given back when it empties, or shrunk when it is three quarters unused. */
const SHRINK_ABOVE = 64 * 1024
/** Stream offsets are rebased once they pass this, so 2^31 jumps can never lose float precision. */
const REBASE_ABOVE = 2 ** 48
/** Consumed entries are cut from the run and gap arrays once this many have piled up (and half the array). */
const TRIM_AFTER = 1024

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0
}

function limitOr(value: number | undefined, fallback: number): number {
  return value !== undefined && !Number.isNaN(value) ? Math.max(0, value) : fallback
}

export class StreamReassembler {
  readonly stats: StreamStats = {
    segments: 0,
    invalid: 0,
    midstream: false,
    deliveredBytes: 0,
    consumedBytes: 0,
    missedBytes: 0,
    gaps: 0,
    overflows: 0,
    duplicateBytes: 0,
    conflicts: 0,
    capDroppedBytes: 0,
    budgetDroppedBytes: 0,
    afterFinBytes: 0,
    ignoredFins: 0,
    buffered: 0,
    outOfOrderBytes: 0,
    outOfOrderSegments: 0,
    charged: 0,
  }

  private readonly limits: StreamLimits
  private readonly budget: StreamBudget

  private started = false
  private initial = 0
  /** Raw sequence number (u32) and stream offset of the next byte expected in order. */
  private nextSeq = 0
  private nextAbs = 0
  private hasFin = false
  private finAbs = 0
  private rst = false

  /** Readable bytes: buf[head..tail), the first at stream position readPos. */
  private buf: Uint8Array = EMPTY
  /**
   * `buf` is the caller's segment bytes (addBorrowing): no copy while the application reads them in the
   * same call; `release()` copies what it left into `owned`, the stream's own buffer meanwhile.
   */
  private borrowed = false
  private owned: Uint8Array = EMPTY
  private borrowing = false
  private head = 0
  private tail = 0
  private readPos = 0
  /** Position where each frame run starts, and its frame; entries before runHead are consumed. */
  private runPos: number[] = []
  private runFrame: number[] = []
  private runHead = 0
  /** Positions of gap markers, ascending; entries before gapHead are consumed. */
  private gapPos: number[] = []
  private gapHead = 0
  /** Stream offsets [contigAbs, nextAbs) are readable bytes from position contigPos on, with no gap. */
  private contigAbs = 0
  private contigPos = 0
  /** Out-of-order segments sorted by start, never overlapping, all starting after nextAbs. */
  private held: Held[] = []
  /** Payload bytes in `held`. */
  private heldBytes = 0
  /** Charges for readable bytes (+ runs) and held segments (+ overhead). */
  private bufferedCharge = 0
  private heldCharge = 0

  private readonly view: StreamView = {
    bytes: EMPTY,
    offset: 0,
    end: 0,
    position: 0,
    afterGap: false,
    gapAhead: false,
  }

  /**
   * `budget`: the memory shared with the other streams (a private unlimited one when omitted, so only the
   * per-direction limits apply). `limits` overrides the defaults from limits.ts (tests, tighter policies).
   */
  constructor(budget: StreamBudget = createStreamBudget(Infinity), limits: Partial<StreamLimits> = {}) {
    this.budget = budget
    this.limits = {
      maxOutOfOrderBytes: limitOr(limits.maxOutOfOrderBytes, DEFAULT_STREAM_LIMITS.maxOutOfOrderBytes),
      maxOutOfOrderSegments: limitOr(limits.maxOutOfOrderSegments, DEFAULT_STREAM_LIMITS.maxOutOfOrderSegments),
      maxBufferedBytes: limitOr(limits.maxBufferedBytes, DEFAULT_STREAM_LIMITS.maxBufferedBytes),
    }
  }

  /** A SYN, FIN or a segment with data has been seen, so sequence numbers have an origin. */
  get isStarted(): boolean {
    return this.started
  }

  /** The raw ISN (from the SYN), or the sequence number of the first byte seen mid-stream; -1 before. */
  get initialSeq(): number {
    return this.started ? this.initial : -1
  }

  /** The raw sequence number (u32) of the next byte expected in order; -1 before the stream starts. */
  get expectedSeq(): number {
    return this.started ? this.nextSeq : -1
  }

  /** The FIN has been seen. */
  get finSeen(): boolean {
    return this.hasFin
  }

  /** Every byte up to the FIN has been delivered or skipped: no more bytes will come. */
  get ended(): boolean {
    return this.hasFin && this.nextAbs >= this.finAbs
  }

  /** A RST has been seen (its holes were skipped then). */
  get rstSeen(): boolean {
    return this.rst
  }

  /** Bytes allocated for readable data (for tests and benchmarks: it shrinks as bytes are consumed). */
  get capacity(): number {
    return this.buf.length
  }

  /** Stream position one past the last readable byte: bytes delivered so far. */
  get writePosition(): number {
    return this.readPos + (this.tail - this.head)
  }

  /**
   * One segment of this direction: raw sequence number, TCP flags (`tcp.Flag`), payload
   * `bytes[offset, end)` (copied if kept) and the frame number it came in. Never throws: bad offsets or a
   * sequence number that is not finite count in `stats.invalid`.
   */
  add(seq: number, flags: number, bytes: Uint8Array, offset: number, end: number, frame: number): void {
    this.stats.segments++
    if (!Number.isFinite(seq) || !isCount(offset) || !isCount(end) || offset > end || end > bytes.length) {
      this.stats.invalid++
      return
    }
    // Between calls nothing holds a stream offset in a local, so this is the safe place to rebase. One
    // call moves nextAbs by less than (maxOutOfOrderSegments + 2) x 2^31, far below 2^53 - 2^48.
    if (this.nextAbs > REBASE_ABOVE) this.rebase(this.nextAbs)
    let dataSeq = seq >>> 0
    const syn = (flags & Flag.SYN) !== 0
    const fin = (flags & Flag.FIN) !== 0
    const rst = (flags & Flag.RST) !== 0
    if (syn) {
      // RFC 9293 §3.4: the SYN occupies the sequence number before the first data byte.
      const isn = dataSeq
      dataSeq = (dataSeq + 1) >>> 0
      if (!this.started) this.start(dataSeq, isn, false)
    }
    const len = end - offset
    if (!this.started) {
      if (len === 0 && !fin) {
        if (rst) this.rst = true
        return
      }
      this.start(dataSeq, dataSeq, true)
    }
    const abs = this.nextAbs + ((dataSeq - this.nextSeq) | 0)
    if (fin) this.noteFin(abs + len)
    if (len > 0) this.place(abs, bytes, offset, end, frame)
    if (rst) {
      this.rst = true
      this.flush()
    }
  }

  /**
   * `add`, except that in-order bytes arriving at an empty buffer are not copied: the stream reads them
   * from `bytes` until `release()`, which the caller must call before `bytes` changes (at the latest
   * before its next call). An application that consumes whole segments then never copies them.
   */
  addBorrowing(seq: number, flags: number, bytes: Uint8Array, offset: number, end: number, frame: number): void {
    this.borrowing = true
    try {
      this.add(seq, flags, bytes, offset, end, frame)
    } finally {
      this.borrowing = false
    }
  }

  /** The segment bytes lent to `addBorrowing` are about to change: copy what is still unread. */
  release(): void {
    if (this.borrowed) this.unborrow()
  }

  /**
   * The readable bytes up to the next gap marker. The returned object is reused: read it before the next
   * call. An empty view (`offset === end`) means "nothing more for now".
   */
  readable(): StreamView {
    const v = this.view
    v.bytes = this.buf
    v.offset = this.head
    v.position = this.readPos
    let g = this.gapHead
    v.afterGap = false
    if (g < this.gapPos.length && this.gapPos[g] === this.readPos) {
      v.afterGap = true
      g++
    }
    if (g < this.gapPos.length) {
      v.end = this.head + (this.gapPos[g]! - this.readPos)
      v.gapAhead = true
    } else {
      v.end = this.tail
      v.gapAhead = false
    }
    return v
  }

  /**
   * The frame in which the readable byte at stream `position` became readable; -1 when that byte was
   * consumed already or has not been delivered. For a message of `n` bytes at view position `p`, the
   * frame to report is `frameOfByte(p + n - 1)`, before calling `consume(n)`.
   */
  frameOfByte(position: number): number {
    if (!Number.isInteger(position) || position < this.readPos || position >= this.writePosition) return -1
    // Last run starting at or before `position`.
    let lo = this.runHead
    let hi = this.runPos.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.runPos[mid]! <= position) lo = mid + 1
      else hi = mid
    }
    return lo > this.runHead ? this.runFrame[lo - 1]! : -1
  }

  /** The application is done with the first `n` readable bytes (clamped to what is buffered); they are freed. */
  consume(n: number): void {
    const available = this.tail - this.head
    const take = Number.isFinite(n) ? Math.min(available, Math.max(0, Math.floor(n))) : 0
    if (take === 0) return
    this.head += take
    this.readPos += take
    this.stats.consumedBytes += take
    let freed = take
    const runs = this.runPos
    if (this.head === this.tail) {
      freed += (runs.length - this.runHead) * SEGMENT_OVERHEAD_BYTES
      this.runHead = runs.length
      this.head = 0
      this.tail = 0
      if (this.borrowed) {
        this.buf = this.owned
        this.owned = EMPTY
        this.borrowed = false
      }
      if (this.buf.length > SHRINK_ABOVE) this.buf = EMPTY
    } else {
      while (this.runHead + 1 < runs.length && runs[this.runHead + 1]! <= this.readPos) {
        this.runHead++
        freed += SEGMENT_OVERHEAD_BYTES
      }
      const used = this.tail - this.head
      if (this.buf.length > SHRINK_ABOVE && used * 4 < this.buf.length) this.reallocate(Math.max(MIN_CAPACITY, used * 2))
    }
    while (this.gapHead < this.gapPos.length && this.gapPos[this.gapHead]! < this.readPos) this.gapHead++
    this.trimArrays()
    this.uncharge(freed, 0)
  }

  /**
   * The connection ended, timed out, or the capture ended: skip every hole (counted in `missedBytes`),
   * deliver everything held, and skip to the FIN when it was seen. Safe to call more than once; later
   * segments are still accepted.
   */
  flush(): void {
    this.drainHeld(-1)
    while (this.held.length > 0) this.skipHole()
    if (this.hasFin && this.nextAbs < this.finAbs) {
      this.stats.missedBytes += this.finAbs - this.nextAbs
      this.advanceTo(this.finAbs)
      this.markGap()
    }
  }

  /**
   * Free everything (readable bytes not consumed included) and give the charge back to the budget. Call it
   * when the connection leaves the table. The stream stays usable: later segments start a new buffer.
   */
  close(): void {
    this.uncharge(this.bufferedCharge, this.heldCharge)
    this.held = []
    this.heldBytes = 0
    this.buf = EMPTY
    this.owned = EMPTY
    this.borrowed = false
    this.readPos = this.writePosition
    this.head = 0
    this.tail = 0
    this.updateChargeStats()
    this.runPos = []
    this.runFrame = []
    this.runHead = 0
    this.gapPos = []
    this.gapHead = 0
    this.contigAbs = this.nextAbs
    this.contigPos = this.readPos
    this.stats.outOfOrderBytes = 0
    this.stats.outOfOrderSegments = 0
  }

  // -------------------------------------------------------------------------------------------------

  /** Sequence numbers start: `seq` is the first data byte's, `initial` the ISN (or `seq` mid-stream). */
  private start(seq: number, initial: number, midstream: boolean): void {
    this.started = true
    this.initial = initial
    this.nextSeq = seq
    this.nextAbs = 0
    this.contigAbs = 0
    this.contigPos = this.writePosition
    this.stats.midstream = midstream
  }

  private noteFin(at: number): void {
    if (this.hasFin) {
      if (at !== this.finAbs) this.stats.ignoredFins++
      return
    }
    if (at < this.nextAbs) {
      // Bytes past this FIN were delivered already: keep them, ignore the FIN.
      this.stats.ignoredFins++
      return
    }
    this.hasFin = true
    this.finAbs = at
    // Held bytes past the FIN will never be part of the stream.
    const held = this.held
    let keep = held.length
    while (keep > 0 && held[keep - 1]!.end > at) {
      const h = held[keep - 1]!
      if (h.start >= at) {
        this.stats.afterFinBytes += h.data.length
        this.dropHeld(keep - 1)
        keep--
      } else {
        const cut = h.end - at
        this.stats.afterFinBytes += cut
        h.data = h.data.slice(0, at - h.start)
        h.end = at
        this.heldBytes -= cut
        this.uncharge(0, cut)
        break
      }
    }
    this.updateHeldStats()
  }

  /** Place the payload bytes[from, to) whose first byte is at stream offset `abs`. */
  private place(abs: number, bytes: Uint8Array, from: number, to: number, frame: number): void {
    // bytes[base + x] is the byte at stream offset x.
    const base = from - abs
    let s = abs
    let e = abs + (to - from)
    if (this.hasFin && e > this.finAbs) {
      const cut = e - Math.max(s, this.finAbs)
      this.stats.afterFinBytes += cut
      e -= cut
      if (e <= s) return
    }
    let conflict = false
    if (s < this.nextAbs) {
      const dupEnd = Math.min(e, this.nextAbs)
      this.stats.duplicateBytes += dupEnd - s
      conflict = this.differsFromReadable(s, dupEnd, bytes, base)
      s = dupEnd
      if (s >= e) {
        if (conflict) this.stats.conflicts++
        return
      }
    }
    const held = this.held
    if (held.length === 0 && s === this.nextAbs) {
      // The common case: the next bytes, nothing held.
      if (conflict) this.stats.conflicts++
      this.append(bytes, base + s, e - s, frame)
      return
    }

    // Split [s, e) into pieces not covered by held segments (first received wins), comparing the rest.
    const first = this.firstEndingAfter(s)
    let last = first
    const pieces: number[] = []
    let cursor = s
    while (last < held.length && held[last]!.start < e) {
      const h = held[last]!
      if (h.start > cursor) pieces.push(cursor, h.start)
      const lo = Math.max(h.start, s)
      const hi = Math.min(h.end, e)
      this.stats.duplicateBytes += hi - lo
      if (!conflict) {
        for (let x = lo; x < hi; x++) {
          if (h.data[x - h.start] !== bytes[base + x]) {
            conflict = true
            break
          }
        }
      }
      if (h.end > cursor) cursor = h.end
      last++
    }
    if (cursor < e) pieces.push(cursor, e)
    if (conflict) this.stats.conflicts++
    if (pieces.length === 0) return

    if (pieces[0] === this.nextAbs) {
      // The segment fills the hole at the front: it and the held segments between its pieces become
      // readable now, all in this frame (the frame that completed them).
      for (let k = 0; k < pieces.length; k += 2) {
        this.drainHeld(frame)
        const ps = pieces[k]!
        const pe = pieces[k + 1]!
        if (ps === this.nextAbs) this.append(bytes, base + ps, pe - ps, frame)
        else this.insertHeld(ps, pe, bytes, base, frame) // not reached: held segments tile the space between
      }
      this.drainHeld(frame)
    } else {
      // Out of order: merge the pieces into held[first..last) in one splice.
      const merged: Held[] = []
      let k = 0
      for (let i = first; i <= last; i++) {
        const next = i < last ? held[i]!.start : Infinity
        while (k < pieces.length && pieces[k]! < next) {
          const h = this.newHeld(pieces[k]!, pieces[k + 1]!, bytes, base, frame)
          if (h !== undefined) merged.push(h)
          k += 2
        }
        if (i < last) merged.push(held[i]!)
      }
      held.splice(first, last - first, ...merged)
    }
    this.updateHeldStats()
    while (this.stats.outOfOrderBytes > this.limits.maxOutOfOrderBytes || held.length > this.limits.maxOutOfOrderSegments) {
      this.stats.overflows++
      this.skipHole()
    }
  }

  /** A held copy of stream offsets [s, e), charged; undefined (and counted) when the budget has no room. */
  private newHeld(s: number, e: number, bytes: Uint8Array, base: number, frame: number): Held | undefined {
    const charge = e - s + SEGMENT_OVERHEAD_BYTES
    if (this.budget.used + charge > this.budget.limit) {
      this.stats.budgetDroppedBytes += e - s
      return undefined
    }
    this.charge(0, charge)
    this.heldBytes += e - s
    return { start: s, end: e, data: bytes.slice(base + s, base + e), frame }
  }

  private insertHeld(s: number, e: number, bytes: Uint8Array, base: number, frame: number): void {
    const h = this.newHeld(s, e, bytes, base, frame)
    if (h !== undefined) this.held.splice(this.firstEndingAfter(s), 0, h)
  }

  /** Index of the first held segment that ends after stream offset `s` (ends are sorted like starts). */
  private firstEndingAfter(s: number): number {
    const held = this.held
    let lo = 0
    let hi = held.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (held[mid]!.end <= s) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Move the held segments that now start at or before nextAbs to the readable bytes. `frame` -1: their own. */
  private drainHeld(frame: number): void {
    const held = this.held
    let k = 0
    while (k < held.length && held[k]!.start <= this.nextAbs) {
      const h = held[k]!
      k++
      this.heldBytes -= h.data.length
      this.uncharge(0, h.data.length + SEGMENT_OVERHEAD_BYTES)
      if (h.end > this.nextAbs) {
        const skip = this.nextAbs - h.start
        this.append(h.data, skip, h.end - this.nextAbs, frame < 0 ? h.frame : frame)
      }
    }
    if (k > 0) {
      held.splice(0, k)
      this.updateHeldStats()
    }
  }

  /** Skip the hole before the first held segment: count it, mark it, deliver what follows. */
  private skipHole(): void {
    const h = this.held[0]
    if (h === undefined) return
    if (h.start > this.nextAbs) {
      this.stats.missedBytes += h.start - this.nextAbs
      this.advanceTo(h.start)
      this.markGap()
    }
    this.drainHeld(-1)
  }

  /**
   * Append `len` in-order bytes from data[from..] as readable, within the per-stream cap and the budget.
   * Bytes that do not fit are dropped and counted, and leave a gap marker. nextAbs advances by `len` either way.
   */
  private append(data: Uint8Array, from: number, len: number, frame: number): void {
    if (len <= 0) return
    const runs = this.runPos
    const writePos = this.writePosition
    const newRun = !(runs.length > this.runHead && this.runFrame[runs.length - 1] === frame)
    const overhead = newRun ? SEGMENT_OVERHEAD_BYTES : 0
    const streamRoom = this.limits.maxBufferedBytes - this.bufferedCharge - overhead
    const budgetRoom = this.budget.limit - this.budget.used - overhead
    const take = Math.max(0, Math.min(len, streamRoom, budgetRoom))
    if (take > 0) {
      if (this.borrowing && this.head === this.tail && !this.borrowed) {
        this.owned = this.buf
        this.buf = data
        this.head = from
        this.tail = from + take
        this.borrowed = true
      } else {
        this.ensureRoom(take)
        this.buf.set(data.subarray(from, from + take), this.tail)
        this.tail += take
      }
      if (newRun) {
        runs.push(writePos)
        this.runFrame.push(frame)
      }
      this.charge(take + overhead, 0)
      this.stats.deliveredBytes += take
    }
    this.advanceTo(this.nextAbs + len)
    if (take < len) {
      if (streamRoom <= budgetRoom) this.stats.capDroppedBytes += len - take
      else this.stats.budgetDroppedBytes += len - take
      this.markGap()
    }
  }

  /** Bytes are missing between the readable bytes so far and the next ones (stream offset nextAbs). */
  private markGap(): void {
    const pos = this.writePosition
    const gaps = this.gapPos
    if (gaps.length === this.gapHead || gaps[gaps.length - 1] !== pos) {
      gaps.push(pos)
      this.stats.gaps++
    }
    this.contigAbs = this.nextAbs
    this.contigPos = pos
  }

  private advanceTo(abs: number): void {
    this.nextSeq = (this.nextSeq + (abs - this.nextAbs)) >>> 0
    this.nextAbs = abs
  }

  /** Shift every stream offset down by `by` (exact: offsets are integers far below 2^53 here). */
  private rebase(by: number): void {
    this.nextAbs -= by
    this.contigAbs -= by
    this.finAbs -= by
    for (const h of this.held) {
      h.start -= by
      h.end -= by
    }
  }

  /** Whether stream offsets [s, e), already delivered, differ from the readable bytes still buffered. */
  private differsFromReadable(s: number, e: number, bytes: Uint8Array, base: number): boolean {
    const firstBuffered = this.contigAbs + Math.max(0, this.readPos - this.contigPos)
    const lo = Math.max(s, firstBuffered)
    const hi = Math.min(e, this.nextAbs)
    // buf index of stream offset x: head + (contigPos + x - contigAbs - readPos)
    const shift = this.head + this.contigPos - this.contigAbs - this.readPos
    for (let x = lo; x < hi; x++) if (this.buf[shift + x] !== bytes[base + x]) return true
    return false
  }

  /** Make room for `extra` bytes at the tail: compact when at least half the buffer is free, else grow. */
  private ensureRoom(extra: number): void {
    if (this.borrowed) this.unborrow()
    if (this.tail + extra <= this.buf.length) return
    const used = this.tail - this.head
    const need = used + extra
    if (need <= this.buf.length >>> 1) {
      this.buf.copyWithin(0, this.head, this.tail)
      this.head = 0
      this.tail = used
    } else {
      // Twice what is needed: the next compaction then frees at least as much as it copies (amortised
      // O(1) per byte). `need` never passes maxBufferedBytes, so neither does half the capacity.
      this.reallocate(Math.max(MIN_CAPACITY, need * 2))
    }
  }

  private reallocate(capacity: number): void {
    const used = this.tail - this.head
    const next = new Uint8Array(capacity)
    next.set(this.buf.subarray(this.head, this.tail))
    this.buf = next
    this.head = 0
    this.tail = used
    this.owned = EMPTY
    this.borrowed = false
  }

  /** Move the unread borrowed bytes into the stream's own buffer (grown as `ensureRoom` would from empty). */
  private unborrow(): void {
    const used = this.tail - this.head
    let own = this.owned
    if (own.length < used) own = new Uint8Array(Math.max(MIN_CAPACITY, used * 2))
    own.set(this.buf.subarray(this.head, this.tail))
    this.buf = own
    this.head = 0
    this.tail = used
    this.owned = EMPTY
    this.borrowed = false
  }

  /** Cut consumed entries off the front of the run and gap arrays once they pile up. */
  private trimArrays(): void {
    if (this.runHead > TRIM_AFTER && this.runHead * 2 > this.runPos.length) {
      this.runPos.splice(0, this.runHead)
      this.runFrame.splice(0, this.runHead)
      this.runHead = 0
    }
    if (this.gapHead > TRIM_AFTER && this.gapHead * 2 > this.gapPos.length) {
      this.gapPos.splice(0, this.gapHead)
      this.gapHead = 0
    }
  }

  private dropHeld(i: number): void {
    const h = this.held[i]!
    this.held.splice(i, 1)
    this.heldBytes -= h.data.length
    this.uncharge(0, h.data.length + SEGMENT_OVERHEAD_BYTES)
  }

  private charge(buffered: number, held: number): void {
    this.bufferedCharge += buffered
    this.heldCharge += held
    this.budget.used += buffered + held
    this.updateChargeStats()
  }

  private uncharge(buffered: number, held: number): void {
    this.bufferedCharge -= buffered
    this.heldCharge -= held
    this.budget.used -= buffered + held
    this.updateChargeStats()
  }

  private updateChargeStats(): void {
    this.stats.buffered = this.tail - this.head
    this.stats.charged = this.bufferedCharge + this.heldCharge
  }

  private updateHeldStats(): void {
    this.stats.outOfOrderBytes = this.heldBytes
    this.stats.outOfOrderSegments = this.held.length
  }
}
