/**
 * `analyze --format table`: what an engineer at a terminal reads first. The verdict, what was
 * read, the deployment phase, every rule with its status, and the findings, each with its frames
 * and the display filter to paste into Wireshark (on one line). Findings are capped (the JSON has
 * everything). Every string passes through forTerminal: DNS names, SNI and file names are captured text.
 */
import Table from 'cli-table3'
import { forTerminal as t } from './escape.js'
import type { Report } from './model.js'

export const MAX_FINDING_ROWS = 50

const grouped = (n: number) => n.toLocaleString('en-US')

export function reportTable(r: Report, opts: { maxFindings?: number } = {}): string {
  const out: string[] = []
  const v = r.verdict
  const counts = (['critical', 'high', 'medium', 'low', 'info'] as const).filter((s) => v.counts[s] > 0).map((s) => `${v.counts[s]} ${s}`)
  out.push(`Verdict: ${v.status.toUpperCase()} (fail on ${v.failOn} or above; findings: ${counts.length ? counts.join(', ') : 'none'})`)
  out.push(r.policy ? `Policy: ${t(r.policy.file)}${r.policy.name ? ` (${t(r.policy.name)})` : ''}` : 'Policy: none (rules that need policy inputs are not-evaluable)')
  for (const c of r.captures) {
    out.push(`Capture: ${t(c.file)}: ${c.format}${c.compressed ? ' (gzip)' : ''}, ${grouped(c.packets)} packets, ${grouped(c.bytes)} bytes, ${c.firstTs ?? '-'} .. ${c.lastTs ?? '-'}`)
    for (const w of c.warnings) out.push(`  warning: byte ${w.offset}: ${t(w.message)}`)
  }
  const malformed = Object.entries(r.decode.malformed).map(([k, n]) => `${t(k)} ${grouped(n)}`)
  out.push(`Decoded: ${grouped(r.decode.packets)} packets, ${grouped(r.flows.count)} flows${malformed.length ? `; malformed: ${malformed.join(', ')}` : ''}`)
  const p = r.phase
  out.push(p.deploymentComplete
    ? `Deployment complete: ${p.deploymentComplete} (${p.source}; grace ${p.graceSeconds} s)`
    : `Deployment complete: unknown (${p.source === 'none' ? 'no completeAt in the policy and none detected' : p.source})`)
  for (const e of p.evidence) out.push(`  ${t(e)}`)
  const dropped = Object.entries(r.observationsDropped)
  if (dropped.length) out.push(`Partial: observations past their bounds were not kept: ${dropped.map(([k, n]) => `${t(k)} ${grouped(n)}`).join(', ')}`)

  const rules = new Table({ head: ['rule', 'severity', 'status', 'reason'], style: { head: [], border: [], compact: true }, wordWrap: true, colWidths: [30, 10, 15, 70] })
  for (const x of r.rules) rules.push([t(x.id), x.severity, x.status.toUpperCase(), t(x.reason)])
  out.push('', 'Rules', rules.toString())

  const max = opts.maxFindings ?? MAX_FINDING_ROWS
  if (r.findings.length > 0) {
    // One block per finding, not table cells: a filter wrapped inside a cell cannot be pasted into
    // Wireshark, and a long capture name cut to a column width no longer says which file the frames are in.
    out.push('', `Findings (${grouped(r.findings.length)})`)
    for (const x of r.findings.slice(0, max)) {
      out.push(`${x.severity.toUpperCase().padEnd(8)} ${t(x.rule)}: ${t(x.message)}${x.count > 1 ? ` (x${grouped(x.count)})` : ''}`)
      if (x.frames.length) out.push(`  frames: ${x.file ? `${t(x.file)}: ` : ''}${x.frames.join(' ')}`)
      out.push(`  filter: ${t(x.filter)}`)
    }
    if (r.findings.length > max) out.push(`... ${grouped(r.findings.length - max)} more findings (use --format json for all)`)
  } else {
    out.push('', 'Findings: none')
  }
  if (r.suppressed.length) out.push(`Suppressed by allow entries: ${grouped(r.suppressed.length)} (listed in the JSON report)`)
  return out.join('\n') + '\n'
}
