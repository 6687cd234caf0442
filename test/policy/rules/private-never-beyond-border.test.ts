import { describe, expect, it } from 'vitest'
import type { Policy } from '../../../src/policy/model.js'
import { privateNeverBeyondBorder as rule } from '../../../src/policy/rules/private-never-beyond-border.js'
import { EXAMPLE_POLICY, context, flow, observations, route } from '../../support/observations.js'
import type { Observations } from '../../../src/observe/model.js'

const run = (parts: Partial<Observations>, policy: Policy = EXAMPLE_POLICY) => rule.evaluate(context(observations(parts), policy))
const frames = (f: { evidence: { frame: number }[] }) => f.evidence.map((w) => w.frame)

describe('private-never-beyond-border', () => {
  it('reports packets to or from the private network at the border, one finding per pair, counting packets', () => {
    const out = run({
      flows: [
        flow({ initiator: ['172.16.1.5', 50001], responder: ['198.51.100.7', 443], frame: 10, packets: [3, 2] }),
        flow({ initiator: ['172.16.1.5', 50002], responder: ['198.51.100.7', 443], frame: 40, packets: [1, 0], state: 'S0', history: 'S' }),
        flow({ proto: 'udp', initiator: ['198.51.100.9', 5000], responder: ['172.16.2.9', 53], frame: 50, packets: [1, 1] }),
      ],
    })
    expect(out.findings.map((f) => [f.key, f.count, frames(f)])).toEqual([
      ['172.16.1.5>198.51.100.7', 6, [10, 40]],
      ['198.51.100.9>172.16.2.9', 2, [50]],
    ])
    expect(out.findings[0]!.filter).toBe('ip.addr == 172.16.1.5 && ip.addr == 198.51.100.7')
    expect(out.findings[0]!.traffic).toEqual({ src: '172.16.1.5', dst: '198.51.100.7', proto: 'tcp' })
    expect(out.findings[0]!.severity).toBeUndefined()
  })

  it('reports BGP announcements of prefixes inside the private network', () => {
    const out = run({
      routes: [
        route({ peer: '10.10.1.2', to: '10.10.1.1', prefix: '172.16.0.0/24', frame: 100, at: 1 }),
        route({ peer: '10.10.1.2', to: '10.10.1.1', prefix: '172.16.0.0/24', frame: 180, at: 9 }),
        route({ peer: '10.10.1.2', to: '10.10.1.1', prefix: '203.0.113.10/32', frame: 101, at: 1 }),
        // Withdraws announce nothing; an aggregate around the private /20 is not inside it.
        route({ kind: 'withdraw', peer: '10.10.1.2', to: '10.10.1.1', prefix: '172.16.1.0/24', frame: 102, at: 2 }),
        route({ peer: '10.10.1.2', to: '10.10.1.1', prefix: '172.16.0.0/12', frame: 103, at: 2 }),
      ],
    })
    expect(out.findings).toHaveLength(1)
    const f = out.findings[0]!
    expect(f.key).toBe('route 10.10.1.2 172.16.0.0/24')
    expect(f.count).toBe(2)
    expect(frames(f)).toEqual([100, 180])
    expect(f.filter).toBe('bgp.type == 2 && ip.src == 10.10.1.2 && bgp.nlri_prefix == 172.16.0.0 && bgp.prefix_length == 24')
  })

  it('passes on clean border traffic; tunnelled tenant addresses are not the private network', () => {
    const out = run({
      flows: [
        flow({ initiator: ['203.0.113.5', 50001], responder: ['198.51.100.7', 443] }),
        flow({ proto: 'udp', initiator: ['172.16.3.3', 1000], responder: ['172.16.3.4', 2000], vni: 5000 }),
      ],
    })
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
    expect(out.reason).toContain('2 flows')
  })

  it('is not evaluable inside the rack, without a policy or without networks.private', () => {
    const leak = { flows: [flow({ initiator: ['172.16.1.5', 50001], responder: ['198.51.100.7', 443] })] }
    const tor = run(leak, { ...EXAMPLE_POLICY, vantage: 'tor' })
    expect(tor.status).toBe('not-evaluable')
    expect(tor.reason).toContain('vantage is tor')
    expect(rule.evaluate(context(observations(leak), null)).status).toBe('not-evaluable')
    expect(run(leak, { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, private: undefined } }).status).toBe('not-evaluable')
  })
})
