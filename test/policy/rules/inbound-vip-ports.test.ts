import { describe, expect, it } from 'vitest'
import type { Policy } from '../../../src/policy/model.js'
import { inboundVipPorts as rule } from '../../../src/policy/rules/inbound-vip-ports.js'
import { EXAMPLE_POLICY, context, flow, observations } from '../../support/observations.js'

const run = (flows: ReturnType<typeof flow>[], policy: Policy = EXAMPLE_POLICY) => rule.evaluate(context(observations({ flows }), policy))
const unanswered = { state: 'S0', history: 'S', packets: [2, 0] as [number, number] }

describe('inbound-vip-ports', () => {
  it('reports SYNs to infrastructure VIPs on unpublished ports: low unanswered, the rule severity (high) answered', () => {
    const out = run([
      flow({ initiator: ['198.51.100.7', 50001], responder: ['203.0.113.5', 8443], frame: 10, ...unanswered }),
      flow({ initiator: ['198.51.100.7', 50002], responder: ['203.0.113.5', 8443], frame: 12, ...unanswered }),
      flow({ initiator: ['198.51.100.7', 50003], responder: ['203.0.113.5', 3389], frame: 20 }),
      flow({ initiator: ['198.51.100.8', 50004], responder: ['203.0.113.6', 30015], frame: 30, ...unanswered }),
    ])
    expect(out.findings.map((f) => [f.key, f.severity, f.count, f.evidence.map((w) => w.frame)])).toEqual([
      ['198.51.100.7>203.0.113.5:8443', 'low', 2, [10, 12]],
      ['198.51.100.7>203.0.113.5:3389', undefined, 1, [20]],
      ['198.51.100.8>203.0.113.6:30015', 'low', 1, [30]],
    ])
    expect(rule.severity).toBe('high')
    const [, rdp, stale] = out.findings
    expect(rdp!.filter).toBe('ip.src == 198.51.100.7 && ip.dst == 203.0.113.5 && tcp.dstport == 3389')
    expect(rdp!.traffic).toEqual({ src: '198.51.100.7', dst: '203.0.113.5', proto: 'tcp', dstPort: 3389 })
    expect(rdp!.message).toContain('1 answered')
    expect(stale!.message).toContain('retired by the Extension Host')
  })

  it('passes published ports, tenant VIPs outside the /27, sources inside the stamp and UDP', () => {
    const out = run([
      flow({ initiator: ['198.51.100.7', 50001], responder: ['203.0.113.5', 443] }),
      flow({ initiator: ['198.51.100.7', 50002], responder: ['203.0.113.5', 44303] }),
      flow({ initiator: ['198.51.100.7', 50003], responder: ['203.0.113.5', 53] }),
      flow({ initiator: ['198.51.100.7', 50004], responder: ['203.0.113.100', 8443] }),
      flow({ initiator: ['10.20.0.5', 50005], responder: ['203.0.113.5', 5986] }),
      flow({ proto: 'udp', initiator: ['198.51.100.7', 50006], responder: ['203.0.113.5', 9999] }),
    ])
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
    expect(out.reason).toBe('3 inbound TCP sessions to infrastructure VIPs from outside the stamp; 0 on unpublished ports')
  })

  it('derives the infrastructure VIPs from publicVip when infraVip is not set', () => {
    const policy = { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, infraVip: undefined } }
    const out = run([flow({ initiator: ['198.51.100.7', 50001], responder: ['203.0.113.30', 22], ...unanswered })], policy)
    expect(out.findings.map((f) => f.key)).toEqual(['198.51.100.7>203.0.113.30:22'])
  })

  it('is not evaluable without a policy or any VIP network', () => {
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
    const policy = { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, infraVip: undefined, publicVip: undefined } }
    expect(run([], policy).status).toBe('not-evaluable')
  })
})
