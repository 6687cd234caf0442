import { describe, expect, it } from 'vitest'
import { dvmRemovedAfterDeploy as rule } from '../../../src/policy/rules/dvm-removed-after-deploy.js'
import { EXAMPLE_POLICY, T0, context, flow, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const DONE = 2 * 3600
const AFTER = DONE + 1800

describe('dvm-removed-after-deploy', () => {
  it('reports flows of the DVM after completion + grace, citing the first packet after it', () => {
    const obs = observations({
      flows: [
        flow({ initiator: [DVM, 50000], responder: ['192.0.2.80', 443], at: AFTER + 10, frame: 500, lastFrame: 510 }),
        flow({ initiator: [DVM, 50001], responder: ['192.0.2.80', 443], at: AFTER + 20, frame: 520 }),
        // Began in the grace window and went on after it: its last packet is the evidence.
        flow({ proto: 'udp', initiator: ['192.0.2.9', 40000], responder: [DVM, 161], at: AFTER - 100, last: AFTER + 5, frame: 300, lastFrame: 505 }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`tcp ${DVM}>192.0.2.80`, 2, [500, 520], `ip.addr == ${DVM} && ip.addr == 192.0.2.80 && frame.time_epoch >= ${T0 + AFTER}`],
      [`udp 192.0.2.9>${DVM}`, 1, [505], `ip.addr == ${DVM} && ip.addr == 192.0.2.9 && frame.time_epoch >= ${T0 + AFTER}`],
    ])
    expect(out.findings[1]!.traffic).toEqual({ src: '192.0.2.9', dst: DVM, proto: 'udp' })
  })

  it('judges nothing inside the grace window', () => {
    const obs = observations({ flows: [flow({ initiator: [DVM, 50000], responder: ['192.0.2.80', 443], at: DONE + 10, last: AFTER - 1 })] })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('is not evaluable without the DVM, without completeAt, or when the capture ends too early', () => {
    const obs = observations()
    expect(rule.evaluate(context(obs, { ...EXAMPLE_POLICY, hosts: {} }))).toMatchObject({ status: 'not-evaluable', reason: 'hosts.dvm is not set' })
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { completeAt: null })).status).toBe('not-evaluable')
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { end: AFTER - 1 })).status).toBe('not-evaluable')
    expect(rule.evaluate(context(obs, null)).status).toBe('not-evaluable')
  })
})
