/**
 * IP fragment reassembly for IPv4 (RFC 791) and IPv6 (RFC 8200), with bounded memory.
 *
 * The header decoders stay independent of this module: the frame loop hands
 * over plain numbers (`FragmentInput`) and gets back what became of the
 * fragment (`FragmentResult`). The datagram key is RFC 791's (source,
 * destination, protocol, identification) for IPv4 and RFC 8200's (source,
 * destination, identification) for IPv6, plus an optional `scope` (tshark
 * also keys IPv4 reassembly by VLAN id when an address is private or link-local).
 *
 * Policy: what tshark 4.0 does, so that our decode agrees with it.
 *  - A datagram completes when the first fragment with more=false has fixed
 *    the total length and the fragments cover every byte 0..total-1.
 *  - Overlapping fragments are reassembled, not dropped, for IPv4 and IPv6
 *    alike (RFC 5722 tells an IPv6 receiver to drop the whole datagram;
 *    Wireshark reassembles anyway, so do we, and count the overlaps so the
 *    policy layer can judge them). Each byte comes from the fragment with the
 *    LOWEST OFFSET that covers it; among fragments with the same offset, the
 *    one that arrived first. That is Wireshark's reassemble.c: fragments are
 *    kept sorted by offset (stable for ties) and copied in that order, each
 *    adding only the bytes past what is already there. It is neither "first
 *    received wins" nor "last received wins": in the shared capture
 *    ipv4-fragments-overlapping-tcp.pcap, frame 3 carries bytes 48..71 and
 *    arrives before frame 5, which carries 24..71 with different bytes at
 *    48..71; tshark's reassembled TCP segment (frame 5, seq 14715173, len 69)
 *    holds frame 5's bytes there.
 *  - An overlap is counted per fragment as Wireshark flags it: a fragment
 *    that starts before the end of the bytes placed by the fragments sorted
 *    before it ("Fragment overlap"), and a conflict when the overlapping bytes
 *    differ ("Conflicting data in fragment overlap"). An identical
 *    retransmission is an overlap without conflict, and costs no payload
 *    memory (it shares the bytes of the fragment it repeats).
 *  - A second more=false fragment with another end keeps the first total
 *    ("multiple tails"); bytes past the total are ignored ("too long
 *    fragment"); both are counted in `stats`.
 *  - A fragment with offset 0 and more=false is an atomic fragment (RFC 6946):
 *    it is complete on its own and never joins a pending datagram.
 *
 * Where we differ from tshark, on purpose:
 *  - A fragment whose captured payload is shorter than its declared length
 *    (the snap length cut it) drops its whole datagram: it can never complete
 *    with real bytes. tshark only leaves that fragment out, which gives the
 *    same result unless a full copy of it comes later.
 *  - Limits (src/decode/limits.ts): datagrams pending, bytes held, fragments
 *    per datagram, reassembled size (a fragment ending past 65535 bytes drops
 *    its datagram, like Linux), and a timeout counted from a datagram's first
 *    fragment. tshark has none of these.
 *  - An IPv4 fragment with no payload is ignored, as tshark does; an empty
 *    IPv6 fragment is kept (it may carry the total length), as tshark does.
 *
 * Time: capture time made monotonic (a timestamp that goes backwards does not
 * rewind the clock), so datagrams expire in the order they were created and
 * expiry costs O(1) per call when nothing expires.
 *
 * A datagram that was dropped (not evicted) leaves a tombstone: its key, no
 * bytes, for the same timeout, so its later fragments are refused at once
 * instead of starting a datagram that can only time out.
 */
import {
  FRAGMENT_TIMEOUT_SECONDS,
  MAX_DATAGRAM_BYTES,
  MAX_FRAGMENT_BYTES,
  MAX_FRAGMENT_DATAGRAMS,
  MAX_FRAGMENTS_PER_DATAGRAM,
} from './limits.js'

