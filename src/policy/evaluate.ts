/**
 * Runs the catalog over one set of observations and applies, the same way for every rule, what
 * the policy says about rules: `rules.<id>.enabled: false` (status disabled), a severity
 * override, and `allow` entries (matching findings are suppressed: counted and listed with the
 * entry's `why`, never silently dropped). Then the contract's evidence rules: one finding per
 * distinct problem (drafts with the same key merged, counts summed), the frames of the first
 * file that holds evidence, first ones first, at most MAX_EVIDENCE_FRAMES, and a stable order
 * (severity, rule id, file, first frame, message).
 *
 * Status (rules.md): `fail` when at least one unsuppressed finding is above info; `pass`
 * otherwise (the evaluator's reason says what was examined); `not-evaluable` as the evaluator
 * said; `disabled` when the policy switches the rule off. An evaluator that throws is a bug:
 * the rule becomes not-evaluable with the error in its reason, and the run goes on.
 */
import type { FlowRecord } from '../flow/flow-record.js'
import type { Where } from '../observe/model.js'
import { AddressSet } from './cidr.js'
import type { AllowEntry, Severity } from './model.js'
import type { FindingDraft, RuleContext, RuleDefinition, TrafficMatch } from './rule.js'

/** Frames cited per finding (contract: "at most 20, first ones"). */
export const MAX_EVIDENCE_FRAMES = 20
/** Distinct findings kept per rule; the rest are counted in the rule's result. */
export const MAX_FINDINGS_PER_RULE = 1000

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 }

export type RuleStatus = 'pass' | 'fail' | 'not-evaluable' | 'disabled'

export interface RuleResult {
  id: string
  title: string
  severity: Severity
  status: RuleStatus
  reason: string
  // ---- additions ----
  /** Findings reported (after allow entries), findings suppressed by allow entries, and findings past the per-rule cap. */
  findings: number
  suppressed: number
  truncated: number
}

export interface Finding {
  rule: string
  severity: Severity
  message: string
  /** Capture file of the cited frames; null when the finding is about something never seen (no evidence). */
  file: string | null
  firstTs: string | null
  lastTs: string | null
  count: number
  frames: number[]
  filter: string
  flow: FlowRecord | null
}

export interface SuppressedFinding {
  rule: string
  severity: Severity
  message: string
  count: number
  /** The allow entry's reason. */
  why: string
}

export interface Evaluation {
  rules: RuleResult[]
  findings: Finding[]
  suppressed: SuppressedFinding[]
}

export function evaluateRules(ctx: RuleContext, catalog: readonly RuleDefinition[]): Evaluation {
  const rules: RuleResult[] = []
  const findings: Finding[] = []
  const suppressed: SuppressedFinding[] = []
  const policy = ctx.policy?.policy ?? null
  const allowByRule = compileAllow(policy?.allow ?? [])
  for (const rule of catalog) {
    const override = policy?.rules?.[rule.id] ?? {}
    const severity = override.severity ?? rule.severity
    const base = { id: rule.id, title: rule.title, severity }
    if (override.enabled === false) {
      rules.push({ ...base, status: 'disabled', reason: 'disabled in the policy (rules.' + rule.id + '.enabled: false)', findings: 0, suppressed: 0, truncated: 0 })
      continue
    }
    let outcome
    try {
      outcome = rule.evaluate(ctx)
    } catch (e) {
      rules.push({ ...base, status: 'not-evaluable', reason: `evaluator failed (a bug, please report): ${(e as Error)?.message ?? String(e)}`, findings: 0, suppressed: 0, truncated: 0 })
      continue
    }
    if (outcome.status === 'not-evaluable') {
      rules.push({ ...base, status: 'not-evaluable', reason: outcome.reason, findings: 0, suppressed: 0, truncated: 0 })
      continue
    }
    const allow = allowByRule.get(rule.id) ?? []
    let kept: Finding[] = []
    let nSuppressed = 0
    for (const d of mergeDrafts(outcome.findings)) {
      const sev = d.severity ?? severity
      const entry = d.traffic ? allow.find((a) => a.matches(d.traffic!)) : undefined
      if (entry) {
        nSuppressed++
        suppressed.push({ rule: rule.id, severity: sev, message: d.message, count: d.count, why: entry.why })
        continue
      }
      kept.push(toFinding(rule.id, sev, d))
    }
    kept.sort(compareFindings)
    const truncated = Math.max(0, kept.length - MAX_FINDINGS_PER_RULE)
    if (truncated > 0) kept = kept.slice(0, MAX_FINDINGS_PER_RULE)
    const failing = kept.some((f) => f.severity !== 'info')
    rules.push({ ...base, status: failing ? 'fail' : 'pass', reason: outcome.reason, findings: kept.length, suppressed: nSuppressed, truncated })
    findings.push(...kept)
  }
  findings.sort(compareFindings)
  suppressed.sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0))
  return { rules, findings, suppressed }
}

