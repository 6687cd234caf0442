import { describe, expect, it } from 'vitest'
import type { Policy } from '../../../src/policy/model.js'
import { mgmtFromPermittedNetworks as rule } from '../../../src/policy/rules/mgmt-from-permitted-networks.js'
import { EXAMPLE_POLICY, context, flow, observations } from '../../support/observations.js'

const run = (flows: ReturnType<typeof flow>[], policy: Policy = EXAMPLE_POLICY) => rule.evaluate(context(observations({ flows }), policy))
const frames = (f: { evidence: { frame: number }[] }) => f.evidence.map((w) => w.frame)
const withNetworks = (n: Partial<NonNullable<Policy['networks']>>): Policy => ({ ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, ...n } })

describe('mgmt-from-permitted-networks', () => {
  it('reports answered sessions to switch management, the HLH and the BMC network from outside permitted', () => {
    const out = run([
      flow({ initiator: ['198.51.100.20', 50001], responder: ['10.10.1.58', 22], frame: 10 }),
      flow({ initiator: ['198.51.100.20', 50002], responder: ['10.10.1.58', 22], frame: 20 }),
      flow({ initiator: ['198.51.100.20', 50003], responder: ['10.10.0.30', 443], frame: 30 }),
      flow({ proto: 'udp', initiator: ['198.51.100.21', 50004], responder: ['10.10.0.2', 623], frame: 40, packets: [1, 1] }),
    ])
    expect(out.findings.map((f) => [f.key, f.count, frames(f)])).toEqual([
      ['198.51.100.20>10.10.1.58 tcp/22', 2, [10, 20]],
      ['198.51.100.20>10.10.0.30 tcp/443', 1, [30]],
      ['198.51.100.21>10.10.0.2 udp/623', 1, [40]],
    ])
    const [ssh, hlh, ipmi] = out.findings
    expect(ssh!.filter).toBe('ip.src == 198.51.100.20 && ip.dst == 10.10.1.58 && tcp.dstport == 22')
    expect(ssh!.message).toContain('switch management 10.10.1.58')
    expect(ssh!.severity).toBeUndefined()
    expect(hlh!.message).toContain('the HLH 10.10.0.30')
    expect(ipmi!.traffic).toEqual({ src: '198.51.100.21', dst: '10.10.0.2', proto: 'udp', dstPort: 623 })
  })

  it('does not report unanswered attempts (the ACL works), permitted sources or the stamp\'s own networks', () => {
    const out = run([
      flow({ initiator: ['198.51.100.20', 50001], responder: ['10.10.1.58', 22], state: 'S0', history: 'S', packets: [3, 0] }),
      flow({ proto: 'udp', initiator: ['198.51.100.21', 50002], responder: ['10.10.0.2', 623], packets: [2, 0], history: 'D', state: 'S0' }),
      flow({ initiator: ['192.0.2.10', 50003], responder: ['10.10.1.58', 22] }),
      flow({ initiator: ['10.20.0.5', 50004], responder: ['10.10.0.2', 443] }),
      flow({ initiator: ['10.10.0.29', 50005], responder: ['10.10.0.2', 443] }),
    ])
    expect(out.findings).toEqual([])
    expect(out.reason).toBe('5 sessions to switch management, the HLH or the BMC network; 2 from outside the permitted networks, 0 of them answered')
  })

  it('treats an empty permitted list as "nobody" (blank means access is denied)', () => {
    const out = run([flow({ initiator: ['192.0.2.10', 50003], responder: ['10.10.1.58', 22], frame: 7 })], withNetworks({ permitted: [] }))
    expect(out.findings.map((f) => f.key)).toEqual(['192.0.2.10>10.10.1.58 tcp/22'])
  })

  it('is not evaluable without a policy, switchMgmt, bmc or the permitted key', () => {
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
    expect(run([], withNetworks({ switchMgmt: undefined })).status).toBe('not-evaluable')
    expect(run([], withNetworks({ bmc: undefined })).status).toBe('not-evaluable')
    const out = run([], withNetworks({ permitted: undefined }))
    expect(out.status).toBe('not-evaluable')
    expect(out.reason).toContain('networks.permitted')
  })
})
