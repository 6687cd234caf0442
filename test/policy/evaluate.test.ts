/**
 * evaluate.ts applies the policy's rule overrides and allow entries the same way for every rule,
 * and the contract's evidence rules: merged drafts, first file's first 20 frames, stable order,
 * pass/fail from findings above info, a throwing evaluator contained.
 */
import { describe, expect, it } from 'vitest'
import { evaluateRules, MAX_EVIDENCE_FRAMES, verdictOf } from '../../src/policy/evaluate.js'
import type { Policy } from '../../src/policy/model.js'
import { evaluated, notEvaluable, type FindingDraft, type RuleDefinition } from '../../src/policy/rule.js'
import { at, context, EXAMPLE_POLICY, observations } from '../support/observations.js'

const draft = (key: string, frames: number[], extra: Partial<FindingDraft> = {}): FindingDraft => ({
  key, message: `problem ${key}`, count: frames.length, evidence: frames.map((f) => at(f, f)), filter: `frame.number in {${frames.join(' ')}}`, ...extra,
})

function rule(id: string, findings: FindingDraft[] | 'not-evaluable' | 'throw', severity: RuleDefinition['severity'] = 'high'): RuleDefinition {
  return {
    id, title: id, severity, group: 'deployment', inputs: [], description: '', reference: '',
    evaluate: () => {
      if (findings === 'throw') throw new Error('boom')
      return findings === 'not-evaluable' ? notEvaluable('no input') : evaluated(`examined ${findings.length}`, findings)
    },
  }
}

const run = (catalog: RuleDefinition[], policy: Policy = EXAMPLE_POLICY) => evaluateRules(context(observations(), policy), catalog)

describe('evaluateRules', () => {
  it('status: fail with a finding above info, pass with none or only info, not-evaluable and disabled as told', () => {
    const policy: Policy = { ...EXAMPLE_POLICY, rules: { off: { enabled: false } } }
    const r = run([
      rule('a', [draft('x', [3])]), rule('b', []), rule('c', [draft('y', [4], { severity: 'info' })]),
      rule('d', 'not-evaluable'), rule('off', [draft('z', [1])]),
    ], policy)
    expect(r.rules.map((x) => [x.id, x.status])).toEqual([['a', 'fail'], ['b', 'pass'], ['c', 'pass'], ['d', 'not-evaluable'], ['off', 'disabled']])
    expect(r.rules.find((x) => x.id === 'd')!.reason).toBe('no input')
    expect(r.findings.map((f) => f.rule)).toEqual(['a', 'c'])
  })

  it('merges drafts with one key, cites the first file\'s first 20 frames in order, first/last times over all evidence', () => {
    const many = Array.from({ length: 30 }, (_, i) => 100 - i)
    const other = { ...at(500, 7, 'b.pcap', 1) }
    const r = run([rule('a', [draft('k', many.slice(0, 10)), { ...draft('k', many.slice(10)), evidence: [...many.slice(10).map((f) => at(f, f)), other] }])])
    expect(r.findings).toHaveLength(1)
    const f = r.findings[0]!
    expect(f.count).toBe(30)
    expect(f.file).toBe('test.pcapng')
    expect(f.frames).toHaveLength(MAX_EVIDENCE_FRAMES)
    expect(f.frames).toEqual(Array.from({ length: 20 }, (_, i) => 71 + i))
    expect(f.firstTs).toBe(at(71).ts)
    expect(f.lastTs).toBe(other.ts)
  })

  it('a severity override applies to the rule and its findings; a draft\'s own severity stays', () => {
    const policy: Policy = { ...EXAMPLE_POLICY, rules: { a: { severity: 'critical' } } }
    const r = run([rule('a', [draft('x', [1]), draft('echo', [2], { severity: 'low' })])], policy)
    expect(r.rules[0]!.severity).toBe('critical')
    expect(r.findings.map((f) => [f.message, f.severity])).toEqual([['problem x', 'critical'], ['problem echo', 'low']])
  })

  it('allow entries suppress matching findings of their rule only; suppressed ones are counted and listed with why', () => {
    const policy: Policy = { ...EXAMPLE_POLICY, allow: [{ rule: 'a', src: '10.10.0.30', dst: '192.0.2.0/28', proto: 'tcp', dstPort: 443, why: 'OEM update server' }] }
    const hit = draft('x', [1], { traffic: { src: '10.10.0.30', dst: '192.0.2.10', proto: 'tcp', dstPort: 443 } })
    const wrongPort = draft('y', [2], { traffic: { src: '10.10.0.30', dst: '192.0.2.10', proto: 'tcp', dstPort: 80 } })
    const noTraffic = draft('z', [3])
    const r = run([rule('a', [hit, wrongPort, noTraffic]), rule('b', [{ ...hit, key: 'x2' }])], policy)
    expect(r.findings.map((f) => [f.rule, f.message])).toEqual([['a', 'problem y'], ['a', 'problem z'], ['b', 'problem x']])
    expect(r.suppressed).toEqual([{ rule: 'a', severity: 'high', message: 'problem x', count: 1, why: 'OEM update server' }])
    expect(r.rules[0]).toMatchObject({ status: 'fail', findings: 2, suppressed: 1 })
    const onlyAllowed = run([rule('a', [hit])], policy)
    expect(onlyAllowed.rules[0]!.status).toBe('pass')
  })

  it('orders findings by severity, rule id, file, first frame', () => {
    const r = run([
      rule('b', [draft('1', [9]), draft('2', [3])], 'medium'),
      rule('a', [draft('3', [5]), draft('4', [1], { severity: 'critical' })], 'medium'),
    ])
    expect(r.findings.map((f) => `${f.severity} ${f.rule} ${f.frames[0]}`)).toEqual(['critical a 1', 'medium a 5', 'medium b 3', 'medium b 9'])
  })

  it('an evaluator that throws makes its rule not-evaluable with the error, and the others still run', () => {
    const r = run([rule('bad', 'throw'), rule('good', [draft('x', [1])])])
    expect(r.rules[0]).toMatchObject({ id: 'bad', status: 'not-evaluable' })
    expect(r.rules[0]!.reason).toMatch(/evaluator failed.*boom/)
    expect(r.rules[1]!.status).toBe('fail')
  })

  it('verdict: fail when a finding is at or above --fail-on; counts per severity', () => {
    const r = run([rule('a', [draft('x', [1], { severity: 'medium' }), draft('y', [2], { severity: 'info' })])])
    expect(verdictOf(r.findings, 'high')).toEqual({ status: 'pass', failOn: 'high', counts: { critical: 0, high: 0, medium: 1, low: 0, info: 1 } })
    expect(verdictOf(r.findings, 'medium').status).toBe('fail')
    expect(verdictOf(r.findings, 'info').status).toBe('fail')
  })
})
