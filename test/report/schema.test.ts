/**
 * schema/report.schema.json against real reports: analyzeCaptures in-process (one worker) on the
 * bundled sample with and without the example policy, and on small captures that make rules fail.
 * Then the schema's teeth: a missing key, a wrong status, an undocumented key, too many frames.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PcapngBuilder } from '../../src/capture/writer.js'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { loadPolicy, type LoadedPolicy } from '../../src/policy/load.js'
import { RULE_IDS } from '../../src/policy/rule-ids.js'
import type { Report } from '../../src/report/model.js'
import { reportSchema, validateReport } from '../../src/report/validate.js'
import { DVM, FORWARDER, T0, dnsFrame, examplePolicy, inboundRdpFrames, writePcap, wrongResolverFrames } from '../support/analyze-captures.js'

const SAMPLE = new URL('../../samples/border-mini.pcapng', import.meta.url).pathname
const SHARED_EXAMPLE = new URL('../../../shared/contract/policy.example.yaml', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'hubcap-report-schema-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function policyFile(name: string, text: string): LoadedPolicy {
  const file = join(dir, name)
  writeFileSync(file, text)
  return loadPolicy(file)
}

async function analyze(files: string[], policy: LoadedPolicy | null = null, stamp = false): Promise<Report> {
  return analyzeCaptures(files, { policy, workers: 1, failOn: 'high', progress: false, ...(stamp ? { stamp } : {}) })
}

/** The report as a reader gets it: through JSON, so undefined-valued keys are gone as they are in the file. */
const asJson = (r: Report): Record<string, unknown> => JSON.parse(JSON.stringify(r)) as Record<string, unknown>

describe('report schema: real reports validate', () => {
  it('the sample without a policy: every rule that needs inputs is not-evaluable', async () => {
    const report = await analyze([SAMPLE])
    expect(validateReport(asJson(report))).toEqual([])
    expect(report.policy).toBeNull()
    expect(report.rules.map((r) => r.id)).toEqual([...RULE_IDS])
    expect(report.rules.some((r) => r.status === 'not-evaluable')).toBe(true)
    expect(report.captures[0]!.firstTs).toMatch(/\.\d{9}Z$/)
  })

  it('the sample with the example policy (and --stamp: generatedAt is nine-digit ISO too)', async () => {
    const policy = policyFile('example.yaml', examplePolicy({ overrides: true }))
    const report = await analyze([SAMPLE], policy, true)
    expect(validateReport(asJson(report))).toEqual([])
    expect(report.policy).toMatchObject({ name: 'contoso-east-stamp1' })
    expect(report.generatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/)
    expect(report.rules.find((r) => r.id === 'ipv4-only')!.status).toBe('disabled')
    expect(report.phase).toMatchObject({ source: 'policy', deploymentComplete: '2026-11-20T14:00:00.000000000Z' })
    expect(report.endpoints.items.length).toBeGreaterThan(0)
  })

  it('the inline policy is the shared example policy, key for key', (ctx) => {
    if (!existsSync(SHARED_EXAMPLE)) ctx.skip(`${SHARED_EXAMPLE} is absent; the inline copy is used alone`)
    const inline = policyFile('inline.yaml', examplePolicy({ overrides: true }))
    expect(inline.policy).toEqual(loadPolicy(SHARED_EXAMPLE).policy)
  })

  it('captures with findings: inbound RDP to the DVM, DNS to a public resolver; findings cite frames per file', async () => {
    const policy = policyFile('plain.yaml', examplePolicy())
    const rdp = writePcap(dir, 'rdp.pcap', inboundRdpFrames())
    const dns = writePcap(dir, 'dns.pcap', [dnsFrame(DVM, FORWARDER, 'login.microsoftonline.com'), ...wrongResolverFrames()], T0 + 1)
    const report = await analyze([rdp, dns], policy)
    expect(validateReport(asJson(report))).toEqual([])
    const outbound = report.findings.find((f) => f.rule === 'dvm-outbound-only')
    expect(outbound).toMatchObject({ severity: 'high', file: rdp, frames: [1] })
    expect(outbound!.message).toContain('198.51.100.7')
    const resolver = report.findings.find((f) => f.rule === 'dvm-dns-to-forwarder')
    expect(resolver).toMatchObject({ file: dns, frames: [2] })
    expect(resolver!.message).toContain('8.8.8.8')
    expect(report.rules.find((r) => r.id === 'dvm-outbound-only')!.status).toBe('fail')
    expect(report.rules.find((r) => r.id === 'dvm-dns-to-forwarder')!.status).toBe('fail')
    expect(report.verdict.status).toBe('fail')
    expect(report.captures.map((c) => c.file)).toEqual([rdp, dns])
  })

  it('frames without a timestamp (pcapng simple packet blocks) give null times, not empty strings', async () => {
    const data = dnsFrame(DVM, '8.8.8.8', 'login.microsoftonline.com')
    const file = join(dir, 'spb.pcapng')
    writeFileSync(file, new PcapngBuilder('le').shb().idb({ linkType: 1, snaplen: 65535 }).spb({ data }).build())
    const report = await analyze([file], policyFile('spb.yaml', examplePolicy()))
    expect(validateReport(asJson(report))).toEqual([])
    expect(report.dns.resolvers[0]).toMatchObject({ server: '8.8.8.8', firstTs: null, lastTs: null })
  })
})

