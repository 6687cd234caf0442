import { describe, expect, it } from 'vitest'
import type { Observations } from '../../../src/observe/model.js'
import type { Policy } from '../../../src/policy/model.js'
import { bgpUnexpectedPrefix as rule } from '../../../src/policy/rules/bgp-unexpected-prefix.js'
import { EXAMPLE_POLICY, context, observations, route } from '../../support/observations.js'

const TOR = '10.10.1.2'
const BORDER = '10.10.1.1'
const run = (parts: Partial<Observations>, policy: Policy = EXAMPLE_POLICY) => rule.evaluate(context(observations(parts), policy))
const fromTor = (prefix: string, frame: number) => route({ peer: TOR, to: BORDER, prefix, frame, at: frame })

describe('bgp-unexpected-prefix', () => {
  it('reports Azure Stack announcements outside the routable networks, per speaker and prefix', () => {
    const out = run({
      routes: [
        fromTor('203.0.113.10/32', 1), fromTor('10.20.0.0/24', 2), fromTor('10.10.0.0/26', 3), fromTor('10.10.1.0/26', 4), fromTor('10.10.1.56/29', 5),
        fromTor('198.51.100.0/24', 10), fromTor('198.51.100.0/24', 20), fromTor('0.0.0.0/0', 30), fromTor('2001:db8::/32', 40),
      ],
    })
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame)])).toEqual([
      ['10.10.1.2 198.51.100.0/24', 2, [10, 20]],
      ['10.10.1.2 0.0.0.0/0', 1, [30]],
      ['10.10.1.2 2001:db8::/32', 1, [40]],
    ])
    const [dc, dflt, v6] = out.findings
    expect(dc!.filter).toBe('bgp.type == 2 && ip.src == 10.10.1.2 && bgp.nlri_prefix == 198.51.100.0 && bgp.prefix_length == 24')
    expect(dc!.traffic).toEqual({ src: TOR, dst: BORDER, proto: 'tcp' })
    expect(dflt!.message).toContain('the default route 0.0.0.0/0')
    expect(v6!.filter).toBe('frame.number in {40}')
    expect(out.reason).toBe('9 announcements from the Azure Stack side (2 speakers), 4 outside the routable networks')
  })

  it('does not judge the border\'s routes, withdraws, or private prefixes (private-never-beyond-border\'s, and normal inside the rack)', () => {
    const out = run({
      routes: [
        route({ peer: BORDER, to: TOR, prefix: '0.0.0.0/0', asPath: [64512] }),
        route({ peer: BORDER, to: TOR, prefix: '198.51.100.0/24', asPath: [64512] }),
        route({ kind: 'withdraw', peer: TOR, to: BORDER, prefix: '198.51.100.0/24' }),
        fromTor('172.16.0.0/25', 5),
      ],
    })
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('tells the Azure Stack side by AS_PATH when the speaker is not a configured TOR', () => {
    const mux = route({ peer: '10.30.0.7', to: TOR, prefix: '192.0.2.0/24', asPath: [64652], frame: 7 })
    expect(run({ routes: [mux] }).findings.map((f) => f.key)).toEqual(['10.30.0.7 192.0.2.0/24'])
  })

  it('is not evaluable without a policy, a routable network, or a way to tell the Azure Stack side', () => {
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
    const noInfra = run({}, { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, infrastructure: undefined, private: undefined } })
    expect(noInfra).toMatchObject({ status: 'not-evaluable', reason: 'networks.private, networks.infrastructure not set' })
    expect(run({}, { ...EXAMPLE_POLICY, bgp: {} }).status).toBe('not-evaluable')
  })
})
