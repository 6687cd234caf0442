import { describe, expect, it } from 'vitest'
import type { Observations } from '../../../src/observe/model.js'
import type { Policy } from '../../../src/policy/model.js'
import { slbVipAdvertised as rule } from '../../../src/policy/rules/slb-vip-advertised.js'
import { EXAMPLE_POLICY, bgpOpen, bgpSession, context, flow, observations, route } from '../../support/observations.js'

const TOR1 = '10.10.1.2'
const TOR2 = '10.10.1.6'
const BORDER = '10.10.1.1'
const VIP = '203.0.113.10'
const VIP2 = '203.0.113.11'
const TENANT = '203.0.113.74'
const session = bgpSession({ a: [TOR1], b: [BORDER], keepalives: 5, opens: [bgpOpen({ from: TOR1, myAs: 64651 })] })
const run = (parts: Partial<Observations>, policy: Policy = EXAMPLE_POLICY) =>
  rule.evaluate(context(observations({ bgpSessions: [session], ...parts }), policy))
const announce = (peer: string, prefix: string, at: number, frame: number) => route({ peer, to: BORDER, prefix, at, frame })
const withdraw = (peer: string, prefix: string, at: number, frame: number) => route({ kind: 'withdraw', peer, to: BORDER, prefix, at, frame })
const keys = (o: { findings: { key: string }[] }) => o.findings.map((f) => f.key)
const withTenant: Policy = { ...EXAMPLE_POLICY, bgp: { ...EXAMPLE_POLICY.bgp, expectedVips: [VIP, VIP2, TENANT] } }

