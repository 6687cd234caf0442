import { describe, expect, it } from 'vitest'
import type { Observations } from '../../../src/observe/model.js'
import type { Policy } from '../../../src/policy/model.js'
import { bgpSessionHealth as rule } from '../../../src/policy/rules/bgp-session-health.js'
import { EXAMPLE_POLICY, bgpNotification, bgpOpen, bgpSession, context, flow, observations } from '../../support/observations.js'

const TOR = '10.10.1.2'
const BORDER = '10.10.1.1'
const run = (parts: Partial<Observations>, policy: Policy = EXAMPLE_POLICY) => rule.evaluate(context(observations(parts), policy))
const frames = (f: { evidence: { frame: number }[] }) => f.evidence.map((w) => w.frame)
const healthy = (frame = 1, a = TOR, b = BORDER) => bgpSession({
  a: [a], b: [b], frame, keepalives: 10,
  opens: [bgpOpen({ from: a, myAs: a === TOR || a === '10.10.1.6' ? 64651 : 64512, frame: frame + 3 }), bgpOpen({ from: b, myAs: b === BORDER || b === '10.10.1.5' ? 64512 : 64651, frame: frame + 4 })],
})
const withBgp = (b: Partial<NonNullable<Policy['bgp']>>): Policy => ({ ...EXAMPLE_POLICY, bgp: { ...EXAMPLE_POLICY.bgp, ...b } })

