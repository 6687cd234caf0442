import { describe, expect, it } from 'vitest'
import { formatPolicySummary, summarizePolicy, type RuleInputsInfo } from '../../src/policy/check.js'
import { parsePolicyText } from '../../src/policy/load.js'
import type { Policy } from '../../src/policy/model.js'
import { policyTemplate } from '../../src/policy/template.js'

const RULES: RuleInputsInfo[] = [
  { id: 'dvm-outbound-only', title: 'DVM outbound only', severity: 'high', inputs: ['hosts.dvm', 'networks.bmc'] },
  { id: 'vxlan-format', title: 'VXLAN format', severity: 'low', inputs: ['networks.pa'] },
  { id: 'bgp-session-health', title: 'BGP sessions', severity: 'high', inputs: ['bgp.peers', 'bgp.azsAsn', 'bgp.borderAsn', 'bgp.md5'] },
  { id: 'ipv4-only', title: 'IPv4 only', severity: 'low', inputs: [] },
  { id: 'azure-comms-via-vip', title: 'Azure via VIP', severity: 'high', inputs: ['networks.bmc', 'networks.infraVip', 'deployment.completeAt'] },
  { id: 'vxlan-not-at-border', title: 'No VXLAN at the border', severity: 'medium', inputs: ['vantage'] },
]

const policy = (yaml: string): Policy => parsePolicyText(`version: 1\n${yaml}`, 'p.yaml')
const rule = (s: ReturnType<typeof summarizePolicy>, id: string) => s.rules.find((r) => r.id === id)!

describe('summarizePolicy', () => {
  it('lists a rule whose inputs are missing as will-be-not-evaluable, with what is missing', () => {
    const s = summarizePolicy(policy('hosts: {dvm: 10.10.0.29}\n'), RULES)
    expect(rule(s, 'dvm-outbound-only')).toMatchObject({
      enabled: true,
      willBeNotEvaluable: true,
      missing: ['networks.bmc'],
      inputs: [{ path: 'hosts.dvm', state: 'present', needed: true }, { path: 'networks.bmc', state: 'missing', needed: true }],
    })
    expect(rule(s, 'ipv4-only')).toMatchObject({ willBeNotEvaluable: false, missing: [] })
  })

  it('an empty list is missing; false and 0 are present', () => {
    const s = summarizePolicy(policy('bgp: {peers: [], azsAsn: 0, borderAsn: 64512, md5: false}\n'), RULES)
    expect(rule(s, 'bgp-session-health').missing).toEqual(['bgp.peers'])
  })

  it('shows a disabled rule as disabled, never as not-evaluable, and a severity override', () => {
    const s = summarizePolicy(policy('rules:\n  vxlan-format: {enabled: false}\n  dvm-outbound-only: {severity: critical}\n'), RULES)
    expect(rule(s, 'vxlan-format')).toMatchObject({ enabled: false, willBeNotEvaluable: false, missing: ['networks.pa'] })
    expect(rule(s, 'dvm-outbound-only')).toMatchObject({ enabled: true, severityOverride: 'critical', defaultSeverity: 'high' })
  })

  it('counts defaults as present: vantage, infraVip from publicVip', () => {
    const s = summarizePolicy(policy('networks: {bmc: 10.10.0.0/26, publicVip: 203.0.113.0/24}\ndeployment: {completeAt: auto}\n'), RULES)
    expect(rule(s, 'azure-comms-via-vip')).toMatchObject({ willBeNotEvaluable: false })
    expect(rule(s, 'azure-comms-via-vip').inputs[1]).toEqual({ path: 'networks.infraVip', state: 'default', note: 'default 203.0.113.0/27, the first /27 of publicVip', needed: true })
    expect(rule(s, 'vxlan-not-at-border').inputs).toEqual([{ path: 'vantage', state: 'default', note: 'default border', needed: true }])
    expect(s.networks).toContainEqual({ key: 'infraVip', cidrs: ['203.0.113.0/27'], note: 'default: the first /27 of publicVip' })
  })

  it('an input that is not a policy key makes the rule not-evaluable and says so', () => {
    const s = summarizePolicy(policy(''), [{ id: 'x', title: 'X', inputs: ['hosts.dvmm'] }])
    expect(s.rules[0]).toMatchObject({ willBeNotEvaluable: true, inputs: [{ path: 'hosts.dvmm', state: 'unknown', note: 'not a policy key', needed: true }] })
  })

  it('with `requires`, a rule needs one key of each group and nothing else', () => {
    const proxy: RuleInputsInfo = {
      id: 'no-explicit-proxy', title: 'No explicit proxy',
      inputs: ['hosts.dvm', 'networks.publicVip', 'hosts.explicitProxies'],
      requires: [['hosts.dvm', 'networks.publicVip']],
    }
    const ok = summarizePolicy(policy('networks: {publicVip: 203.0.113.0/24}\nhosts: {explicitProxies: []}\n'), [proxy]).rules[0]!
    expect(ok).toMatchObject({ willBeNotEvaluable: false, missing: [] })
    expect(ok.inputs[2]).toEqual({ path: 'hosts.explicitProxies', state: 'missing', needed: false })
    const none = summarizePolicy(policy(''), [proxy]).rules[0]!
    expect(none).toMatchObject({ willBeNotEvaluable: true, missing: ['one of hosts.dvm, networks.publicVip'] })
    const text = formatPolicySummary(summarizePolicy(policy(''), [proxy]))
    expect(text).toContain('no-explicit-proxy  enabled, will be not-evaluable: missing one of hosts.dvm, networks.publicVip\n')
    expect(text).toContain('inputs: hosts.dvm missing, networks.publicVip missing, hosts.explicitProxies missing (optional)\n')
  })

  it('notes overrides of rules outside the given list', () => {
    const s = summarizePolicy(policy('rules: {underlay-mtu: {enabled: false}}\n'), RULES)
    expect(s.unmatchedOverrides).toEqual(['underlay-mtu'])
  })

  it('collects networks, host roles, BGP and deployment from the template', () => {
    const s = summarizePolicy(parsePolicyText(policyTemplate(), 't.yaml'), RULES)
    expect(s.name).toBe('my-stamp')
    expect(s.networks.find((x) => x.key === 'permitted')).toEqual({ key: 'permitted', cidrs: ['192.0.2.0/25'] })
    expect(s.hosts.map((x) => x.role)).toEqual(['dvm', 'hlh', 'hlhBmc', 'oemToolVms', 'dnsForwarders', 'ntpServers'])
    expect(s.bgp).toMatchObject({ borderAsn: 64512, azsAsn: 64651, slbAsn: 64652, md5: false })
    expect(s.deployment).toEqual({ completeAt: '2026-11-20T14:00:00Z', graceSeconds: 1800, graceDefaulted: false })
    expect(s.rules.filter((r) => r.willBeNotEvaluable)).toEqual([])
  })
})

