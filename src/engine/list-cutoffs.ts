/**
 * Bounded lists kept by every worker, cut short once the run's first entries are known.
 *
 * An analyzer's result may hold lists with a bound (observe/limits.ts: DNS transactions, TLS hellos, flow
 * records ...) of which the merge keeps the first `bound` entries of the union of the shards' lists, in a
 * total order of the entries' keys. Each shard keeps up to `bound` itself, since any of its entries may be
 * among the run's first, so N workers held up to N times what one holds.
 *
 * Each worker reports, with every acknowledged batch, each such list's length and the greatest key it holds
 * (the last kept). Once the lengths add up to the bound, the greatest of those keys, K, has at least `bound`
 * entries at or before it, so no entry after K is among the run's first: every worker may drop what it holds
 * after K and keep nothing after K from then on (counting both as dropped, as the bound would). The merge
 * then sees every entry at or before K, which holds the run's first `bound`: its result, the dropped counts
 * included, is the same as before. A key is a tuple of numbers and strings compared element by element.
 *
 *   worker ─ Ack { lists: { dns: { count, bound, last } ... } } ─► ListCutoffs.update ─► Cutoff { list, key } ─► every worker
 */

import { compareListKeys, type ListKey, type ListReports } from '../observe/list-key.js'

/** The main thread's side: the latest report of every shard, and the cutoffs decided. */
export class ListCutoffs {
  private readonly latest: Array<ListReports | null>
  private readonly decided = new Map<string, ListKey>()

  constructor(shards: number) {
    this.latest = new Array<ListReports | null>(shards).fill(null)
  }

  /** Cutoffs decided so far (tests, bench). */
  get cutoffs(): ReadonlyMap<string, ListKey> {
    return this.decided
  }

  /** Shard `shard` reported `reports`: the cutoffs this decides, to send to every worker. */
  update(shard: number, reports: ListReports): Array<[string, ListKey]> {
    this.latest[shard] = reports
    const out: Array<[string, ListKey]> = []
    for (const [list, r] of Object.entries(reports)) {
      if (this.decided.has(list)) continue
      let count = 0
      let last: ListKey | null = null
      for (const shardReports of this.latest) {
        const s = shardReports?.[list]
        if (!s || s.last === null) continue
        count += s.count
        if (last === null || compareListKeys(s.last, last) > 0) last = s.last
      }
      if (last !== null && count >= r.bound) {
        this.decided.set(list, last)
        out.push([list, last])
      }
    }
    return out
  }
}
