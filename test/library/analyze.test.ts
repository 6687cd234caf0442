/**
 * analyze() of src/index.ts in-process: the CLI's analysis with the CLI's options, a policy given
 * as a file or as an object (validated exactly as a file), and errors thrown, never printed.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { analyze, CaptureError, POLICY_OBJECT_NAME, PolicyError, reportJson, type Policy } from '../../src/index.js'
import { loadPolicy } from '../../src/policy/load.js'

const sample = (f: string) => fileURLToPath(new URL(`../../samples/${f}`, import.meta.url))
const CAPTURE = sample('dns-ntp-from-dvm-after-completion.pcapng')
const POLICY = sample('dns-ntp-from-dvm-after-completion.policy.yaml')
const policyObject = (): Policy => parse(readFileSync(POLICY, 'utf8'), { version: '1.2', schema: 'core' }) as Policy

describe('analyze (the library entry point)', () => {
  it('returns the report the CLI path builds for the same captures, policy and options', async () => {
    const lib = await analyze([CAPTURE], { policy: POLICY, workers: 1, failOn: 'medium' })
    const cli = await analyzeCaptures([CAPTURE], { policy: loadPolicy(POLICY), workers: 1, failOn: 'medium', progress: false })
    expect(reportJson(lib)).toBe(reportJson(cli))
    expect(lib.verdict.failOn).toBe('medium')
    expect(lib.rules.filter((r) => r.status === 'fail').map((r) => r.id).sort()).toEqual(['dns-ntp-source-moves-to-vip', 'dvm-removed-after-deploy'])
  })

  it('takes the policy as an object: the same rules and findings, the report naming it', async () => {
    const fromFile = await analyze([CAPTURE], { policy: POLICY, workers: 1 })
    const fromObject = await analyze([CAPTURE], { policy: policyObject(), workers: 1 })
    expect(fromObject.rules).toEqual(fromFile.rules)
    expect(fromObject.findings).toEqual(fromFile.findings)
    expect(fromObject.policy).toMatchObject({ file: POLICY_OBJECT_NAME, name: 'scenario-dns-ntp-from-dvm-after-completion' })
    expect(fromObject.policy!.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('validates a policy object as a file is: every problem at once, as a PolicyError naming the object', async () => {
    const bad = { ...policyObject(), hosts: { ...policyObject().hosts, dvm: '10.10.0' }, vantage: 'roof' } as unknown as Policy
    const err = await analyze([CAPTURE], { policy: bad, workers: 1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PolicyError)
    const problems = (err as PolicyError).problems.join('\n')
    expect(problems).toMatch(/hosts\.dvm/)
    expect(problems).toMatch(/vantage/)
    expect((err as PolicyError).file).toBe(POLICY_OBJECT_NAME)
    const inconsistent = { ...policyObject(), deployment: { completeAt: 'yesterday' } } as unknown as Policy
    await expect(analyze([CAPTURE], { policy: inconsistent, workers: 1 })).rejects.toBeInstanceOf(PolicyError)
    await expect(analyze([CAPTURE], { policy: [] as unknown as Policy, workers: 1 })).rejects.toBeInstanceOf(PolicyError)
  })

  it('without a policy: no policy in the report, the policy rules not evaluable', async () => {
    const r = await analyze([CAPTURE], { workers: 1 })
    expect(r.policy).toBeNull()
    expect(r.rules.filter((x) => x.status === 'fail')).toEqual([])
  })

  it('throws for bad options and inputs instead of printing', async () => {
    await expect(analyze([], {})).rejects.toBeInstanceOf(TypeError)
    await expect(analyze([CAPTURE], { failOn: 'urgent' as never })).rejects.toBeInstanceOf(RangeError)
    await expect(analyze([CAPTURE], { workers: 0 })).rejects.toBeInstanceOf(RangeError)
    await expect(analyze([CAPTURE], { workers: 1.5 })).rejects.toBeInstanceOf(RangeError)
    await expect(analyze([CAPTURE], { vxlanPorts: [70000] })).rejects.toBeInstanceOf(RangeError)
    await expect(analyze([CAPTURE], { policy: sample('no-such.policy.yaml') })).rejects.toBeInstanceOf(PolicyError)
    await expect(analyze([sample('no-such.pcapng')], { workers: 1 })).rejects.toBeInstanceOf(CaptureError)
  })
})
