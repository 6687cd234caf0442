/**
 * `analyze --format md` on real reports: scenario captures and their policies go through
 * analyzeCaptures as `hubcap analyze` runs them, and the Markdown must carry what the report says:
 * the verdict, every rule with its status, the findings by severity with frames and filters, DNS
 * and NTP by phase, the BGP VIP states and route table, the endpoints, the top flows. Tables are
 * read back cell by cell (test/report/markdown-reading.ts), so a broken row fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { loadPolicy } from '../../src/policy/load.js'
import { forMarkdown } from '../../src/report/escape.js'
import { MD_LIMITS, reportMarkdown } from '../../src/report/markdown.js'
import type { Report } from '../../src/report/model.js'
import { SCENARIOS } from '../../src/samples/recipes/scenarios/index.js'
import { codeSpans, section, sections, table, tables } from './markdown-reading.js'

const NAMES = ['healthy', 'vip-withdrawn', 'explicit-proxy', 'bgp-no-updates', 'required-endpoint-failing', 'bgp-notification-and-flap']
const root = mkdtempSync(join(tmpdir(), 'hubcap-md-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const reports = new Map<string, Report>()
const docs = new Map<string, string>()
let noPolicy: Report

beforeAll(async () => {
  for (const name of NAMES) {
    const s = SCENARIOS.find((x) => x.name === name)!
    const capture = join(root, `${name}.pcapng`)
    const policy = join(root, `${name}.yaml`)
    writeFileSync(capture, s.build())
    writeFileSync(policy, s.policy())
    const r = await analyzeCaptures([capture], { policy: loadPolicy(policy), workers: 1, failOn: 'high', progress: false })
    reports.set(name, r)
    docs.set(name, reportMarkdown(r))
  }
  noPolicy = await analyzeCaptures([join(root, 'healthy.pcapng')], { policy: null, workers: 1, failOn: 'high', progress: false })
})

const get = (name: string) => ({ r: reports.get(name)!, doc: docs.get(name)! })

describe('reportMarkdown on scenario reports', () => {
  it('titles the document with the policy name and states the verdict with every count', () => {
    const { doc } = get('vip-withdrawn')
    expect(doc.split('\n')[0]).toBe('# Network audit: scenario-vip-withdrawn')
    expect(doc).toContain('**Verdict: FAIL**: 1 critical, 1 high, 0 medium, 0 low, 0 info (fails on high or above).')
    expect(get('healthy').doc).toContain('**Verdict: PASS**: 0 critical, 0 high, 0 medium, 0 low, 0 info (fails on high or above).')
    expect(doc).toMatch(/^- \*\*Policy\*\*: .*vip-withdrawn\.yaml \(scenario-vip-withdrawn\), sha256 [0-9a-f]{64}$/m)
  })

  it('has the sections the issue lists, in order', () => {
    for (const name of NAMES) {
      const got = sections(get(name).doc)
      expect(got.filter((s) => s !== 'VXLAN'), name).toEqual(['Captures', 'Deployment phase', 'Rules', 'Findings', 'DNS', 'NTP', 'BGP', 'Required endpoints', 'Top flows'])
    }
  })

  it('summarises the capture: file, format, link type, packets, time span', () => {
    const { r, doc } = get('vip-withdrawn')
    const captures = section(doc, 'Captures')
    const t = table(captures, 'File')
    expect(t.rows).toHaveLength(1)
    const c = r.captures[0]!
    expect(t.rows[0]).toEqual([forMarkdown(c.file), 'pcapng', 'LINKTYPE\\_ETHERNET (1)', String(c.packets), c.bytes.toLocaleString('en-US'), c.firstTs, c.lastTs, '0'])
    expect(captures).toContain(`Time span: ${c.firstTs} to ${c.lastTs} (720.505 s).`)
    expect(captures).toContain(`Decoded ${c.packets} packets`)
  })

  it('gives the deployment phase and its evidence', () => {
    const { r, doc } = get('vip-withdrawn')
    const phase = section(doc, 'Deployment phase')
    expect(phase).toContain(`Deployment complete at ${r.phase.deploymentComplete} (source: policy; grace 60 s)`)
    for (const e of r.phase.evidence) expect(phase).toContain(`- ${e}`)
  })

  it('lists every rule with its status, findings and reason', () => {
    for (const name of NAMES) {
      const { r, doc } = get(name)
      const t = table(section(doc, 'Rules'), 'Rule')
      expect(t.head).toEqual(['Rule', 'Title', 'Severity', 'Status', 'Findings', 'Reason'])
      expect(t.rows.map((row) => row[0])).toEqual(r.rules.map((x) => x.id))
      for (const [i, x] of r.rules.entries()) {
        const row = t.rows[i]!
        expect(row[2]).toBe(x.severity)
        expect(row[3]).toBe(x.status === 'fail' ? '**fail**' : x.status)
        expect(row[4]).toBe(String(x.findings))
        expect(row[5]).toBe(forMarkdown(x.reason))
      }
    }
    const rules = table(section(get('vip-withdrawn').doc, 'Rules'), 'Rule').rows
    expect(rules.find((x) => x[0] === 'slb-vip-advertised')![3]).toBe('**fail**')
    expect(rules.find((x) => x[0] === 'sdn-mux-asn-2byte')![3]).toBe('not-evaluable')
  })

  it('groups the findings by severity, each with its frames and its display filter in inline code', () => {
    const { r, doc } = get('vip-withdrawn')
    const findings = section(doc, 'Findings')
    const headings = findings.split('\n').filter((l) => l.startsWith('### '))
    expect(headings).toEqual(['### Critical (1)', '### High (1)'])
    const [critical, high] = findings.split('### High (1)')
    const [withdrawn, noRoute] = r.findings
    expect(withdrawn!.severity).toBe('critical')
    expect(critical).toContain(`- **slb-vip-advertised**: ${forMarkdown(withdrawn!.message)} (2 times)`)
    expect(critical).toContain(`  - Frames: ${forMarkdown(withdrawn!.file!)}: ${withdrawn!.frames.join(', ')}`)
    const filterLine = critical!.split('\n').find((l) => l.startsWith('  - Filter: '))!
    expect(codeSpans(filterLine)).toEqual([withdrawn!.filter]) // pasteable as is, `||` included
    expect(high).toContain(`  - Frames: ${forMarkdown(noRoute!.file!)}: ${noRoute!.frames.join(', ')}`)
    expect(high).toContain('  - Flow: tcp 192.0.2.201:51600 → 203.0.113.74:443 (tls), S1')
  })

  it('shows every finding of a scenario, each filter once, under its severity', () => {
    const { r, doc } = get('explicit-proxy')
    const findings = section(doc, 'Findings')
    expect(findings.split('\n').filter((l) => l.startsWith('### '))).toEqual(['### High (3)'])
    const filters = findings.split('\n').filter((l) => l.startsWith('  - Filter: ')).flatMap(codeSpans)
    expect(filters).toEqual(r.findings.map((f) => f.filter))
    expect(findings).toContain('dns.qry.name == "wpad.contoso.example"')
    expect(section(get('healthy').doc, 'Findings').trim()).toBe('None.')
  })

  it('lists the DNS resolvers and NTP servers by phase', () => {
    const { r, doc } = get('vip-withdrawn')
    const resolvers = table(section(doc, 'DNS'), 'Phase')
    expect(resolvers.rows.map((x) => [x[0], x[1], x[3]])).toEqual(r.dns.resolvers.map((x) => [x.phase, x.server, String(x.queries)]))
    expect(resolvers.rows.map((x) => x[0])).toEqual(['during', 'during', 'after', 'after'])
    const names = table(section(doc, 'DNS'), 'Name')
    expect(names.rows.map((x) => x[0])).toEqual(r.dns.bindings.map((b) => forMarkdown(b.name)))
    const ntp = table(section(doc, 'NTP'), 'Phase')
    expect(ntp.rows.map((x) => [x[0], x[1], x[2], x[5], x[6]])).toEqual([['during', '192.0.2.123', '10.10.0.29', '3', '2'], ['after', '192.0.2.123', '203.0.113.5', '3', '2']])
  })

  it('gives each expected VIP its state: withdrawn, announced, missing', () => {
    const withdrawn = table(section(get('vip-withdrawn').doc, 'BGP'), 'VIP').rows
    expect(withdrawn).toEqual([
      ['203.0.113.10', '**withdrawn**', '203.0.113.10/32'],
      ['203.0.113.11', 'announced', '203.0.113.11/32'],
      ['203.0.113.74', 'announced', '203.0.113.74/32'],
    ])
    const missing = table(section(get('bgp-no-updates').doc, 'BGP'), 'VIP').rows
    expect(missing.map((x) => x[1])).toEqual(['**missing**', '**missing**', '**missing**'])
  })

  it('prints the route table with announce and withdraw frames, and the sessions', () => {
    const { r, doc } = get('vip-withdrawn')
    const bgp = section(doc, 'BGP')
    const routes = table(bgp, 'Prefix')
    expect(routes.rows).toHaveLength(r.bgp.routes.length)
    expect(routes.rows[0]).toEqual(['203.0.113.10/32', '10.10.1.2', '10.10.1.2', '64651 64652',
      '2026-11-20T13:50:00.100000000Z (frame 8)', '2026-11-20T13:54:00.000000000Z (frame 104)'])
    expect(routes.rows.filter((x) => x[5] === '-')).toHaveLength(r.bgp.routes.filter((x) => x.withdrawnFrame === null).length)
    expect(table(bgp, 'Side A').rows.map((x) => [x[0], x[1], x[3]])).toEqual(r.bgp.sessions.map((s) => [s.a, s.b, 'yes']))
    const flap = table(section(get('bgp-notification-and-flap').doc, 'BGP'), 'Session').rows
    expect(flap).toHaveLength(1)
    expect(flap[0]!.slice(1, 3)).toEqual(['10.10.1.1', '4/0'])
  })

  it('lists the required endpoints with their observed state', () => {
    const { r, doc } = get('required-endpoint-failing')
    const endpoints = section(doc, 'Required endpoints')
    expect(endpoints).toContain('Cloud: AzureCloud.')
    const rows = table(endpoints, 'Endpoint').rows
    expect(rows.map((x) => x[0])).toEqual(r.endpoints.items.map((e) => forMarkdown(e.name)))
    const failing = rows.filter((x) => x[4] === '**failing**').map((x) => x[0])
    expect(failing).toEqual(['graph.windows.net', 'www.office.com', 'management.core.windows.net'])
    expect(rows.find((x) => x[0] === '\\*.msftauth.net')!.slice(2, 5)).toEqual(['yes', '80, 443', 'reached'])
  })

  it('lists the top flows', () => {
    const { r, doc } = get('vip-withdrawn')
    const flows = section(doc, 'Top flows')
    expect(flows).toContain('53 flows; by protocol: icmpv6 1, tcp 28, udp 24; by state: OTH 3, S1 26, SF 24.')
    const rows = table(flows, 'Proto').rows
    expect(rows.map((x) => [x[1], x[2], x[3]])).toEqual(r.flows.top.map((f) => [`${f.initiator.ip}:${f.initiator.port}`, `${f.responder.ip}:${f.responder.port}`, f.app ?? '-']))
  })

  it('keeps every table row to its header\'s cell count', () => {
    for (const name of NAMES) {
      for (const t of tables(get(name).doc)) for (const row of t.rows) expect(row.length, `${name}: ${t.head.join('|')}`).toBe(t.head.length)
    }
  })

  it('says what is missing without a policy', () => {
    const doc = reportMarkdown(noPolicy)
    expect(doc.split('\n')[0]).toBe('# Network audit: no policy')
    expect(doc).toContain('- **Policy**: none (rules that need policy inputs are not-evaluable)')
    expect(section(doc, 'Required endpoints').trim()).toBe('Not assessed (no policy).')
    expect(section(doc, 'BGP')).toContain('No VIPs expected (the policy names none).')
    expect(section(doc, 'Deployment phase')).toContain('Deployment completion: unknown')
  })
})

describe('reportMarkdown as a function', () => {
  it('is deterministic and leaves the report untouched', () => {
    const { r } = get('vip-withdrawn')
    const before = JSON.stringify(r)
    expect(reportMarkdown(r)).toBe(reportMarkdown(structuredClone(r)))
    expect(JSON.stringify(r)).toBe(before)
  })

  it('cuts long lists and points at the JSON report', () => {
    const { r } = get('vip-withdrawn')
    const big: Report = structuredClone(r)
    const critical = r.findings[0]!
    const high = r.findings[1]!
    big.findings = [
      ...Array.from({ length: MD_LIMITS.findings + 5 }, (_, i) => ({ ...critical, frames: [i + 1] })),
      ...Array.from({ length: 7 }, () => high),
    ]
    const route = r.bgp.routes[0]!
    big.bgp.routes = Array.from({ length: MD_LIMITS.routes + 3 }, (_, i) => ({ ...route, announcedFrame: i + 1 }))
    const doc = reportMarkdown(big)
    const findings = section(doc, 'Findings')
    expect(findings).toContain(`### Critical (${MD_LIMITS.findings + 5})`)
    expect(findings.split('\n').filter((l) => l.startsWith('- **slb-vip-advertised**'))).toHaveLength(MD_LIMITS.findings)
    expect(findings).toContain('… and 5 more critical findings (see the JSON report).')
    // The high group is named with its count although no room is left to show one of them.
    expect(findings).toContain('### High (7)\n\n… and 7 more high findings (see the JSON report).')
    const bgp = section(doc, 'BGP')
    expect(table(bgp, 'Prefix').rows).toHaveLength(MD_LIMITS.routes)
    expect(bgp).toContain('… and 3 more routes (see the JSON report).')
  })

  it('counts names past the report\'s own bound against the total', () => {
    const { r } = get('vip-withdrawn')
    const cut: Report = { ...r, dns: { ...r.dns, bindingsTotal: r.dns.bindings.length + 40 } }
    expect(section(reportMarkdown(cut), 'DNS')).toContain('… and 40 more names (see the JSON report).')
    expect(section(reportMarkdown(r), 'DNS')).not.toContain('more names')
  })
})
