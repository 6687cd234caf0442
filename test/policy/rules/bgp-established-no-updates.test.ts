import { describe, expect, it } from 'vitest'
import type { Observations } from '../../../src/observe/model.js'
import type { Policy } from '../../../src/policy/model.js'
import { bgpEstablishedNoUpdates as rule } from '../../../src/policy/rules/bgp-established-no-updates.js'
import { EXAMPLE_POLICY, bgpOpen, bgpSession, context, observations, route } from '../../support/observations.js'

const TOR = '10.10.1.2'
const BORDER = '10.10.1.1'
const run = (parts: Partial<Observations>, policy: Policy = EXAMPLE_POLICY) => rule.evaluate(context(observations(parts), policy))
const established = (frame = 1, keepalives = 12) => bgpSession({
  a: [TOR], b: [BORDER], frame, keepalives, firstKeepalive: [5, frame + 8],
  opens: [bgpOpen({ from: TOR, myAs: 64651, frame: frame + 3 }), bgpOpen({ from: BORDER, myAs: 64512, frame: frame + 4 })],
})
const defaultRoute = route({ peer: BORDER, to: TOR, prefix: '0.0.0.0/0', asPath: [64512], frame: 20 })

describe('bgp-established-no-updates', () => {
  it('reports an established session whose UPDATEs carry nothing of the public VIP pool (a default route is not a VIP)', () => {
    const out = run({ bgpSessions: [established(1)], routes: [defaultRoute] })
    expect(out.findings).toHaveLength(1)
    const f = out.findings[0]!
    expect(f.key).toBe('10.10.1.1 10.10.1.2')
    expect(f.count).toBe(12)
    expect(f.evidence.map((w) => w.frame)).toEqual([9])
    expect(f.filter).toBe('bgp.type == 4 && ip.addr == 10.10.1.1 && ip.addr == 10.10.1.2')
    expect(f.message).toContain('203.0.113.0/24')
  })

  it('passes when a /32 VIP, an aggregate inside the pool, or an aggregate around it was carried', () => {
    for (const prefix of ['203.0.113.10/32', '203.0.113.0/24', '203.0.112.0/23']) {
      const out = run({ bgpSessions: [established(1)], routes: [defaultRoute, route({ peer: TOR, to: BORDER, prefix, frame: 21 })] })
      expect(out.findings, prefix).toEqual([])
    }
  })

  it('a VIP withdrawal is an UPDATE about the pool too', () => {
    const out = run({ bgpSessions: [established(1)], routes: [route({ kind: 'withdraw', peer: TOR, to: BORDER, prefix: '203.0.113.10/32' })] })
    expect(out.findings).toEqual([])
  })

  it('does not judge sessions picked up mid-stream (routes went before the capture) or never established', () => {
    const midStream = bgpSession({ a: [TOR], b: [BORDER], keepalives: 40, syn: false, synAck: false })
    const noKeepalive = bgpSession({ a: ['10.10.1.6'], b: ['10.10.1.5'], opens: [bgpOpen({ from: '10.10.1.6', myAs: 64651 })] })
    const out = run({ bgpSessions: [midStream, noKeepalive] })
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
    expect(out.reason).toBe('0 established BGP sessions seen from their OPEN (1 picked up mid-stream, not judged), 0 route events')
  })

  it('is not evaluable without a policy or the public VIP pool', () => {
    expect(rule.evaluate(context(observations({ bgpSessions: [established()] }), null)).status).toBe('not-evaluable')
    const policy = { ...EXAMPLE_POLICY, networks: { ...EXAMPLE_POLICY.networks, publicVip: undefined } }
    expect(run({ bgpSessions: [established()] }, policy)).toMatchObject({ status: 'not-evaluable', reason: 'networks.publicVip is not set' })
  })
})
