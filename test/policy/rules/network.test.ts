import { describe, expect, it } from 'vitest'
import { RULE_IDS } from '../../../src/policy/rule-ids.js'
import { NETWORK_RULES } from '../../../src/policy/rules/network.js'
import { context, observations } from '../../support/observations.js'

describe('NETWORK_RULES', () => {
  it('holds the 13 segmentation, BGP and encapsulation rules in catalog order', () => {
    const ids = NETWORK_RULES.map((r) => r.id)
    const start = RULE_IDS.indexOf('hlh-restricted')
    expect(ids).toEqual(RULE_IDS.slice(start, start + 13))
    expect(ids.at(-1)).toBe('underlay-mtu')
    expect(NETWORK_RULES.map((r) => r.group)).toEqual([
      ...Array(5).fill('segmentation'), ...Array(5).fill('bgp'), ...Array(3).fill('encapsulation'),
    ])
  })

  it('gives every rule its catalog severity, a description and a domain reference', () => {
    const severity = Object.fromEntries(NETWORK_RULES.map((r) => [r.id, r.severity]))
    expect(severity).toEqual({
      'hlh-restricted': 'high', 'mgmt-from-permitted-networks': 'high', 'private-never-beyond-border': 'high', 'ipv4-only': 'low',
      'inbound-vip-ports': 'high', 'bgp-session-health': 'high', 'bgp-established-no-updates': 'high', 'slb-vip-advertised': 'high',
      'bgp-unexpected-prefix': 'medium', 'sdn-mux-asn-2byte': 'high', 'vxlan-format': 'low', 'vxlan-not-at-border': 'medium', 'underlay-mtu': 'medium',
    })
    for (const r of NETWORK_RULES) {
      expect(r.description.length, r.id).toBeGreaterThan(10)
      expect(r.reference, r.id).toMatch(/^2\.[4-7]/)
    }
  })

  it('requires only inputs it lists, so policy check predicts not-evaluable as the evaluators decide it', () => {
    for (const r of NETWORK_RULES) for (const key of (r.requires ?? []).flat()) expect(r.inputs, r.id).toContain(key)
    const requires = Object.fromEntries(NETWORK_RULES.filter((r) => r.requires).map((r) => [r.id, r.requires]))
    expect(Object.keys(requires)).toEqual(['hlh-restricted', 'mgmt-from-permitted-networks', 'bgp-session-health', 'slb-vip-advertised', 'bgp-unexpected-prefix'])
  })

  it('without a policy, only the rules that need no input are evaluable', () => {
    const evaluable = NETWORK_RULES.filter((r) => r.evaluate(context(observations(), null)).status === 'evaluated').map((r) => r.id)
    expect(evaluable).toEqual(['ipv4-only', 'underlay-mtu'])
  })
})
