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

/** The report with HOSTILE in every kind of captured text; it needs findings, a notification, resolvers, bindings and endpoints. */
export function hostileReport(real: Report): Report {
  const r: Report = structuredClone(real)
  const file = `/captures/${HOSTILE}.pcap`
  r.policy = { ...r.policy!, name: HOSTILE, file: `/policies/${HOSTILE}.yaml` }
  r.captures[0]!.file = file
  r.captures[0]!.warnings = [{ offset: 12, message: HOSTILE }]
  r.decode.malformed = { [HOSTILE]: 1 }
  r.observationsDropped = { [HOSTILE]: 3 }
  r.phase.evidence = [HOSTILE]
  r.rules[0]!.reason = HOSTILE
  r.dns.bindings[0]!.name = HOSTILE
  r.dns.bindings[0]!.file = file
  r.dns.resolvers[0]!.clients = [HOSTILE]
  r.dns.resolvers[0]!.byClient = [{ client: HOSTILE, role: HOSTILE, count: 1, firstTs: r.dns.resolvers[0]!.firstTs, lastTs: r.dns.resolvers[0]!.lastTs }]
  r.ntp.servers[0]!.server = HOSTILE
  for (const f of r.findings) { f.message = HOSTILE; f.filter = `dns.qry.name == "${HOSTILE}"`; f.file = file }
  r.suppressed = [{ rule: r.findings[0]!.rule, severity: 'high', message: HOSTILE, count: 1, why: HOSTILE }]
  const notification = r.bgp.sessions.flatMap((x) => x.notifications)[0]!
  notification.text = HOSTILE
  r.bgp.routes[0]!.peer = HOSTILE
  r.endpoints.items[0]!.name = HOSTILE
  r.flows.top[0]!.app = HOSTILE
  return r
}
