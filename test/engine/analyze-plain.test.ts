/**
 * The analyze shard's fast path (engine/analyze.ts: plain frames that hold nothing past TCP/UDP skip
 * the decoder) must give exactly the result of decoding every frame: flows, observations (with every
 * frame they cite) and decode counts. Two AnalyzeShards see the same frames, one with plainPath false,
 * on the bundled samples with their own policies, a generated border mix, the mixed pipeline window,
 * the public corpus (../shared/pcaps, skipped saying so when absent) with the example policy, and
 * seeded mutations of the samples.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureBorderMix } from '../../bench/border-mix.js'
import { mutateCapture } from '../../bench/fuzz/mutate.js'
import { seededRandom } from '../../bench/random.js'
import { CaptureError } from '../../src/capture/errors.js'
import { openCapture } from '../../src/capture/open.js'
import { AnalyzeShard } from '../../src/engine/analyze.js'
import { loadPolicy } from '../../src/policy/load.js'
import type { Policy } from '../../src/policy/model.js'
import { policyTemplate } from '../../src/policy/template.js'
import { mixedWindow } from './mixed-capture.js'
import { HAVE_PCAPS, PCAPS_DIR, sharedCaptures } from '../support/oracle.js'

const SAMPLES = join(import.meta.dirname, '../../samples')
const work = mkdtempSync(join(tmpdir(), 'hubcap-analyze-plain-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function examplePolicy(): Policy {
  const file = join(work, 'example.policy.yaml')
  writeFileSync(file, policyTemplate())
  return loadPolicy(file).policy
}

interface Outcome { decoded: string; fast: string; plain: number; frames: number }

/** Both shards over one capture (path, or bytes as a stream); null when the capture is refused. */
async function run(path: string, policy: Policy | null, bytes?: Uint8Array): Promise<Outcome | null> {
  const config = { policy, topN: 50 }
  const decoded = new AnalyzeShard({ ...config, plainPath: false }, 1_000_000)
  const fast = new AnalyzeShard(config, 1_000_000)
  let frames = 0
  try {
    const reader = await openCapture(path, bytes ? { input: Readable.from([Buffer.from(bytes)]) } : {})
    decoded.startFile(0, path)
    fast.startFile(0, path)
    for await (const batch of reader.batches()) {
      for (const f of batch) {
        frames++
        decoded.push(f)
        fast.push(f)
      }
    }
  } catch (e) {
    if (e instanceof CaptureError) return null
    throw e
  }
  return { decoded: JSON.stringify(decoded.finish()), fast: JSON.stringify(fast.finish()), plain: fast.counts.plain, frames }
}

describe('analyze fast path: the same result as decoding every frame', () => {
  it('on a generated border mix with the example policy, where most frames take it', async () => {
    const mix = ensureBorderMix({ sizeMiB: 3, flows: 600, path: join(work, 'mix.pcap') })
    const o = (await run(mix.path, examplePolicy()))!
    expect(o.fast).toBe(o.decoded)
    expect(o.frames).toBe(mix.packets)
    expect(o.plain / o.frames).toBeGreaterThan(0.3)
  })

  it('on the mixed pipeline window (QinQ, IPv6, VXLAN, fragments, ICMP errors, cut frames)', async () => {
    const w = mixedWindow()
    for (const [name, bytes] of [['w.pcap', w.pcap], ['w.pcapng', w.pcapng]] as const) {
      const o = (await run(join(work, name), examplePolicy(), bytes))!
      expect(o.fast, name).toBe(o.decoded)
      expect(o.plain, name).toBeGreaterThan(0)
    }
  })

  it('on every bundled sample, with its own policy', async () => {
    const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f))
    expect(files.length).toBeGreaterThan(10)
    let plain = 0
    for (const f of files) {
      const policy = loadPolicy(join(SAMPLES, f.replace(/\.pcap(ng)?(\.gz)?$/, '.policy.yaml'))).policy
      const o = (await run(join(SAMPLES, f), policy))!
      expect(o.fast, f).toBe(o.decoded)
      plain += o.plain
    }
    expect(plain).toBeGreaterThan(0)
  })

  it('on seeded mutations of the samples (hostile lengths, flags and options)', async () => {
    const r = seededRandom(5151)
    const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?$/.test(f))
    const policy = examplePolicy()
    let compared = 0
    for (let i = 0; i < 120; i++) {
      const m = mutateCapture(readFileSync(join(SAMPLES, files[i % files.length]!)), r)
      const o = await run(join(work, `m${i}`), policy, m.bytes)
      if (o === null) continue
      compared++
      expect(o.fast, m.label).toBe(o.decoded)
    }
    expect(compared).toBeGreaterThan(60)
  })

  it.skipIf(!HAVE_PCAPS)(`on the public corpus in ${PCAPS_DIR}, with the example policy`, async () => {
    const policy = examplePolicy()
    let plain = 0
    for (const f of sharedCaptures()) {
      const o = await run(join(PCAPS_DIR, f), policy)
      if (o === null) continue
      expect(o.fast, f).toBe(o.decoded)
      plain += o.plain
    }
    expect(plain).toBeGreaterThan(0)
  }, 120_000)
  if (!HAVE_PCAPS) it.skip(`public corpus: ${PCAPS_DIR} is absent`, () => {})
})
