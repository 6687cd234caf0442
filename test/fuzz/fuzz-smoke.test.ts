/**
 * A short seeded run of the fuzz harness (bench/fuzz/harness.ts, `npm run fuzz` for the long one):
 * structure-aware mutations of the scenario and sample captures through decode and analyze
 * in-process, and a few through the built CLI. Any failure prints what was mutated and how.
 */
import { existsSync } from 'node:fs'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { defaultCli, runFuzz } from '../../bench/fuzz/harness.js'
import { layoutOf } from '../../bench/fuzz/container.js'
import { mutateCapture } from '../../bench/fuzz/mutate.js'
import { seededRandom } from '../../bench/random.js'
import { openCapture } from '../../src/capture/open.js'
import { healthy } from '../../src/samples/recipes/scenarios/healthy.js'

describe('fuzz harness', () => {
  it('finds no failure in a short seeded run (seed 2026, 40 inputs, the 40th also through the CLI)', async () => {
    const r = await runFuzz({ seed: 2026, seconds: 60, maxInputs: 40, cliEvery: existsSync(defaultCli()) ? 40 : 0 })
    const lines = r.failures.map((f) => `${f.check}: ${f.reason} [${f.seed}: ${f.label}] ${Buffer.from(f.minimized).toString('hex')}`)
    expect(lines).toEqual([])
    expect(r.inputs).toBe(40)
  })

  it('mutates: the same seed gives the same inputs, and the inputs differ from the seed capture', () => {
    const bytes = healthy.build()
    const a = seededRandom(5)
    const b = seededRandom(5)
    let changed = 0
    for (let i = 0; i < 50; i++) {
      const x = mutateCapture(bytes, a)
      const y = mutateCapture(bytes, b)
      expect(x.label).toBe(y.label)
      expect(Buffer.compare(x.bytes, y.bytes)).toBe(0)
      if (Buffer.compare(x.bytes, bytes) !== 0) changed++
    }
    expect(changed).toBeGreaterThan(40)
  })

  it('walks the capture it mutates as the real reader does: the same packets, byte for byte', async () => {
    const bytes = healthy.build()
    const layout = layoutOf(bytes)
    expect(layout.format).toBe('pcapng')
    const ours = layout.parts.filter((p) => p.kind === 'packet').map((p) => Buffer.from(bytes.subarray(p.dataStart, p.dataStart + p.dataLen)).toString('hex'))
    const reader = await openCapture('healthy', { input: Readable.from([Buffer.from(bytes)]) })
    const theirs: string[] = []
    for await (const batch of reader.batches()) for (const f of batch) theirs.push(Buffer.from(f.bytes).toString('hex'))
    expect(ours.length).toBeGreaterThan(50)
    expect(ours).toEqual(theirs)
  })
})
