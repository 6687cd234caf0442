/**
 * `hubcap diff OLD.json NEW.json`: what changed between two analyze reports of one deployment,
 * typically a baseline and today's captures. Rule status changes, findings that are new or
 * resolved (or changed severity), the verdict, and the numbers of the summaries (packets, flows,
 * DNS, NTP, BGP, malformed packets per layer).
 *
 * Each change has a kind. A regression is what should stop a pipeline: a rule that fails now and
 * did not before (pass, not-evaluable, disabled or absent -> fail), a new finding above info, a
 * finding whose severity rose to above info, a verdict that went pass -> fail. An improvement is
 * the reverse. Everything else (a rule that became not-evaluable, counts that moved) is a change:
 * shown, never failing, because two captures of a healthy deployment never have the same packets.
 *
 * Findings are matched by identity, not by equality: the same problem seen in another capture has
 * other frames, counts and times. The identity is the rule and the display filter, which names
 * the addresses, ports, names and protocol fields, with the parts that depend on the capture
 * (frame numbers, time bounds) blanked; where that leaves nothing that names the traffic, the
 * message with its numbers and timestamps blanked.
 */
import Table from 'cli-table3'
import { SEVERITY_RANK, type Finding, type RuleStatus } from '../policy/evaluate.js'
import type { Severity } from '../policy/model.js'
import { forTerminal as t } from './escape.js'
import type { Report } from './model.js'

export const DIFF_SCHEMA = 'hubcap.diff/1'

export type ChangeKind = 'regression' | 'improvement' | 'change'

export interface RuleChange {
  id: string
  /** The new report's severity (the old one's when the rule is gone). */
  severity: Severity
  /** null: the rule is not in that report (the catalog changed). */
  from: RuleStatus | null
  to: RuleStatus | null
  kind: ChangeKind
}

/** A finding as one of the two reports has it (the old one for resolved findings). */
export interface FindingChange {
  kind: ChangeKind
  rule: string
  severity: Severity
  message: string
  count: number
  file: string | null
  frames: number[]
  filter: string
}

export interface SeverityChange {
  kind: ChangeKind
  rule: string
  from: Severity
  to: Severity
  /** The new report's message and filter. */
  message: string
  filter: string
}

export interface CountChange {
  metric: string
  from: number
  to: number
  delta: number
}

export interface ReportDiff {
  /** True when at least one change is a regression (`--fail-on-change` exits 1). */
  regression: boolean
  summary: { regressions: number; improvements: number; changes: number }
  verdict: { from: 'pass' | 'fail'; to: 'pass' | 'fail'; kind: ChangeKind } | null
  /** The policy files' sha256 when they differ: the reports did not judge against the same policy. */
  policy: { from: string | null; to: string | null } | null
  rules: RuleChange[]
  findings: { new: FindingChange[]; resolved: FindingChange[]; severity: SeverityChange[] }
  counts: CountChange[]
}

export function diffReports(old: Report, next: Report): ReportDiff {
  const verdict = old.verdict.status === next.verdict.status ? null : {
    from: old.verdict.status, to: next.verdict.status,
    kind: next.verdict.status === 'fail' ? 'regression' as const : 'improvement' as const,
  }
  const oldSha = old.policy?.sha256 ?? null
  const newSha = next.policy?.sha256 ?? null
  const policy = oldSha === newSha ? null : { from: oldSha, to: newSha }
  const rules = diffRules(old, next)
  const findings = diffFindings(old.findings, next.findings)
  const counts = diffCounts(old, next)
  const kinds: ChangeKind[] = [
    ...(verdict ? [verdict.kind] : []), ...rules.map((r) => r.kind),
    ...findings.new.map((f) => f.kind), ...findings.resolved.map((f) => f.kind), ...findings.severity.map((f) => f.kind),
    ...counts.map(() => 'change' as const), ...(policy ? ['change' as const] : []),
  ]
  const summary = {
    regressions: kinds.filter((k) => k === 'regression').length,
    improvements: kinds.filter((k) => k === 'improvement').length,
    changes: kinds.filter((k) => k === 'change').length,
  }
  return { regression: summary.regressions > 0, summary, verdict, policy, rules, findings, counts }
}