export interface FragmentInput {
  family: 4 | 6
  /**
   * The key: source and destination address bytes (4 or 16 bytes each) inside `bytes`,
   * the identification field, and for IPv4 the protocol (RFC 791 key: src, dst, protocol, id);
   * for IPv6 src, dst, id (RFC 8200; `protocol` is then the next header after the Fragment
   * header, taken from the offset-0 fragment). Only what is kept is copied.
   */
  bytes: Uint8Array
  srcOffset: number
  dstOffset: number
  id: number
  protocol: number
  /** Optional extra key part (a VLAN id, a tunnel identifier); 0 when absent. */
  scope?: number
  /** Fragment offset in bytes, and the more-fragments flag. */
  offset: number
  more: boolean
  /** Payload of this fragment (after the IP header / Fragment header) inside `bytes`. */
  payloadOffset: number
  payloadEnd: number
  /** The payload length the header claims (may exceed what was captured when the snap length cut the frame). */
  declaredLength: number
  /** Capture time in seconds (for the timeout) and the frame number (for evidence). */
  tsSec: number
  frame: number
}

export type FragmentResult =
  /** Stored; the datagram is not complete yet. */
  | { readonly status: 'held' }
  | {
      readonly status: 'complete'
      /** The reassembled upper-layer payload, a fresh buffer. */
      readonly payload: Uint8Array
      /** Frames of every fragment of the datagram in Wireshark's order (by offset, ties by arrival). */
      readonly frames: number[]
      readonly protocol: number
      /** Fragments that overlapped bytes already placed (identical retransmissions included). */
      readonly overlaps: number
      /** Of those, fragments whose overlapping bytes differed. */
      readonly conflicts: number
    }
  /** Not kept: which bound or inconsistency. */
  | { readonly status: 'dropped'; readonly reason: DropReason }

export const DropReason = {
  /** The snap length cut the fragment's payload: the datagram can never complete. */
  SNAP: 'cut by snap length',
  /** Fragment offset + length past MAX_DATAGRAM_BYTES (Ping of Death). */
  BEYOND: `beyond ${MAX_DATAGRAM_BYTES} bytes`,
  /** More than MAX_FRAGMENTS_PER_DATAGRAM fragments. */
  TOO_MANY: 'too many fragments',
  /** Evicted (oldest first) to make room for a new datagram: MAX_FRAGMENT_DATAGRAMS. */
  TABLE_FULL: 'table full',
  /** Evicted (oldest first) to keep the bytes held within MAX_FRAGMENT_BYTES. */
  BYTES_FULL: 'bytes full',
  /** Incomplete FRAGMENT_TIMEOUT_SECONDS after its first fragment. */
  TIMEOUT: 'timeout',
  /** A fragment of a datagram dropped earlier (a tombstone is still there). */
  ALREADY_DROPPED: 'datagram already dropped',
  /** An IPv4 fragment with no payload (tshark ignores those too). */
  EMPTY: 'empty fragment',
  /** Numbers the frame loop should never pass: negative, not integers, outside `bytes`. */
  INVALID: 'invalid fragment',
} as const
export type DropReason = (typeof DropReason)[keyof typeof DropReason]

export interface DefragLimits {
  maxDatagrams: number
  maxBytes: number
  maxDatagramBytes: number
  maxFragmentsPerDatagram: number
  timeoutSeconds: number
}

export const DEFAULT_LIMITS: Readonly<DefragLimits> = Object.freeze({
  maxDatagrams: MAX_FRAGMENT_DATAGRAMS,
  maxBytes: MAX_FRAGMENT_BYTES,
  maxDatagramBytes: MAX_DATAGRAM_BYTES,
  maxFragmentsPerDatagram: MAX_FRAGMENTS_PER_DATAGRAM,
  timeoutSeconds: FRAGMENT_TIMEOUT_SECONDS,
})

/**
 * Bytes charged per stored fragment on top of its payload, against the bytes cap: the fragment
 * record itself (an object, a Uint8Array view, an array slot). Without it, empty or 1-byte
 * fragments would hold MAX_FRAGMENT_DATAGRAMS × MAX_FRAGMENTS_PER_DATAGRAM (8 million) records
 * within a cap meant for 8 MiB. Linux charges skb truesize the same way.
 */
export const FRAGMENT_OVERHEAD_BYTES = 64

