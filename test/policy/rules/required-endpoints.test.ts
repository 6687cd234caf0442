import { describe, expect, it } from 'vitest'
import { assessEndpoints, requiredEndpoints as rule } from '../../../src/policy/rules/required-endpoints.js'
import type { Policy } from '../../../src/policy/model.js'
import { EXAMPLE_POLICY, context, dns, flow, icmpError, observations, tls } from '../../support/observations.js'

const DVM = '10.10.0.29'
const VIP = '203.0.113.5'
const FWD = '192.0.2.53'
const LOGIN = '20.190.1.10'

/** Only the policy's own endpoint is required: the built-in identity rows need `entra`. */
const ONE: Policy = {
  ...EXAMPLE_POLICY,
  identity: 'adfs',
  endpoints: [{ host: 'portal.contoso.example', ports: [443] }],
}

const resolved = (name: string, address: string, at: number, frame: number, client = DVM) =>
  dns({ client: [client, 50000], server: [FWD], name, at, frame, response: { answers: [{ data: address }] } })

describe('required-endpoints', () => {
  it('passes an endpoint resolved and reached, from the DVM during deployment', () => {
    const obs = observations({
      dns: [resolved('portal.contoso.example', '192.0.2.70', 1, 2)],
      dnsBindings: [{ name: 'portal.contoso.example', address: '192.0.2.70', at: { fileIndex: 0, file: 'test.pcapng', frame: 3, t: 0, ts: '' } }],
      flows: [flow({ initiator: [DVM, 50001], responder: ['192.0.2.70', 443], at: 2, frame: 5, history: 'ShADadFf' })],
    })
    const out = rule.evaluate(context(obs, ONE))
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
    expect(out.reason).toMatch(/^1 required endpoint for AzureCloud \(adfs identity\) from the DVM during deployment and the infrastructure VIPs: 1 reached, 0 failing/)
    expect(assessEndpoints(context(obs, ONE))!.endpoints.find((e) => e.name === 'portal.contoso.example')).toMatchObject({
      state: 'reached', addresses: ['192.0.2.70'], queries: 1, connections: 1,
    })
  })

  it('assesses a context once: the rule and the report get the same result, another context its own', () => {
    const obs = observations({ dns: [resolved('portal.contoso.example', '192.0.2.70', 1, 2)] })
    const ctx = context(obs, ONE)
    const first = assessEndpoints(ctx)
    expect(first).not.toBeNull()
    expect(assessEndpoints(ctx)).toBe(first)
    const other = assessEndpoints(context(observations({}), ONE))
    expect(other).not.toBe(first)
    expect(other!.endpoints.find((e) => e.name === 'portal.contoso.example')).toMatchObject({ state: 'not-observed', queries: 0 })
  })

  it('treats NXDOMAIN for a required name as a failure, citing the response', () => {
    const obs = observations({
      dns: [dns({ client: [DVM, 50000], server: [FWD], name: 'portal.contoso.example', at: 1, frame: 2, response: { rcode: 3, frame: 3 } })],
    })
    const out = rule.evaluate(context(obs, ONE))
    expect(out.findings).toHaveLength(1)
    expect(out.findings[0]).toMatchObject({
      key: 'nxdomain portal.contoso.example', count: 1, severity: undefined,
      filter: 'dns.qry.name == "portal.contoso.example" && dns.flags.rcode == 3',
      traffic: { src: DVM, dst: FWD, proto: 'udp', dstPort: 53 },
    })
    expect(out.findings[0]!.evidence.map((w) => w.frame)).toEqual([3])
  })

  it('reports SYN without SYN-ACK, resets and ICMP unreachable toward the resolved addresses', () => {
    const obs = observations({
      tls: [tls({ client: [VIP, 50009], server: [LOGIN], sni: 'portal.contoso.example', at: 0.5, frame: 1 })],
      flows: [
        flow({ initiator: [VIP, 50001], responder: [LOGIN, 443], at: 1, frame: 4, history: 'S', state: 'S0' }),
        flow({ initiator: [VIP, 50002], responder: [LOGIN, 443], at: 2, frame: 6, lastFrame: 7, history: 'Sr', state: 'REJ' }),
        flow({ initiator: [DVM, 50003], responder: [LOGIN, 443], at: 3, frame: 8, history: 'S', state: 'S0' }),
        flow({ initiator: [VIP, 50004], responder: [LOGIN, 8443], at: 4, frame: 10, history: 'S', state: 'S0' }),
      ],
      icmpErrors: [icmpError({ from: '192.0.2.1', to: DVM, quoted: [6, DVM, LOGIN, 50003, 443], at: 3.1, frame: 9 })],
    })
    obs.flows[2]!.icmpErrors = 1
    const out = rule.evaluate(context(obs, ONE))
    expect(out.findings.map((f) => [f.key, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      [`no-syn-ack ${VIP}>${LOGIN}:443`, [4],
        `ip.src == ${VIP} && ip.dst == ${LOGIN} && tcp.dstport == 443 && tcp.flags.syn == 1 && tcp.flags.ack == 0`],
      [`reset ${VIP}>${LOGIN}:443`, [7], `ip.src == ${LOGIN} && ip.dst == ${VIP} && tcp.srcport == 443 && tcp.flags.reset == 1`],
      [`unreachable ${DVM}>${LOGIN}:443`, [9], `ip.dst == ${DVM} && icmp.type == 3 && ip.addr == ${LOGIN} && tcp.dstport == 443`],
    ])
    expect(out.findings[2]!.message).toContain('with ICMP unreachable (code 1)')
  })

  it('reports more than 60 s from the first attempt to the first handshake', () => {
    const obs = observations({
      tls: [tls({ client: [VIP, 50009], server: [LOGIN], sni: 'portal.contoso.example', at: 70, frame: 20 })],
      flows: [
        flow({ initiator: [VIP, 50001], responder: [LOGIN, 443], at: 1, frame: 4, history: 'S', state: 'S0' }),
        flow({ initiator: [VIP, 50002], responder: [LOGIN, 443], at: 62, frame: 19, history: 'ShAD', state: 'S1' }),
      ],
    })
    const slow = rule.evaluate(context(obs, ONE)).findings.find((f) => f.key === 'slow portal.contoso.example')
    expect(slow).toMatchObject({ count: 1, filter: 'frame.number in {4}' })
    expect(slow!.message).toContain('answered 61 s after the first connection attempt')
    obs.flows[1] = flow({ initiator: [VIP, 50002], responder: [LOGIN, 443], at: 59, frame: 19, history: 'ShAD', state: 'S1' })
    expect(rule.evaluate(context(obs, ONE)).findings.map((f) => f.key)).toEqual([`no-syn-ack ${VIP}>${LOGIN}:443`])
  })

  it('lists a required endpoint never attempted as not observed (info)', () => {
    const out = rule.evaluate(context(observations(), ONE))
    expect(out.findings).toEqual([{
      key: 'not-observed portal.contoso.example',
      severity: 'info',
      message: 'portal.contoso.example (policy endpoint portal.contoso.example) was not observed: no DNS query, TLS SNI, HTTP Host or connection from the DVM (during deployment) or the infrastructure VIPs',
      count: 0,
      evidence: [],
      filter: 'dns.qry.name == "portal.contoso.example" || tls.handshake.extensions_server_name == "portal.contoso.example" || http.host == "portal.contoso.example"',
    }])
  })

  it('requires the identity rows with entra and matches wildcards as suffixes', () => {
    const out = rule.evaluate(context(observations({
      dns: [resolved('aadcdn.msftauth.net', '192.0.2.90', 1, 2)],
    }), EXAMPLE_POLICY))
    const notObserved = out.findings.filter((f) => f.key.startsWith('not-observed ')).map((f) => f.key.slice(13))
    expect(notObserved).toContain('login.microsoftonline.com')
    expect(notObserved).toContain('*.msauth.net')
    expect(notObserved).not.toContain('*.msftauth.net')
    expect(notObserved).not.toContain('*.blob.core.windows.net') // not required: no finding when unseen
    expect(out.findings.every((f) => f.severity === 'info')).toBe(true)
  })

  it('reports failures of endpoints that are not required as info only', () => {
    const obs = observations({
      dns: [dns({ client: [VIP, 50000], server: [FWD], name: 'x.servicebus.windows.net', at: 1, frame: 2, response: { rcode: 2, frame: 3 } })],
    })
    const f = rule.evaluate(context(obs, ONE)).findings.find((d) => d.key === 'servfail x.servicebus.windows.net')
    expect(f).toMatchObject({ severity: 'info', evidence: [expect.objectContaining({ frame: 3 })] })
  })

  it('with AD FS checks LDAP to the forest DCs by address', () => {
    const adfs: Policy = { ...ONE, endpoints: [], hosts: { ...EXAMPLE_POLICY.hosts, adForestDcs: ['192.0.2.40'] } }
    const obs = observations({
      flows: [flow({ initiator: [VIP, 50000], responder: ['192.0.2.40', 636], at: 1, frame: 3, history: 'S', state: 'S0' })],
    })
    expect(rule.evaluate(context(obs, adfs)).findings.map((f) => f.key)).toEqual([`no-syn-ack ${VIP}>192.0.2.40:636`])
    const noDcs: Policy = { ...ONE, endpoints: [] }
    expect(rule.evaluate(context(obs, noDcs)).reason).toContain('LDAP (hosts.adForestDcs is not set)')
  })

  it('ignores the DVM after completion but counts the VIPs at any time', () => {
    const obs = observations({
      dns: [dns({ client: [DVM, 50000], server: [FWD], name: 'portal.contoso.example', at: 3 * 3600, frame: 2, response: { rcode: 3 } })],
    })
    expect(rule.evaluate(context(obs, ONE)).findings.map((f) => f.key)).toEqual(['not-observed portal.contoso.example'])
  })

  it('is not evaluable without cloud or identity, or without a policy', () => {
    const noCloud: Policy = { ...EXAMPLE_POLICY, cloud: undefined }
    expect(rule.evaluate(context(observations(), noCloud))).toMatchObject({ status: 'not-evaluable', reason: 'cloud is not set' })
    const noIdentity: Policy = { ...EXAMPLE_POLICY, identity: undefined }
    expect(rule.evaluate(context(observations(), noIdentity))).toMatchObject({ status: 'not-evaluable', reason: 'identity is not set' })
    expect(rule.evaluate(context(observations(), null))).toMatchObject({ status: 'not-evaluable', reason: 'no policy: needs cloud and identity' })
  })
})
