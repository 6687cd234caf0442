import { describe, expect, it } from 'vitest'
import { noExplicitProxy as rule } from '../../../src/policy/rules/no-explicit-proxy.js'
import { EXAMPLE_POLICY, context, dns, flow, http, observations } from '../../support/observations.js'

const DVM = '10.10.0.29'
const VIP = '203.0.113.5'
const PROXY = '192.0.2.8'

describe('no-explicit-proxy', () => {
  it('reports CONNECT and absolute-URI requests, WPAD lookups and fetches', () => {
    const obs = observations({
      http: [
        http({ client: [DVM, 50000], server: [PROXY, 3128], method: 'CONNECT', target: 'login.microsoftonline.com:443', at: 1, frame: 4 }),
        http({ client: [VIP, 50001], server: [PROXY, 8080], target: 'http://crl.microsoft.com/pki/crl/products/x.crl', at: 2, frame: 8 }),
        http({ client: [DVM, 50002], server: ['192.0.2.9', 80], target: '/wpad.dat', host: 'wpad.contoso.example', at: 3, frame: 12 }),
      ],
      dns: [dns({ client: [DVM, 50003], server: ['192.0.2.53'], name: 'wpad.contoso.example', at: 0.5, frame: 2 })],
      flows: [
        // The CONNECT's own connection: already reported, not again as a proxy-port flow.
        flow({ initiator: [DVM, 50000], responder: [PROXY, 3128], at: 1, frame: 3, app: 'http' }),
      ],
    })
    const out = rule.evaluate(context(obs))
    expect(out.findings.map((f) => [f.key, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`connect ${DVM}>${PROXY}:3128`, [4], `ip.src == ${DVM} && ip.dst == ${PROXY} && tcp.dstport == 3128 && http.request.method == "CONNECT"`],
      [`absolute ${VIP}>${PROXY}:8080`, [8],
        `ip.src == ${VIP} && ip.dst == ${PROXY} && tcp.dstport == 8080 && http.request.uri matches "^[a-zA-Z][a-zA-Z0-9+.-]*://"`],
      [`wpad-fetch ${DVM}>192.0.2.9:80`, [12], `ip.src == ${DVM} && ip.dst == 192.0.2.9 && tcp.dstport == 80 && http.request.uri contains "wpad.dat"`],
      [`wpad ${DVM} wpad.contoso.example`, [2], `ip.src == ${DVM} && dns.qry.name == "wpad.contoso.example" && dns.flags.response == 0`],
    ])
    expect(out.reason).toBe('3 HTTP requests, 1 flow and 1 DNS query from the DVM and the public VIPs')
  })

  it('reports traffic to a known explicit proxy, and HTTP to a proxy port', () => {
    const policy = { ...EXAMPLE_POLICY, hosts: { ...EXAMPLE_POLICY.hosts, explicitProxies: [PROXY] } }
    const obs = observations({
      flows: [
        flow({ initiator: [DVM, 50000], responder: [PROXY, 443], at: 1, frame: 3 }),
        flow({ initiator: [DVM, 50001], responder: [PROXY, 443], at: 2, frame: 9 }),
        flow({ initiator: [VIP, 50002], responder: ['192.0.2.10', 8888], at: 3, frame: 14, app: 'http' }),
        flow({ initiator: [VIP, 50003], responder: ['192.0.2.11', 8080], at: 4, frame: 20, app: 'tls' }),
      ],
    })
    const out = rule.evaluate(context(obs, policy))
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`proxy ${DVM}>${PROXY}:tcp/443`, 2, [3, 9], `ip.src == ${DVM} && ip.dst == ${PROXY} && tcp.dstport == 443`],
      [`port ${VIP}>192.0.2.10:8888`, 1, [14], `ip.src == ${VIP} && ip.dst == 192.0.2.10 && tcp.dstport == 8888`],
    ])
  })

  it('passes origin-form requests straight to the endpoint', () => {
    const obs = observations({
      http: [http({ client: [VIP, 50000], server: ['192.0.2.77', 80], target: '/pki/crl/products/x.crl', host: 'crl.microsoft.com', at: 1 })],
      flows: [flow({ initiator: [VIP, 50001], responder: ['192.0.2.78', 443], at: 2, app: 'tls' })],
      dns: [dns({ client: [VIP, 50002], server: ['192.0.2.53'], name: 'wpadx.example', at: 3 })],
    })
    expect(rule.evaluate(context(obs))).toMatchObject({ status: 'evaluated', findings: [] })
  })

  it('is not evaluable without the DVM and the public VIPs, or without a policy', () => {
    const none = { version: 1 as const, hosts: { ntpServers: ['192.0.2.123'] } }
    expect(rule.evaluate(context(observations(), none))).toMatchObject({
      status: 'not-evaluable', reason: 'none of hosts.dvm and networks.publicVip is set',
    })
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
  })
})
