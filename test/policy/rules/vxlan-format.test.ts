import { describe, expect, it } from 'vitest'
import type { Policy } from '../../../src/policy/model.js'
import { vxlanFormat as rule } from '../../../src/policy/rules/vxlan-format.js'
import { EXAMPLE_POLICY, context, observations, tunnel } from '../../support/observations.js'

const PA: [string, string] = ['10.30.0.4', '10.30.0.5']
const run = (tunnels: ReturnType<typeof tunnel>[], policy: Policy | null = EXAMPLE_POLICY) => rule.evaluate(context(observations({ tunnels }), policy))
const frames = (f: { evidence: { frame: number }[] }) => f.evidence.map((w) => w.frame)

describe('vxlan-format', () => {
  it('reports VXLAN with the I flag clear, per outer pair, counting packets', () => {
    const out = run([tunnel({ outer: PA, flags: 0x00, packets: 3, frame: 10 }), tunnel({ outer: PA, flags: 0x0c, packets: 1, frame: 20, inner: null })])
    expect(out.findings).toHaveLength(1)
    const f = out.findings[0]!
    expect(f).toMatchObject({ key: 'i-flag 10.30.0.4>10.30.0.5', count: 3, filter: 'vxlan.flag_i == 0 && ip.src == 10.30.0.4 && ip.dst == 10.30.0.5' })
    expect(frames(f)).toEqual([10, 11, 12])
    expect(f.severity).toBeUndefined()
    expect(f.traffic).toEqual({ src: PA[0], dst: PA[1], proto: 'udp' })
  })

  it('reports VNIs outside 4096..16777214 and accepts both ends of the range', () => {
    const out = run([
      tunnel({ outer: PA, vni: 100, frame: 1, inner: ['10.1.0.1', '10.1.0.2'] }),
      tunnel({ outer: PA, vni: 16777215, frame: 2, inner: ['10.1.0.3', '10.1.0.4'] }),
      tunnel({ outer: PA, vni: 4096, frame: 3, inner: ['10.1.0.5', '10.1.0.6'] }),
      tunnel({ outer: PA, vni: 16777214, frame: 4, inner: ['10.1.0.7', '10.1.0.8'] }),
    ])
    expect(out.findings.map((f) => [f.key, frames(f)])).toEqual([
      ['vni 100 10.30.0.4>10.30.0.5', [1]],
      ['vni 16777215 10.30.0.4>10.30.0.5', [2]],
    ])
    expect(out.findings[0]!.filter).toBe('vxlan.vni == 100 && ip.src == 10.30.0.4 && ip.dst == 10.30.0.5')
  })

  it('reports outer addresses outside the provider network', () => {
    const out = run([tunnel({ outer: ['192.0.2.77', '10.30.0.5'], frame: 8 })])
    expect(out.findings.map((f) => [f.key, f.filter])).toEqual([['outer 192.0.2.77>10.30.0.5', 'vxlan && ip.src == 192.0.2.77 && ip.dst == 10.30.0.5']])
    expect(out.findings[0]!.message).toContain('192.0.2.77 outside the provider network 10.30.0.0/23')
  })

  it('reports the same inner pair under two VNIs (either direction) as medium', () => {
    const out = run([
      tunnel({ outer: PA, vni: 5000, inner: ['10.1.0.4', '10.1.0.5'], packets: 2, frame: 10 }),
      tunnel({ outer: ['10.30.0.5', '10.30.0.4'], vni: 5001, inner: ['10.1.0.5', '10.1.0.4'], packets: 1, frame: 30 }),
      tunnel({ outer: PA, vni: 5000, inner: ['10.1.0.9', '10.1.0.5'], frame: 40 }),
    ])
    expect(out.findings).toHaveLength(1)
    const f = out.findings[0]!
    expect(f).toMatchObject({ key: 'inner 10.1.0.4 10.1.0.5', severity: 'medium', count: 3, filter: 'vxlan && ip.addr == 10.1.0.4 && ip.addr == 10.1.0.5' })
    expect(frames(f)).toEqual([10, 11, 30])
    expect(f.message).toContain('2 VNIs (5000, 5001)')
  })

  it('passes well-formed VXLAN and ignores NVGRE', () => {
    const out = run([tunnel({ outer: PA, packets: 5 }), tunnel({ kind: 'nvgre', outer: ['192.0.2.1', '192.0.2.2'], vni: 7, frame: 9 })])
    expect(out).toMatchObject({ status: 'evaluated', findings: [], reason: '5 VXLAN packets in 1 tunnel group' })
  })

  it('is not evaluable without a policy or networks.pa', () => {
    expect(run([tunnel({ outer: PA, flags: 0 })], null).status).toBe('not-evaluable')
    const noPa = { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, pa: undefined } }
    expect(run([tunnel({ outer: PA, flags: 0 })], noPa)).toMatchObject({ status: 'not-evaluable', reason: 'networks.pa is not set' })
  })
})
