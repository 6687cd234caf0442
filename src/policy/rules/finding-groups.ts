/**
 * One finding per distinct problem: evaluators add each offending occurrence under
 * a key, and the first occurrence of a key sets its message, filter and traffic.
 * Evidence keeps every occurrence in the order added (evaluate.ts caps it).
 */
import type { Where } from '../../observe/model.js'
import type { FindingDraft } from '../rule.js'

/** What the first occurrence of a key says; `count` and `evidence` accumulate. */
export type DraftHead = Omit<FindingDraft, 'key' | 'count' | 'evidence'>

export class FindingGroups {
  private readonly drafts = new Map<string, FindingDraft>()

  /** Adds one occurrence (`evidence` null: an occurrence with no frame, e.g. "not observed"). */
  add(key: string, head: () => DraftHead, evidence: Where | null, count = 1): FindingDraft {
    let d = this.drafts.get(key)
    if (!d) {
      d = { key, ...head(), count: 0, evidence: [] }
      this.drafts.set(key, d)
    }
    d.count += count
    if (evidence) d.evidence.push(evidence)
    return d
  }

  get(key: string): FindingDraft | undefined {
    return this.drafts.get(key)
  }

  get size(): number {
    return this.drafts.size
  }

  /** Drafts in the order their keys first appeared, evidence sorted by file then frame. */
  list(): FindingDraft[] {
    const out = [...this.drafts.values()]
    for (const d of out) d.evidence.sort(byWhere)
    return out
  }
}

/** Capture order: file index, then frame. */
export function byWhere(a: Where, b: Where): number {
  return a.fileIndex - b.fileIndex || a.frame - b.frame
}