export interface DefragStats {
  /** Datagrams being reassembled now. */
  held: number
  /** Bytes charged now: stored payload plus FRAGMENT_OVERHEAD_BYTES per fragment. */
  bytesHeld: number
  /** Fragments stored, in all. */
  fragments: number
  /** Datagrams reassembled (atomic fragments included). */
  completed: number
  /** Datagrams dropped, each counted once, by reason (evictions included). */
  dropped: Record<string, number>
  /** Fragments refused without dropping a datagram, by reason (already dropped, empty, invalid). */
  refused: Record<string, number>
  /** Datagrams evicted by the table-full or bytes-full bound. */
  evicted: number
  /** In completed datagrams: overlapping fragments, conflicting ones, second tails, fragments past the end. */
  overlaps: number
  conflicts: number
  multipleTails: number
  pastEnd: number
}

interface Fragment {
  offset: number
  /** offset + data.length */
  end: number
  data: Uint8Array
  frame: number
}

interface Datagram {
  key: string
  /** Clock when the first fragment came. */
  first: number
  /** Sorted by offset; same offsets in arrival order. */
  frags: Fragment[]
  /** End of the covered prefix [0, contiguous). */
  contiguous: number
  /** Fixed by the first more=false fragment; -1 until then. */
  total: number
  multipleTails: number
  /** Protocol of the first fragment to arrive at offset 0 (IPv6), or the key's protocol (IPv4). */
  protocol: number
  /** Bytes charged to this datagram. */
  bytes: number
}

const HELD: FragmentResult = Object.freeze({ status: 'held' })

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function hex(b: Uint8Array, from: number, len: number): string {
  let s = ''
  for (let i = from; i < from + len; i++) s += HEX[b[i] ?? 0]
  return s
}

/**
 * The datagram key as a compact string: `4:0a000001>7f000001#1234/6` (IPv4, protocol last),
 * `6:<32 hex>><32 hex>#1234` (IPv6), with `@scope` appended when a scope is given.
 * The caller checks that the address bytes exist.
 */
export function fragmentKey(
  f: Pick<FragmentInput, 'family' | 'bytes' | 'srcOffset' | 'dstOffset' | 'id' | 'protocol' | 'scope'>,
): string {
  const alen = f.family === 4 ? 4 : 16
  let k = `${f.family}:${hex(f.bytes, f.srcOffset, alen)}>${hex(f.bytes, f.dstOffset, alen)}#${f.id}`
  if (f.family === 4) k += `/${f.protocol}`
  if (f.scope !== undefined && f.scope !== 0) k += `@${f.scope}`
  return k
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0
}

/** First index whose fragment offset is > `offset` (or >= when `strict` is false). */
function bound(frags: Fragment[], offset: number, strict: boolean): number {
  let lo = 0
  let hi = frags.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const o = frags[mid]!.offset
    if (strict ? o <= offset : o < offset) lo = mid + 1
    else hi = mid
  }
  return lo
}

function sameBytes(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[aFrom + i] !== b[bFrom + i]) return false
  return true
}

export class Defragmenter {
  readonly stats: DefragStats = {
    held: 0,
    bytesHeld: 0,
    fragments: 0,
    completed: 0,
    dropped: {},
    refused: {},
    evicted: 0,
    overlaps: 0,
    conflicts: 0,
    multipleTails: 0,
    pastEnd: 0,
  }

  private readonly limits: DefragLimits
  /** Pending datagrams; Map order = creation order = age order (the clock is monotonic). */
  private readonly table = new Map<string, Datagram>()
  /** Keys of dropped datagrams -> clock when dropped. Same order argument. */
  private readonly dead = new Map<string, number>()
  private clock = -Infinity

  /** `limits` overrides the defaults from limits.ts (tests, or a policy that wants tighter bounds). */
  constructor(limits: Partial<DefragLimits> = {}) {
    const l = { ...DEFAULT_LIMITS, ...limits }
    // At least one of each, so that every loop that makes room terminates with room made.
    this.limits = {
      maxDatagrams: Math.max(1, l.maxDatagrams),
      maxBytes: Math.max(0, l.maxBytes),
      maxDatagramBytes: Math.max(0, l.maxDatagramBytes),
      maxFragmentsPerDatagram: Math.max(1, l.maxFragmentsPerDatagram),
      timeoutSeconds: Math.max(0, l.timeoutSeconds),
    }
  }

