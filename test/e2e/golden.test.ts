/**
 * Golden reports: every bundled sample analysed with its policy, rendered in every report format,
 * compared with the committed test/e2e/golden/<sample>.<ext>. A change in any renderer, rule or
 * decoder that moves a report shows up here as a diff to review like code; `npm run golden`
 * (UPDATE_GOLDEN=1) rewrites the files (and removes those of samples or formats that are gone).
 *
 * Captures and policies are named relative to the repository root (vitest's working directory),
 * so the reports' `file` fields are the same on every machine.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { loadPolicy } from '../../src/policy/load.js'
import { reportJson } from '../../src/report/json.js'
import { reportMarkdown } from '../../src/report/markdown.js'
import type { Report } from '../../src/report/model.js'
import { reportTable } from '../../src/report/table.js'
import { SAMPLES } from '../../src/samples/catalog.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '')
const GOLDEN = join(ROOT, 'test', 'e2e', 'golden')
const UPDATE = process.env.UPDATE_GOLDEN === '1'

type Renderer = (r: Report) => string
const FORMATS: Record<string, Renderer> = { table: (r) => reportTable(r), json: reportJson, md: reportMarkdown }

/** The HTML report joins the formats once src/report/html.ts exports reportHtml. */
async function htmlRenderer(): Promise<Renderer | null> {
  const file = join(ROOT, 'src', 'report', 'html.ts')
  if (!existsSync(file)) return null
  const mod = (await import(pathToFileURL(file).href)) as { reportHtml?: Renderer }
  return typeof mod.reportHtml === 'function' ? mod.reportHtml : null
}

const reports = new Map<string, Report>()

beforeAll(async () => {
  if (process.cwd() !== ROOT) throw new Error(`run the golden tests from the repository root (${ROOT}), not ${process.cwd()}: reports name files relative to it`)
  const html = await htmlRenderer()
  if (html) FORMATS.html = html
  for (const s of SAMPLES) {
    const policy = loadPolicy(`samples/${s.policyFile}`)
    reports.set(s.name, await analyzeCaptures([`samples/${s.file}`], { policy, workers: 1, failOn: 'high', progress: false }))
  }
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true })
    for (const f of readdirSync(GOLDEN)) rmSync(join(GOLDEN, f))
  }
})

describe.each(SAMPLES.map((s) => [s.name, s] as const))('golden reports of %s', (name, sample) => {
  it('breaks exactly the rules the samples catalog (and so samples/README.md) says', () => {
    const failing = reports.get(name)!.rules.filter((r) => r.status === 'fail').map((r) => r.id)
    expect(failing.sort()).toEqual([...sample.breaks].sort())
  })

  it('names its capture and policy relative to the repository root', () => {
    const r = reports.get(name)!
    expect(r.captures.map((c) => c.file)).toEqual([`samples/${sample.file}`])
    expect(r.policy?.file).toBe(`samples/${sample.policyFile}`)
  })

  it('renders in every format exactly as committed in test/e2e/golden (npm run golden rewrites them)', () => {
    const r = reports.get(name)!
    for (const [ext, render] of Object.entries(FORMATS)) {
      const path = join(GOLDEN, `${name}.${ext}`)
      const text = render(r)
      if (UPDATE) writeFileSync(path, text)
      expect(existsSync(path), `${path} is missing: run npm run golden`).toBe(true)
      expect(text, `${name}.${ext} differs from the golden file`).toBe(readFileSync(path, 'utf8'))
    }
  })
})

describe("the README's first command", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## The two commands'))
  const command = /npx hubcap analyze (samples\/\S+) -p (samples\/\S+)/.exec(section)

  it('analyses a bundled sample with its own policy', () => {
    expect(command, 'README "The two commands" starts with npx hubcap analyze samples/... -p samples/...').not.toBeNull()
    const sample = SAMPLES.find((s) => `samples/${s.file}` === command![1])
    expect(sample, `${command![1]} is not a sample of the catalog`).toBeDefined()
    expect(command![2]).toBe(`samples/${sample!.policyFile}`)
  })

  it('shows output that is, line for line, in that sample\'s golden table', () => {
    const sample = SAMPLES.find((s) => `samples/${s.file}` === command![1])!
    const golden = readFileSync(join(GOLDEN, `${sample.name}.table`), 'utf8').split('\n')
    const shown = /```\n(Verdict:[\s\S]*?)```/.exec(section)?.[1]?.trimEnd().split('\n') ?? []
    expect(shown.length).toBeGreaterThan(1)
    for (const line of shown.filter((l) => l !== '...')) expect(golden, line).toContain(line)
  })
})

describe('the golden directory', () => {
  it('holds one file per sample and format, nothing else', () => {
    const expected = SAMPLES.flatMap((s) => Object.keys(FORMATS).map((ext) => `${s.name}.${ext}`)).sort()
    expect(readdirSync(GOLDEN).sort()).toEqual(expected)
  })
})
