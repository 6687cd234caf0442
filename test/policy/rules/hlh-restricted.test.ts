import { describe, expect, it } from 'vitest'
import { hlhRestricted } from '../../../src/policy/rules/hlh-restricted.js'
import { EXAMPLE_POLICY, context, flow, observations } from '../../support/observations.js'

const HLH = '10.10.0.30'
const run = (flows: ReturnType<typeof flow>[], policy = EXAMPLE_POLICY) => hlhRestricted.evaluate(context(observations({ flows }), policy))
const frames = (f: { evidence: { frame: number }[] }) => f.evidence.map((w) => w.frame)

describe('hlh-restricted', () => {
  it('reports an answered session from the HLH beyond the BMC network at the rule severity, with every attempt as evidence', () => {
    const out = run([
      flow({ initiator: [HLH, 50001], responder: ['198.51.100.7', 443], frame: 10, at: 1 }),
      flow({ initiator: [HLH, 50002], responder: ['198.51.100.7', 443], frame: 30, at: 2, state: 'S0', history: 'S', packets: [2, 0] }),
    ])
    expect(out.status).toBe('evaluated')
    expect(out.findings).toHaveLength(1)
    const f = out.findings[0]!
    expect(f.key).toBe('10.10.0.30>198.51.100.7 tcp/443')
    expect(f.severity).toBeUndefined()
    expect(f.count).toBe(2)
    expect(frames(f)).toEqual([10, 30])
    expect(f.filter).toBe('ip.src == 10.10.0.30 && ip.dst == 198.51.100.7 && tcp.dstport == 443')
    expect(f.traffic).toEqual({ src: HLH, dst: '198.51.100.7', proto: 'tcp', dstPort: 443 })
    expect(f.flow?.firstFrame).toBe(10)
    expect(f.message).toContain('the HLH 10.10.0.30')
    expect(f.message).toContain('1 answered')
  })

  it('reports unanswered attempts as low, one finding per source, destination and service', () => {
    const out = run([
      flow({ initiator: ['10.10.0.5', 50001], responder: ['198.51.100.8', 22], frame: 50, state: 'S0', history: 'S', packets: [3, 0] }),
      flow({ initiator: ['10.10.0.5', 50002], responder: ['198.51.100.8', 22], frame: 52, state: 'REJ', history: 'Sr', packets: [1, 1] }),
      flow({ proto: 'udp', initiator: ['10.10.0.5', 50003], responder: ['198.51.100.8', 161], frame: 60, state: 'S0', history: 'D', packets: [1, 0] }),
    ])
    expect(out.findings.map((f) => [f.key, f.severity, f.count, frames(f)])).toEqual([
      ['10.10.0.5>198.51.100.8 tcp/22', 'low', 2, [50, 52]],
      ['10.10.0.5>198.51.100.8 udp/161', 'low', 1, [60]],
    ])
    expect(out.findings[1]!.filter).toBe('ip.src == 10.10.0.5 && ip.dst == 198.51.100.8 && udp.dstport == 161')
  })

  it('judges "answered" by the flow record: a SYN-ACK that came back on the other uplink still answers', () => {
    // Same addresses and ports, so the same record, whichever link or VLAN each direction used.
    const out = run([flow({ initiator: [HLH, 50001], responder: ['198.51.100.7', 8080], frame: 5, history: 'ShAD', state: 'S1', vlan: 101 })])
    expect(out.findings).toHaveLength(1)
    expect(out.findings[0]!.severity).toBeUndefined()
  })

  it('never cites the DVM, OEM tool VMs, DNS/NTP to the configured servers, traffic inside the BMC network or mid-stream pickups', () => {
    const out = run([
      flow({ initiator: ['10.10.0.29', 50001], responder: ['198.51.100.7', 443], frame: 1 }),
      flow({ initiator: ['10.10.0.19', 50001], responder: ['198.51.100.7', 443], frame: 2 }),
      flow({ proto: 'udp', initiator: [HLH, 50001], responder: ['192.0.2.53', 53], frame: 3 }),
      flow({ proto: 'tcp', initiator: [HLH, 50002], responder: ['192.0.2.54', 53], frame: 4 }),
      flow({ proto: 'udp', initiator: [HLH, 123], responder: ['192.0.2.123', 123], frame: 5 }),
      flow({ initiator: [HLH, 50003], responder: ['10.10.0.2', 443], frame: 6 }),
      flow({ initiator: [HLH, 50004], responder: ['198.51.100.9', 443], frame: 7, initiatorInferred: true, history: 'DadA' }),
      flow({ proto: 'udp', initiator: [HLH, 50005], responder: ['8.8.8.8', 53], frame: 8 }),
    ])
    // DNS to a server that is not a forwarder is not exempt.
    expect(out.findings.map((f) => f.key)).toEqual(['10.10.0.30>8.8.8.8 udp/53'])
    expect(frames(out.findings[0]!)).toEqual([8])
    expect(out.reason).toContain('5 from the DVM, OEM tool VMs or DNS/NTP to the configured servers')
  })

  it('passes when nothing leaves the BMC network, and says what it examined', () => {
    const out = run([flow({ initiator: ['198.51.100.7', 50000], responder: ['203.0.113.5', 443] })])
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
    expect(out.reason).toContain('0 sessions from the BMC network')
  })

  it('is not evaluable without a policy, the BMC network or the DVM', () => {
    expect(hlhRestricted.evaluate(context(observations(), null)).status).toBe('not-evaluable')
    const noBmc = { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, bmc: undefined } }
    expect(run([], noBmc)).toMatchObject({ status: 'not-evaluable', reason: 'networks.bmc is not set' })
    const noDvm = { ...EXAMPLE_POLICY, hosts: { ...EXAMPLE_POLICY.hosts, dvm: undefined } }
    expect(run([], noDvm).status).toBe('not-evaluable')
  })
})
