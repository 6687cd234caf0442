import { describe, expect, it } from 'vitest'
import { ntpClientMode as rule } from '../../../src/policy/rules/ntp-client-mode.js'
import { EXAMPLE_POLICY, context, ntp, observations } from '../../support/observations.js'

const NTP = '192.0.2.123'
const VIP = '203.0.113.5'

const obs = observations({
  ntp: [
    ntp({ client: [VIP], server: [NTP], mode: 1, at: 1, frame: 3 }),
    ntp({ client: [VIP], server: [NTP], mode: 1, at: 65, frame: 30 }),
    ntp({ client: ['10.10.0.29'], server: [NTP], mode: 3, at: 2, frame: 5 }),
  ],
})

describe('ntp-client-mode', () => {
  it('reports symmetric-active requests to a non-Windows server', () => {
    const out = rule.evaluate(context(obs))
    expect(out.findings).toHaveLength(1)
    expect(out.findings[0]).toMatchObject({
      key: `${VIP}>${NTP}`, count: 2, filter: `ip.src == ${VIP} && ip.dst == ${NTP} && ntp.flags.mode == 1`,
      traffic: { src: VIP, dst: NTP, proto: 'udp', dstPort: 123 },
    })
    expect(out.findings[0]!.evidence.map((w) => w.frame)).toEqual([3, 30])
    expect(out.reason).toBe('3 NTP requests to the non-Windows time server, 2 in mode 1')
  })

  it('passes client mode, and any mode toward a Windows server', () => {
    const clientOnly = observations({ ntp: [ntp({ client: [VIP], server: [NTP], mode: 3, at: 1 })] })
    expect(rule.evaluate(context(clientOnly))).toMatchObject({ status: 'evaluated', findings: [] })
    const windows = { ...EXAMPLE_POLICY, hosts: { ...EXAMPLE_POLICY.hosts, ntpServerIsWindows: true } }
    expect(rule.evaluate(context(obs, windows))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('is not evaluable without ntpServerIsWindows or without a policy', () => {
    const unknown = { ...EXAMPLE_POLICY, hosts: { ...EXAMPLE_POLICY.hosts, ntpServerIsWindows: undefined } }
    expect(rule.evaluate(context(obs, unknown))).toMatchObject({ status: 'not-evaluable', reason: 'hosts.ntpServerIsWindows is not set' })
    expect(rule.evaluate(context(obs, null)).status).toBe('not-evaluable')
  })
})
