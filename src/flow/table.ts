/**
 * The live-flow table: an open-addressing hash table on numeric keys, plus one LRU list per
 * timeout class.
 *
 *   FlowKey (numbers + 32-bit hash) ─► slots (Int32Array: flow id + 1) ─► hashes match? ─► sameKey
 *   Flow objects live in `flows[id]` and are reused after they end (no allocation per new flow once warm)
 *   LRU: per class a doubly linked list through the flows, least recently updated first
 *
 * Linear probing with backward-shift deletion (no tombstones), load factor at most 1/2, grown by
 * doubling. The slot array holds the hash next to the id, so a probe touches a Flow object only on a
 * full 32-bit hash match. Table order never reaches the output: iteration, expiry and eviction all
 * follow the LRU lists, so the random hash seed does not change results.
 *
 * Why not Map<string, Flow> (the style guide's first choice): bench/flow-table.ts measures a string
 * key built per packet against numeric keys; see bench/README.md for the figures.
 *
 * Memory per live flow (measured, see test/flow/table.test.ts "memory per flow" and bench/flow-table.ts
 * --memory): about 330 bytes on Node 20 x64 (the Flow object with its 45 fields, about 290 bytes, plus
 * 16 bytes of slots at load 1/2 and the `flows` array entry). 1 M flows (limits.MAX_FLOWS) need about
 * 330 MB per worker.
 */
import { copyKey, sameKey, type FlowKey, type KeyFields } from './key.js'
import type { TcpConn } from './tcp-state.js'

/** Timeout classes, one LRU list each. */
export const FlowClass = {
  TCP: 0,
  UDP: 1,
  ICMP: 2,
  OTHER: 3,
  /** TCP after FIN/FIN or RST: expires tcpClosed seconds after it closed, whatever follows. */
  CLOSED: 4,
} as const
export type FlowClass = (typeof FlowClass)[keyof typeof FlowClass]
export const CLASS_COUNT = 5

/** One live flow. Direction `fwd` is initiator -> responder; A/B are the key's canonical endpoints. */
export class Flow implements KeyFields, TcpConn {
  // ---- key ----
  proto = 0
  family = 4
  vlan = -1
  vni = -1
  a0 = 0; a1 = 0; a2 = 0; a3 = 0
  b0 = 0; b1 = 0; b2 = 0; b3 = 0
  portA = 0
  portB = 0
  hash = 0
  /** Index in the table's `flows`; fixed for the object's life. */
  readonly id: number
  // ---- roles ----
  /** The initiator is endpoint A. */
  initIsA = true
  initiatorInferred = false
  // ---- counters ----
  pktF = 0
  pktR = 0
  bytesF = 0
  bytesR = 0
  payF = 0
  payR = 0
  firstSec = 0
  firstNsec = 0
  lastSec = 0
  lastNsec = 0
  firstFrame = 0
  lastFrame = 0
  fileIndex = 0
  icmpErrors = 0
  app: string | null = null
  // ---- TCP (and UDP history) ----
  tcp = 0
  histBits = 0
  history = ''
  /** Sequence number of the originator's SYN, -1 when none was seen (a new SYN with another one is a new connection). */
  origIsn = -1
  closedSec = 0
  closedNsec = 0
  // ---- bookkeeping ----
  /** Frames of this flow may reach several workers (tunnel outer flows, ICMP): mergeSummaries joins its records. */
  shared = false
  cls: FlowClass = FlowClass.TCP
  live = false
  prev: Flow | null = null
  next: Flow | null = null

  constructor(id: number) {
    this.id = id
  }

  /** Back to a new flow's zeroes (the key is set by the table). */
  reset(): void {
    this.initIsA = true
    this.initiatorInferred = false
    this.pktF = this.pktR = this.bytesF = this.bytesR = this.payF = this.payR = 0
    this.firstSec = this.firstNsec = this.lastSec = this.lastNsec = 0
    this.firstFrame = this.lastFrame = this.fileIndex = this.icmpErrors = 0
    this.app = null
    this.tcp = this.histBits = 0
    this.history = ''
    this.origIsn = -1
    this.closedSec = this.closedNsec = 0
    this.shared = false
    this.cls = FlowClass.TCP
    this.prev = this.next = null
  }
}

const INITIAL_SLOTS = 1024

