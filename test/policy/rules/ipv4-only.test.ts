import { describe, expect, it } from 'vitest'
import { ipv4Only as rule } from '../../../src/policy/rules/ipv4-only.js'
import { context, flow, observations } from '../../support/observations.js'

const nd = [
  flow({ proto: 'icmpv6', initiator: ['fe80::1', null], responder: ['ff02::1', null], frame: 1, packets: [4, 0] }),
  flow({ proto: 'icmpv6', initiator: ['fe80::1', null], responder: ['fe80::2', null], frame: 2 }),
  flow({ proto: 'icmpv6', initiator: ['::', null], responder: ['ff02::1:ff00:1', null], frame: 3, packets: [1, 0] }),
]

describe('ipv4-only', () => {
  it('reports IPv6 other than neighbour discovery, per (source, destination), counting packets', () => {
    const out = rule.evaluate(context(observations({
      flows: [
        ...nd,
        flow({ initiator: ['2001:db8::1', 50000], responder: ['2001:db8::2', 443], frame: 10, packets: [3, 2] }),
        flow({ initiator: ['2001:db8::1', 50001], responder: ['2001:db8::2', 443], frame: 20, packets: [1, 0] }),
        // Link-local, but not ICMPv6: not neighbour discovery.
        flow({ proto: 'udp', initiator: ['fe80::1', 546], responder: ['ff02::1:2', 547], frame: 30, packets: [1, 0] }),
        flow({ initiator: ['10.0.0.1', 50000], responder: ['10.0.0.2', 443], frame: 40 }),
      ],
    })))
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame)])).toEqual([
      ['2001:db8::1>2001:db8::2', 6, [10, 20]],
      ['fe80::1>ff02::1:2', 1, [30]],
    ])
    expect(out.findings[0]!.filter).toBe('ipv6.addr == 2001:db8::1 && ipv6.addr == 2001:db8::2')
    expect(out.findings[0]!.traffic).toEqual({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'tcp' })
    expect(out.reason).toBe('6 IPv6 flows of 7 flows; 3 link-local neighbour discovery')
  })

  it('needs no policy and passes on IPv4 plus link-local neighbour discovery', () => {
    const out = rule.evaluate(context(observations({ flows: [...nd, flow({ initiator: ['10.0.0.1', 1], responder: ['10.0.0.2', 2] })] }), null))
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
  })
})
