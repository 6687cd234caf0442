/**
 * Merging per distinct problem: evaluators group their evidence by a key (one finding per key)
 * and list each finding's evidence in capture order.
 */
import type { Where } from '../../observe/model.js'

/** Items grouped by key; keys in the order first seen, items in input order. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    if (key === null) continue
    const list = out.get(key)
    if (list) list.push(item)
    else out.set(key, [item])
  }
  return out
}

/** Capture order: file of the run first, then frame number (times can tie or be missing). */
export function byPosition(a: Where, b: Where): number {
  return a.fileIndex - b.fileIndex || a.frame - b.frame
}

/** The evidence in capture order, each frame once. */
export function inOrder(wheres: Iterable<Where>): Where[] {
  const seen = new Set<string>()
  const out: Where[] = []
  for (const w of [...wheres].sort(byPosition)) {
    const id = `${w.fileIndex}:${w.frame}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push(w)
  }
  return out
}

/** `1 flow` / `3 flows`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
