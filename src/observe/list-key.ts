/**
 * Keys of the bounded lists an analysis keeps (observations, flow records): where an entry stands in the
 * order the merge keeps the first ones of (engine/list-cutoffs.ts).
 */

/** A position in a list's order: compared element by element (numbers as numbers, strings as strings). */
export type ListKey = ReadonlyArray<number | string>

/** One bounded list as a worker reports it. */
export interface ListReport {
  /** Entries kept now. */
  count: number
  /** The merge keeps this many at most. */
  bound: number
  /** The greatest key among the kept entries (null when none). */
  last: ListKey | null
}

export type ListReports = Readonly<Record<string, ListReport>>

export function compareListKeys(a: ListKey, b: ListKey): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i]!
    const y = b[i]!
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length - b.length
}
