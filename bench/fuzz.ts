/**
 * `npm run fuzz -- --seconds N --seed S [--cli-every K] [--max-inputs N] [--save DIR]`
 *
 * Runs the fuzz harness (bench/fuzz/harness.ts) and prints its figures: inputs tried, CLI runs,
 * inputs refused as unreadable (a correct result), failures with their minimized reproducers
 * (saved under test/fixtures/fuzz by default, where test/fuzz/regressions.test.ts replays them).
 * Exit 1 when anything failed.
 */
import { fileURLToPath } from 'node:url'
import { runFuzz } from './fuzz/harness.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const v = Number(process.argv[i + 1])
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: "${process.argv[i + 1]}" is not a number`)
  return v
}

function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? undefined : process.argv[i + 1]
}

const seconds = arg('seconds', 60)
const seed = arg('seed', Date.now() % 100_000)
const maxInputs = process.argv.includes('--max-inputs') ? arg('max-inputs', 0) : undefined
const saveDir = textArg('save') ?? fileURLToPath(new URL('../../test/fixtures/fuzz/', import.meta.url))
console.log(`fuzz: seed ${seed}, ${seconds} s, reproducers to ${saveDir}`)
const r = await runFuzz({
  seed, seconds, cliEvery: arg('cli-every', 50), saveDir, timeLimitMs: arg('time-limit-ms', 10_000),
  ...(maxInputs !== undefined ? { maxInputs } : {}),
  log: (l) => console.log(l),
})
console.log(`\nseed ${r.seed}: ${r.inputs} inputs (${(r.inputs / r.seconds).toFixed(0)}/s), ${r.cliRuns} through the CLI, ` +
  `${r.refused} refused as unreadable, ${r.failures.length} failures, ${r.seconds.toFixed(0)} s`)
for (const f of r.failures) console.log(`  ${f.check}: ${f.reason}\n    ${f.seed}: ${f.label}\n    ${f.minimized.length} bytes${f.saved ? ` -> ${f.saved}` : ''}`)
process.exitCode = r.failures.length > 0 ? 1 : 0
