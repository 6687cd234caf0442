import { describe, expect, it } from 'vitest'
import { decidePhase, parseInstant } from '../../src/policy/phase.js'
import { PolicyView } from '../../src/policy/view.js'
import type { Policy } from '../../src/policy/model.js'
import { EXAMPLE_POLICY, T0, at, dns, ntp, observations } from '../support/observations.js'

const DVM = '10.10.0.29'
const VIP = '203.0.113.5'
const FWD = '192.0.2.53'
const spans = [{ fileIndex: 0, file: 'test.pcapng', first: at(0, 1), last: at(5000, 900) }]
const auto: Policy = { ...EXAMPLE_POLICY, deployment: { completeAt: 'auto', graceSeconds: 600 } }

describe('decidePhase', () => {
  it('takes completeAt from the policy, with the capture range and grace', () => {
    const p = decidePhase(observations({ spans }), new PolicyView(EXAMPLE_POLICY))
    expect(p).toEqual({
      completeAt: T0 + 7200, graceSeconds: 1800, source: 'policy',
      evidence: ['deployment.completeAt in the policy: 2026-11-20T14:00:00Z'],
      captureStart: T0, captureEnd: T0 + 5000,
    })
  })

  it('detects the handover from the DVM to the infrastructure VIPs and cites both requests', () => {
    const obs = observations({
      spans,
      dns: [
        dns({ client: [VIP, 50000], server: [FWD], name: 'early.example', at: 100, frame: 10 }),
        dns({ client: [DVM, 50001], server: [FWD], name: 'a.example', at: 2000, frame: 812 }),
        dns({ client: ['203.0.113.200', 50002], server: [FWD], name: 'tenant.example', at: 2001, frame: 813 }),
        dns({ client: [VIP, 50003], server: [FWD], name: 'b.example', at: 2100, frame: 815 }),
      ],
      ntp: [ntp({ client: [DVM], server: ['192.0.2.123'], at: 1500, frame: 700 })],
    })
    const p = decidePhase(obs, new PolicyView(auto))
    expect(p.source).toBe('detected')
    expect(p.completeAt).toBe(T0 + 2100)
    expect(p.graceSeconds).toBe(600)
    expect(p.evidence).toEqual([
      `last DNS query from ${DVM} in test.pcapng frame 812 at 2026-11-20T12:33:20.000000000Z`,
      `first infrastructure VIP DNS query from ${VIP} in test.pcapng frame 815 at 2026-11-20T12:35:00.000000000Z: deployment complete`,
    ])
  })

  it('finds nothing when the DVM is still the last to ask, or never asks', () => {
    const stillDvm = observations({ spans, dns: [dns({ client: [DVM, 50001], server: [FWD], name: 'a.example', at: 2000, frame: 812 })] })
    const p = decidePhase(stillDvm, new PolicyView(auto))
    expect(p).toMatchObject({ completeAt: null, source: 'none' })
    expect(p.evidence[0]).toContain('no DNS or NTP request from the infrastructure VIPs after it')
    const q = decidePhase(observations({ spans }), new PolicyView(auto))
    expect(q).toMatchObject({ completeAt: null, source: 'none', evidence: ['completeAt auto: no DNS or NTP request from the DVM in the capture'] })
  })

  it('says none without a policy or a completeAt, and NaN capture times without spans', () => {
    const p = decidePhase(observations(), null)
    expect(p).toMatchObject({ completeAt: null, source: 'none', evidence: ['no policy'], graceSeconds: 1800 })
    expect(p.captureStart).toBeNaN()
    expect(p.captureEnd).toBeNaN()
    const unset = decidePhase(observations({ spans }), new PolicyView({ version: 1 }))
    expect(unset).toMatchObject({ source: 'none', evidence: ['deployment.completeAt is not set'] })
  })

  it('parses instants with offsets and nine fractional digits', () => {
    expect(parseInstant('2026-11-20T14:00:00.123456789Z')).toBeCloseTo(T0 + 7200.123456789, 6)
    expect(parseInstant('2026-11-20T15:00:00+01:00')).toBe(T0 + 7200)
    expect(parseInstant('yesterday')).toBeNaN()
  })
})