/** Drafts with the same key are one problem: counts summed, evidence joined, the first draft's text kept. */
function mergeDrafts(drafts: readonly FindingDraft[]): FindingDraft[] {
  const byKey = new Map<string, FindingDraft>()
  for (const d of drafts) {
    const cur = byKey.get(d.key)
    if (!cur) byKey.set(d.key, { ...d, evidence: [...d.evidence] })
    else {
      cur.count += d.count
      cur.evidence.push(...d.evidence)
      if (d.severity && (!cur.severity || SEVERITY_RANK[d.severity] < SEVERITY_RANK[cur.severity])) cur.severity = d.severity
    }
  }
  return [...byKey.values()]
}

const byPlace = (a: Where, b: Where) => a.fileIndex - b.fileIndex || a.frame - b.frame

function toFinding(rule: string, severity: Severity, d: FindingDraft): Finding {
  const evidence = d.evidence.filter((w) => Number.isInteger(w.frame) && w.frame > 0).sort(byPlace)
  const first = evidence[0]
  const frames: number[] = []
  if (first) {
    for (const w of evidence) {
      if (w.fileIndex !== first.fileIndex) break
      if (frames[frames.length - 1] !== w.frame) frames.push(w.frame)
      if (frames.length === MAX_EVIDENCE_FRAMES) break
    }
  }
  let lo: Where | null = null
  let hi: Where | null = null
  for (const w of evidence) {
    if (!Number.isFinite(w.t)) continue
    if (!lo || w.t < lo.t) lo = w
    if (!hi || w.t > hi.t) hi = w
  }
  return {
    rule, severity, message: d.message, file: first ? first.file : null, firstTs: lo ? lo.ts : null, lastTs: hi ? hi.ts : null,
    count: d.count, frames, filter: d.filter, flow: d.flow ?? null,
  }
}

const text = (a: string | null, b: string | null) => (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0

/** Contract order: severity, rule id, then first frame (file first, so frames compare within one file). */
export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || text(a.rule, b.rule) || text(a.file, b.file) ||
    (a.frames[0] ?? 0) - (b.frames[0] ?? 0) || text(a.message, b.message) || text(a.filter, b.filter)
}

interface CompiledAllow {
  why: string
  matches(t: TrafficMatch): boolean
}

function compileAllow(entries: readonly AllowEntry[]): Map<string, CompiledAllow[]> {
  const out = new Map<string, CompiledAllow[]>()
  for (const e of entries) {
    const src = e.src ? new AddressSet([e.src]) : null
    const dst = e.dst ? new AddressSet([e.dst]) : null
    const c: CompiledAllow = {
      why: e.why ?? 'allowed by the policy',
      // Every key the entry sets must match; a finding that does not say (e.g. no port) does not match a port condition.
      matches: (t) =>
        (!src || (t.src !== undefined && src.has(t.src))) &&
        (!dst || (t.dst !== undefined && dst.has(t.dst))) &&
        (e.proto === undefined || t.proto === e.proto) &&
        (e.srcPort === undefined || t.srcPort === e.srcPort) &&
        (e.dstPort === undefined || t.dstPort === e.dstPort),
    }
    const list = out.get(e.rule)
    if (list) list.push(c)
    else out.set(e.rule, [c])
  }
  return out
}

export interface Verdict {
  status: 'pass' | 'fail'
  failOn: Severity
  counts: Record<Severity, number>
}

/** `fail` when a finding is at or above `failOn` (exit code 1). Counts are per severity over every finding. */
export function verdictOf(findings: readonly Finding[], failOn: Severity): Verdict {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 }
  for (const f of findings) counts[f.severity]++
  const fail = findings.some((f) => SEVERITY_RANK[f.severity] <= SEVERITY_RANK[failOn])
  return { status: fail ? 'fail' : 'pass', failOn, counts }
}
