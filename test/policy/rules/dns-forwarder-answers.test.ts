import { describe, expect, it } from 'vitest'
import { dnsForwarderAnswers as rule } from '../../../src/policy/rules/dns-forwarder-answers.js'
import { EXAMPLE_POLICY, context, dns, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const VIP = '203.0.113.5'
const F1 = '192.0.2.53'
const F2 = '192.0.2.54'

describe('dns-forwarder-answers', () => {
  it('reports queries without an answer within 5 s, and SERVFAIL/REFUSED responses', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: [F1], name: 'ok.example', at: 1, frame: 2, response: { after: 4.9, frame: 3 } }),
        dns({ client: [DVM, 50001], server: [F2], name: 'slow.example', at: 2, frame: 4, response: { after: 5.1, frame: 9 } }),
        dns({ client: [DVM, 50002], server: [F2], name: 'lost.example', at: 3, frame: 5 }),
        dns({ client: [VIP, 50003], server: [F1], name: 'bad.example', at: 4, frame: 6, response: { rcode: 2, frame: 7 } }),
        dns({ client: [VIP, 50004], server: [F1], name: 'no.example', at: 5, frame: 10, response: { rcode: 5, frame: 11 } }),
        dns({ client: [VIP, 50005], server: [F1], name: 'missing.example', at: 6, frame: 12, response: { rcode: 3, frame: 13 } }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`timeout ${DVM}>${F2}`, 2, [4, 5], 'frame.number in {4 5}'],
      [`SERVFAIL ${VIP}>${F1}`, 1, [7], `ip.src == ${F1} && ip.dst == ${VIP} && dns.flags.rcode == 2`],
      [`REFUSED ${VIP}>${F1}`, 1, [11], `ip.src == ${F1} && ip.dst == ${VIP} && dns.flags.rcode == 5`],
    ])
    expect(out.findings[0]!.message).toBe(
      `queries from ${DVM} to forwarder ${F2} got no answer within 5 s (names: slow.example, lost.example)`)
    expect(out.findings[1]!.traffic).toEqual({ src: VIP, dst: F1, proto: 'udp', dstPort: 53 })
    expect(out.reason).toBe('6 DNS queries to 2 forwarders (of 2 configured forwarders), 4 answered within 5 s')
  })

  it('uses Wireshark\'s response_in when no query of the pair was answered at all', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: [F1], name: 'a.example', at: 1, frame: 2, response: {} }),
        dns({ client: [DVM, 50001], server: [F2], name: 'b.example', at: 2, frame: 4 }),
      ],
    })
    const [f] = rule.evaluate(context(obs)).findings
    expect(f!.filter).toBe(`ip.src == ${DVM} && ip.dst == ${F2} && dns.flags.response == 0 && !dns.response_in`)
  })

  it('gives one finding when no forwarder answers anything', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: [F1], name: 'a.example', at: 1, frame: 2 }),
        dns({ client: [VIP, 50001], server: [F2], name: 'b.example', at: 2, frame: 4 }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings).toHaveLength(1)
    expect(out.findings[0]).toMatchObject({
      key: 'no-forwarder-answers',
      count: 2,
      message: `none of the forwarders (${F1}, ${F2}) answered any of 2 queries within 5 s`,
      filter: `ip.dst in {${F1} ${F2}} && dns.flags.response == 0`,
    })
    expect(out.findings[0]!.evidence.map((w) => w.frame)).toEqual([2, 4])
  })

  it('does not call a query a timeout when the capture ends less than 5 s after it', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: [F1], name: 'a.example', at: 1, frame: 2, response: {} }),
        dns({ client: [DVM, 50001], server: [F1], name: 'b.example', at: 97, frame: 4 }),
      ],
    })
    const out = rule.evaluate(context(obs, EXAMPLE_POLICY, { end: 100 }))
    expect(out.findings).toEqual([])
    expect(out.reason).toContain('1 query less than 5 s before the capture end not judged')
    expect(rule.evaluate(context(obs, EXAMPLE_POLICY, { end: 102.5 })).findings).toHaveLength(1)
  })

  it('counts a response from the other uplink: flows and transactions are keyed by address only', () => {
    // The response came back on a different link; the observer matched it by reversed addresses.
    const obs = observations({ dns: [dns({ client: [DVM, 50000], server: [F1], name: 'a.example', at: 1, response: { after: 0.3 } })] })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('takes NXDOMAIN as an answer, and is not evaluable without forwarders', () => {
    const obs = observations({ dns: [dns({ client: [DVM, 50000], server: [F1], name: 'nope.example', at: 1, response: { rcode: 3 } })] })
    expect(rule.evaluate(context(obs)).findings).toEqual([])
    const none = { ...EXAMPLE_POLICY, hosts: {} }
    expect(rule.evaluate(context(obs, none))).toMatchObject({ status: 'not-evaluable', reason: 'hosts.dnsForwarders is not set' })
    expect(rule.evaluate(context(obs, null))).toMatchObject({ status: 'not-evaluable', reason: 'no policy: needs hosts.dnsForwarders' })
  })
})
