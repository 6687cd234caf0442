import { describe, expect, it } from 'vitest'
import type { Observations } from '../../../src/observe/model.js'
import type { Policy } from '../../../src/policy/model.js'
import { sdnMuxAsn2byte as rule } from '../../../src/policy/rules/sdn-mux-asn-2byte.js'
import { EXAMPLE_POLICY, bgpOpen, bgpSession, context, observations } from '../../support/observations.js'

const TOR_POLICY: Policy = { ...EXAMPLE_POLICY, vantage: 'tor' }
const MUX = '10.30.0.7'
const LOOPBACK = '10.10.1.40'
const sessionWith = (...opens: ReturnType<typeof bgpOpen>[]) => bgpSession({ a: [MUX], b: [LOOPBACK], opens })
const run = (parts: Partial<Observations>, policy: Policy = TOR_POLICY) => rule.evaluate(context(observations(parts), policy))

describe('sdn-mux-asn-2byte', () => {
  it('reports a MUX OPEN with AS_TRANS and a 4-byte ASN', () => {
    const out = run({ bgpSessions: [sessionWith(bgpOpen({ from: MUX, myAs: 23456, as4: 4200000000, frame: 12 }), bgpOpen({ from: LOOPBACK, myAs: 64651, frame: 13 }))] })
    expect(out.findings).toHaveLength(1)
    const f = out.findings[0]!
    expect(f.key).toBe('10.30.0.7 23456/4200000000')
    expect(f.evidence.map((w) => w.frame)).toEqual([12])
    expect(f.filter).toBe('bgp.type == 1 && ip.src == 10.30.0.7 && bgp.open.myas == 23456')
    expect(f.message).toContain('4-byte AS 4200000000')
  })

  it('reports a MUX configured with slbAsn above 65535', () => {
    const policy: Policy = { ...TOR_POLICY, bgp: { ...TOR_POLICY.bgp, slbAsn: 4200000000 } }
    const out = run({ bgpSessions: [sessionWith(bgpOpen({ from: MUX, myAs: 23456, as4: 4200000000, frame: 3 }))] }, policy)
    expect(out.findings.map((f) => f.key)).toEqual(['10.30.0.7 23456/4200000000'])
  })

  it('passes a 2-byte MUX ASN (also when the 4-octet capability carries it), and never judges TOR or border OPENs', () => {
    const out = run({
      bgpSessions: [
        sessionWith(bgpOpen({ from: MUX, myAs: 64652, as4: 64652 }), bgpOpen({ from: LOOPBACK, myAs: 64651 })),
        bgpSession({ a: ['10.10.1.2'], b: ['10.10.1.1'], opens: [bgpOpen({ from: '10.10.1.1', myAs: 23456, as4: 4200000001 })] }),
      ],
    })
    expect(out).toMatchObject({ status: 'evaluated', findings: [], reason: '3 BGP OPENs, 1 from MUXes' })
  })

  it('is not evaluable at the border vantage, without a policy or without slbAsn', () => {
    const mux = { bgpSessions: [sessionWith(bgpOpen({ from: MUX, myAs: 23456, as4: 4200000000 }))] }
    const border = run(mux, EXAMPLE_POLICY)
    expect(border.status).toBe('not-evaluable')
    expect(border.reason).toContain('vantage is border')
    expect(rule.evaluate(context(observations(mux), null)).status).toBe('not-evaluable')
    expect(run(mux, { ...TOR_POLICY, bgp: { ...TOR_POLICY.bgp, slbAsn: undefined } }).reason).toBe('bgp.slbAsn is not set')
    expect(run(mux, { ...TOR_POLICY, vantage: 'host' }).findings).toHaveLength(1)
  })
})
