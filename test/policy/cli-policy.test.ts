import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPolicyCheck, runPolicyInit, type CommandIo } from '../../src/cli/policy.js'
import type { RuleInputsInfo } from '../../src/policy/check.js'
import { policyTemplate } from '../../src/policy/template.js'

const dir = mkdtempSync(join(tmpdir(), 'hubcap-policy-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function captureIo(): CommandIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => { io.out += t }, stderr: (t: string) => { io.err += t } }
  return io
}

const RULES: RuleInputsInfo[] = [
  { id: 'dvm-outbound-only', title: 'DVM outbound only', severity: 'high', inputs: ['hosts.dvm', 'networks.bmc'] },
  { id: 'vxlan-format', title: 'VXLAN format', severity: 'low', inputs: ['networks.pa'] },
]

describe('hubcap policy init', () => {
  it('writes the template to stdout', () => {
    const io = captureIo()
    expect(runPolicyInit({}, io)).toBe(0)
    expect(io.out).toBe(policyTemplate())
    expect(io.err).toBe('')
    const dash = captureIo()
    expect(runPolicyInit({ output: '-' }, dash)).toBe(0)
    expect(dash.out).toBe(policyTemplate())
  })

  it('writes a file, refuses to overwrite it, overwrites with --force', () => {
    const file = join(dir, 'init.yaml')
    const first = captureIo()
    expect(runPolicyInit({ output: file }, first)).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(policyTemplate())
    expect(first.out).toBe('')
    expect(first.err).toBe(`hubcap: wrote ${file}; edit it, then run: hubcap policy check ${file}\n`)

    writeFileSync(file, 'mine\n')
    const again = captureIo()
    expect(runPolicyInit({ output: file }, again)).toBe(2)
    expect(again.err).toBe(`hubcap: ${file}: already exists (use --force to overwrite it)\n`)
    expect(readFileSync(file, 'utf8')).toBe('mine\n')

    expect(runPolicyInit({ output: file, force: true }, captureIo())).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(policyTemplate())
  })

  it('an unwritable path is one line, exit 2', () => {
    const io = captureIo()
    const file = join(dir, 'no-such-dir', 'p.yaml')
    expect(runPolicyInit({ output: file }, io)).toBe(2)
    expect(io.err).toBe(`hubcap: ${file}: cannot write: ENOENT\n`)
    expect(existsSync(file)).toBe(false)
  })
})

describe('hubcap policy check', () => {
  it('a valid policy: exit 0, the summary on stdout, nothing on stderr', () => {
    const file = join(dir, 'valid.yaml')
    writeFileSync(file, 'version: 1\nname: lab\nhosts: {dvm: 10.10.0.29}\nnetworks: {bmc: 10.10.0.0/26}\n')
    const io = captureIo()
    expect(runPolicyCheck(file, RULES, io)).toBe(0)
    expect(io.err).toBe('')
    expect(io.out).toContain('Policy "lab": valid\n')
    expect(io.out).toContain('Rules: 2 (1 evaluable, 0 disabled, 1 will be not-evaluable)\n')
    expect(io.out).toMatch(/vxlan-format +enabled, severity low, will be not-evaluable: missing networks.pa\n/)
  })

  it('the template checks clean', () => {
    const file = join(dir, 'template.yaml')
    writeFileSync(file, policyTemplate())
    expect(runPolicyCheck(file, RULES, captureIo())).toBe(0)
  })

  it('an invalid policy: exit 2, every problem on stderr prefixed by file and line, nothing on stdout', () => {
    const file = join(dir, 'invalid.yaml')
    writeFileSync(file, 'version: 1\nnetworks:\n  bmcc: 10.0.0.0/24\nhosts:\n  dvm: "10.10.0"\n')
    const io = captureIo()
    expect(runPolicyCheck(file, RULES, io)).toBe(2)
    expect(io.out).toBe('')
    expect(io.err).toBe([
      `${file}:3: networks.bmcc: unknown key (did you mean "bmc"?)`,
      `${file}:5: hosts.dvm: not an IP address ("10.10.0")`,
      '',
    ].join('\n'))
  })

  it('a missing file: exit 2, one line', () => {
    const file = join(dir, 'absent.yaml')
    const io = captureIo()
    expect(runPolicyCheck(file, RULES, io)).toBe(2)
    expect(io.err).toBe(`${file}: cannot read: no such file (ENOENT)\n`)
  })

  it('control characters in keys and in the file name are printed inert', () => {
    const file = join(dir, 'hostile\x1b[2J.yaml')
    writeFileSync(file, 'version: 1\n"evil\\e[2J": 1\n')
    const io = captureIo()
    expect(runPolicyCheck(file, RULES, io)).toBe(2)
    expect(io.err).toBe(`${join(dir, 'hostile\\x1b[2J.yaml')}:2: ["evil\\u001b[2J"]: unknown key\n`)
  })
})
