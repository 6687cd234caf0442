import { describe, expect, it } from 'vitest'
import type { Policy } from '../../../src/policy/model.js'
import { vxlanNotAtBorder as rule } from '../../../src/policy/rules/vxlan-not-at-border.js'
import { EXAMPLE_POLICY, at, context, observations, tunnel } from '../../support/observations.js'

const run = (tunnels: ReturnType<typeof tunnel>[], policy: Policy | null = EXAMPLE_POLICY) => rule.evaluate(context(observations({ tunnels }), policy))

describe('vxlan-not-at-border', () => {
  it('reports VXLAN and NVGRE at the border, one finding per kind and outer pair; plain GRE is not HNV', () => {
    const out = run([
      tunnel({ outer: ['10.30.0.4', '10.30.0.5'], vni: 5000, packets: 2, frame: 10 }),
      tunnel({ outer: ['10.30.0.4', '10.30.0.5'], vni: 5001, packets: 1, frame: 20, inner: ['10.1.0.8', '10.1.0.9'] }),
      tunnel({ kind: 'nvgre', outer: ['10.30.0.6', '10.30.0.7'], vni: 6000, frame: 30 }),
      tunnel({ kind: 'gre', outer: ['198.51.100.1', '203.0.113.80'], frame: 40 }),
    ])
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      ['vxlan 10.30.0.4>10.30.0.5', 3, [10, 11, 20], 'vxlan && ip.src == 10.30.0.4 && ip.dst == 10.30.0.5'],
      ['nvgre 10.30.0.6>10.30.0.7', 1, [30], 'gre && ip.src == 10.30.0.6 && ip.dst == 10.30.0.7'],
    ])
    expect(out.findings[0]!.message).toContain('VNI 5000, 5001')
    expect(out.findings[0]!.traffic).toEqual({ src: '10.30.0.4', dst: '10.30.0.5', proto: 'udp' })
    expect(out.findings[1]!.traffic).toEqual({ src: '10.30.0.6', dst: '10.30.0.7' })
  })

  it('cites the kept frames and then the last packet when the kept frames stop early', () => {
    const t = { ...tunnel({ outer: ['10.30.0.4', '10.30.0.5'], packets: 50, frame: 100 }), last: at(9, 999) }
    const evidence = run([t]).findings[0]!.evidence
    expect(evidence).toHaveLength(21)
    expect(evidence[0]!.frame).toBe(100)
    expect(evidence[20]).toEqual(at(9, 999))
  })

  it('passes a border capture without tunnels', () => {
    expect(run([])).toMatchObject({ status: 'evaluated', findings: [], reason: '0 VXLAN/NVGRE packets at the border' })
  })

  it('is not evaluable inside the rack or without a policy', () => {
    const t = [tunnel({ outer: ['10.30.0.4', '10.30.0.5'] })]
    expect(run(t, { ...EXAMPLE_POLICY, vantage: 'tor' })).toMatchObject({ status: 'not-evaluable' })
    expect(run(t, { ...EXAMPLE_POLICY, vantage: 'host' }).reason).toContain('vantage is host')
    expect(run(t, null).status).toBe('not-evaluable')
  })
})