/** Nothing differs (a report compared with itself). */
export function isEmptyDiff(d: ReportDiff): boolean {
  return d.summary.regressions + d.summary.improvements + d.summary.changes === 0
}

// ---- rules ------------------------------------------------------------------------------------

function ruleChangeKind(from: RuleStatus | null, to: RuleStatus | null): ChangeKind {
  if (to === 'fail') return 'regression'
  if (from === 'fail' && to === 'pass') return 'improvement'
  return 'change'
}

function diffRules(old: Report, next: Report): RuleChange[] {
  const before = new Map(old.rules.map((r) => [r.id, r]))
  const after = new Map(next.rules.map((r) => [r.id, r]))
  // The new report's catalog order, then rules only the old one has.
  const ids = [...after.keys(), ...[...before.keys()].filter((id) => !after.has(id))]
  const out: RuleChange[] = []
  for (const id of ids) {
    const a = before.get(id)
    const b = after.get(id)
    const from = a?.status ?? null
    const to = b?.status ?? null
    if (from === to) continue
    out.push({ id, severity: (b ?? a)!.severity, from, to, kind: ruleChangeKind(from, to) })
  }
  return out
}

// ---- findings ---------------------------------------------------------------------------------

const FRAME_LIST = /frame\.number in \{[^}]*\}/g
const TIME_BOUND = /frame\.time_epoch\s*(>=|<=|>|<|==)\s*[0-9.]+/g
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?/g
// A number standing alone (not part of an address, prefix, port pair or code like 4/0), and the word after it.
const STANDALONE_NUMBER = /(?<![\w.:/-])\d+(?![\w.:/-])(\s+[A-Za-z]+)?/g

/** The filter without what depends on the capture: the frame numbers and time bounds it cites. */
function stableFilter(filter: string): string {
  return filter.replace(FRAME_LIST, 'frame.number in {}').replace(TIME_BOUND, 'frame.time_epoch $1 _')
}

/** Whether the stable filter still names traffic (addresses, ports, fields), not just frames and times. */
function namesTraffic(stable: string): boolean {
  return stable.replace(/frame\.number in \{\}|frame\.time_epoch \S+ _|&&|\|\||[()!\s]/g, '') !== ''
}

/** "1 packet" and "3 packets" alike: the word a count qualifies, singular. */
function singular(word: string): string {
  if (/[a-z]ies$/.test(word) && word.length > 4) return word.slice(0, -3) + 'y'
  if (/[a-z]s$/i.test(word) && !/ss$/i.test(word) && word.length > 3) return word.slice(0, -1)
  return word
}

/** The message without counts and timestamps, which differ between captures of the same problem. */
function stableMessage(message: string): string {
  return message.replace(ISO_TIME, '_').replace(STANDALONE_NUMBER, (_m, word?: string) => word ? `# ${singular(word.trim())}` : '#')
}

/** What makes two findings, from two captures, the same problem. */
export function findingIdentity(f: Pick<Finding, 'rule' | 'filter' | 'message'>): string {
  const filter = stableFilter(f.filter)
  return namesTraffic(filter) ? `${f.rule}\n${filter}` : `${f.rule}\n${filter}\n${stableMessage(f.message)}`
}

const aboveInfo = (s: Severity) => s !== 'info'

function findingChange(kind: ChangeKind, f: Finding): FindingChange {
  return { kind, rule: f.rule, severity: f.severity, message: f.message, count: f.count, file: f.file, frames: [...f.frames], filter: f.filter }
}

