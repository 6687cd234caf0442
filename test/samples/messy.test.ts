/**
 * samples/messy.pcap.gz, the capture as people hand them over: gzip, big-endian classic pcap with
 * ns timestamps, five damaged packets, a cut tail. `analyze` must read it whole, say where the
 * file ends (byte offset in the uncompressed capture), count the damage per layer and judge the
 * policy, with exit 0 or 1 (findings), never 2 (error).
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { analyzeCaptures, runAnalyze } from '../../src/cli/analyze.js'
import { loadPolicy } from '../../src/policy/load.js'
import type { Report } from '../../src/report/model.js'
import { recordMessy } from '../../src/samples/recipes/messy.js'
import { runCli } from '../support/cli.js'

const CAPTURE = fileURLToPath(new URL('../../samples/messy.pcap.gz', import.meta.url))
const POLICY = fileURLToPath(new URL('../../samples/messy.policy.yaml', import.meta.url))
const messy = recordMessy()

afterEach(() => { vi.restoreAllMocks() })

describe('the messy capture as built', () => {
  it('is gzip holding a big-endian nanosecond pcap (magic a1b23c4d written big-endian)', () => {
    expect([...messy.bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b])
    const inner = gunzipSync(messy.bytes)
    expect(Buffer.compare(inner, Buffer.from(messy.pcap))).toBe(0)
    expect(inner.readUInt32BE(0)).toBe(0xa1b23c4d)
  })

  it('ends in a record whose header promises more bytes than the file holds', () => {
    const caplen = Buffer.from(messy.pcap).readUInt32BE(messy.truncatedAt + 8)
    expect(messy.pcap.length - messy.truncatedAt - 16).toBeLessThan(caplen)
  })
})

describe('hubcap analyze on samples/messy.pcap.gz', () => {
  let report: Report

  it('reads every whole record, as compressed pcap, with ns timestamps', async () => {
    report = await analyzeCaptures([CAPTURE], { policy: loadPolicy(POLICY), workers: 1, failOn: 'high', progress: false })
    const c = report.captures[0]!
    expect(c).toMatchObject({ format: 'pcap', compressed: true, linkTypes: [1], packets: messy.packets })
    expect(report.decode.packets).toBe(messy.packets)
    // Digits below the microsecond survive (the recipe puts 1 ns on the first frame).
    expect(c.firstTs).toBe('2026-11-20T13:51:00.000000001Z')
  })

  it('reports the truncated tail once, at the byte offset of the cut record', () => {
    const warnings = report.captures[0]!.warnings
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.offset).toBe(messy.truncatedAt)
    expect(warnings[0]!.message).toMatch(/^truncated record data: 40 of \d+ bytes \(record \d+\)$/)
    expect(warnings[0]!.message).toContain(`(record ${messy.packets + 1})`)
  })

  it('counts the damaged packets per layer', () => {
    expect(report.decode.malformed).toEqual(messy.malformed)
  })

  it('still judges the policy: every rule has a status, none an error', () => {
    expect(report.rules.length).toBeGreaterThan(0)
    expect(report.rules.filter((r) => !['pass', 'fail', 'not-evaluable'].includes(r.status))).toEqual([])
    expect(report.rules.filter((r) => r.status === 'fail').map((r) => r.id)).toEqual([])
  })

  it('exits 0 or 1, never 2, and prints the warning with its byte offset', async () => {
    const stderr: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr.push(String(chunk)); return true })
    const out = join(mkdtempSync(join(tmpdir(), 'hubcap-messy-')), 'report.json')
    const code = await runAnalyze([CAPTURE], { policy: POLICY, format: 'json', output: out, workers: '1', progress: false })
    expect(code).toBe(0) // its policy passes; 2 would be a read error
    expect(stderr.join('')).toContain(`hubcap: warning: ${CAPTURE}: byte ${messy.truncatedAt}: truncated record data`)
    const written = JSON.parse(readFileSync(out, 'utf8')) as Report
    expect(written.decode.malformed).toEqual(messy.malformed)
  })

  it('the built CLI with two workers: exit 0, the same warning, the same counts', () => {
    const r = runCli(['analyze', CAPTURE, '-p', POLICY, '-f', 'json', '-w', '2', '--no-progress'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`byte ${messy.truncatedAt}: truncated record data`)
    const built = JSON.parse(r.stdout) as Report
    expect(built.decode.malformed).toEqual(messy.malformed)
    expect(built.captures[0]!.warnings).toEqual(report.captures[0]!.warnings)
  })
})
