import { describe, expect, it } from 'vitest'
import { dnsNtpSourceMovesToVip as rule } from '../../../src/policy/rules/dns-ntp-source-moves-to-vip.js'
import { EXAMPLE_POLICY, T0, context, dns, ntp, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const VIP = '203.0.113.5'
const FWD = '192.0.2.53'
const NTP = '192.0.2.123'
// EXAMPLE_POLICY: completeAt = T0 + 2 h, grace 1800 s.
const DONE = 2 * 3600
const AFTER = DONE + 1800
const AFTER_EPOCH = String(T0 + AFTER)

describe('dns-ntp-source-moves-to-vip', () => {
  it('reports DNS and NTP from the DVM after completion + grace, with a time-bounded filter', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: [FWD], name: 'a.example', at: AFTER + 5, frame: 100 }),
        dns({ client: [VIP, 50001], server: [FWD], name: 'b.example', at: DONE + 10, frame: 50 }),
      ],
      ntp: [ntp({ client: [DVM], server: [NTP], at: AFTER + 60, frame: 120 })],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`dns ${DVM}>${FWD}`, [100], `ip.src == ${DVM} && ip.dst == ${FWD} && udp.dstport == 53 && frame.time_epoch >= ${AFTER_EPOCH}`],
      [`ntp ${DVM}>${NTP}`, [120], `ip.src == ${DVM} && ip.dst == ${NTP} && udp.dstport == 123 && frame.time_epoch >= ${AFTER_EPOCH}`],
    ])
    expect(out.findings[0]!.message).toBe(
      `the DVM ${DVM} still sent DNS to the forwarder ${FWD} after deployment completed (from 2026-11-20T14:30:00.000Z) (names: a.example)`)
  })

  it('judges nothing inside the grace window', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: [FWD], name: 'a.example', at: DONE + 1799, frame: 100 }),
        dns({ client: [VIP, 50001], server: [FWD], name: 'b.example', at: DONE + 10, frame: 50 }),
      ],
      ntp: [ntp({ client: [DVM], server: [NTP], at: DONE + 1, frame: 120 })],
    })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('says (info) when no VIP-sourced DNS is seen after completion', () => {
    const obs = observations({ dns: [dns({ client: [VIP, 50001], server: [FWD], name: 'b.example', at: DONE - 10, frame: 50 })] })
    const out = rule.evaluate(context(obs))
    expect(out.findings).toEqual([{
      key: 'no-vip-dns',
      severity: 'info',
      message: 'no DNS query from the public VIPs (203.0.113.0/24) to the forwarders was seen after deployment completed (2026-11-20T14:00:00.000Z)',
      count: 0,
      evidence: [],
      filter: `ip.src == 203.0.113.0/24 && ip.dst in {192.0.2.53 192.0.2.54} && (udp.dstport == 53 || tcp.dstport == 53) && frame.time_epoch >= ${T0 + DONE}`,
    }])
  })

  it('is not evaluable without completeAt, when the capture ends inside the grace window, or without inputs', () => {
    const obs = observations()
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { completeAt: null })).status).toBe('not-evaluable')
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { end: AFTER - 1 }))).toMatchObject({
      status: 'not-evaluable',
      reason: 'the capture ends at 2026-11-20T14:29:59.000Z, before deployment completion + grace (2026-11-20T14:30:00.000Z)',
    })
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { end: AFTER })).status).toBe('evaluated')
    expect(rule.evaluate(context(obs, { ...EXAMPLE_POLICY, hosts: { dnsForwarders: [FWD] } }))).toMatchObject({
      status: 'not-evaluable', reason: 'hosts.dvm is not set',
    })
    expect(rule.evaluate(context(obs, null)).status).toBe('not-evaluable')
  })
})
