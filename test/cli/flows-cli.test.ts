/**
 * `hubcap flows` end to end on the built CLI: formats, --top, -o, workers, stdin, errors.
 * The sample border-mini.pcapng has replies that come back untagged while the requests carry
 * VLAN 100, which is exactly the "other uplink" case: they must join their requests' flows.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pcapHeader, pcapRecord } from '../../src/capture/writer.js'
import { MAX_SHARED_FLOW_RECORDS } from '../../src/decode/limits.js'
import { packet } from '../../src/samples/packet.js'
import { runCli } from '../support/cli.js'

const SAMPLE = new URL('../../samples/border-mini.pcapng', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'hubcap-flows-cli-'))

interface JsonFlows { count: number; byProto: Record<string, number>; byState: Record<string, number>; flows: Array<Record<string, unknown> & { proto: string; state: string; packets: { fwd: number; rev: number }; firstFrame: number }> }

describe('hubcap flows', () => {
  it('json: every flow, replies on another VLAN joined to their requests', () => {
    const r = runCli(['flows', SAMPLE, '-f', 'json', '-w', '1'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout) as JsonFlows
    expect(doc.count).toBe(doc.flows.length)
    const dns = doc.flows.find((f) => f.app === 'dns')!
    expect(dns).toMatchObject({ initiator: { ip: '10.10.0.29', port: 51000 }, responder: { ip: '192.0.2.53', port: 53 }, state: 'SF', packets: { fwd: 1, rev: 1 }, firstFrame: 1 })
    const ntp = doc.flows.find((f) => f.app === 'ntp')!
    expect(ntp.packets).toEqual({ fwd: 1, rev: 1 })
    expect(Object.values(doc.byProto).reduce((a, b) => a + b)).toBe(doc.count)
  })

  it('the same bytes with 1, 2 and 4 workers, in every format', () => {
    for (const format of ['table', 'json', 'ndjson', 'csv']) {
      const outs = [1, 2, 4].map((w) => runCli(['flows', SAMPLE, '-f', format, '-w', String(w)]))
      for (const o of outs) expect(o.code).toBe(0)
      expect(outs[1]!.stdout).toBe(outs[0]!.stdout)
      expect(outs[2]!.stdout).toBe(outs[0]!.stdout)
    }
  })

  it('table: a totals line, the top flows by bytes, --top caps the rows and says how many more', () => {
    const r = runCli(['flows', SAMPLE, '--top', '2'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^\d+ flows \(.*\), \d+ packets, [\d,]+ bytes$/)
    expect(r.stdout).toMatch(/\.\.\. \d+ more flows/)
    expect(lines.filter((l) => /^│ (udp|tcp|icmp)/.test(l))).toHaveLength(2)
  })

  it('ndjson and csv: one line per flow; -o writes the file; stdin works', () => {
    const nd = runCli(['flows', SAMPLE, '-f', 'ndjson'])
    const count = (JSON.parse(runCli(['flows', SAMPLE, '-f', 'json']).stdout) as JsonFlows).count
    expect(nd.stdout.trimEnd().split('\n')).toHaveLength(count)
    const out = join(dir, 'flows.csv')
    const csv = runCli(['flows', SAMPLE, '-f', 'csv', '-o', out])
    expect(csv.code).toBe(0)
    expect(csv.stdout).toBe('')
    const rows = readFileSync(out, 'utf8').trimEnd().split('\r\n')
    expect(rows[0]).toMatch(/^proto,initiator_ip,/)
    expect(rows).toHaveLength(count + 1)
    const stdin = runCli(['flows', '-', '-f', 'ndjson'], readFileSync(SAMPLE))
    expect(stdin.stdout.replaceAll('"file":"-"', `"file":${JSON.stringify(SAMPLE)}`)).toBe(nd.stdout)
  })

  it('errors are one line and exit 2: bad format, bad --top, bad --workers, not a capture, unwritable -o', () => {
    const junk = join(dir, 'junk.pcap')
    writeFileSync(junk, 'this is not a capture file at all')
    for (const args of [
      ['flows', SAMPLE, '-f', 'xml'], ['flows', SAMPLE, '--top', 'many'], ['flows', SAMPLE, '-w', '0'],
      ['flows', junk], ['flows', SAMPLE, '-o', join(dir, 'no/such/dir/out.json')],
    ]) {
      const r = runCli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1)
      expect(r.stderr).toMatch(/^hubcap: /)
      expect(r.stdout).toBe('')
    }
  })
})

describe('flows and analyze --help', () => {
  it('say what bounds a run\'s memory and how to set another heap limit', () => {
    for (const command of ['flows', 'analyze']) {
      const r = runCli([command, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('Memory: at most 1,000,000 live flows per run')
      expect(r.stdout).toContain('heap is limited to 1536 MB; NODE_OPTIONS=--max-old-space-size=MB sets another limit')
    }
  })
})

describe('hubcap flows: shared flows past a worker\'s bound', () => {
  it('counts every flow; warns, with workers only, that such records were not joined across workers', () => {
    // ICMP flows are shared (an error reaches the worker of the flow it quotes): more echo requests from
    // distinct hosts than two workers' bounds hold, one per ms from T0.
    const n = 2 * MAX_SHARED_FLOW_RECORDS + 4000
    const T0 = 1_763_632_800
    const records = Array.from({ length: n }, (_, i) => ({
      data: packet().eth().ipv4(`10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`, '192.0.2.1').icmp(8, 0, i).build(),
      tsSec: T0 + Math.floor(i / 1000), tsFrac: (i % 1000) * 1000,
    }))
    const file = join(dir, 'icmp-many.pcap')
    writeFileSync(file, Buffer.concat([pcapHeader(), ...records.map((r) => pcapRecord(r))]))
    const one = runCli(['flows', file, '-f', 'json', '--top', '1', '-w', '1'])
    expect(one.code).toBe(0)
    expect(one.stderr).toBe('')
    expect((JSON.parse(one.stdout) as JsonFlows).count).toBe(n)
    const two = runCli(['flows', file, '-f', 'json', '--top', '1', '-w', '2'])
    expect(two.code).toBe(0)
    expect((JSON.parse(two.stdout) as JsonFlows).count).toBe(n)
    const overflow = Number(/^hubcap: warning: (\d+) records of flows that reach several workers \(tunnel outer flows, ICMP\) passed a worker's bound of 65536 and were not joined across workers/.exec(two.stderr)?.[1])
    // Each worker holds about half the flows; what passes its bound is counted, the rest joined.
    expect(overflow).toBeGreaterThan(0)
    expect(overflow).toBeLessThan(n - 2 * MAX_SHARED_FLOW_RECORDS + 2000)
  }, 60_000)
})