function diffFindings(old: readonly Finding[], next: readonly Finding[]): ReportDiff['findings'] {
  // Several findings may share an identity: they are paired in report order.
  const unmatched = new Map<string, Finding[]>()
  for (const f of old) {
    const id = findingIdentity(f)
    const list = unmatched.get(id)
    if (list) list.push(f)
    else unmatched.set(id, [f])
  }
  const added: FindingChange[] = []
  const severity: SeverityChange[] = []
  for (const f of next) {
    const before = unmatched.get(findingIdentity(f))?.shift()
    if (!before) {
      added.push(findingChange(aboveInfo(f.severity) ? 'regression' : 'change', f))
      continue
    }
    if (before.severity === f.severity) continue
    const rose = SEVERITY_RANK[f.severity] < SEVERITY_RANK[before.severity]
    const kind: ChangeKind = rose ? (aboveInfo(f.severity) ? 'regression' : 'change') : (aboveInfo(before.severity) ? 'improvement' : 'change')
    severity.push({ kind, rule: f.rule, from: before.severity, to: f.severity, message: f.message, filter: f.filter })
  }
  // Old report order (severity, rule, frame) for what is left.
  const resolved = old.filter((f) => unmatched.get(findingIdentity(f))?.includes(f))
    .map((f) => findingChange(aboveInfo(f.severity) ? 'improvement' : 'change', f))
  return { new: added, resolved, severity }
}

// ---- counts -----------------------------------------------------------------------------------

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

/**
 * The numbers compared, in the order they are shown: a number, or per-key counts (layers,
 * protocols) whose keys are the union of both reports', sorted. Both reports give the same list.
 */
function metrics(r: Report): Array<[string, number | Record<string, number>]> {
  const sessions = r.bgp.sessions
  return [
    ['decode.packets', r.decode.packets],
    ['decode.bytes', r.decode.bytes],
    ['decode.undecoded', r.decode.undecoded],
    ['decode.layers', r.decode.layers],
    ['decode.malformed', r.decode.malformed],
    ['flows.count', r.flows.count],
    ['flows.byProto', r.flows.byProto ?? {}],
    ['dns.queries', r.dns.queries],
    ['dns.answered', r.dns.answered],
    ['dns.unanswered', r.dns.unanswered],
    ['ntp.exchanges', r.ntp.exchanges],
    ['bgp.sessions', sessions.length],
    ['bgp.sessions.established', sessions.filter((s) => s.established).length],
    ['bgp.notifications', sessions.reduce((n, s) => n + s.notifications.length, 0)],
    ['bgp.routes', r.bgp.routes.length],
    ['bgp.routes.withdrawn', r.bgp.routes.filter((x) => x.withdrawnTs !== null || x.withdrawnFrame !== null).length],
    ['findings', Object.fromEntries(SEVERITIES.map((s) => [s, r.verdict.counts[s] ?? 0]))],
    ['findings.suppressed', r.suppressed?.length ?? 0],
  ]
}

