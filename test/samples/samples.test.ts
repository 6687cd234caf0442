/**
 * The bundled samples: the committed captures, policies and README are exactly what the recipes
 * build, every scenario recipe is a sample, the captures decode cleanly (except the one damaged
 * on purpose, test/samples/messy.test.ts), and (where tshark is installed) Wireshark reads the same
 * packets, with good checksums.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { toDecodeRecord } from '../../src/decode/decode-record.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import type { DecodeRecord } from '../../src/decode/record.js'
import { SAMPLES } from '../../src/samples/catalog.js'
import { samplesReadme, samplesReadmeTable } from '../../src/samples/readme.js'
import { SCENARIOS } from '../../src/samples/recipes/scenarios/index.js'
import { loadPolicy } from '../../src/policy/load.js'
import { parseCapture } from '../support/capture-builder.js'

const samplePath = (file: string) => fileURLToPath(new URL(`../../samples/${file}`, import.meta.url))
const HAVE_TSHARK = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0

function decodeSample(bytes: Uint8Array): DecodeRecord[] {
  const decoder = new FrameDecoder()
  return parseCapture(bytes, 4096).frames.map((f) => toDecodeRecord(f, decoder.decode(f)))
}

describe('the samples catalog', () => {
  it('holds every scenario recipe, each once, and nothing in samples/ is left out of it', () => {
    expect(SCENARIOS.map((s) => s.name).filter((n) => !SAMPLES.some((s) => s.name === n))).toEqual([])
    expect(new Set(SAMPLES.map((s) => s.name)).size).toBe(SAMPLES.length)
    const committed = readdirSync(fileURLToPath(new URL('../../samples/', import.meta.url))).sort()
    const expected = [...SAMPLES.flatMap((s) => [s.file, s.policyFile]), 'README.md'].sort()
    expect(committed).toEqual(expected)
  })

  it('samples/README.md is the generated one (run `hubcap samples` after changing the catalog)', () => {
    expect(readFileSync(samplePath('README.md'), 'utf8')).toBe(samplesReadme())
  })

  it('the README table has one row per sample naming its file, policy and broken rules', () => {
    const rows = samplesReadmeTable().trim().split('\n').slice(2)
    expect(rows).toHaveLength(SAMPLES.length)
    SAMPLES.forEach((s, i) => {
      expect(rows[i]).toContain(`[${s.file}](${s.file}) ([policy](${s.policyFile}))`)
      for (const rule of s.breaks) expect(rows[i]).toContain(`\`${rule}\``)
      if (s.breaks.length === 0) expect(rows[i]!.endsWith('| none |')).toBe(true)
    })
  })

  it('the committed size stays small (under 1 MB in all)', () => {
    const total = SAMPLES.reduce((n, s) => n + readFileSync(samplePath(s.file)).length + readFileSync(samplePath(s.policyFile)).length, 0)
    expect(total).toBeLessThan(1_000_000)
  })

  it('healthy is a pcapng seen on two interfaces, both carrying packets', () => {
    const healthy = SAMPLES.find((s) => s.name === 'healthy')!
    expect(healthy.file).toBe('healthy.pcapng')
    const ifaces = new Set(parseCapture(healthy.build(), 4096).frames.map((f) => f.interfaceId))
    expect([...ifaces].sort()).toEqual([0, 1])
  })
})

describe.each(SAMPLES.map((s) => [s.file, s] as const))('sample %s', (file, sample) => {
  const built = sample.build()

  it('is byte-identical to a fresh build of its recipe (run `hubcap samples` after changing one)', () => {
    expect(Buffer.compare(Buffer.from(readFileSync(samplePath(file))), Buffer.from(built))).toBe(0)
  })

  it('has its policy, identical to a fresh build and valid', () => {
    expect(readFileSync(samplePath(sample.policyFile), 'utf8')).toBe(sample.policy())
    expect(() => loadPolicy(samplePath(sample.policyFile))).not.toThrow()
  })

  it.skipIf(sample.damaged)('decodes without a malformed layer', () => {
    const records = decodeSample(built)
    expect(records.length).toBeGreaterThan(0)
    expect(records.flatMap((r) => r.malformed)).toEqual([])
  })

  it.skipIf(!HAVE_TSHARK || sample.damaged)('reads the same way in tshark, with every checksum good (skipped without tshark)', () => {
    const out = execFileSync('tshark', [
      '-r', samplePath(file), '-n', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
      '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'udp.srcport',
      '-e', '_ws.expert.message',
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const rows = out.trim().split('\n').map((l) => l.split('\t'))
    const records = decodeSample(built)
    expect(rows).toHaveLength(records.length)
    rows.forEach((row, i) => {
      const r = records[i]!
      const ip = r.layers.find((l) => l.type === 'ipv4' || l.type === 'ipv6')
      const l4 = r.layers.find((l) => (l.type === 'tcp' || l.type === 'udp') && !('quoted' in l))
      expect(row[0]).toBe(String(r.frame))
      if (ip && (ip.type === 'ipv4' || ip.type === 'ipv6')) expect((row[1] || row[2])!.split(',')[0]).toBe(ip.src)
      // The outermost TCP or UDP header: tshark lists each protocol's ports outermost first (a tunnel carries both).
      if (l4 && (l4.type === 'tcp' || l4.type === 'udp')) expect((l4.type === 'tcp' ? row[3] : row[4])!.split(',')[0]).toBe(String(l4.srcPort))
      expect(row[5] ?? '').not.toMatch(/checksum|malformed/i)
    })
  })
})
