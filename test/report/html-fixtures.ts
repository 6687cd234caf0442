/**
 * Reports for the HTML tests: scenario captures and their policies through analyzeCaptures, as
 * `hubcap analyze` runs them, and one hostile report (a real one with a payload in every kind of
 * captured text the HTML prints: policy name, file names, DNS names, resolver clients, finding
 * messages and filters, BGP notification text, endpoint names, flow apps).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { loadPolicy } from '../../src/policy/load.js'
import type { Report } from '../../src/report/model.js'
import { SCENARIOS } from '../../src/samples/recipes/scenarios/index.js'

/** Script, an image with a handler, an attribute break-out, an ANSI clear screen, a bidi override, a lone surrogate, a newline. */
export const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\' onmouseover="alert(3) &amp; \x1b[2J \u202e \ud800 \nnext'

export async function scenarioReports(names: string[]): Promise<{ reports: Map<string, Report>; noPolicy: Report; cleanup: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'hubcap-html-'))
  const reports = new Map<string, Report>()
  for (const name of names) {
    const s = SCENARIOS.find((x) => x.name === name)
    if (!s) throw new Error(`no scenario ${name}`)
    const capture = join(root, `${name}.pcapng`)
    const policy = join(root, `${name}.yaml`)
    writeFileSync(capture, s.build())
    writeFileSync(policy, s.policy())
    reports.set(name, await analyzeCaptures([capture], { policy: loadPolicy(policy), workers: 1, failOn: 'high', progress: false }))
  }
  const noPolicy = await analyzeCaptures([join(root, `${names[0]!}.pcapng`)], { policy: null, workers: 1, failOn: 'high', progress: false })
  return { reports, noPolicy, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/**
 * The report with `text` (default HOSTILE) in every kind of captured text the renderers print; it needs
 * findings, a notification, resolvers, bindings and endpoints. The Markdown/terminal escaping test uses it too.
 */
export function hostileReport(real: Report, text = HOSTILE): Report {
  if (real.findings.length <= 2) throw new Error('hostileReport: the report needs more than two findings')
  const r: Report = structuredClone(real)
  const file = `/captures/${text}.pcap`
  r.policy = { ...r.policy!, name: text, file: `/policies/${text}.yaml` }
  r.captures[0]!.file = file
  r.captures[0]!.warnings = [{ offset: 12, message: text }]
  r.decode.malformed = { [text]: 1 }
  r.observationsDropped = { [text]: 3 }
  r.phase.evidence = [text]
  r.rules[0]!.reason = text
  r.dns.bindings[0]!.name = text
  r.dns.bindings[0]!.file = file
  r.dns.resolvers[0]!.clients = [text]
  r.dns.resolvers[0]!.byClient = [{ client: text, role: text, count: 1, firstTs: r.dns.resolvers[0]!.firstTs, lastTs: r.dns.resolvers[0]!.lastTs }]
  r.ntp.servers[0]!.server = text
  for (const f of r.findings) { f.message = text; f.filter = `dns.qry.name == "${text}"`; f.file = file }
  r.suppressed = [{ rule: r.findings[0]!.rule, severity: 'high', message: text, count: 1, why: text }]
  const notification = r.bgp.sessions.flatMap((x) => x.notifications)[0]!
  notification.text = text
  r.bgp.routes[0]!.peer = text
  r.endpoints.items[0]!.name = text
  r.flows.top[0]!.app = text
  return r
}