  /** Datagrams pending now (same as stats.held). */
  get size(): number {
    return this.table.size
  }

  add(f: FragmentInput): FragmentResult {
    const alen = f.family === 4 ? 4 : 16
    const n = f.bytes.length
    if (
      (f.family !== 4 && f.family !== 6) ||
      !isCount(f.srcOffset) || f.srcOffset + alen > n ||
      !isCount(f.dstOffset) || f.dstOffset + alen > n ||
      !isCount(f.payloadOffset) || !isCount(f.payloadEnd) ||
      f.payloadOffset > f.payloadEnd || f.payloadEnd > n ||
      !isCount(f.offset) || !isCount(f.declaredLength) || !isCount(f.id)
    ) {
      return this.refuse(DropReason.INVALID)
    }
    this.expire(f.tsSec)

    const len = f.declaredLength
    const captured = f.payloadEnd - f.payloadOffset

    if (f.offset === 0 && !f.more) {
      // Atomic fragment (RFC 6946; tshark does not reassemble it either).
      if (captured < len) return this.dropDatagram(DropReason.SNAP)
      this.stats.completed++
      return {
        status: 'complete',
        payload: f.bytes.slice(f.payloadOffset, f.payloadOffset + len),
        frames: [f.frame],
        protocol: f.protocol,
        overlaps: 0,
        conflicts: 0,
      }
    }
    if (len === 0 && f.family === 4) return this.refuse(DropReason.EMPTY)

    const key = fragmentKey(f)
    if (this.dead.has(key)) return this.refuse(DropReason.ALREADY_DROPPED)
    if (captured < len) return this.kill(key, DropReason.SNAP)
    const end = f.offset + len
    if (end > this.limits.maxDatagramBytes) return this.kill(key, DropReason.BEYOND)

    let d = this.table.get(key)
    if (d === undefined) {
      while (this.table.size >= this.limits.maxDatagrams && this.evictOldest(DropReason.TABLE_FULL, undefined)) {
        // evict until there is room
      }
      d = {
        key,
        first: this.clock,
        frags: [],
        contiguous: 0,
        total: -1,
        multipleTails: 0,
        protocol: f.family === 4 ? f.protocol : -1,
        bytes: 0,
      }
      this.table.set(key, d)
      this.stats.held = this.table.size
    }
    if (d.frags.length >= this.limits.maxFragmentsPerDatagram) return this.kill(key, DropReason.TOO_MANY)

    const frags = d.frags
    const at = bound(frags, f.offset, true)
    // An identical retransmission of the first fragment stored at this offset shares its bytes:
    // it can never win a byte (ties go to the earlier arrival), only be compared.
    let data: Uint8Array | undefined
    const firstSame = bound(frags, f.offset, false)
    const same = firstSame < at ? frags[firstSame] : undefined
    if (same !== undefined && same.end >= end && sameBytes(same.data, 0, f.bytes, f.payloadOffset, len)) {
      data = same.data.subarray(0, len)
    }
    const charge = FRAGMENT_OVERHEAD_BYTES + (data === undefined ? len : 0)
    while (this.stats.bytesHeld + charge > this.limits.maxBytes) {
      if (!this.evictOldest(DropReason.BYTES_FULL, d)) {
        // Only this datagram is left and it alone is too big.
        this.stats.evicted++
        return this.kill(key, DropReason.BYTES_FULL)
      }
    }
    data ??= f.bytes.slice(f.payloadOffset, f.payloadOffset + len)

    frags.splice(at, 0, { offset: f.offset, end, data, frame: f.frame })
    d.bytes += charge
    this.stats.bytesHeld += charge
    this.stats.fragments++
    if (f.offset === 0 && d.protocol < 0) d.protocol = f.protocol
    if (!f.more) {
      if (d.total < 0) d.total = end
      else if (d.total !== end) d.multipleTails++
    }
    if (f.offset <= d.contiguous && end > d.contiguous) {
      // Every fragment starting at or before the old prefix end also ends there (the prefix is
      // maximal), so only fragments starting past it can extend the prefix further. The prefix
      // end only grows, so each fragment is walked over once in the datagram's life.
      let c = end
      for (let i = bound(frags, d.contiguous, true); i < frags.length; i++) {
        const g = frags[i]!
        if (g.offset > c) break
        if (g.end > c) c = g.end
      }
      d.contiguous = c
    }
    if (d.total >= 0 && d.contiguous >= d.total) return this.complete(d)
    return HELD
  }

