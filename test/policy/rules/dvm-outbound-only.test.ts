import { describe, expect, it } from 'vitest'
import { dvmOutboundOnly as rule } from '../../../src/policy/rules/dvm-outbound-only.js'
import { EXAMPLE_POLICY, context, flow, icmpError, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const OUT = '198.51.100.7'

describe('dvm-outbound-only', () => {
  it('reports inbound TCP SYNs per source and port, with every flow as evidence', () => {
    const obs = observations({
      flows: [
        flow({ initiator: [OUT, 50000], responder: [DVM, 3389], at: 10, frame: 5, history: 'S', state: 'S0' }),
        flow({ initiator: [OUT, 50001], responder: [DVM, 3389], at: 20, frame: 9, history: 'ShAD', state: 'S1' }),
        flow({ initiator: [DVM, 50002], responder: ['192.0.2.80', 443], at: 30, frame: 12 }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.status).toBe('evaluated')
    expect(out.findings.map((f) => f.key)).toEqual([`tcp ${OUT}>${DVM}:3389`])
    const f = out.findings[0]!
    expect(f.count).toBe(2)
    expect(f.evidence.map((w) => w.frame)).toEqual([5, 9])
    expect(f.filter).toBe(`ip.src == ${OUT} && ip.dst == ${DVM} && tcp.dstport == 3389 && tcp.flags.syn == 1 && tcp.flags.ack == 0`)
    expect(f.traffic).toEqual({ src: OUT, dst: DVM, proto: 'tcp', dstPort: 3389 })
    expect(f.severity).toBeUndefined()
    expect(out.reason).toContain('3 flows of the DVM')
  })

  it('reports UDP flows started from outside, and ICMP echo requests as low', () => {
    const obs = observations({
      flows: [
        flow({ proto: 'udp', initiator: [OUT, 40000], responder: [DVM, 161], at: 100, frame: 30 }),
        flow({ proto: 'icmp', initiator: [OUT, null], responder: [DVM, null], at: 110, frame: 40 }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.severity, f.filter, f.evidence.map((w) => w.frame)])).toEqual([
      [`udp ${OUT}>${DVM}:161`, undefined, `ip.src == ${OUT} && ip.dst == ${DVM} && udp.dstport == 161`, [30]],
      [`icmp ${OUT}>${DVM}`, 'low', `ip.src == ${OUT} && ip.dst == ${DVM} && icmp.type == 8`, [40]],
    ])
  })

  it('passes outbound flows, flows from inside the BMC network, flows without their SYN and ICMP errors', () => {
    const obs = observations({
      flows: [
        flow({ initiator: [DVM, 50000], responder: [OUT, 443], at: 1 }),
        flow({ initiator: ['10.10.0.30', 50000], responder: [DVM, 5985], at: 2 }),
        flow({ initiator: [OUT, 50000], responder: [DVM, 22], at: 3, history: 'Ad', initiatorInferred: true }),
        flow({ proto: 'icmp', initiator: ['192.0.2.1', null], responder: [DVM, null], at: 4, frame: 77 }),
      ],
      icmpErrors: [icmpError({ from: '192.0.2.1', to: DVM, quoted: [6, DVM, OUT, 50000, 443], at: 4, frame: 77 })],
    })
    const out = rule.evaluate(context(obs))
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
    expect(out.reason).toContain('1 TCP flow picked up without the SYN not judged')
  })

  it('does not take a DNS reply at the capture start for an inbound flow', () => {
    const obs = observations({ flows: [flow({ proto: 'udp', initiator: ['192.0.2.53', 53], responder: [DVM, 50123], at: 1 })] })
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { start: 0 })).findings).toEqual([])
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { start: -60 })).findings).toHaveLength(1)
  })

  it('judges only the deployment phase', () => {
    const late = observations({ flows: [flow({ initiator: [OUT, 50000], responder: [DVM, 3389], at: 3 * 3600, history: 'S', state: 'S0' })] })
    expect(rule.evaluate(context(late)).findings).toEqual([])
    expect(rule.evaluate(context(late, EXAMPLE_POLICY, { completeAt: null })).findings).toHaveLength(1)
  })

  it('is not evaluable without the DVM or the BMC network, or without a policy', () => {
    const obs = observations()
    expect(rule.evaluate(context(obs, null))).toMatchObject({ status: 'not-evaluable', reason: 'no policy: needs hosts.dvm and networks.bmc' })
    const noBmc = { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, bmc: undefined } }
    expect(rule.evaluate(context(obs, noBmc))).toMatchObject({ status: 'not-evaluable', reason: 'networks.bmc is not set' })
  })
})
