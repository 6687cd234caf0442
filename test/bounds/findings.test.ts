/**
 * The report's two bounds on findings (src/policy/evaluate.ts): at most MAX_EVIDENCE_FRAMES frames
 * cited per finding (the first ones), and at most MAX_FINDINGS_PER_RULE distinct findings per rule
 * (the rest counted in the rule's `truncated`). Both provoked: one through a real capture and
 * analyze, one through a rule that reports more distinct problems than the bound.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { evaluateRules, MAX_EVIDENCE_FRAMES, MAX_FINDINGS_PER_RULE } from '../../src/policy/evaluate.js'
import { loadPolicy } from '../../src/policy/load.js'
import { evaluated, type FindingDraft, type RuleDefinition } from '../../src/policy/rule.js'
import { DVM, examplePolicy, synFrame, writePcap } from '../support/analyze-captures.js'
import { at, context, EXAMPLE_POLICY, observations } from '../support/observations.js'

describe('findings bounds', () => {
  it(`a finding seen in 45 frames cites the first ${MAX_EVIDENCE_FRAMES} and counts all 45 (analyze on a capture)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubcap-bounds-'))
    // 45 inbound SYNs to the DVM's RDP port from one outside host: one problem, 45 times.
    const file = writePcap(dir, 'rdp.pcap', Array.from({ length: 45 }, (_, i) => synFrame('198.51.100.7', DVM, 40000 + i, 3389)))
    writeFileSync(join(dir, 'policy.yaml'), examplePolicy())
    const report = await analyzeCaptures([file], { policy: loadPolicy(join(dir, 'policy.yaml')), workers: 1, failOn: 'high', progress: false })
    const f = report.findings.filter((x) => x.rule === 'dvm-outbound-only')
    expect(f.length).toBeGreaterThan(0)
    const total = f.reduce((n, x) => n + x.count, 0)
    expect(total).toBe(45)
    const biggest = f.reduce((a, b) => (b.count > a.count ? b : a))
    expect(biggest.count).toBeGreaterThan(MAX_EVIDENCE_FRAMES)
    expect(biggest.frames).toHaveLength(MAX_EVIDENCE_FRAMES)
    expect(biggest.frames[0]).toBe(Math.min(...f.flatMap((x) => x.frames)))
  })

  it(`a rule with ${MAX_FINDINGS_PER_RULE + 7} distinct findings keeps ${MAX_FINDINGS_PER_RULE} and counts 7 as truncated`, () => {
    const n = MAX_FINDINGS_PER_RULE + 7
    const drafts: FindingDraft[] = Array.from({ length: n }, (_, i) => ({
      key: `k${i}`, message: `problem ${String(i).padStart(5, '0')}`, count: 1, evidence: [at(i + 1, i + 1)], filter: `frame.number == ${i + 1}`,
    }))
    const flood: RuleDefinition = {
      id: 'flood', title: 'flood', severity: 'high', group: 'deployment', inputs: [], description: '', reference: '',
      evaluate: () => evaluated(`examined ${n}`, drafts),
    }
    const r = evaluateRules(context(observations(), EXAMPLE_POLICY), [flood])
    expect(r.findings).toHaveLength(MAX_FINDINGS_PER_RULE)
    expect(r.rules[0]).toMatchObject({ id: 'flood', status: 'fail', findings: MAX_FINDINGS_PER_RULE, truncated: 7 })
    // The kept ones are the first in the report's order, not an arbitrary subset.
    expect(r.findings[0]!.frames).toEqual([1])
  })
})