describe('report schema: what it rejects', () => {
  let base: Record<string, unknown>
  const copy = (): Record<string, unknown> => structuredClone(base)

  it('a valid base report with a finding (the cases below break one thing each)', async () => {
    const policy = policyFile('base.yaml', examplePolicy())
    const capture = writePcap(dir, 'base.pcap', inboundRdpFrames())
    base = asJson(await analyze([capture], policy))
    expect(validateReport(base)).toEqual([])
    expect((base.findings as unknown[]).length).toBeGreaterThan(0)
  })

  it('a missing top-level key', () => {
    const r = copy()
    delete r.verdict
    expect(validateReport(r)).toEqual(['/: must have required property \'verdict\''])
  })

  it('generatedAt is optional, but must be nine-digit ISO when present', () => {
    expect(validateReport({ ...copy(), generatedAt: '2026-11-20T14:00:00.000000000Z' })).toEqual([])
    expect(validateReport({ ...copy(), generatedAt: '2026-11-20T14:00:00.000Z' })).toEqual([
      '/generatedAt: must match pattern "^([0-9]{4}|[+-][0-9]{6})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$"',
    ])
  })

  it('a rule status outside pass, fail, not-evaluable, disabled; an unknown rule id', () => {
    const r = copy()
    const rules = r.rules as Array<Record<string, unknown>>
    rules[3]!.status = 'skipped'
    rules[5]!.id = 'dvm-outbound-onyl'
    const problems = validateReport(r)
    expect(problems).toContain('/rules/3/status: must be equal to one of the allowed values: "pass", "fail", "not-evaluable", "disabled"')
    expect(problems.some((p) => p.startsWith('/rules/5/id: must be equal to one of the allowed values: "dvm-outbound-only"'))).toBe(true)
    expect(problems).toHaveLength(2)
  })

  it('an extra key in a finding, and in a flow inside it', () => {
    const r = copy()
    const finding = (r.findings as Array<Record<string, unknown>>)[0]!
    finding.note = 'undocumented'
    ;(r.flows as { top: Array<Record<string, unknown>> }).top[0]!.tos = 0
    expect(validateReport(r)).toEqual(['/flows/top/0: unknown key "tos"', '/findings/0: unknown key "note"'])
  })

  it('21 frames in a finding; a frame 0; a file that is neither text nor null', () => {
    const r = copy()
    const finding = (r.findings as Array<Record<string, unknown>>)[0]!
    finding.frames = Array.from({ length: 21 }, (_, i) => i + 1)
    expect(validateReport(r)).toEqual(['/findings/0/frames: must NOT have more than 20 items'])
    finding.frames = [0]
    finding.file = 7
    expect(validateReport(r)).toEqual(['/findings/0/file: must be string,null', '/findings/0/frames/0: must be >= 1'])
  })

  it('a wrong schema id, a severity outside the five, a flow field missing, 23 rules', () => {
    const r = copy()
    r.schema = 'hubcap.report/2'
    ;(r.verdict as Record<string, unknown>).failOn = 'severe'
    const top = (r.flows as { top: Array<Record<string, unknown>> }).top
    delete top[0]!.history
    ;(r.rules as unknown[]).pop()
    expect(validateReport(r).sort()).toEqual([
      '/flows/top/0: must have required property \'history\'',
      '/rules: must NOT have fewer than 24 items',
      '/schema: must be equal to constant',
      '/verdict/failOn: must be equal to one of the allowed values: "critical", "high", "medium", "low", "info"',
    ])
  })

  it('lists the 24 rule ids of the catalog, in catalog order', () => {
    expect(reportSchema.$defs.ruleId.enum).toEqual([...RULE_IDS])
  })
})
