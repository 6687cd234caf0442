import { describe, expect, it } from 'vitest'
import { ntpToConfiguredServer as rule } from '../../../src/policy/rules/ntp-to-configured-server.js'
import { EXAMPLE_POLICY, context, ntp, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const SW = '10.10.1.58'
const NTP = '192.0.2.123'

describe('ntp-to-configured-server', () => {
  it('reports requests to another server, unanswered requests and unsynchronised replies', () => {
    const obs = observations({
      ntp: [
        ntp({ client: [DVM], server: ['198.51.100.123'], at: 1, frame: 2 }),
        ntp({ client: [SW], server: [NTP], at: 2, frame: 3, reply: { after: 4.9, frame: 4 } }),
        ntp({ client: [SW], server: [NTP], at: 10, frame: 6, reply: { after: 5.1, frame: 9 } }),
        ntp({ client: ['10.10.0.5'], server: [NTP], at: 20, frame: 11 }),
        ntp({ client: ['203.0.113.5'], server: [NTP], at: 30, frame: 12, reply: { stratum: 16, frame: 13 } }),
        ntp({ client: ['203.0.113.5'], server: [NTP], at: 31, frame: 14, reply: { leap: 3, frame: 15 } }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`other ${DVM}>198.51.100.123`, 1, [2], `ip.src == ${DVM} && ip.dst == 198.51.100.123 && udp.dstport == 123`],
      [`noreply ${SW}>${NTP}`, 1, [6], 'frame.number in {6}'],
      ['noreply 10.10.0.5>192.0.2.123', 1, [11], 'frame.number in {11}'],
      [`unsync ${NTP}>203.0.113.5`, 2, [13, 15],
        `ip.src == ${NTP} && ip.dst == 203.0.113.5 && udp.srcport == 123 && (ntp.stratum == 0 || ntp.stratum == 16 || ntp.flags.li == 3)`],
    ])
    expect(out.findings[3]!.message).toBe(`the time server ${NTP} answered 203.0.113.5 unsynchronised (stratum 16, leap indicator 0)`)
    expect(out.reason).toBe('6 NTP requests from the DVM, the BMC network, the switches and the public VIPs')
  })

  it('passes answered requests, mode 4 traffic and requests from elsewhere', () => {
    const obs = observations({
      ntp: [
        ntp({ client: [DVM], server: [NTP], at: 1, reply: {} }),
        ntp({ client: ['192.0.2.99'], server: ['198.51.100.123'], at: 2 }),
        ntp({ client: [DVM], server: ['198.51.100.123'], mode: 4, at: 3 }),
      ],
    })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('skips an unanswered request the capture does not follow for 5 s', () => {
    const obs = observations({ ntp: [ntp({ client: [DVM], server: [NTP], at: 98 })] })
    const out = rule.evaluate(context(obs, EXAMPLE_POLICY, { end: 100 }))
    expect(out.findings).toEqual([])
    expect(out.reason).toContain('1 request less than 5 s before the capture end not judged')
  })

  it('is not evaluable without ntpServers or without a policy', () => {
    const none = { ...EXAMPLE_POLICY, hosts: { dvm: DVM } }
    expect(rule.evaluate(context(observations(), none))).toMatchObject({ status: 'not-evaluable', reason: 'hosts.ntpServers is not set' })
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
  })
})
