/**
 * `hubcap decode` as a user runs it: the built executable, real files, exit codes,
 * stdout carrying only NDJSON and stderr one clean line per problem.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { packet } from '../../src/samples/packet.js'
import { PcapngBuilder, pcapFile } from '../support/capture-builder.js'
import { runCli } from '../support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'hubcap-cli-'))
const udpFrame = (port: number) => packet().eth().ipv4('10.10.0.29', '192.0.2.53').udp(port, 53).payload([0, 1]).build()
const records = [1, 2, 3, 4].map((i) => ({ data: udpFrame(50000 + i), tsSec: 1763632800 + i, tsFrac: 250 }))
const pcap = pcapFile(records)
const pcapPath = join(dir, 'four.pcap')
writeFileSync(pcapPath, pcap)

const lines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { frame: number; ts: string; layers: Array<{ type: string; srcPort?: number }> })

describe('hubcap decode (CLI)', () => {
  it('prints one contract record per packet and exits 0', () => {
    const r = runCli(['decode', pcapPath])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const out = lines(r.stdout)
    expect(out.map((o) => o.frame)).toEqual([1, 2, 3, 4])
    expect(out[0]!.ts).toBe('2025-11-20T10:00:01.000250000Z')
    expect(out[3]!.layers.map((l) => l.type)).toEqual(['eth', 'ipv4', 'udp'])
    expect(out[3]!.layers[2]!.srcPort).toBe(50004)
  })

  it('selects frames with --frames and writes to -o', () => {
    const outPath = join(dir, 'out.ndjson')
    const r = runCli(['decode', '--frames', '2,4-', '-o', outPath, pcapPath])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(lines(readFileSync(outPath, 'utf8')).map((o) => o.frame)).toEqual([2, 4])
    // A closed range stops reading early and still prints what it selected.
    expect(lines(runCli(['decode', '--frames', '1-2', pcapPath]).stdout).map((o) => o.frame)).toEqual([1, 2])
    expect(lines(runCli(['decode', '--frames', '3', pcapPath]).stdout).map((o) => o.frame)).toEqual([3])
  })

  it('reads gzip by content from stdin (-) and pcapng the same way', () => {
    const gz = runCli(['decode', '-'], gzipSync(pcap))
    expect(gz.code).toBe(0)
    expect(gz.stdout).toBe(runCli(['decode', pcapPath]).stdout)
    const ng = new PcapngBuilder().shb().idb({ linkType: 1, tsresol: 9 }).epb({ ts: 1763632800123456789n, data: udpFrame(1) }).build()
    const ngPath = join(dir, 'one.pcapng.gz.renamed')
    writeFileSync(ngPath, gzipSync(ng))
    const r = runCli(['decode', ngPath])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)[0]!.ts).toBe('2025-11-20T10:00:00.123456789Z')
  })

  it('keeps every complete record of a file cut short and warns with the byte offset', () => {
    const cut = join(dir, 'cut.pcap')
    writeFileSync(cut, pcap.subarray(0, pcap.length - 5))
    const r = runCli(['decode', cut])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toHaveLength(3)
    const lastRecord = pcap.length - (16 + records[3]!.data.length)
    expect(r.stderr).toMatch(new RegExp(`^hubcap: warning: .*cut\\.pcap: byte ${lastRecord}: .+\\n$`))
  })

  it.each([
    ['a file that is not a capture', () => { const p = join(dir, 'x.txt'); writeFileSync(p, 'hello world, not a capture'); return p }, /x\.txt: byte 0: not a pcap or pcapng/],
    ['a header cut short', () => { const p = join(dir, 'h.pcap'); writeFileSync(p, pcap.subarray(0, 10)); return p }, /h\.pcap: byte 0: .*(short|truncated|cut)/i],
    ['a missing file', () => join(dir, 'missing.pcap'), /missing\.pcap/],
  ])('exits 2 with one line naming the file for %s', (_what, make, message) => {
    const r = runCli(['decode', make()])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /) // never a stack trace
  })

  it('exits 2 on usage errors and an unwritable -o, before reading anything', () => {
    expect(runCli(['decode', '--frames', '0', pcapPath]).code).toBe(2)
    expect(runCli(['frobnicate']).code).toBe(2)
    const r = runCli(['decode', '-o', join(dir, 'no-such-dir', 'out'), pcapPath])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot write output/)
  })

  it('strips control characters from the file name it echoes', () => {
    const r = runCli(['decode', join(dir, 'evil\x1b[2J.pcap')])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('\x1b')
    expect(r.stderr).toContain('\\x1b[2J')
  })
})

describe('hubcap decode --vxlan-port', () => {
  it('decodes an extra UDP port as VXLAN only when asked, and rejects a bad port', () => {
    const frame = packet().eth().ipv4('10.30.0.1', '10.30.0.2').udp(49152, 9999).vxlan(77).eth().ipv4('172.16.0.1', '172.16.0.2').udp(1, 2).build()
    const path = join(dir, 'vxlan-9999.pcap')
    writeFileSync(path, pcapFile([{ data: frame }]))
    expect(lines(runCli(['decode', path]).stdout)[0]!.layers.map((l) => l.type)).toEqual(['eth', 'ipv4', 'udp'])
    const r = runCli(['decode', '--vxlan-port', '9999', path])
    expect(lines(r.stdout)[0]!.layers.map((l) => l.type)).toEqual(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'udp'])
    const bad = runCli(['decode', '--vxlan-port', '70000', path])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--vxlan-port: "70000"/)
  })
})
