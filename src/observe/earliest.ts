/**
 * Flow records kept up to a bound: the first ones in capture order (first timestamp, then file,
 * first frame, then the tracker's total order), in O(bound) memory. Keeping the earliest (not the
 * first to END, which depends on timeouts and on how frames were split among workers) makes the cut
 * the same for every split: each part keeps its earliest, and the merge keeps the earliest of those.
 */
import { siftDown, siftUp } from '../flow/heap.js'
import type { FlowRecord } from '../flow/flow-record.js'
import { compareFlowRecords } from '../flow/tracker.js'
import { compareListKeys, type ListKey } from './list-key.js'

/** Capture order of flow records: a total order (ties fall to compareFlowRecords). */
export function compareFlowStart(a: FlowRecord, b: FlowRecord): number {
  if (a.firstTs !== b.firstTs) return a.firstTs < b.firstTs ? -1 : 1
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  if (a.firstFrame !== b.firstFrame) return a.firstFrame - b.firstFrame
  return compareFlowRecords(a, b)
}

/** A record's place in capture order as a list key (compareFlowStart without its tie-break). */
export function flowStartKey(r: FlowRecord): ListKey {
  return [r.firstTs, r.file, r.firstFrame]
}

/** A max-heap on compareFlowStart: its root is the latest kept record, the first to go. */
export class EarliestFlows {
  private readonly heap: FlowRecord[] = []
  readonly bound: number
  /** Records offered and not kept (or pushed out later). */
  dropped = 0
  /** Records after this key are not kept (cutAfter). */
  private cut: ListKey | null = null

  constructor(bound: number) {
    this.bound = Math.max(0, Math.floor(bound))
  }

  offer(r: FlowRecord): void {
    if (this.cut !== null && compareListKeys(flowStartKey(r), this.cut) > 0) { this.dropped++; return }
    const heap = this.heap
    if (heap.length < this.bound) {
      heap.push(r)
      this.up(heap.length - 1)
      return
    }
    this.dropped++
    if (this.bound > 0 && compareFlowStart(r, heap[0]!) < 0) {
      heap[0] = r
      this.down(0)
    }
  }

  get size(): number {
    return this.heap.length
  }

  /** The latest kept record's key (null when none). */
  lastKey(): ListKey | null {
    return this.heap.length > 0 ? flowStartKey(this.heap[0]!) : null
  }

  /** From now on keep nothing after `key`; what is kept after it goes, counted as dropped. */
  cutAfter(key: ListKey): void {
    this.cut = key
    const kept = this.heap.filter((r) => compareListKeys(flowStartKey(r), key) <= 0)
    this.dropped += this.heap.length - kept.length
    this.heap.length = 0
    for (const r of kept) {
      this.heap.push(r)
      this.up(this.heap.length - 1)
    }
  }

  /** The kept records (any order). */
  records(): FlowRecord[] {
    return this.heap.slice()
  }

  private up(i: number): void {
    siftUp(this.heap, i, compareFlowStart)
  }

  private down(i: number): void {
    siftDown(this.heap, i, compareFlowStart)
  }
}
