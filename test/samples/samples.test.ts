/**
 * The bundled samples: the committed files are exactly what the recipes build, they decode
 * cleanly, and (where tshark is installed) Wireshark reads the same packets, with good checksums.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { toDecodeRecord } from '../../src/decode/decode-record.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import type { DecodeRecord } from '../../src/decode/record.js'
import { SAMPLES } from '../../src/samples/catalog.js'
import { parseCapture } from '../support/capture-builder.js'

const samplePath = (file: string) => fileURLToPath(new URL(`../../samples/${file}`, import.meta.url))
const HAVE_TSHARK = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0

function decodeSample(bytes: Uint8Array): DecodeRecord[] {
  const decoder = new FrameDecoder()
  return parseCapture(bytes, 4096).frames.map((f) => toDecodeRecord(f, decoder.decode(f)))
}

describe.each(SAMPLES.map((s) => [s.file, s] as const))('sample %s', (file, sample) => {
  const built = sample.build()

  it('is byte-identical to a fresh build of its recipe (run `hubcap samples` after changing one)', () => {
    expect(Buffer.compare(Buffer.from(readFileSync(samplePath(file))), Buffer.from(built))).toBe(0)
  })

  it('decodes without a malformed layer', () => {
    const records = decodeSample(built)
    expect(records.length).toBeGreaterThan(0)
    expect(records.flatMap((r) => r.malformed)).toEqual([])
  })

  it.skipIf(!HAVE_TSHARK)('reads the same way in tshark, with every checksum good (skipped without tshark)', () => {
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
      if (l4 && (l4.type === 'tcp' || l4.type === 'udp')) expect((row[3] || row[4])!.split(',')[0]).toBe(String(l4.srcPort))
      expect(row[5] ?? '').not.toMatch(/checksum|malformed/i)
    })
  })
})