export class FlowTable {
  /** Flow id + 1 per slot, 0 when empty. */
  private slots = new Int32Array(INITIAL_SLOTS)
  /** The hash of the flow in each slot (valid where slots is not 0). */
  private hashes = new Int32Array(INITIAL_SLOTS)
  private mask = INITIAL_SLOTS - 1
  /** Every Flow object ever made, by id; ended ones are reused. */
  private readonly flows: Flow[] = []
  private readonly free: number[] = []
  private readonly heads: Array<Flow | null> = new Array<Flow | null>(CLASS_COUNT).fill(null)
  private readonly tails: Array<Flow | null> = new Array<Flow | null>(CLASS_COUNT).fill(null)
  /** Live flows. */
  size = 0

  find(k: FlowKey): Flow | null {
    const h = k.hash
    const slots = this.slots
    const hashes = this.hashes
    const mask = this.mask
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = slots[i]!
      if (s === 0) return null
      if (hashes[i] === h) {
        const f = this.flows[s - 1]!
        if (sameKey(f, k)) return f
      }
    }
  }

  /** A new live flow for `k` (the caller checked the cap and that `k` is not in the table), at the tail of `cls`. */
  insert(k: FlowKey, cls: FlowClass): Flow {
    if ((this.size + 1) * 2 > this.slots.length) this.grow()
    let f: Flow
    const id = this.free.pop()
    if (id === undefined) {
      f = new Flow(this.flows.length)
      this.flows.push(f)
    } else {
      f = this.flows[id]!
      f.reset()
    }
    copyKey(f, k)
    f.live = true
    this.place(f.id, k.hash)
    this.size++
    f.cls = cls
    this.append(f)
    return f
  }

  /** Take `f` out of the table and its LRU list; its object is reused by a later insert. */
  remove(f: Flow): void {
    const slots = this.slots
    const hashes = this.hashes
    const mask = this.mask
    const want = f.id + 1
    let i = f.hash & mask
    while (slots[i] !== want) {
      if (slots[i] === 0) throw new Error('flow table: removing a flow that is not in it')
      i = (i + 1) & mask
    }
    // Backward-shift deletion: pull later entries of the probe run into the hole.
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const ideal = hashes[j]! & mask
      const movable = j > i ? ideal <= i || ideal > j : ideal <= i && ideal > j
      if (movable) {
        slots[i] = slots[j]!
        hashes[i] = hashes[j]!
        i = j
      }
    }
    slots[i] = 0
    this.unlink(f)
    f.live = false
    this.size--
    this.free.push(f.id)
  }

  /** Move `f` to the tail of class `cls` (most recently updated). */
  touch(f: Flow, cls: FlowClass): void {
    if (f.cls === cls && this.tails[cls] === f) return
    this.unlink(f)
    f.cls = cls
    this.append(f)
  }

  /** Least recently updated flow of a class. */
  oldest(cls: FlowClass): Flow | null {
    return this.heads[cls]!
  }

  /** The flow with the oldest last packet among the class heads (ties: the lower class). */
  oldestOverall(): Flow | null {
    let best: Flow | null = null
    for (let c = 0; c < CLASS_COUNT; c++) {
      const f = this.heads[c]!
      if (f && (!best || f.lastSec < best.lastSec || (f.lastSec === best.lastSec && f.lastNsec < best.lastNsec))) best = f
    }
    return best
  }

  /** Live flows, class by class, oldest first (a deterministic order). */
  liveFlows(): Flow[] {
    const out: Flow[] = []
    for (let c = 0; c < CLASS_COUNT; c++) for (let f: Flow | null = this.heads[c]!; f; f = f.next) out.push(f)
    return out
  }

  private append(f: Flow): void {
    const tail = this.tails[f.cls]!
    f.prev = tail
    f.next = null
    if (tail) tail.next = f
    else this.heads[f.cls] = f
    this.tails[f.cls] = f
  }

  private unlink(f: Flow): void {
    if (f.prev) f.prev.next = f.next
    else this.heads[f.cls] = f.next
    if (f.next) f.next.prev = f.prev
    else this.tails[f.cls] = f.prev
    f.prev = f.next = null
  }

  private place(id: number, h: number): void {
    const mask = this.mask
    let i = h & mask
    while (this.slots[i] !== 0) i = (i + 1) & mask
    this.slots[i] = id + 1
    this.hashes[i] = h
  }

  private grow(): void {
    const oldSlots = this.slots
    const oldHashes = this.hashes
    this.slots = new Int32Array(oldSlots.length * 2)
    this.hashes = new Int32Array(oldSlots.length * 2)
    this.mask = this.slots.length - 1
    for (let i = 0; i < oldSlots.length; i++) if (oldSlots[i] !== 0) this.place(oldSlots[i]! - 1, oldHashes[i]!)
  }
}
