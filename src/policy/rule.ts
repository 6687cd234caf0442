/**
 * The shape of a rule: catalog data plus one pure evaluator
 * `(ctx: RuleContext) -> RuleOutcome`. Evaluators never see packets, never do I/O,
 * and never apply the policy's `rules:` overrides or `allow:` entries themselves:
 * evaluate.ts does that for every rule the same way (disabled, severity override,
 * allow-listed findings counted as suppressed, evidence capped, findings sorted).
 *
 * An evaluator returns `not-evaluable` with a reason when an input it needs is
 * missing (the policy lacks a key, the vantage cannot see it, the capture does
 * not reach the time it needs). Otherwise it returns its findings; evaluate.ts
 * decides pass/fail from them (fail: at least one finding above info), so an
 * evaluator only has to say what it examined in `reason`.
 */
import type { Observations, Where } from '../observe/model.js'
import type { FlowRecord } from '../flow/flow-record.js'
import type { Severity } from './model.js'
import type { PolicyView } from './view.js'

/** The deployment phase split, decided once per report (phase.ts). */
export interface PhaseInfo {
  /** Seconds since the epoch, or null when unknown (no policy value and nothing detected). */
  completeAt: number | null
  graceSeconds: number
  source: 'policy' | 'detected' | 'none'
  /** What set the time (detected), in words; each line cites frames. */
  evidence: string[]
  /** Capture time range over all files (NaN when no packet had a timestamp). */
  captureStart: number
  captureEnd: number
}

export interface RuleContext {
  obs: Observations
  /** Null when `analyze` runs without a policy: rules needing inputs are not-evaluable. */
  policy: PolicyView | null
  phase: PhaseInfo
}

/** The traffic a finding is about, matched against the policy's `allow` entries. */
export interface TrafficMatch {
  src?: string
  dst?: string
  proto?: 'tcp' | 'udp' | 'icmp' | 'icmpv6'
  srcPort?: number
  dstPort?: number
}

/** One distinct problem, before overrides and allow entries are applied. */
export interface FindingDraft {
  /** Dedup key within the rule (e.g. `src>dst:port`); drafts with equal keys are merged by evaluate.ts. */
  key: string
  /** Default: the rule's (possibly overridden) severity. A rule with two severities sets it (e.g. ICMP echo low). */
  severity?: Severity
  /** Says what happened, with addresses and names (hostile text is escaped by renderers, not here). */
  message: string
  /** Occurrences (packets, queries, flows: the message says which). */
  count: number
  /** The evidence, first ones first, all in order; evaluate.ts keeps the first file's first 20. */
  evidence: Where[]
  /** A Wireshark display filter that shows exactly that evidence (filter.ts helps). */
  filter: string
  flow?: FlowRecord | null
  traffic?: TrafficMatch
}

export interface RuleOutcome {
  /** 'not-evaluable' with a reason, or 'evaluated' with findings (evaluate.ts decides pass/fail). */
  status: 'evaluated' | 'not-evaluable'
  /** What was examined ("12 DNS queries from the DVM and the BMC network") or what input is missing. */
  reason: string
  findings: FindingDraft[]
}

export interface RuleDefinition {
  id: string
  title: string
  severity: Severity
  /** Catalog group heading of rules.md. */
  group: 'deployment' | 'transition' | 'segmentation' | 'bgp' | 'encapsulation'
  /** Policy inputs named by rules.md (e.g. 'hosts.dvm', 'networks.bmc'); shown by `hubcap rules` and `policy check`. */
  inputs: string[]
  /**
   * Which of `inputs` the rule cannot do without, when that is not all of them:
   * each group is met by any one of its keys (`[['hosts.ntpServers'], ['hosts.dvm', 'networks.bmc']]`:
   * the servers, and at least one source); inputs in no group are optional.
   * Absent: every input is needed. `policy check` uses it to predict not-evaluable.
   */
  requires?: string[][]
  /** rules.md's "a finding when" text, one line. */
  description: string
  /** Domain notes section(s), e.g. '2.1'. */
  reference: string
  evaluate(ctx: RuleContext): RuleOutcome
}

/** Helpers shared by evaluators. */
export const notEvaluable = (reason: string): RuleOutcome => ({ status: 'not-evaluable', reason, findings: [] })
export const evaluated = (reason: string, findings: FindingDraft[]): RuleOutcome => ({ status: 'evaluated', reason, findings })

/**
 * True when `t` is before completeAt. With no completeAt (none in the policy, nothing
 * detected) the whole capture counts as the deployment phase: the deployment-phase
 * rules do not list completeAt among their inputs (rules.md).
 */
export function isDuring(phase: PhaseInfo, t: number): boolean {
  return phase.completeAt === null || !(t >= phase.completeAt)
}

/** True when `t` is at or after completeAt + grace (unknown completeAt: false). */
export function isAfter(phase: PhaseInfo, t: number): boolean {
  return phase.completeAt !== null && t >= phase.completeAt + phase.graceSeconds
}
