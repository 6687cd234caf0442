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

describe('hubcap flows: flows whose packets concern several workers', () => {
  it('tunnel outer flows and ICMP errors\' own flows, 100 000 VTEP flows: the same bytes with 1, 2 and 3 workers', () => {
    // Each VTEP flow (7 VTEP pairs, distinct source ports) carries two inner flows of different hosts, which
    // route to different workers about half the time. Errors inside the tunnel quote inner flows (their own
    // flow, the outer flow and the quoted flow may then be three workers'); errors outside quote outer packets.
    // (A tracker once kept such flows' records for a join, up to 65 536 per worker; past that, two workers
    // counted some twice.)
    const n = 100_000
    const T0 = 1_763_632_800
    const records: Uint8Array[] = []
    let frame = 0
    const add = (data: Uint8Array) => {
      const us = frame++ * 500
      records.push(pcapRecord({ data, tsSec: T0 + Math.floor(us / 1e6), tsFrac: us % 1e6 }))
    }
    const vtep = (i: number) => packet().eth().ipv4(`172.16.${i >> 14}.1`, `172.16.${i >> 14}.2`).udp(20000 + (i & 0x3fff), 4789).vxlan(5001)
    const host = (net: number, i: number) => `${net}.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`
    for (let i = 0; i < n; i++) {
      add(vtep(i).eth().ipv4(host(11, i), '10.200.0.1').tcp(40000, 443, { flags: 0x02 }).build())
      add(vtep(i).eth().ipv4(host(12, i), '10.201.0.1').udp(40001, 5000).payload(new Uint8Array(20)).build())
      if (i % 200 === 0) {
        const quote = packet().ipv4(host(11, i), '10.200.0.1').tcp(40000, 443).build().subarray(0, 28)
        add(vtep(i).eth().ipv4('10.9.0.1', host(11, i)).icmp(3, 3).payload(quote).build())
        const outerQuote = vtep(i).build().subarray(14, 14 + 28)
        add(packet().eth().ipv4('172.16.99.9', `172.16.${i >> 14}.1`).icmp(3, 4, 1400).payload(outerQuote).build())
      }
    }
    const file = join(dir, 'vtep-many.pcap')
    writeFileSync(file, Buffer.concat([pcapHeader(), ...records]))
    const outs = [1, 2, 3].map((w) => runCli(['flows', file, '-f', 'json', '--top', '3000', '-w', String(w)]))
    for (const o of outs) {
      expect(o.code).toBe(0)
      expect(o.stderr).toBe('')
    }
    const doc = JSON.parse(outs[0]!.stdout) as JsonFlows
    // 100 000 outer, 200 000 inner, 500 errors' own flows inside the tunnel, 7 outside (one per VTEP).
    expect(doc.count).toBe(300_507)
    expect(doc.byProto).toEqual({ icmp: 507, tcp: n, udp: 2 * n })
    expect(outs[1]!.stdout).toBe(outs[0]!.stdout)
    expect(outs[2]!.stdout).toBe(outs[0]!.stdout)
  }, 120_000)
})
