import { describe, expect, it } from 'vitest'
import { azureCommsViaVip as rule } from '../../../src/policy/rules/azure-comms-via-vip.js'
import type { Where } from '../../../src/observe/model.js'
import { EXAMPLE_POLICY, T0, at, context, flow, observations, tls } from '../../support/observations.js'

const HLH = '10.10.0.30'
const OEM = '10.10.0.19'
const VIP = '203.0.113.5'
const LOGIN = '20.190.1.10'
const DONE = 2 * 3600
const AFTER = DONE + 1800
const bound: Where = at(1, 1)

const bindings = [{ name: 'login.microsoftonline.com', address: LOGIN, at: bound }]

describe('azure-comms-via-vip', () => {
  it('reports connections to required endpoints from the BMC and private networks after completion + grace', () => {
    const obs = observations({
      dnsBindings: bindings,
      tls: [tls({ client: [VIP, 50000], server: ['192.0.2.91'], sni: 'graph.windows.net', at: 5 })],
      flows: [
        flow({ initiator: [HLH, 50000], responder: [LOGIN, 443], at: AFTER + 10, frame: 600 }),
        flow({ initiator: ['172.16.0.9', 50001], responder: ['192.0.2.91', 443], at: AFTER + 20, frame: 610 }),
        flow({ initiator: [OEM, 50002], responder: [LOGIN, 443], at: AFTER + 30, frame: 620 }),
        flow({ initiator: [VIP, 50003], responder: [LOGIN, 443], at: AFTER + 40, frame: 630 }),
        flow({ initiator: [HLH, 50004], responder: ['192.0.2.99', 443], at: AFTER + 50, frame: 640 }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`${HLH}>${LOGIN}:443`, [600], `ip.src == ${HLH} && ip.dst == ${LOGIN} && tcp.dstport == 443 && frame.time_epoch >= ${T0 + AFTER}`],
      ['172.16.0.9>192.0.2.91:443', [610], `ip.src == 172.16.0.9 && ip.dst == 192.0.2.91 && tcp.dstport == 443 && frame.time_epoch >= ${T0 + AFTER}`],
    ])
    expect(out.findings[0]!.message).toContain(`${HLH} in the BMC network reached login.microsoftonline.com (Identity)`)
    expect(out.findings[1]!.traffic).toEqual({ src: '172.16.0.9', dst: '192.0.2.91', proto: 'tcp', dstPort: 443 })
  })

  it('judges nothing during deployment or inside the grace window', () => {
    const obs = observations({
      dnsBindings: bindings,
      flows: [
        flow({ initiator: [HLH, 50000], responder: [LOGIN, 443], at: 10 }),
        flow({ initiator: [HLH, 50001], responder: [LOGIN, 443], at: DONE + 100, last: AFTER - 1 }),
      ],
    })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('is not evaluable without the BMC network, without completeAt, or when the capture ends too early', () => {
    const obs = observations()
    const noBmc = { ...EXAMPLE_POLICY, networks: { publicVip: '203.0.113.0/24' } }
    expect(rule.evaluate(context(obs, noBmc))).toMatchObject({ status: 'not-evaluable', reason: 'networks.bmc is not set' })
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { completeAt: null })).status).toBe('not-evaluable')
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { end: AFTER - 1 })).status).toBe('not-evaluable')
    expect(rule.evaluate(context(obs, null)).status).toBe('not-evaluable')
  })
})
