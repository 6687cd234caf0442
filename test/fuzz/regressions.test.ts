/**
 * Every reproducer the fuzz harness saved under test/fixtures/fuzz (minimized input + a .txt note:
 * which check failed, why, and the seed capture) replayed through the same checks: decode, analyze
 * in-process with the seed scenario's policy, and the built CLI. Each file is one test.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkAnalyze, checkCli, checkDecode, defaultCli } from '../../bench/fuzz/harness.js'
import { loadPolicy } from '../../src/policy/load.js'
import { SCENARIOS } from '../../src/samples/recipes/scenarios/index.js'

const DIR = fileURLToPath(new URL('../fixtures/fuzz/', import.meta.url))
const FILES = existsSync(DIR) ? readdirSync(DIR).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : []

function policyFor(note: string, dir: string): string {
  const seed = /^seed capture: (.*)$/m.exec(note)?.[1] ?? 'healthy'
  const scenario = SCENARIOS.find((s) => s.name === seed) ?? SCENARIOS.find((s) => s.name === 'healthy')!
  const file = join(dir, `${scenario.name}.policy.yaml`)
  writeFileSync(file, scenario.policy())
  return file
}

describe('fuzz reproducers', () => {
  it('are present (each bug the fuzzer found stays found)', () => {
    expect(FILES.length).toBeGreaterThan(0)
  })

  for (const name of FILES) {
    it(`${name}: decodes, analyses and runs through the CLI without a failure`, async () => {
      const file = join(DIR, name)
      const note = existsSync(`${file}.txt`) ? readFileSync(`${file}.txt`, 'utf8') : ''
      const policyFile = policyFor(note, mkdtempSync(join(tmpdir(), 'hubcap-fuzz-regression-')))
      expect(await checkDecode(file)).toBeNull()
      expect(await checkAnalyze(file, loadPolicy(policyFile))).toBeNull()
      if (existsSync(defaultCli())) expect(checkCli(defaultCli(), file, policyFile)).toBeNull()
    })
  }
})
