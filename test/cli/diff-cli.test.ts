/**
 * `hubcap diff` on the built CLI, the way the README's CI step runs it: `analyze -f json -o` writes
 * a baseline and a new report, `diff --fail-on-change` decides the build. Exit codes 0/1/2, one
 * line on stderr naming the file for every unusable input, `-f json` parses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Report } from '../../src/report/model.js'
import { SCENARIOS } from '../../src/samples/recipes/scenarios/index.js'
import { runCli } from '../support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'hubcap-diff-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const POLICY = join(dir, 'policy.yaml')
const BASELINE = join(dir, 'baseline.json')
const BROKEN = join(dir, 'intruder.json')

beforeAll(() => {
  writeFileSync(POLICY, SCENARIOS.find((s) => s.name === 'healthy')!.policy())
  for (const [name, out] of [['healthy', BASELINE], ['dvm-reached-from-outside', BROKEN]] as const) {
    const capture = join(dir, `${name}.pcapng`)
    writeFileSync(capture, SCENARIOS.find((s) => s.name === name)!.build())
    const r = runCli(['analyze', capture, '-p', POLICY, '-f', 'json', '-o', out, '--no-progress', '-w', '1'])
    expect(r.code, r.stderr).toBe(name === 'healthy' ? 0 : 1)
  }
}, 60_000)

/** An error run: exit 2, nothing on stdout, one line on stderr. */
function failsWith(args: string[]): string {
  const r = runCli(args)
  expect(r.code, args.join(' ')).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).toMatch(/^hubcap: [^\n]*\n$/)
  return r.stderr.trimEnd()
}

describe('hubcap diff: exit codes', () => {
  it('0 for the same report, with or without --fail-on-change', () => {
    const r = runCli(['diff', BASELINE, BASELINE, '--fail-on-change'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`Diff: ${BASELINE} -> ${BASELINE}\nNo differences.\n`)
    expect(r.stderr).toBe('')
  })

  it('0 when a regression is only shown, 1 when --fail-on-change is given', () => {
    const shown = runCli(['diff', BASELINE, BROKEN])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('REGRESSION: 4 regressions')
    expect(shown.stdout).toContain('Verdict: PASS -> FAIL [regression]')
    expect(runCli(['diff', BASELINE, BROKEN, '--fail-on-change']).code).toBe(1)
  })

  it('0 with --fail-on-change when the new report only improves on the old one', () => {
    const r = runCli(['diff', BROKEN, BASELINE, '--fail-on-change'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('No regression: 0 regressions, 4 improvements')
    expect(r.stdout).toContain('Resolved findings (2)')
  })
})

describe('hubcap diff -f json', () => {
  it('is one JSON document naming both files, with the rule change and the new findings', () => {
    const r = runCli(['diff', BASELINE, BROKEN, '-f', 'json', '--fail-on-change'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as {
      schema: string; old: string; new: string; regression: boolean
      rules: unknown[]; findings: { new: Array<{ rule: string; severity: string; kind: string; file: string }>; resolved: unknown[] }
      counts: Array<{ metric: string; from: number; to: number; delta: number }>
    }
    expect(doc).toMatchObject({ schema: 'hubcap.diff/1', old: BASELINE, new: BROKEN, regression: true })
    expect(doc.rules).toEqual([{ id: 'dvm-outbound-only', severity: 'high', from: 'pass', to: 'fail', kind: 'regression' }])
    expect(doc.findings.new.map((f) => [f.rule, f.severity, f.kind])).toEqual([['dvm-outbound-only', 'high', 'regression'], ['dvm-outbound-only', 'low', 'regression']])
    expect(doc.findings.resolved).toEqual([])
    const a = JSON.parse(readFileSync(BASELINE, 'utf8')) as Report
    const b = JSON.parse(readFileSync(BROKEN, 'utf8')) as Report
    expect(doc.counts.find((c) => c.metric === 'flows.count')).toEqual({ metric: 'flows.count', from: a.flows.count, to: b.flows.count, delta: b.flows.count - a.flows.count })
  })
})

describe('hubcap diff: unusable input is exit 2, one line naming the file', () => {
  it('a missing file', () => {
    const missing = join(dir, 'nope.json')
    expect(failsWith(['diff', BASELINE, missing])).toBe(`hubcap: ${missing}: cannot read: no such file or directory`)
    expect(failsWith(['diff', missing, BASELINE, '--fail-on-change'])).toContain(`hubcap: ${missing}: cannot read`)
  })

  it('a file that is not JSON (a capture given by mistake)', () => {
    const capture = join(dir, 'healthy.pcapng')
    expect(failsWith(['diff', capture, BASELINE])).toMatch(new RegExp(`^hubcap: ${capture.replace(/[.]/g, '\\.')}: not JSON: `))
  })

  it('JSON that is not an analyze report', () => {
    const other = join(dir, 'other.json')
    writeFileSync(other, JSON.stringify({ schema: 'hubcap.diff/1', regression: false }))
    expect(failsWith(['diff', BASELINE, other])).toBe(`hubcap: ${other}: not a hubcap analyze report (schema is "hubcap.diff/1", expected "hubcap.report/1")`)
    const list = join(dir, 'list.json')
    writeFileSync(list, '[1, 2]')
    expect(failsWith(['diff', list, BASELINE])).toBe(`hubcap: ${list}: not a hubcap analyze report (schema is missing, expected "hubcap.report/1")`)
  })

  it('a report that the schema rejects (a key missing)', () => {
    const report = JSON.parse(readFileSync(BROKEN, 'utf8')) as Partial<Report>
    delete report.verdict
    const cut = join(dir, 'cut.json')
    writeFileSync(cut, JSON.stringify(report))
    expect(failsWith(['diff', BASELINE, cut])).toMatch(new RegExp(`^hubcap: ${cut.replace(/[.]/g, '\\.')}: not a valid hubcap report: /: must have required property 'verdict'`))
  })

  it('a file name with control characters is escaped', () => {
    const hostile = join(dir, 'evil\u001b[2J.json')
    expect(failsWith(['diff', hostile, BASELINE])).toContain('evil\\x1b[2J.json: cannot read')
  })

  it('usage: a bad --format, a missing argument', () => {
    expect(failsWith(['diff', BASELINE, BROKEN, '-f', 'html'])).toBe('hubcap: --format: "html" is not one of table, json')
    const r = runCli(['diff', BASELINE])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
  })

  it('the help names the exit codes and what counts as a regression', () => {
    const r = runCli(['diff', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--fail-on-change')
    expect(r.stdout).toContain('Exit codes: 0 compared')
    expect(r.stdout).toContain('A regression: a rule that fails now and did not before')
  })
})
