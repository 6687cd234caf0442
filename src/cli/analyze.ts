/**
 * `hubcap analyze <capture...>`: the deployment's captures judged against its policy.
 *
 *   policy (load + validate) -> output opened -> pipeline ('analyze' on every shard) -> phase ->
 *   rules -> report -> renderer -> exit code (0 pass, 1 a finding at or above --fail-on, 2 error)
 *
 * Everything that can be refused (format, --fail-on, the policy, the output path) is refused
 * before the first packet is read.
 */
import type { AnalyzeResult } from '../engine/analyze.js'
import { CATALOG } from '../policy/catalog.js'
import { evaluateRules } from '../policy/evaluate.js'
import { loadPolicy, PolicyError, type LoadedPolicy } from '../policy/load.js'
import { SEVERITIES, type Severity } from '../policy/model.js'
import { decidePhase } from '../policy/phase.js'
import type { RuleContext } from '../policy/rule.js'
import { assessEndpoints } from '../policy/rules/required-endpoints.js'
import { PolicyView } from '../policy/view.js'
import { buildReport } from '../report/build.js'
import { forTerminal } from '../report/escape.js'
import { reportHtml } from '../report/html.js'
import { reportJson } from '../report/json.js'
import { reportMarkdown } from '../report/markdown.js'
import type { Report } from '../report/model.js'
import { reportTable } from '../report/table.js'
import { ExitCode, UsageError } from './errors.js'
import { openOutput } from './output.js'
import { REPORT_FORMATS } from './formats.js'
import { runWithProgress } from './pipeline.js'
import { parseWorkers } from './workers.js'

const LATER_FORMATS: string[] = []

export interface AnalyzeOptions {
  policy?: string
  format?: string
  output?: string
  workers?: string
  failOn?: string
  progress?: boolean
  stamp?: boolean
  vxlanPort?: number[]
}

/** Thrown for an invalid policy: every problem, one per line, each naming the file. */
export class PolicyProblems extends Error {
  override readonly name = 'PolicyProblems'
  readonly lines: string[]
  constructor(lines: string[]) {
    super(lines[0] ?? 'invalid policy')
    this.lines = lines
  }
}

export function loadPolicyOrExplain(file: string): LoadedPolicy {
  try {
    return loadPolicy(file)
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e
    throw new PolicyProblems(e.details.map((d) => `${file}${d.line === undefined ? '' : `:${d.line}`}: ${d.text}`))
  }
}

export interface AnalyzeRun {
  report: Report
}

/** The analysis itself, without output: also what `import { analyze } from 'hubcap'` will call. */
export async function analyzeCaptures(files: string[], o: { policy?: LoadedPolicy | null; workers: number; failOn: Severity; progress: boolean; stamp?: boolean; vxlanPorts?: number[] }): Promise<Report> {
  const loaded = o.policy ?? null
  const run = await runWithProgress({
    files, workers: o.workers, analyzer: 'analyze',
    config: { policy: loaded?.policy ?? null, topN: 10, ...(o.vxlanPorts?.length ? { vxlanPorts: o.vxlanPorts } : {}) },
    progress: o.progress, ...(o.vxlanPorts ? { vxlanPorts: o.vxlanPorts } : {}),
  })
  const result = run.result as AnalyzeResult
  const view = loaded ? new PolicyView(loaded.policy) : null
  const phase = decidePhase(result.observations, view)
  const ctx: RuleContext = { obs: result.observations, policy: view, phase }
  const evaluation = evaluateRules(ctx, CATALOG)
  const endpoints = view ? assessEndpoints(ctx) : null
  return buildReport({
    result, captures: run.captures, view, phase, evaluation, endpoints, failOn: o.failOn,
    policy: loaded ? { file: loaded.file, name: loaded.name, sha256: loaded.sha256 } : null,
    ...(o.stamp ? { generatedAt: runTimestamp(new Date()) } : {}),
  })
}

/** The run's time in the report's one timestamp form: ISO 8601 with nine fractional digits (Date has milliseconds). */
export function runTimestamp(d: Date): string {
  return d.toISOString().replace(/Z$/, '000000Z')
}

export function parseFailOn(text: string | undefined): Severity {
  const s = (text ?? 'high') as Severity
  if (!SEVERITIES.includes(s)) throw new UsageError(`--fail-on: "${text}" is not one of ${SEVERITIES.join(', ')}`)
  return s
}

export async function runAnalyze(files: string[], opts: AnalyzeOptions): Promise<number> {
  const format = opts.format ?? 'table'
  if (LATER_FORMATS.includes(format)) throw new UsageError(`--format ${format}: the ${format} report is not built yet; use ${REPORT_FORMATS.join(', ')}`)
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: "${format}" is not one of ${[...REPORT_FORMATS, ...LATER_FORMATS].join(', ')}`)
  const failOn = parseFailOn(opts.failOn)
  const workers = parseWorkers(opts.workers)
  let policy: LoadedPolicy | null = null
  if (opts.policy !== undefined) {
    try {
      policy = loadPolicyOrExplain(opts.policy)
    } catch (e) {
      if (!(e instanceof PolicyProblems)) throw e
      process.stderr.write(e.lines.map((l) => `hubcap: ${forTerminal(l)}`).join('\n') + '\n')
      return ExitCode.Error
    }
  }
  const out = openOutput(opts.output)
  const report = await analyzeCaptures(files, {
    policy, workers, failOn, progress: opts.progress !== false, ...(opts.stamp ? { stamp: true } : {}),
    ...(opts.vxlanPort?.length ? { vxlanPorts: opts.vxlanPort } : {}),
  })
  await out.write(format === 'json' ? reportJson(report) : format === 'md' ? reportMarkdown(report) : format === 'html' ? reportHtml(report) : reportTable(report))
  await out.close()
  for (const c of report.captures) {
    for (const w of c.warnings) process.stderr.write(forTerminal(`hubcap: warning: ${c.file}: byte ${w.offset}: ${w.message}`) + '\n')
  }
  return report.verdict.status === 'fail' ? ExitCode.Findings : ExitCode.Ok
}