  /**
   * Drop every datagram older than the timeout at capture time `nowSec` (the clock never goes
   * back). Returns how many datagrams were dropped. Cheap when nothing expires.
   */
  expire(nowSec: number): number {
    if (Number.isFinite(nowSec) && nowSec > this.clock) this.clock = nowSec
    const timeout = this.limits.timeoutSeconds
    let dropped = 0
    for (const d of this.table.values()) {
      if (!(this.clock - d.first > timeout)) break
      this.remove(d)
      this.count(this.stats.dropped, DropReason.TIMEOUT)
      dropped++
    }
    for (const [key, t] of this.dead) {
      if (!(this.clock - t > timeout)) break
      this.dead.delete(key)
    }
    return dropped
  }

  private complete(d: Datagram): FragmentResult {
    const total = d.total
    const out = new Uint8Array(total)
    const frames: number[] = []
    let pos = 0
    let overlaps = 0
    let conflicts = 0
    let pastEnd = 0
    for (const g of d.frags) {
      frames.push(g.frame)
      const len = g.data.length
      if (len === 0) continue
      if (g.offset >= total) {
        pastEnd++
        continue
      }
      let fraglen = len
      if (g.offset + len > total) {
        pastEnd++
        fraglen = total - g.offset
      }
      // The covered-prefix check guarantees g.offset <= pos here; stay safe if it did not.
      const overlap = pos > g.offset ? pos - g.offset : 0
      if (overlap > 0) {
        overlaps++
        const cmp = Math.min(len, overlap)
        if (!sameBytes(out, g.offset, g.data, 0, cmp)) conflicts++
      }
      if (g.offset + fraglen > pos) {
        out.set(g.data.subarray(overlap, fraglen), g.offset + overlap)
        pos = g.offset + fraglen
      }
    }
    this.remove(d)
    this.stats.completed++
    this.stats.overlaps += overlaps
    this.stats.conflicts += conflicts
    this.stats.multipleTails += d.multipleTails
    this.stats.pastEnd += pastEnd
    return {
      status: 'complete',
      payload: out,
      frames,
      protocol: d.protocol < 0 ? 0 : d.protocol,
      overlaps,
      conflicts,
    }
  }

  /** Drop the datagram `key` (pending or not yet seen) and leave a tombstone. */
  private kill(key: string, reason: DropReason): FragmentResult {
    const d = this.table.get(key)
    if (d !== undefined) this.remove(d)
    while (this.dead.size >= this.limits.maxDatagrams) {
      const oldest = this.dead.keys().next()
      if (oldest.done === true) break
      this.dead.delete(oldest.value)
    }
    this.dead.set(key, this.clock)
    return this.dropDatagram(reason)
  }

  private dropDatagram(reason: DropReason): FragmentResult {
    this.count(this.stats.dropped, reason)
    return { status: 'dropped', reason }
  }

  private refuse(reason: DropReason): FragmentResult {
    this.count(this.stats.refused, reason)
    return { status: 'dropped', reason }
  }

  /** Evict the oldest pending datagram other than `keep`; false when there is none. */
  private evictOldest(reason: DropReason, keep: Datagram | undefined): boolean {
    for (const d of this.table.values()) {
      if (d === keep) continue
      this.remove(d)
      this.count(this.stats.dropped, reason)
      this.stats.evicted++
      return true
    }
    return false
  }

  private remove(d: Datagram): void {
    this.table.delete(d.key)
    this.stats.bytesHeld -= d.bytes
    this.stats.held = this.table.size
    d.frags = []
    d.bytes = 0
  }

  private count(into: Record<string, number>, reason: string): void {
    into[reason] = (into[reason] ?? 0) + 1
  }
}