describe('bgp-session-health', () => {
  it('passes healthy sessions on both links and says what it examined', () => {
    const out = run({ bgpSessions: [healthy(1), healthy(100, '10.10.1.6', '10.10.1.5')] })
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
    expect(out.reason).toBe('2 BGP sessions (2 between configured TOR-border peers), 4 OPENs, 0 NOTIFICATIONs')
  })

  it('reports every NOTIFICATION per sender, receiver and code; code 4 is the hold timer', () => {
    const s = healthy(1)
    s.notifications = [
      bgpNotification({ from: BORDER, code: 4, frame: 60, at: 200 }),
      bgpNotification({ from: BORDER, code: 4, frame: 90, at: 300 }),
      bgpNotification({ from: TOR, code: 6, subcode: 2, text: 'maintenance "now"', frame: 95, at: 310 }),
    ]
    const out = run({ bgpSessions: [s] })
    expect(out.findings.map((f) => [f.key, f.count, frames(f)])).toEqual([
      ['notification 10.10.1.1>10.10.1.2 4/0', 2, [60, 90]],
      ['notification 10.10.1.2>10.10.1.1 6/2', 1, [95]],
    ])
    expect(out.findings[0]!.filter).toBe('bgp.type == 3 && ip.src == 10.10.1.1 && ip.dst == 10.10.1.2 && bgp.notify.major_error == 4')
    expect(out.findings[0]!.message).toContain('hold timer expired')
    expect(out.findings[1]!.message).toContain('Cease')
    expect(out.findings[1]!.message).toContain('maintenance "now"')
  })

  it('reports a reset and a flap (two sessions between the same pair, either direction)', () => {
    const first = healthy(10)
    first.reset = bgpSession({ a: [TOR], b: [BORDER], reset: [30, 77] }).reset
    const second = healthy(200, BORDER, TOR)
    const out = run({ bgpSessions: [first, second] })
    expect(out.findings.map((f) => [f.key, f.count, frames(f)])).toEqual([
      ['reset 10.10.1.1 10.10.1.2', 1, [77]],
      ['flap 10.10.1.1 10.10.1.2', 2, [10, 200]],
    ])
    expect(out.findings[0]!.filter).toBe('ip.addr == 10.10.1.1 && ip.addr == 10.10.1.2 && tcp.port == 179 && tcp.flags.reset == 1')
    expect(out.findings[1]!.filter).toBe('ip.addr == 10.10.1.1 && ip.addr == 10.10.1.2 && tcp.port == 179 && tcp.flags.syn == 1 && tcp.flags.ack == 0')
    expect(out.findings[1]!.message).toContain('re-established 1 time')
  })

  it('reports SYNs to 179 without an answer, from sessions and from S0 flows, each attempt once', () => {
    const out = run({
      bgpSessions: [bgpSession({ a: [TOR, 41000], b: ['10.10.1.9'], synAck: false, frame: 410 })],
      flows: [
        flow({ initiator: [TOR, 40000], responder: ['10.10.1.9', 179], state: 'S0', history: 'S', frame: 400 }),
        // The same connection as the session: not counted twice.
        flow({ initiator: [TOR, 41000], responder: ['10.10.1.9', 179], state: 'S0', history: 'S', frame: 410 }),
        flow({ initiator: [TOR, 42000], responder: ['10.10.1.9', 179], state: 'SF', frame: 500 }),
      ],
    })
    expect(out.findings.map((f) => [f.key, f.count, frames(f)])).toEqual([['no-answer 10.10.1.2>10.10.1.9', 2, [400, 410]]])
    expect(out.findings[0]!.filter).toBe('ip.src == 10.10.1.2 && ip.dst == 10.10.1.9 && tcp.dstport == 179 && tcp.flags.syn == 1 && tcp.flags.ack == 0')
  })

  it('reports OPENs with an unexpected ASN; the TOR must use its 16-bit ASN, the border may use a 32-bit one', () => {
    const policy = withBgp({ borderAsn: 4200000001 })
    const out = run({
      bgpSessions: [
        bgpSession({ a: [TOR], b: [BORDER], frame: 1, opens: [bgpOpen({ from: TOR, myAs: 65001, frame: 4 }), bgpOpen({ from: BORDER, myAs: 23456, as4: 4200000001, frame: 5 })] }),
        bgpSession({ a: ['10.10.1.6'], b: ['10.10.1.5'], frame: 100, opens: [bgpOpen({ from: '10.10.1.6', myAs: 23456, as4: 64651, frame: 104 }), bgpOpen({ from: '10.10.1.5', myAs: 64512, frame: 105 })] }),
      ],
    }, policy)
    expect(out.findings.map((f) => [f.key, frames(f)])).toEqual([
      ['asn 10.10.1.2 65001/-', [4]],
      ['asn 10.10.1.6 23456/64651', [104]],
      ['asn 10.10.1.5 64512/-', [105]],
    ])
    expect(out.findings[0]!.filter).toBe('bgp.type == 1 && ip.src == 10.10.1.2 && bgp.open.myas == 65001')
    expect(out.findings[0]!.message).toContain('azsAsn 64651')
    expect(out.findings[2]!.message).toContain('borderAsn 4200000001')
  })

  it('reports segments without TCP-MD5 between configured peers only when md5 is true', () => {
    const unsigned = healthy(1)
    const signed = { ...healthy(100, '10.10.1.6', '10.10.1.5'), md5Seen: true, noMd5Seen: false }
    expect(run({ bgpSessions: [unsigned, signed] }).findings).toEqual([])
    const out = run({ bgpSessions: [unsigned, signed] }, withBgp({ md5: true }))
    expect(out.findings.map((f) => [f.key, frames(f)])).toEqual([['md5 10.10.1.1 10.10.1.2', [1]]])
    expect(out.findings[0]!.filter).toBe('ip.addr == 10.10.1.1 && ip.addr == 10.10.1.2 && tcp.port == 179 && !(tcp.option_kind == 19)')
  })

  it('is not evaluable without a policy, peers or either ASN', () => {
    expect(rule.evaluate(context(observations(), null)).status).toBe('not-evaluable')
    expect(run({}, withBgp({ peers: [] })).reason).toBe('bgp.peers is not set')
    expect(run({}, withBgp({ azsAsn: undefined })).status).toBe('not-evaluable')
    expect(run({}, withBgp({ borderAsn: undefined })).status).toBe('not-evaluable')
  })
})