describe('formatPolicySummary', () => {
  it('prints networks, roles, BGP, deployment and each rule with its inputs', () => {
    const text = formatPolicySummary(summarizePolicy(parsePolicyText(policyTemplate(), 't.yaml'), RULES))
    expect(text).toContain('Policy "my-stamp": valid\n')
    expect(text).toContain('  bmc                10.10.0.0/26\n')
    expect(text).toContain('  ntpServers         192.0.2.123 (not Windows)\n')
    expect(text).toContain('  ASNs               border 64512, Azure Stack 64651, SLB 64652\n')
    expect(text).toContain('  peers              border 10.10.1.1 <-> TOR 10.10.1.2\n                     border 10.10.1.5 <-> TOR 10.10.1.6\n')
    expect(text).toContain('  completeAt         2026-11-20T14:00:00Z, grace 1800 s\n')
    expect(text).toContain('Rules: 6 (5 evaluable, 1 disabled, 0 will be not-evaluable)\n')
    expect(text).toContain('  dvm-outbound-only    enabled, severity critical (policy override of high)\n')
    expect(text).toContain('                       inputs: hosts.dvm present, networks.bmc present\n')
  })

  it('says which rules will be not-evaluable and which are disabled', () => {
    const text = formatPolicySummary(summarizePolicy(policy('rules: {ipv4-only: {enabled: false}}\n'), RULES))
    expect(text).toContain('Rules: 6 (1 evaluable, 1 disabled, 4 will be not-evaluable)\n')
    expect(text).toContain('  dvm-outbound-only    enabled, severity high, will be not-evaluable: missing hosts.dvm, networks.bmc\n')
    expect(text).toContain('  ipv4-only            disabled by the policy, severity low\n')
    expect(text).toContain('  completeAt         (not given: phase-transition rules will be not-evaluable), grace 1800 s (default)\n')
    expect(text).toContain('Networks\n  (none given)\n')
  })

  it('keeps control characters in values inert', () => {
    const text = formatPolicySummary(summarizePolicy(policy('name: "evil\\e[2Jname"\nallow: [{rule: ipv4-only, dst: 192.0.2.1, why: "a\\rb"}]\n'), RULES))
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/)
    expect(text).toContain('(why: a\\x0db)')
  })
})
