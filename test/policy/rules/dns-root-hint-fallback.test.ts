import { describe, expect, it } from 'vitest'
import { dnsRootHintFallback as rule } from '../../../src/policy/rules/dns-root-hint-fallback.js'
import { EXAMPLE_POLICY, context, dns, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const VIP = '203.0.113.5'

describe('dns-root-hint-fallback', () => {
  it('reports queries from the DVM and the public VIPs to root servers, per pair', () => {
    const obs = observations({
      dns: [
        dns({ client: [VIP, 50000], server: ['198.41.0.4'], name: 'login.microsoftonline.com', at: 1, frame: 4 }),
        dns({ client: [VIP, 50001], server: ['198.41.0.4'], name: 'graph.windows.net', at: 2, frame: 8 }),
        dns({ client: [DVM, 50002], server: ['2001:7fd::1'], name: 'x.example', at: 3, frame: 9 }),
        dns({ client: ['10.10.0.5', 50003], server: ['198.41.0.4'], name: 'hlh.example', at: 4, frame: 10 }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`${VIP}>198.41.0.4`, 2, [4, 8], `ip.src == ${VIP} && ip.dst == 198.41.0.4 && udp.dstport == 53`],
      [`${DVM}>2001:7fd::1`, 1, [9], `ip.src == ${DVM} && ipv6.dst == 2001:7fd::1 && udp.dstport == 53`],
    ])
    expect(out.reason).toBe('3 DNS queries from the DVM and the public VIPs, 3 to root servers')
  })

  it('passes queries to the forwarders', () => {
    const obs = observations({ dns: [dns({ client: [VIP, 50000], server: ['192.0.2.53'], name: 'a.example', at: 1 })] })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('is not evaluable without forwarders, without any source, or without a policy', () => {
    const noFwd = { ...EXAMPLE_POLICY, hosts: { dvm: DVM } }
    expect(rule.evaluate(context(observations(), noFwd)).status).toBe('not-evaluable')
    const noSource = { version: 1 as const, hosts: { dnsForwarders: ['192.0.2.53'] } }
    expect(rule.evaluate(context(observations(), noSource))).toMatchObject({
      status: 'not-evaluable', reason: 'none of hosts.dvm and networks.publicVip is set',
    })
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
  })
})
