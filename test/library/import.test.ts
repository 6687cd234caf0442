/**
 * The package as a dependency sees it: `import { analyze } from 'hubcap'` through package.json's
 * "exports" (a temp project whose node_modules/hubcap links to this repository, as an install
 * would place it), the report it returns, and the shipped declarations type-checking a consumer.
 * Needs dist/ (npm test builds it first).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string; exports: Record<string, Record<string, string>>; types: string; files: string[]
}
const SAMPLE = join(ROOT, 'samples', 'dvm-reached-from-outside.pcapng')
const POLICY = join(ROOT, 'samples', 'dvm-reached-from-outside.policy.yaml')
let project: string

/** Runs an ES module in the consumer project; returns its stdout. */
function runModule(code: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: project, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`)
  return r.stdout
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'index.js'))) throw new Error('dist/src/index.js is missing: run "npm run build" (npm test does it first)')
  project = mkdtempSync(join(tmpdir(), 'hubcap-consumer-'))
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }))
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true })
  symlinkSync(ROOT, join(project, 'node_modules', pkg.name), 'dir')
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir')
})

describe('package.json', () => {
  it('maps the package name to the built entry point and its declarations, and ships them', () => {
    expect(pkg.name).toBe('hubcap')
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', import: './dist/src/index.js' })
    expect(pkg.types).toBe('./dist/src/index.d.ts')
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/src', 'dist/schema']))
    for (const file of [pkg.exports['.']!.types!, pkg.exports['.']!.import!]) expect(existsSync(join(ROOT, file)), file).toBe(true)
  })
})

describe("import { analyze } from 'hubcap'", () => {
  it('resolves through "exports" to dist/src/index.js', () => {
    const url = runModule(`console.log(import.meta.resolve('hubcap'))`).trim()
    expect(fileURLToPath(url)).toBe(join(ROOT, 'dist', 'src', 'index.js'))
  })

  it('analyses a sample with its policy file and returns the report model, the same for 1 and 2 workers', () => {
    const out = runModule(`
      import { analyze, reportJson, reportTable, reportMarkdown, reportHtml } from 'hubcap'
      const one = await analyze([${JSON.stringify(SAMPLE)}], { policy: ${JSON.stringify(POLICY)}, workers: 1 })
      const two = await analyze([${JSON.stringify(SAMPLE)}], { policy: ${JSON.stringify(POLICY)}, workers: 2 })
      console.log(JSON.stringify({
        verdict: one.verdict.status,
        failing: one.rules.filter((r) => r.status === 'fail').map((r) => r.id),
        findings: one.findings.map((f) => [f.rule, f.severity]),
        sameForTwo: reportJson(one) === reportJson(two),
        table: reportTable(one).split('\\n')[0],
        md: reportMarkdown(one).split('\\n')[0],
        html: reportHtml(one).slice(0, 15),
      }))
    `)
    const r = JSON.parse(out) as { verdict: string; failing: string[]; findings: string[][]; sameForTwo: boolean; table: string; md: string; html: string }
    expect(r.verdict).toBe('fail')
    expect(r.failing).toEqual(['dvm-outbound-only'])
    expect(r.findings).toEqual([['dvm-outbound-only', 'high'], ['dvm-outbound-only', 'low']])
    expect(r.sameForTwo).toBe(true)
    expect(r.table).toMatch(/^Verdict: FAIL/)
    expect(r.md).toMatch(/^# /)
    expect(r.html.toLowerCase()).toBe('<!doctype html>')
  })

  it('rejects an invalid policy with a PolicyError listing the problem, exported for instanceof', () => {
    const out = runModule(`
      import { analyze, PolicyError } from 'hubcap'
      try {
        await analyze([${JSON.stringify(SAMPLE)}], { policy: { version: 1, hosts: { dvm: '10.10.0' } }, workers: 1 })
        console.log('no error')
      } catch (e) {
        console.log(JSON.stringify({ isPolicyError: e instanceof PolicyError, problems: e.problems }))
      }
    `)
    const r = JSON.parse(out) as { isPolicyError: boolean; problems: string[] }
    expect(r.isPolicyError).toBe(true)
    expect(r.problems.join('\n')).toMatch(/hosts\.dvm/)
  })

  it('ships declarations that type-check a consumer (and reject a wrong option)', () => {
    writeFileSync(join(project, 'consumer.ts'), `
import { analyze, reportMarkdown, type Finding, type Policy, type Report, type RuleResult, type Severity } from 'hubcap'
const failOn: Severity = 'medium'
const policy: Policy = { version: 1, name: 'typed' }
const report: Report = await analyze(['a.pcapng'], { policy, workers: 2, failOn, vxlanPorts: [8472] })
const first: Finding | undefined = report.findings[0]
const rules: RuleResult[] = report.rules
const text: string = reportMarkdown(report)
// @ts-expect-error: not a severity
await analyze(['a.pcapng'], { failOn: 'urgent' })
export { first, rules, text }
`)
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    // A full check of the shipped declarations too (no skipLibCheck): the schema documents are typed
    // by hand so no JSON-module import leaks into them.
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--types', 'node', 'consumer.ts'], { cwd: project, encoding: 'utf8' })
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('the declarations exist next to the entry point', () => {
    const dts = readFileSync(join(ROOT, 'dist', 'src', 'index.d.ts'), 'utf8')
    expect(dts).toMatch(/export declare function analyze\(captures: string\[\], options\?: AnalyzeOptions\): Promise<Report>/)
  })
})
