/**
 * hubcap as a library: `import { analyze } from 'hubcap'` runs what `hubcap analyze` runs and
 * returns the report model instead of printing it; the renderers turn it into the CLI's outputs.
 *
 *   const report = await analyze(['border1.pcapng'], { policy: 'stamp.policy.yaml' })
 *   if (report.verdict.status === 'fail') console.log(reportMarkdown(report))
 *
 * Errors are thrown, never printed: PolicyError (an invalid policy, every problem in `problems`),
 * CaptureError (an unreadable capture), TypeError/RangeError (a bad option).
 */
import { createHash } from 'node:crypto'
import { analyzeCaptures } from './cli/analyze.js'
import { defaultWorkers } from './cli/workers.js'
import { loadPolicy, parsePolicyText, PolicyError, type LoadedPolicy } from './policy/load.js'
import { SEVERITIES, type Policy, type Severity } from './policy/model.js'
import type { Report } from './report/model.js'

export { CaptureError } from './capture/errors.js'
export { PolicyError } from './policy/load.js'
export { SEVERITIES } from './policy/model.js'
export { reportHtml } from './report/html.js'
export { reportJson } from './report/json.js'
export { reportMarkdown } from './report/markdown.js'
export { reportTable } from './report/table.js'
export { VERSION } from './version.js'
export type { Finding, RuleResult, RuleStatus, SuppressedFinding, Verdict } from './policy/evaluate.js'
export type { Policy, Severity } from './policy/model.js'
export type { Report, ReportCapture, ReportDecode } from './report/model.js'

export interface AnalyzeOptions {
  /** A policy file (YAML or JSON), or the policy itself (validated exactly as a file is). Without one, policy rules are not-evaluable. */
  policy?: string | Policy
  /** Worker threads; default one per core, 1 runs in-process (the CLI's --workers). */
  workers?: number
  /** The lowest severity that makes the verdict fail; default 'high' (the CLI's --fail-on). */
  failOn?: Severity
  /** Extra UDP ports decoded as VXLAN besides 4789 (the CLI's --vxlan-port). */
  vxlanPorts?: number[]
}

/** How a policy given as an object is named in errors and in the report's `policy.file`. */
export const POLICY_OBJECT_NAME = '<policy object>'

/** Analyses the captures (read as one window, like the CLI's several files) and returns the report. */
export async function analyze(captures: string[], options: AnalyzeOptions = {}): Promise<Report> {
  if (!Array.isArray(captures) || captures.length === 0 || !captures.every((c) => typeof c === 'string' && c !== '')) {
    throw new TypeError('analyze: captures must be a non-empty array of file paths')
  }
  const failOn = options.failOn ?? 'high'
  if (!SEVERITIES.includes(failOn)) throw new RangeError(`analyze: failOn "${String(failOn)}" is not one of ${SEVERITIES.join(', ')}`)
  const workers = options.workers ?? defaultWorkers()
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new RangeError(`analyze: workers ${String(workers)} is not a worker count (1-256)`)
  const vxlanPorts = options.vxlanPorts ?? []
  if (!vxlanPorts.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) throw new RangeError('analyze: vxlanPorts must be UDP ports (1-65535)')
  const policy = options.policy === undefined ? null : resolvePolicy(options.policy)
  return analyzeCaptures(captures, { policy, workers, failOn, progress: false, ...(vxlanPorts.length > 0 ? { vxlanPorts } : {}) })
}

/** A file is loaded as `hubcap analyze -p` loads it; an object goes through the same parser and checks as its JSON text. */
function resolvePolicy(policy: string | Policy): LoadedPolicy {
  if (typeof policy === 'string') return loadPolicy(policy)
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new PolicyError(POLICY_OBJECT_NAME, [{ text: '(top level): must be a policy object or a file path' }])
  }
  let text: string
  try {
    text = JSON.stringify(policy, null, 2)
  } catch (e) {
    throw new PolicyError(POLICY_OBJECT_NAME, [{ text: `cannot be written as JSON: ${(e as Error).message}` }])
  }
  const parsed = parsePolicyText(text, POLICY_OBJECT_NAME)
  return {
    policy: parsed,
    sha256: createHash('sha256').update(text).digest('hex'),
    name: parsed.name ?? null,
    file: POLICY_OBJECT_NAME,
  }
}
