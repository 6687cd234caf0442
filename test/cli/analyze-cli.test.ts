/**
 * `hubcap analyze`, `hubcap rules` and `hubcap policy` end to end on the built CLI: exit codes
 * against --fail-on, one-line errors before any work, the JSON report (schema-valid, the same
 * bytes for every worker count and every run), the table (verdict, rules, findings with their
 * filters), hostile captured text, several captures as one window.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RULE_IDS } from '../../src/policy/rule-ids.js'
import type { Report } from '../../src/report/model.js'
import { validateReport } from '../../src/report/validate.js'
import { DVM, FORWARDER, T0, dnsFrame, examplePolicy, inboundRdpFrames, writePcap, wrongResolverFrames } from '../support/analyze-captures.js'
import { runCli } from '../support/cli.js'

const SAMPLE = new URL('../../samples/border-mini.pcapng', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'hubcap-analyze-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const POLICY = join(dir, 'policy.yaml')
writeFileSync(POLICY, examplePolicy())
/** One high finding (dvm-outbound-only) and, with this policy, nothing above it (the rest are info). */
const RDP = writePcap(dir, 'rdp.pcap', inboundRdpFrames())
/** DVM -> forwarder (fine), then DVM -> 8.8.8.8 (dvm-dns-to-forwarder), one second after RDP. */
const DNS = writePcap(dir, 'dns.pcap', [dnsFrame(DVM, FORWARDER, 'login.microsoftonline.com'), ...wrongResolverFrames()], T0 + 1)

const json = (stdout: string): Report => JSON.parse(stdout) as Report

/** An error run: exit 2, nothing on stdout, and stderr's lines (each starting "hubcap: "). */
function failsWith(args: string[]): string[] {
  const r = runCli(args)
  expect(r.code, args.join(' ')).toBe(2)
  expect(r.stdout, args.join(' ')).toBe('')
  const lines = r.stderr.trimEnd().split('\n')
  for (const l of lines) expect(l).toMatch(/^hubcap: /)
  return lines
}

