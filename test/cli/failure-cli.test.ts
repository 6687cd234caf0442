/**
 * Failure behaviour of the built CLI (npm test builds dist/ first; HUBCAP_TEST_CLI points elsewhere):
 *
 *   Ctrl-C    SIGINT during `analyze` of an endless capture on stdin: exit 130 within seconds, one line
 *             on stderr, no -o file (or the previous one untouched), no temporary file left
 *   failure   a run that fails after -o was checked leaves FILE as it was (no empty or partial report)
 *   -o        refused in one line before any work when it cannot be a file; /dev/null is fine
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pcapHeader, pcapRecord } from '../../src/capture/writer.js'
import { CLI as BUILT_CLI } from '../support/cli.js'
import { DVM, examplePolicy, inboundRdpFrames, synFrame, writePcap } from '../support/analyze-captures.js'
import { spawnSync } from 'node:child_process'

const CLI = process.env['HUBCAP_TEST_CLI'] ?? BUILT_CLI
const dir = mkdtempSync(join(tmpdir(), 'hubcap-failure-'))
const POLICY = join(dir, 'policy.yaml')
writeFileSync(POLICY, examplePolicy())

interface Ended { code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }

/** Feeds an endless SYN flood to `analyze -` and sends SIGINT once `afterBytes` were accepted. */
function interruptAnalyze(out: string, afterBytes: number): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'analyze', '-', '-p', POLICY, '-f', 'json', '-o', out, '-w', '2', '--no-progress'], { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (s: string) => { stderr += s })
    child.stdin.on('error', () => { /* the CLI is gone: expected after the signal */ })
    let sent = 0
    let signalled = 0
    const records: Uint8Array[] = []
    for (let i = 0; i < 4096; i++) records.push(pcapRecord({ data: synFrame(`100.64.${(i >> 8) & 0xff}.${i & 0xff}`, DVM, 1024 + (i % 60000), 443), tsSec: 1795183140, tsFrac: i }))
    const chunk = Buffer.concat(records)
    const pump = (): void => {
      while (child.stdin.writable) {
        if (signalled === 0 && sent >= afterBytes) {
          signalled = Date.now()
          child.kill('SIGINT')
        }
        sent += chunk.length
        if (!child.stdin.write(chunk)) { child.stdin.once('drain', pump); return }
      }
    }
    child.stdin.write(pcapHeader())
    pump()
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stderr, ms: Date.now() - signalled }))
  })
}

const leftovers = (d: string): string[] => readdirSync(d).filter((f) => f.includes('.hubcap-'))

describe('failure behaviour (built CLI)', () => {
  it('Ctrl-C during analyze: exit 130 within 10 s, one line on stderr, no report file, no temporary file', async () => {
    const out = join(dir, 'interrupted.json')
    const r = await interruptAnalyze(out, 8 * 1024 * 1024)
    expect(r.signal).toBeNull()
    expect(r.code).toBe(130)
    expect(r.ms).toBeLessThan(10_000)
    expect(r.stderr.trim().split('\n')).toEqual(['hubcap: interrupted by SIGINT: the run is incomplete (no -o file written)'])
    expect(existsSync(out)).toBe(false)
    expect(leftovers(dir)).toEqual([])
  })

  it('Ctrl-C leaves a previous report at the -o path untouched', async () => {
    const out = join(dir, 'previous.json')
    writeFileSync(out, '{"previous":true}\n')
    const r = await interruptAnalyze(out, 4 * 1024 * 1024)
    expect(r.code).toBe(130)
    expect(readFileSync(out, 'utf8')).toBe('{"previous":true}\n')
    expect(leftovers(dir)).toEqual([])
  })

  it('a run that fails after -o was accepted (junk capture) leaves no file, and keeps a previous one as it was', () => {
    const junk = join(dir, 'junk.pcap')
    writeFileSync(junk, 'this is not a capture at all')
    const out = join(dir, 'never.json')
    const r = spawnSync(process.execPath, [CLI, 'analyze', junk, '-p', POLICY, '-f', 'json', '-o', out], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(existsSync(out)).toBe(false)
    const kept = join(dir, 'kept.json')
    writeFileSync(kept, 'old report\n')
    expect(spawnSync(process.execPath, [CLI, 'analyze', junk, '-p', POLICY, '-o', kept], { encoding: 'utf8' }).status).toBe(2)
    expect(readFileSync(kept, 'utf8')).toBe('old report\n')
    expect(leftovers(dir)).toEqual([])
  })

  it('a complete run replaces the -o file whole; -o /dev/null works; a directory as -o is one line, before any work', () => {
    const rdp = writePcap(dir, 'rdp.pcap', inboundRdpFrames())
    const out = join(dir, 'report.json')
    writeFileSync(out, 'old report that is longer than nothing\n'.repeat(100))
    const r = spawnSync(process.execPath, [CLI, 'analyze', rdp, '-p', POLICY, '-f', 'json', '-o', out, '-w', '1'], { encoding: 'utf8' })
    expect(r.status).toBe(1)
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe('hubcap.report/1')
    expect(spawnSync(process.execPath, [CLI, 'analyze', rdp, '-p', POLICY, '-o', '/dev/null', '-w', '1'], { encoding: 'utf8' }).status).toBe(1)
    const asDir = join(dir, 'a-directory')
    mkdirSync(asDir)
    const junk = join(dir, 'junk3.pcap')
    writeFileSync(junk, 'junk, so that reading it first would say so')
    const d = spawnSync(process.execPath, [CLI, 'analyze', junk, '-p', POLICY, '-o', asDir], { encoding: 'utf8' })
    expect(d.status).toBe(2)
    expect(d.stderr.trim().split('\n')).toEqual([`hubcap: ${asDir}: cannot write output: EISDIR`])
    expect(leftovers(dir)).toEqual([])
  })
})

describe('node flags (built CLI)', () => {
  it('runs its workers when node itself was given a heap size and V8 flags (workers refuse them in an explicit list)', () => {
    const rdp = writePcap(dir, 'flags-rdp.pcap', inboundRdpFrames())
    const r = spawnSync(process.execPath, ['--max-old-space-size=600', '--heap-growing-percent=30', '--single-threaded-gc', CLI, 'analyze', rdp, '-p', POLICY, '-f', 'json', '-w', '2', '--no-progress'], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(1)
    expect(JSON.parse(r.stdout).verdict.status).toBe('fail')
  }, 30_000)
})

describe('a reader that closes the pipe (built CLI)', () => {
  it('`hubcap decode big.pcap | head -1`: stops, one plain line, exit 2', async () => {
    // 20 000 SYNs: far more output than a pipe buffer holds, so the CLI is still writing when the reader goes.
    const file = writePcap(dir, 'many-syns.pcap', Array.from({ length: 20_000 }, (_, i) => synFrame(`100.64.${(i >> 8) & 0xff}.${i & 0xff}`, DVM, 1024 + (i % 60000), 443)))
    const ended = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'decode', file], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr.setEncoding('utf8')
      child.stderr.on('data', (s: string) => { stderr += s })
      child.stdout.once('data', () => child.stdout.destroy()) // read one chunk, then close, as head does
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stderr }))
    })
    expect(ended.code).toBe(2)
    expect(ended.stderr).toBe('hubcap: the output was closed by its reader (broken pipe): the output is incomplete\n')
  }, 30_000)
})