function diffCounts(old: Report, next: Report): CountChange[] {
  const out: CountChange[] = []
  const push = (metric: string, from: number, to: number) => {
    if (from !== to) out.push({ metric, from, to, delta: to - from })
  }
  const b = metrics(next)
  metrics(old).forEach(([name, from], i) => {
    const to = b[i]![1]
    if (typeof from === 'number' || typeof to === 'number') return push(name, Number(from), Number(to))
    const keys = name === 'findings' ? SEVERITIES : [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()
    for (const k of keys) push(`${name}.${k}`, from[k] ?? 0, to[k] ?? 0)
  })
  return out
}

// ---- renderers --------------------------------------------------------------------------------

export interface DiffLabels {
  old: string
  new: string
}

// As in json.ts: characters a terminal could act on are written as \uXXXX (the same strings once parsed).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g

/** The diff as one JSON document; keys in a fixed order, arrays in the order diffReports gives. */
export function diffJson(d: ReportDiff, labels: DiffLabels): string {
  const doc = {
    schema: DIFF_SCHEMA,
    old: labels.old,
    new: labels.new,
    regression: d.regression,
    summary: { regressions: d.summary.regressions, improvements: d.summary.improvements, changes: d.summary.changes },
    verdict: d.verdict && { from: d.verdict.from, to: d.verdict.to, kind: d.verdict.kind },
    policy: d.policy && { from: d.policy.from, to: d.policy.to },
    rules: d.rules.map((r) => ({ id: r.id, severity: r.severity, from: r.from, to: r.to, kind: r.kind })),
    findings: {
      new: d.findings.new.map(findingJson),
      resolved: d.findings.resolved.map(findingJson),
      severity: d.findings.severity.map((s) => ({ kind: s.kind, rule: s.rule, from: s.from, to: s.to, message: s.message, filter: s.filter })),
    },
    counts: d.counts.map((c) => ({ metric: c.metric, from: c.from, to: c.to, delta: c.delta })),
  }
  return JSON.stringify(doc, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n'
}

function findingJson(f: FindingChange) {
  return { kind: f.kind, rule: f.rule, severity: f.severity, message: f.message, count: f.count, file: f.file, frames: [...f.frames], filter: f.filter }
}

const mark = (k: ChangeKind) => (k === 'change' ? '' : ` [${k}]`)
const signed = (n: number) => (n > 0 ? `+${n.toLocaleString('en-US')}` : n.toLocaleString('en-US'))

/** The diff for a terminal. Every captured or file-derived string passes through forTerminal. */
export function diffTable(d: ReportDiff, labels: DiffLabels): string {
  const out: string[] = [`Diff: ${t(labels.old)} -> ${t(labels.new)}`]
  if (isEmptyDiff(d)) return out.concat('No differences.').join('\n') + '\n'
  const s = d.summary
  out.push(`${d.regression ? 'REGRESSION' : 'No regression'}: ${s.regressions} regressions, ${s.improvements} improvements, ${s.changes} other changes`)
  if (d.verdict) out.push(`Verdict: ${d.verdict.from.toUpperCase()} -> ${d.verdict.to.toUpperCase()}${mark(d.verdict.kind)}`)
  if (d.policy) out.push(`Policy: not the same (sha256 ${d.policy.from ?? 'none'} -> ${d.policy.to ?? 'none'})`)

  if (d.rules.length) {
    const rules = new Table({ head: ['rule', 'severity', 'from', 'to', 'change'], style: { head: [], border: [], compact: true } })
    for (const r of d.rules) rules.push([t(r.id), r.severity, (r.from ?? 'absent').toUpperCase(), (r.to ?? 'absent').toUpperCase(), r.kind])
    out.push('', 'Rule status changes', rules.toString())
  }
  const block = (title: string, list: FindingChange[]) => {
    if (!list.length) return
    out.push('', `${title} (${list.length})`)
    for (const f of list) {
      out.push(`${f.severity.toUpperCase().padEnd(8)} ${t(f.rule)}: ${t(f.message)}${f.count > 1 ? ` (x${f.count.toLocaleString('en-US')})` : ''}${mark(f.kind)}`)
      if (f.frames.length) out.push(`  frames: ${f.file ? `${t(f.file)}: ` : ''}${f.frames.join(' ')}`)
      if (f.filter) out.push(`  filter: ${t(f.filter)}`)
    }
  }
  block('New findings', d.findings.new)
  block('Resolved findings', d.findings.resolved)
  if (d.findings.severity.length) {
    out.push('', `Severity changes (${d.findings.severity.length})`)
    for (const f of d.findings.severity) {
      out.push(`${f.from.toUpperCase()} -> ${f.to.toUpperCase()} ${t(f.rule)}: ${t(f.message)}${mark(f.kind)}`)
      if (f.filter) out.push(`  filter: ${t(f.filter)}`)
    }
  }
  if (d.counts.length) {
    const counts = new Table({ head: ['count', 'old', 'new', 'change'], style: { head: [], border: [], compact: true }, colAligns: ['left', 'right', 'right', 'right'] })
    for (const c of d.counts) counts.push([t(c.metric), c.from.toLocaleString('en-US'), c.to.toLocaleString('en-US'), signed(c.delta)])
    out.push('', 'Counts', counts.toString())
  }
  return out.join('\n') + '\n'
}