describe('slb-vip-advertised', () => {
  it('reports an expected VIP the Azure Stack side never announced, with a filter that shows the missing UPDATE', () => {
    const out = run({ routes: [announce(TOR1, `${VIP}/32`, 1, 10)] })
    expect(keys(out)).toEqual([`never ${VIP2}`])
    const f = out.findings[0]!
    expect(f).toMatchObject({ count: 1, evidence: [], filter: `bgp.type == 2 && bgp.nlri_prefix == ${VIP2}`, traffic: { dst: VIP2 } })
    expect(f.severity).toBeUndefined()
  })

  it('counts an aggregate from the TOR as covering, but never a default route from the border', () => {
    expect(run({ routes: [announce(TOR1, '203.0.113.0/24', 1, 10)] }).findings).toEqual([])
    const border = route({ peer: BORDER, to: TOR1, prefix: '0.0.0.0/0', asPath: [64512], frame: 11 })
    expect(keys(run({ routes: [border] }))).toEqual([`never ${VIP}`, `never ${VIP2}`])
    // A default route from the Azure Stack side covers nothing either.
    expect(keys(run({ routes: [announce(TOR1, '0.0.0.0/0', 1, 12)] }))).toEqual([`never ${VIP}`, `never ${VIP2}`])
  })

  it('only the Azure Stack side announces: the border\'s /32 does not count, a MUX with slbAsn in its AS_PATH does', () => {
    const fromBorder = route({ peer: BORDER, to: TOR1, prefix: `${VIP2}/32`, asPath: [64512], frame: 11 })
    const fromMux = route({ peer: '10.30.0.7', to: TOR1, prefix: `${VIP}/32`, asPath: [64652], frame: 12 })
    expect(keys(run({ routes: [fromBorder, fromMux] }))).toEqual([`never ${VIP2}`])
  })

  it('withdrawn then re-announced: no finding; traffic inside the gap is reported, before and after it is not', () => {
    const out = run({
      routes: [announce(TOR1, `${VIP}/32`, 10, 10), announce(TOR1, `${VIP2}/32`, 10, 11), withdraw(TOR1, `${VIP}/32`, 20, 20), announce(TOR1, `${VIP}/32`, 30, 30)],
      flows: [
        flow({ initiator: ['198.51.100.7', 50001], responder: [VIP, 443], at: 5, frame: 5 }),
        flow({ initiator: ['198.51.100.7', 50002], responder: [VIP, 443], at: 25, frame: 25, state: 'S0', history: 'S' }),
        flow({ initiator: ['198.51.100.8', 50003], responder: [VIP, 443], at: 26, frame: 26, state: 'S0', history: 'S' }),
        flow({ initiator: ['198.51.100.7', 50004], responder: [VIP, 443], at: 35, frame: 35 }),
      ],
    })
    expect(keys(out)).toEqual([`no-route ${VIP}`])
    const f = out.findings[0]!
    expect(f.count).toBe(2)
    expect(f.evidence.map((w) => w.frame)).toEqual([25, 26])
    expect(f.filter).toBe(`ip.dst == ${VIP} && frame.number in {25 26}`)
    expect(f.flow?.firstFrame).toBe(25)
  })

  it('withdrawn for good: critical for an infrastructure VIP, the rule severity for a tenant VIP', () => {
    const out = run({
      routes: [
        announce(TOR1, `${VIP}/32`, 10, 10), announce(TOR1, `${VIP2}/32`, 10, 11), announce(TOR1, `${TENANT}/32`, 10, 12),
        withdraw(TOR1, `${VIP}/32`, 20, 60), withdraw(TOR1, `${TENANT}/32`, 21, 61),
      ],
    }, withTenant)
    expect(out.findings.map((f) => [f.key, f.severity, f.count, f.evidence.map((w) => w.frame)])).toEqual([
      [`withdrawn ${VIP}`, 'critical', 1, [60]],
      [`withdrawn ${TENANT}`, undefined, 1, [61]],
    ])
    expect(out.findings[0]!.filter).toBe(`bgp.type == 2 && ip.src == ${TOR1} && bgp.withdrawn_prefix == ${VIP} && bgp.prefix_length == 32`)
    expect(out.findings[0]!.message).toContain('infrastructure VIP')
  })

  it('ECMP: one TOR withdrawing leaves the route; when the last one withdraws, both withdraws are the evidence', () => {
    const routes = [
      announce(TOR1, `${VIP}/32`, 10, 10), announce(TOR2, `${VIP}/32`, 10, 11), announce(TOR1, `${VIP2}/32`, 10, 12),
      withdraw(TOR1, `${VIP}/32`, 20, 20),
    ]
    expect(run({ routes }).findings).toEqual([])
    const out = run({ routes: [...routes, withdraw(TOR2, `${VIP}/32`, 30, 30)] })
    expect(keys(out)).toEqual([`withdrawn ${VIP}`])
    expect(out.findings[0]!.evidence.map((w) => w.frame)).toEqual([20, 30])
    expect(out.findings[0]!.filter).toBe(`bgp.type == 2 && (ip.src == ${TOR1} || ip.src == ${TOR2}) && bgp.withdrawn_prefix == ${VIP} && bgp.prefix_length == 32`)
  })

  it('a withdraw with no announcement in the capture means it was announced before: withdrawn, not "never announced"', () => {
    const out = run({ routes: [announce(TOR1, `${VIP2}/32`, 1, 5), withdraw(TOR1, `${VIP}/32`, 20, 20)] })
    expect(keys(out)).toEqual([`withdrawn ${VIP}`])
  })

  it('an aggregate withdrawn takes the route of every VIP it covered', () => {
    const out = run({ routes: [announce(TOR1, '203.0.113.0/24', 1, 5), withdraw(TOR1, '203.0.113.0/24', 20, 20)] })
    expect(keys(out)).toEqual([`withdrawn ${VIP}`, `withdrawn ${VIP2}`])
  })

  it('is not evaluable when the capture shows no BGP from the Azure Stack side, or inputs are missing', () => {
    const none = rule.evaluate(context(observations({}), EXAMPLE_POLICY))
    expect(none.status).toBe('not-evaluable')
    expect(none.reason).toContain('session start')
    expect(rule.evaluate(context(observations({ bgpSessions: [session] }), null)).status).toBe('not-evaluable')
    expect(run({}, { ...EXAMPLE_POLICY, bgp: { ...EXAMPLE_POLICY.bgp, expectedVips: [] } }).status).toBe('not-evaluable')
    expect(run({}, { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, publicVip: undefined } }).status).toBe('not-evaluable')
    expect(run({}, { ...EXAMPLE_POLICY, bgp: { expectedVips: [VIP] } }).reason).toContain('cannot tell the Azure Stack side')
  })

  it('with a session start seen but nothing announced, every expected VIP is missing', () => {
    const out = run({})
    expect(keys(out)).toEqual([`never ${VIP}`, `never ${VIP2}`])
    expect(out.reason).toBe('2 expected VIPs, 0 route events from the Azure Stack side (2 speakers), 0 flows to VIPs')
  })
})
