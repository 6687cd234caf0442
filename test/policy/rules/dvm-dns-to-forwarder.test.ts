import { describe, expect, it } from 'vitest'
import { dvmDnsToForwarder as rule } from '../../../src/policy/rules/dvm-dns-to-forwarder.js'
import { EXAMPLE_POLICY, context, dns, flow, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const FWD = '192.0.2.53'

describe('dvm-dns-to-forwarder', () => {
  it('reports DNS to another server per source/server pair, with every query as evidence', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: ['8.8.8.8'], name: 'login.microsoftonline.com', at: 1, frame: 3, response: {} }),
        dns({ client: [DVM, 50001], server: [FWD], name: 'management.azure.com', at: 2, frame: 7, response: {} }),
        dns({ client: [DVM, 50002], server: ['8.8.8.8'], name: 'graph.windows.net', at: 3, frame: 9 }),
        dns({ client: ['10.10.0.5', 50003], server: ['8.8.4.4'], name: 'x.example', at: 4, frame: 11, proto: 'tcp' }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.status).toBe('evaluated')
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`${DVM}>8.8.8.8`, 2, [3, 9], `ip.src == ${DVM} && ip.dst == 8.8.8.8 && udp.dstport == 53`],
      ['10.10.0.5>8.8.4.4', 1, [11], 'ip.src == 10.10.0.5 && ip.dst == 8.8.4.4 && tcp.dstport == 53'],
    ])
    expect(out.findings[0]!.message).toBe(
      `DNS from ${DVM} to 8.8.8.8, which is not a configured forwarder (names: login.microsoftonline.com, graph.windows.net)`)
    expect(out.findings[0]!.traffic).toEqual({ src: DVM, dst: '8.8.8.8', proto: 'udp', dstPort: 53 })
    expect(out.reason).toBe('4 DNS queries from the DVM and the BMC network during deployment, to 3 servers; 2 source/server pairs outside the forwarders')
  })

  it('counts a TCP/53 connection that never carried a query, and merges both protocols in one filter', () => {
    const obs = observations({
      dns: [dns({ client: [DVM, 50000], server: ['8.8.8.8'], name: 'a.example', at: 1, frame: 3 })],
      flows: [flow({ initiator: [DVM, 50010], responder: ['8.8.8.8', 53], at: 2, frame: 5, history: 'S', state: 'S0' })],
    })
    const [f] = rule.evaluate(context(obs)).findings
    expect(f!.count).toBe(2)
    expect(f!.evidence.map((w) => w.frame)).toEqual([3, 5])
    expect(f!.filter).toBe(`ip.src == ${DVM} && ip.dst == 8.8.8.8 && (udp.dstport == 53 || tcp.dstport == 53)`)
    expect(f!.traffic).toEqual({ src: DVM, dst: '8.8.8.8', dstPort: 53 })
  })

  it('passes DNS to the forwarders, mDNS, other sources and DNS after completion', () => {
    const obs = observations({
      dns: [
        dns({ client: [DVM, 50000], server: [FWD], name: 'a.example', at: 1, response: {} }),
        dns({ client: [DVM, 5353], server: ['224.0.0.251', 5353], name: 'printer.local', at: 2 }),
        dns({ client: ['192.0.2.200', 50000], server: ['8.8.8.8'], name: 'b.example', at: 3 }),
        dns({ client: [DVM, 50000], server: ['8.8.8.8'], name: 'c.example', at: 3 * 3600 }),
      ],
    })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('is not evaluable without forwarders or without a policy', () => {
    const noFwd = { ...EXAMPLE_POLICY, hosts: { ...EXAMPLE_POLICY.hosts, dnsForwarders: [] } }
    expect(rule.evaluate(context(observations(), noFwd))).toMatchObject({ status: 'not-evaluable', reason: 'hosts.dnsForwarders is not set' })
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
  })
})
