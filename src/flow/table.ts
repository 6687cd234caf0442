/**
 * The live-flow table: an open-addressing hash table on numeric keys, plus one LRU list per
 * timeout class.
 *
 *   FlowKey (numbers + 32-bit hash) ─► slots[hash & mask] (Flow references) ─► f.hash === hash ─► sameKey
 *   Flow objects are reused after they end (no allocation per new flow once warm)
 *   LRU: per class a doubly linked list through the flows, least recently moved first
 *
 * Linear probing with backward-shift deletion (no tombstones), load factor at most 1/2, grown by
 * doubling. A probe reads one slot and the flow it points to (whose first cache line holds the hash and
 * the IPv4 key): two memory accesses per lookup. Table order never reaches the output: iteration, expiry
 * and eviction all follow the LRU lists, so the random hash seed does not change results.
 *
 * The LRU is by last packet to the second: the tracker moves a flow to its list's tail at most once per
 * capture second (moving it on every packet touches both list neighbours, two more cache misses per
 * packet once the flows outgrow the CPU caches).
 *
 * Why not Map<string, Flow> (the style guide's first choice): bench/flow-table.ts builds the key string
 * per packet and was 6-7x slower per packet (1 000 steady flows: 350-620 ns against 50-100 ns for this
 * table, key computation included); Map<number, Flow> on the same numeric hash was close to this table
 * with 1 000 flows and up to 1.5x slower at 100 000 (a Map entry is one more indirection).
 *
 * Memory per live flow, measured (bench/flow-table.ts --memory: process.memoryUsage() heapUsed +
 * arrayBuffers before and after 200 000 and 1 000 000 flows, Node 20 x64): about 400 bytes (401-408):
 * the Flow object with its 50 fields and 16 bytes of slots at load 1/4-1/2. 1 M flows
 * (limits.MAX_FLOWS) are about 400 MB per worker.
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
  // Field order is memory order: what every packet reads comes first, in the object's first cache lines
  // (the hash and IPv4 key, then the counters); IPv6 words and cold fields after.
  // ---- key (IPv4 part) ----
  hash = 0
  a0 = 0
  b0 = 0
  portA = 0
  portB = 0
  proto = 0
  vlan = -1
  vni = -1
  family = 4
  // ---- per packet ----
  /** The initiator is endpoint A. */
  initIsA = true
  cls: FlowClass = FlowClass.TCP
  /** Capture second of its last move to the tail of its LRU list (moved at most once per second). */
  touchSec = 0
  pktF = 0
  pktR = 0
  bytesF = 0
  bytesR = 0
  payF = 0
  payR = 0
  lastSec = 0
  lastNsec = 0
  lastFrame = 0
  firstSec = 0
  tcp = 0
  histBits = 0
  /** A tunnel's outer flow or an ICMP flow: never cut by the active timeout; the analyzer keeps its records. */
  tunnelOrIcmp = false
  app: string | null = null
  // ---- key (IPv6 words) ----
  a1 = 0; a2 = 0; a3 = 0
  b1 = 0; b2 = 0; b3 = 0
  // ---- the rest ----
  firstNsec = 0
  firstFrame = 0
  fileIndex = 0
  icmpErrors = 0
  history = ''
  initiatorInferred = false
  /** Sequence number of the originator's SYN, -1 when none was seen (a new SYN with another one is a new connection). */
  origIsn = -1
  closedSec = 0
  closedNsec = 0
  live = false
  prev: Flow | null = null
  next: Flow | null = null
  /** Creation number of the object (objects are reused). */
  readonly id: number

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
    this.tunnelOrIcmp = false
    this.cls = FlowClass.TCP
    this.touchSec = 0
    this.prev = this.next = null
  }
}

const INITIAL_SLOTS = 1024

export class FlowTable {
  /** The flow in each slot, null when empty: one memory access per probe, the hash read from the flow itself. */
  private slots: Array<Flow | null> = new Array<Flow | null>(INITIAL_SLOTS).fill(null)
  private mask = INITIAL_SLOTS - 1
  /** Ended Flow objects, reused by insert. */
  private readonly free: Flow[] = []
  private made = 0
  private readonly heads: Array<Flow | null> = new Array<Flow | null>(CLASS_COUNT).fill(null)
  private readonly tails: Array<Flow | null> = new Array<Flow | null>(CLASS_COUNT).fill(null)
  /** Live flows. */
  size = 0

  find(k: FlowKey): Flow | null {
    const h = k.hash
    const slots = this.slots
    const mask = this.mask
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const f = slots[i]!
      if (f === null) return null
      if (f.hash === h && sameKey(f, k)) return f
    }
  }

  /** A new live flow for `k` (the caller checked the cap and that `k` is not in the table), at the tail of `cls`. */
  insert(k: FlowKey, cls: FlowClass): Flow {
    if ((this.size + 1) * 2 > this.slots.length) this.grow()
    let f = this.free.pop()
    if (f === undefined) f = new Flow(this.made++)
    else f.reset()
    copyKey(f, k)
    f.live = true
    this.place(f)
    this.size++
    f.cls = cls
    this.append(f)
    return f
  }

  /** Take `f` out of the table and its LRU list; its object is reused by a later insert. */
  remove(f: Flow): void {
    const slots = this.slots
    const mask = this.mask
    let i = f.hash & mask
    while (slots[i] !== f) {
      if (slots[i] === null) throw new Error('flow table: removing a flow that is not in it')
      i = (i + 1) & mask
    }
    // Backward-shift deletion: pull later entries of the probe run into the hole.
    for (let j = (i + 1) & mask; slots[j] !== null; j = (j + 1) & mask) {
      const ideal = slots[j]!.hash & mask
      const movable = j > i ? ideal <= i || ideal > j : ideal <= i && ideal > j
      if (movable) {
        slots[i] = slots[j]!
        i = j
      }
    }
    slots[i] = null
    this.unlink(f)
    f.live = false
    this.size--
    this.free.push(f)
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

  private place(f: Flow): void {
    const mask = this.mask
    let i = f.hash & mask
    while (this.slots[i] !== null) i = (i + 1) & mask
    this.slots[i] = f
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Array<Flow | null>(old.length * 2).fill(null)
    this.mask = this.slots.length - 1
    for (const f of old) if (f !== null) this.place(f)
  }
}