describe('hubcap analyze: exit codes', () => {
  it('0 below --fail-on, 1 at or above it (default high)', () => {
    const report = json(runCli(['analyze', RDP, '-p', POLICY, '-f', 'json', '-w', '1']).stdout)
    expect(report.verdict.counts).toMatchObject({ critical: 0, high: 1 })
    expect(report.findings[0]).toMatchObject({ rule: 'dvm-outbound-only', severity: 'high', file: RDP, frames: [1] })

    const critical = runCli(['analyze', RDP, '-p', POLICY, '--fail-on', 'critical', '-w', '1'])
    expect(critical.code).toBe(0)
    expect(critical.stdout).toMatch(/^Verdict: PASS \(fail on critical or above; findings: 1 high, \d+ info\)$/m)
    expect(critical.stderr).toBe('')

    const byDefault = runCli(['analyze', RDP, '-p', POLICY, '-w', '1'])
    expect(byDefault.code).toBe(1)
    expect(byDefault.stdout).toMatch(/^Verdict: FAIL \(fail on high or above;/m)

    expect(runCli(['analyze', RDP, '-p', POLICY, '--fail-on', 'low', '-w', '1']).code).toBe(1)
    expect(runCli(['analyze', RDP, '-p', POLICY, '--fail-on', 'info', '-f', 'json', '-w', '1']).code).toBe(1)
  })

  it('without a policy the sample passes: rules that need inputs are not-evaluable', () => {
    const r = runCli(['analyze', SAMPLE, '-w', '1'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Policy: none/m)
    expect(r.stdout).toMatch(/│ dvm-outbound-only +│ high +│ NOT-EVALUABLE +│/)
  })
})

describe('hubcap analyze: errors are exit 2, one line per problem, nothing on stdout', () => {
  it('an invalid policy: every problem, each naming the file and its line', () => {
    const bad = join(dir, 'bad-policy.yaml')
    writeFileSync(bad, examplePolicy().replace('  dvm: 10.10.0.29', '  dvm: 10.10.0.299').replace('vantage: border', 'vantage: border\nvantge: tor'))
    const lines = failsWith(['analyze', RDP, '-p', bad])
    expect(lines).toHaveLength(2)
    expect(lines.find((l) => l.includes('vantge'))).toMatch(new RegExp(`^hubcap: ${bad}:\\d+: vantge: unknown key`))
    expect(lines.find((l) => l.includes('hosts.dvm'))).toMatch(new RegExp(`^hubcap: ${bad}:\\d+: hosts\\.dvm: .*10\\.10\\.0\\.299`))
  })

  it('a missing policy file', () => {
    const missing = join(dir, 'no-such-policy.yaml')
    const lines = failsWith(['analyze', RDP, '-p', missing])
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(missing)
  })

  it('a capture that is not a capture: the file and what was wrong', () => {
    const junk = join(dir, 'junk.pcap')
    writeFileSync(junk, 'this is not a capture file at all')
    const lines = failsWith(['analyze', junk, '-p', POLICY])
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(junk)
  })

  it('an unwritable -o is refused before any capture is read', () => {
    const out = join(dir, 'no/such/dir/report.json')
    // The capture is junk: had it been read first, the error would be about it.
    const junk = join(dir, 'junk2.pcap')
    writeFileSync(junk, 'not a capture either')
    const lines = failsWith(['analyze', junk, '-p', POLICY, '-f', 'json', '-o', out])
    expect(lines).toEqual([`hubcap: ${out}: cannot write output: ENOENT`])
  })

  it('-o writes the report there and nothing to stdout', () => {
    const out = join(dir, 'report.json')
    const r = runCli(['analyze', RDP, '-p', POLICY, '-f', 'json', '-o', out, '-w', '1'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(validateReport(JSON.parse(readFileSync(out, 'utf8')))).toEqual([])
  })

  it('a bad --format, a bad --fail-on, a bad --workers; md and html work', () => {
    expect(failsWith(['analyze', RDP, '-f', 'xml'])).toEqual(['hubcap: --format: "xml" is not one of table, json, md, html'])
    expect(failsWith(['analyze', RDP, '--fail-on', 'severe'])).toEqual(['hubcap: --fail-on: "severe" is not one of critical, high, medium, low, info'])
    expect(failsWith(['analyze', RDP, '-w', '0'])).toHaveLength(1)
    const md = runCli(['analyze', RDP, '--format', 'md', '--no-progress'])
    expect(md.code === 0 || md.code === 1).toBe(true)
    expect(md.stdout).toMatch(/^# /)
    const html = runCli(['analyze', RDP, '--format', 'html', '--no-progress'])
    expect(html.code === 0 || html.code === 1).toBe(true)
    expect(html.stdout).toMatch(/^<!DOCTYPE html>\n/)
    expect(html.stdout).toContain('Verdict: ')
  })
})

describe('hubcap analyze --format json', () => {
  it('is a valid report, byte-identical for 1, 2 and 4 workers and from run to run', () => {
    const runs = [1, 2, 4, 4].map((w) => runCli(['analyze', SAMPLE, RDP, DNS, '-p', POLICY, '-f', 'json', '-w', String(w)]))
    for (const r of runs) {
      expect(r.code).toBe(1)
      expect(r.stderr).toBe('')
    }
    const report = json(runs[0]!.stdout)
    expect(validateReport(report)).toEqual([])
    expect(report.generatedAt).toBeUndefined()
    for (const r of runs.slice(1)) expect(r.stdout).toBe(runs[0]!.stdout)
  })

  it('--stamp adds generatedAt (nine-digit ISO), and the report stays valid', () => {
    const r = runCli(['analyze', SAMPLE, '-f', 'json', '-w', '1', '--stamp'])
    expect(r.code).toBe(0)
    const report = json(r.stdout)
    expect(report.generatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/)
    expect(Math.abs(Date.parse(report.generatedAt!) - Date.now())).toBeLessThan(60_000)
    expect(validateReport(report)).toEqual([])
  })

  it('several captures are one window: each listed, findings cite frames within their own file', () => {
    const report = json(runCli(['analyze', RDP, DNS, '-p', POLICY, '-f', 'json', '-w', '2']).stdout)
    expect(report.captures.map((c) => [c.file, c.packets])).toEqual([[RDP, 1], [DNS, 2]])
    expect(report.findings.find((f) => f.rule === 'dvm-outbound-only')).toMatchObject({ file: RDP, frames: [1] })
    expect(report.findings.find((f) => f.rule === 'dvm-dns-to-forwarder')).toMatchObject({ file: DNS, frames: [2] })
    expect(report.flows.count).toBe(3)
  })
})

describe('hubcap analyze --format table', () => {
  it('names the verdict, every rule with its status, every finding with its frames and whole filter', () => {
    const r = runCli(['analyze', RDP, DNS, '-p', POLICY, '-w', '1'])
    expect(r.code).toBe(1)
    const report = json(runCli(['analyze', RDP, DNS, '-p', POLICY, '-f', 'json', '-w', '1']).stdout)
    expect(r.stdout).toMatch(/^Verdict: FAIL \(fail on high or above; findings: 1 critical, 1 high, \d+ info\)$/m)
    for (const rule of report.rules) {
      expect(r.stdout).toMatch(new RegExp(`│ ${rule.id} +│ ${rule.severity} +│ ${rule.status.toUpperCase()} +│`))
    }
    expect(report.findings.length).toBeGreaterThan(2)
    for (const f of report.findings) {
      expect(r.stdout).toContain(`\n  filter: ${f.filter}\n`)
      if (f.frames.length) expect(r.stdout).toContain(`\n  frames: ${f.file}: ${f.frames.join(' ')}\n`)
    }
    expect(r.stdout).toContain('CRITICAL dvm-dns-to-forwarder: DNS from 10.10.0.29 to 8.8.8.8')
  })

  it('hostile captured text never reaches the terminal raw; in JSON it stays valid and intact', () => {
    const hostileDir = join(dir, 'evil\x1b[2Jdir')
    mkdirSync(hostileDir)
    const name = 'x\x1b[2J<script>alert(1)</script>.example.com'
    const capture = writePcap(hostileDir, 'c\x1b]0;owned\x07.pcap', wrongResolverFrames(name))
    const table = runCli(['analyze', capture, '-p', POLICY, '-w', '1'])
    expect(table.code).toBe(1)
    expect(table.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/)
    expect(table.stdout).toContain('evil\\x1b[2Jdir/c\\x1b]0;owned\\x07.pcap') // the file name, via forTerminal
    // The DNS decoder already writes unprintable label bytes as \DDD (RFC 1035 master-file form).
    expect(table.stdout).toContain('names: x\\027[2J<script>alert(1)</script>.example.com')

    const out = runCli(['analyze', capture, '-p', POLICY, '-f', 'json', '-w', '1'])
    expect(out.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/)
    const report = json(out.stdout)
    expect(validateReport(report)).toEqual([])
    expect(report.captures[0]!.file).toBe(capture)
    expect(report.findings.find((f) => f.rule === 'dvm-dns-to-forwarder')!.message).toContain('x\\027[2J<script>alert(1)</script>.example.com')
  })
})

describe('hubcap rules', () => {
  it('the table lists the 24 rule ids', () => {
    const r = runCli(['rules'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/: 24 rules$/m)
    const ids = [...r.stdout.matchAll(/^│ ([a-z0-9-]+) +│/gm)].map((m) => m[1]).filter((id) => id !== 'rule')
    expect(ids).toEqual([...RULE_IDS])
  })

  it('-f json: 24 rules with id, severity and inputs', () => {
    const r = runCli(['rules', '-f', 'json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { rules: Array<{ id: string; severity: string; inputs: string[] }> }
    expect(doc.rules.map((x) => x.id)).toEqual([...RULE_IDS])
    for (const x of doc.rules) {
      expect(['critical', 'high', 'medium', 'low', 'info']).toContain(x.severity)
      expect(Array.isArray(x.inputs)).toBe(true)
    }
    expect(doc.rules.find((x) => x.id === 'dvm-outbound-only')!.inputs).toContain('hosts.dvm')
  })

  it('a bad format is exit 2', () => {
    expect(failsWith(['rules', '-f', 'xml'])).toHaveLength(1)
  })
})

describe('hubcap policy', () => {
  it('init writes a template that policy check accepts', () => {
    const file = join(dir, 'init.yaml')
    const init = runCli(['policy', 'init', '-o', file])
    expect(init.code).toBe(0)
    expect(init.stdout).toBe('')
    expect(existsSync(file)).toBe(true)
    const check = runCli(['policy', 'check', file])
    expect(check.code).toBe(0)
    expect(check.stderr).toBe('')
    expect(check.stdout).toMatch(/valid/)
    // The template is a usable policy for analyze too.
    expect(runCli(['analyze', SAMPLE, '-p', file, '-f', 'json', '-w', '1']).code).toBeLessThan(2)
  })

  it('init -o an existing file refuses without --force and keeps it; --force overwrites', () => {
    const file = join(dir, 'mine.yaml')
    writeFileSync(file, 'version: 1\n')
    const lines = failsWith(['policy', 'init', '-o', file])
    expect(lines).toEqual([`hubcap: ${file}: already exists (use --force to overwrite it)`])
    expect(readFileSync(file, 'utf8')).toBe('version: 1\n')
    expect(runCli(['policy', 'init', '-o', file, '--force']).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(runCli(['policy', 'init']).stdout)
  })

  it('check of an invalid policy: every problem, exit 2', () => {
    const bad = join(dir, 'check-bad.yaml')
    writeFileSync(bad, 'version: 1\nhosts:\n  dvm: nope\nvantage: sideways\n')
    const lines = runCli(['policy', 'check', bad])
    expect(lines.code).toBe(2)
    expect(lines.stdout).toBe('')
    const err = lines.stderr.trimEnd().split('\n')
    expect(err).toHaveLength(2)
    for (const l of err) expect(l.startsWith(`${bad}:`)).toBe(true)
  })
})
