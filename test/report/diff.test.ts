/**
 * diffReports on real reports: the scenario captures (src/samples/recipes/scenarios) analysed
 * in-process with one policy (the healthy scenario's), as a deployment's baseline and a later run
 * would be. Plus reports edited the way another capture of the same problem differs (other
 * frames, counts, file, times) to show that findings are matched by what they are about.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { loadPolicy } from '../../src/policy/load.js'
import { diffJson, diffReports, diffTable, findingIdentity, isEmptyDiff } from '../../src/report/diff.js'
import type { Finding, Report } from '../../src/report/model.js'
import { SCENARIOS, type ScenarioCapture } from '../../src/samples/recipes/scenarios/index.js'

const dir = mkdtempSync(join(tmpdir(), 'hubcap-diff-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const POLICY = join(dir, 'policy.yaml')
const healthyPolicy = SCENARIOS.find((s) => s.name === 'healthy')!.policy()
writeFileSync(POLICY, healthyPolicy)

const reports = new Map<string, Report>()
const records = new Map<string, ScenarioCapture>()
const captureOf = (name: string) => join(dir, `${name}.pcapng`)

async function analyse(name: string, policyFile = POLICY): Promise<Report> {
  return analyzeCaptures([captureOf(name)], { policy: loadPolicy(policyFile), workers: 1, failOn: 'high', progress: false })
}

beforeAll(async () => {
  for (const name of ['healthy', 'dvm-reached-from-outside', 'bgp-notification-and-flap', 'dns-ntp-from-dvm-after-completion', 'vip-withdrawn']) {
    const record = SCENARIOS.find((s) => s.name === name)!.record()
    records.set(name, record)
    writeFileSync(captureOf(name), record.bytes)
    reports.set(name, await analyse(name))
  }
}, 60_000)

const report = (name: string) => reports.get(name)!
const clone = (r: Report): Report => JSON.parse(JSON.stringify(r)) as Report
const metricsOf = (d: ReturnType<typeof diffReports>) => d.counts.map((c) => c.metric)

describe('diffReports: a healthy baseline against a capture with an intruder', () => {
  it('reports the rule that now fails, its two findings and the verdict as regressions', () => {
    const a = report('healthy')
    const b = report('dvm-reached-from-outside')
    const d = diffReports(a, b)
    const frames = records.get('dvm-reached-from-outside')!.frames
    expect(d.rules).toEqual([{ id: 'dvm-outbound-only', severity: 'high', from: 'pass', to: 'fail', kind: 'regression' }])
    expect(d.findings.new.map((f) => ({ kind: f.kind, rule: f.rule, severity: f.severity, count: f.count, frames: f.frames, file: f.file }))).toEqual([
      { kind: 'regression', rule: 'dvm-outbound-only', severity: 'high', count: 1, frames: frames['inbound-syn'], file: captureOf('dvm-reached-from-outside') },
      // low is above info: a new finding that still counts as a regression, although below --fail-on high.
      { kind: 'regression', rule: 'dvm-outbound-only', severity: 'low', count: 1, frames: frames['echo'], file: captureOf('dvm-reached-from-outside') },
    ])
    expect(d.findings.new[0]!.filter).toBe('ip.src == 192.0.2.77 && ip.dst == 10.10.0.29 && tcp.dstport == 3389 && tcp.flags.syn == 1 && tcp.flags.ack == 0')
    expect(d.findings.resolved).toEqual([])
    expect(d.findings.severity).toEqual([])
    expect(d.verdict).toEqual({ from: 'pass', to: 'fail', kind: 'regression' })
    expect(d.policy).toBeNull()
    expect(d.regression).toBe(true)
    // 1 rule + 2 findings + the verdict; every count that moved is a plain change.
    expect(d.summary).toEqual({ regressions: 4, improvements: 0, changes: d.counts.length })
  })

  it('lists exactly the numbers that moved: packets, TCP and ICMP, two flows, two findings; DNS, NTP and BGP unchanged', () => {
    const a = report('healthy')
    const b = report('dvm-reached-from-outside')
    const d = diffReports(a, b)
    expect(metricsOf(d)).toEqual([
      'decode.packets', 'decode.bytes', 'decode.layers.eth', 'decode.layers.icmp', 'decode.layers.ipv4', 'decode.layers.tcp',
      'flows.count', 'flows.byProto.icmp', 'flows.byProto.tcp', 'findings.high', 'findings.low',
    ])
    const by = Object.fromEntries(d.counts.map((c) => [c.metric, c]))
    expect(by['decode.packets']).toEqual({ metric: 'decode.packets', from: a.decode.packets, to: b.decode.packets, delta: b.decode.packets - a.decode.packets })
    expect(by['decode.layers.icmp']).toEqual({ metric: 'decode.layers.icmp', from: 0, to: 2, delta: 2 })
    expect(by['flows.count']!.delta).toBe(2)
    expect(by['findings.high']).toEqual({ metric: 'findings.high', from: 0, to: 1, delta: 1 })
  })

  it('the other way round: improvements only, the findings resolved, no regression', () => {
    const d = diffReports(report('dvm-reached-from-outside'), report('healthy'))
    expect(d.rules).toEqual([{ id: 'dvm-outbound-only', severity: 'high', from: 'fail', to: 'pass', kind: 'improvement' }])
    expect(d.findings.new).toEqual([])
    expect(d.findings.resolved.map((f) => [f.kind, f.severity])).toEqual([['improvement', 'high'], ['improvement', 'low']])
    expect(d.verdict).toEqual({ from: 'fail', to: 'pass', kind: 'improvement' })
    expect(d.regression).toBe(false)
    expect(d.summary.improvements).toBe(4)
  })

  it('one failing capture against another: one rule improves, another regresses; BGP numbers move', () => {
    const d = diffReports(report('dvm-reached-from-outside'), report('bgp-notification-and-flap'))
    expect(d.rules.map((r) => [r.id, r.from, r.to, r.kind])).toEqual([
      ['dvm-outbound-only', 'fail', 'pass', 'improvement'],
      ['bgp-session-health', 'pass', 'fail', 'regression'],
    ])
    expect(d.verdict).toBeNull()
    expect(d.findings.resolved.map((f) => f.rule)).toEqual(['dvm-outbound-only', 'dvm-outbound-only'])
    expect(d.findings.new.length).toBe(report('bgp-notification-and-flap').findings.length)
    expect(d.findings.new.every((f) => f.rule === 'bgp-session-health' && f.kind === 'regression')).toBe(true)
    const by = Object.fromEntries(d.counts.map((c) => [c.metric, [c.from, c.to]]))
    expect(by['bgp.notifications']).toEqual([0, 1])
    expect(by['bgp.sessions']).toEqual([2, 4])
    expect(d.regression).toBe(true)
  })
})

describe('diffReports: no change', () => {
  it('a report against itself (and against a fresh run of the same capture) is empty', async () => {
    for (const name of reports.keys()) {
      const d = diffReports(report(name), report(name))
      expect(isEmptyDiff(d), name).toBe(true)
      expect(d).toEqual({
        regression: false, summary: { regressions: 0, improvements: 0, changes: 0 }, verdict: null, policy: null,
        rules: [], findings: { new: [], resolved: [], severity: [] }, counts: [],
      })
    }
    expect(isEmptyDiff(diffReports(report('bgp-notification-and-flap'), await analyse('bgp-notification-and-flap')))).toBe(true)
    expect(diffTable(diffReports(report('healthy'), report('healthy')), { old: 'a.json', new: 'b.json' })).toBe('Diff: a.json -> b.json\nNo differences.\n')
  })

  it('the same problems in another capture (other file, frames, counts) are neither new nor resolved', () => {
    for (const name of ['bgp-notification-and-flap', 'vip-withdrawn']) {
      const a = report(name)
      const b = clone(a)
      for (const f of b.findings) {
        f.file = '/elsewhere/tuesday.pcapng'
        f.frames = f.frames.map((n) => n + 5000)
        f.count += 3
        f.message = f.message.replace(/\b1 (NOTIFICATION|time|OPEN|BGP connection attempt|flow)\b/, '4 $1s')
        // Filters that cite frames cite other ones.
        f.filter = f.filter.replace(/frame\.number in \{([^}]*)\}/, (_m, list: string) => `frame.number in {${list.split(' ').map((n) => Number(n) + 5000).join(' ')}}`)
        f.firstTs = '2026-11-27T10:00:00.000000000Z'
      }
      expect(b.findings.map((f) => f.message), name).not.toEqual(a.findings.map((f) => f.message))
      const d = diffReports(a, b)
      expect(d.findings, name).toEqual({ new: [], resolved: [], severity: [] })
      expect(d.regression).toBe(false)
    }
    expect(report('vip-withdrawn').findings.some((f) => f.filter.includes('frame.number in {'))).toBe(true)
  })

  it('a finding whose filter bounds time from the completion moment matches across policies with another completeAt', async () => {
    const earlier = join(dir, 'earlier.yaml')
    writeFileSync(earlier, healthyPolicy.replace('completeAt: 2026-11-20T14:00:00Z', 'completeAt: 2026-11-20T13:59:30Z'))
    const a = report('dns-ntp-from-dvm-after-completion')
    const b = await analyse('dns-ntp-from-dvm-after-completion', earlier)
    // The same findings, with other time bounds in their filters and messages.
    expect(b.findings.map((f) => f.rule)).toEqual(a.findings.map((f) => f.rule))
    expect(b.findings.map((f) => f.filter)).not.toEqual(a.findings.map((f) => f.filter))
    const d = diffReports(a, b)
    expect(d.findings).toEqual({ new: [], resolved: [], severity: [] })
    expect(d.policy).toEqual({ from: a.policy!.sha256, to: b.policy!.sha256 })
    expect(d.regression).toBe(false)
  })
})

describe('diffReports: kinds of change', () => {
  const base = () => clone(report('dvm-reached-from-outside'))

  it('a severity that rises is a regression, one that falls an improvement', () => {
    const a = base()
    const b = base()
    b.findings[0]!.severity = 'critical'
    b.findings[1]!.severity = 'info'
    const d = diffReports(a, b)
    expect(d.findings.new).toEqual([])
    expect(d.findings.resolved).toEqual([])
    expect(d.findings.severity.map((s) => [s.rule, s.from, s.to, s.kind])).toEqual([
      ['dvm-outbound-only', 'high', 'critical', 'regression'],
      ['dvm-outbound-only', 'low', 'info', 'improvement'],
    ])
  })

  it('rule statuses: not-evaluable -> fail and a rule new in the catalog that fails are regressions; fail -> not-evaluable is not an improvement', () => {
    const a = base()
    const b = base()
    const ix = (r: Report, id: string) => r.rules.findIndex((x) => x.id === id)
    a.rules[ix(a, 'ipv4-only')]!.status = 'not-evaluable'
    b.rules[ix(b, 'ipv4-only')]!.status = 'fail'
    b.rules[ix(b, 'dvm-outbound-only')]!.status = 'not-evaluable'
    b.rules[ix(b, 'hlh-restricted')]!.status = 'disabled'
    a.rules.splice(ix(a, 'underlay-mtu'), 1)
    b.rules[ix(b, 'underlay-mtu')]!.status = 'fail'
    const d = diffReports(a, b)
    expect(d.rules.map((r) => [r.id, r.from, r.to, r.kind])).toEqual(expect.arrayContaining([
      ['ipv4-only', 'not-evaluable', 'fail', 'regression'],
      ['dvm-outbound-only', 'fail', 'not-evaluable', 'change'],
      ['hlh-restricted', 'pass', 'disabled', 'change'],
      ['underlay-mtu', null, 'fail', 'regression'],
    ]))
    expect(d.rules).toHaveLength(4)
  })

  it('a new info finding is a change, not a regression', () => {
    const a = base()
    const b = base()
    b.findings.push({ ...b.findings[0]!, severity: 'info', filter: 'ip.src == 192.0.2.99', message: 'something worth knowing' })
    const d = diffReports(a, b)
    expect(d.findings.new.map((f) => f.kind)).toEqual(['change'])
    expect(d.regression).toBe(false)
  })
})

describe('findingIdentity', () => {
  const f = (filter: string, message: string): Finding =>
    ({ rule: 'slb-vip-advertised', severity: 'high', message, file: 'x', firstTs: null, lastTs: null, count: 1, frames: [1], filter, flow: null })

  it('blanks cited frames and time bounds, keeps addresses and ports', () => {
    expect(findingIdentity(f('ip.dst == 203.0.113.10 && frame.number in {4 9}', 'a'))).toBe(findingIdentity(f('ip.dst == 203.0.113.10 && frame.number in {70}', 'b')))
    expect(findingIdentity(f('ip.dst == 203.0.113.10 && frame.number in {4}', 'a'))).not.toBe(findingIdentity(f('ip.dst == 203.0.113.11 && frame.number in {4}', 'a')))
    expect(findingIdentity(f('ip.addr == 10.10.0.29 && frame.time_epoch >= 1795183260', 'a'))).toBe(findingIdentity(f('ip.addr == 10.10.0.29 && frame.time_epoch >= 1795183230.5', 'b')))
    expect(findingIdentity(f('tcp.dstport == 3389', 'a'))).not.toBe(findingIdentity(f('tcp.dstport == 3390', 'a')))
  })

  it('falls back to the message, without counts and times, when the filter names only frames', () => {
    const one = findingIdentity(f('frame.number in {3}', '1 flow to VIP 203.0.113.10 started at 2026-11-20T14:01:00.000Z (1 packet)'))
    const many = findingIdentity(f('frame.number in {8 9 12}', '3 flows to VIP 203.0.113.10 started at 2026-11-20T15:00:00.000Z (12 packets)'))
    expect(one).toBe(many)
    expect(findingIdentity(f('frame.number in {3}', '1 flow to VIP 203.0.113.11 started'))).not.toBe(findingIdentity(f('frame.number in {3}', '1 flow to VIP 203.0.113.10 started')))
    expect(findingIdentity(f('', 'queries from 10.10.0.29 to forwarder 192.0.2.53 got no answer'))).not.toBe(findingIdentity(f('', 'queries from 10.10.0.29 to forwarder 192.0.2.54 got no answer')))
  })
})

describe('renderers', () => {
  it('JSON: fixed key order, the labels, parses back to the diff', () => {
    const d = diffReports(report('healthy'), report('dvm-reached-from-outside'))
    const text = diffJson(d, { old: 'base.json', new: 'today.json' })
    const doc = JSON.parse(text) as Record<string, unknown>
    expect(Object.keys(doc)).toEqual(['schema', 'old', 'new', 'regression', 'summary', 'verdict', 'policy', 'rules', 'findings', 'counts'])
    expect(doc).toMatchObject({ schema: 'hubcap.diff/1', old: 'base.json', new: 'today.json', regression: true })
    expect(doc['findings']).toEqual(d.findings)
    expect(doc['rules']).toEqual(d.rules)
    expect(text).toBe(diffJson(diffReports(report('healthy'), report('dvm-reached-from-outside')), { old: 'base.json', new: 'today.json' }))
  })

  it('table: the verdict, the rule change, each new finding with frames and its whole filter, the counts', () => {
    const d = diffReports(report('healthy'), report('dvm-reached-from-outside'))
    const text = diffTable(d, { old: 'base.json', new: 'today.json' })
    expect(text).toMatch(/^Diff: base\.json -> today\.json\nREGRESSION: 4 regressions, 0 improvements, \d+ other changes\nVerdict: PASS -> FAIL \[regression\]\n/)
    expect(text).toMatch(/│ dvm-outbound-only │ high\s+│ PASS │ FAIL │ regression │/)
    expect(text).toContain('New findings (2)\nHIGH     dvm-outbound-only: 192.0.2.77 opened TCP connections to the DVM 10.10.0.29 port 3389')
    expect(text).toContain('  filter: ip.src == 192.0.2.77 && ip.dst == 10.10.0.29 && tcp.dstport == 3389 && tcp.flags.syn == 1 && tcp.flags.ack == 0\n')
    expect(text).toMatch(/│ flows\.count\s+│\s+\d+ │\s+\d+ │\s+\+2 │/)
    expect(text).not.toContain('Resolved findings')
  })

  it('captured and file text cannot reach the terminal as control characters', () => {
    const a = clone(report('healthy'))
    const b = clone(report('dvm-reached-from-outside'))
    b.findings[0]!.message = 'evil \u001b]0;owned\u0007 name'
    b.findings[0]!.file = 'cap\u001b[2J.pcap'
    const text = diffTable(diffReports(a, b), { old: 'old\u001b[31m.json', new: 'new.json' })
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    expect(text).toContain('evil \\x1b]0;owned\\x07 name')
    expect(text).toContain('Diff: old\\x1b[31m.json -> new.json')
    const json = diffJson(diffReports(a, b), { old: 'a\u009b.json', new: 'b' })
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    expect((JSON.parse(json) as { old: string }).old).toBe('a\u009b.json')
  })
})
