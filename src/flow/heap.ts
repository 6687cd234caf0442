/**
 * Binary-heap sifting for bounded "keep the best N" lists (TopFlows, EarliestFlows): the root is
 * the entry to drop first, i.e. compare(parent, child) >= 0 everywhere.
 */
export function siftUp<T>(heap: T[], i: number, compare: (a: T, b: T) => number): void {
  while (i > 0) {
    const p = (i - 1) >> 1
    if (compare(heap[p]!, heap[i]!) >= 0) break
    ;[heap[p], heap[i]] = [heap[i]!, heap[p]!]
    i = p
  }
}

export function siftDown<T>(heap: T[], i: number, compare: (a: T, b: T) => number): void {
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let top = i
    if (l < heap.length && compare(heap[l]!, heap[top]!) > 0) top = l
    if (r < heap.length && compare(heap[r]!, heap[top]!) > 0) top = r
    if (top === i) return
    ;[heap[top], heap[i]] = [heap[i]!, heap[top]!]
    i = top
  }
}
