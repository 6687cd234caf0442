/**
 * bgp-session-health [2.6]: the TOR-border BGP sessions come up and stay up, with the documented
 * ASNs (the Azure Stack side is 16-bit; the border may use a 32-bit ASN) and TCP-MD5 when the policy
 * expects it. Findings: any NOTIFICATION (code 4 = hold timer expired), a reset (RST) or a flap (more
 * than one session between the same two addresses), a SYN to 179 nobody answered, an OPEN with an
 * unexpected ASN, a session between configured peers without TCP-MD5 when `md5: true`.
 */
import type { BgpSession, Where } from '../../observe/model.js'
import { addrIs, and, dstIs, srcIs } from '../filter.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import { flowWhere } from './flow-evidence.js'
import { groupBy, inOrder, plural } from './grouping.js'

const AS_TRANS = 23456

const NOTIFICATION_CODES: Record<number, string> = {
  1: 'Message Header Error', 2: 'OPEN Message Error', 3: 'UPDATE Message Error', 4: 'Hold Timer Expired',
  5: 'Finite State Machine Error', 6: 'Cease', 7: 'ROUTE-REFRESH Message Error',
}

/** The two addresses of a session, in a fixed order, so both directions give one key. */
const pairOf = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a])
const pairKey = (s: BgpSession) => pairOf(s.a.ip, s.b.ip).join(' ')

export const bgpSessionHealth: RuleDefinition = {
  id: 'bgp-session-health',
  title: 'TOR-border BGP sessions are healthy',
  severity: 'high',
  group: 'bgp',
  inputs: ['bgp.peers', 'bgp.azsAsn', 'bgp.borderAsn', 'bgp.md5'],
  // md5 absent means not expected.
  requires: [['bgp.peers'], ['bgp.azsAsn'], ['bgp.borderAsn']],
  description: 'NOTIFICATION (any), hold timer expiry, session reset or flap, SYN to 179 without answer, OPEN with an unexpected ASN, missing TCP-MD5 when `md5: true`',
  reference: '2.6',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs bgp.peers, bgp.azsAsn and bgp.borderAsn')
    const b = policy.policy.bgp ?? {}
    const peers = b.peers ?? []
    if (peers.length === 0) return notEvaluable('bgp.peers is not set')
    if (typeof b.azsAsn !== 'number') return notEvaluable('bgp.azsAsn is not set')
    if (typeof b.borderAsn !== 'number') return notEvaluable('bgp.borderAsn is not set')
    const azsAsn = b.azsAsn
    const borderAsn = b.borderAsn
    const tors = new Set(peers.map((p) => p.tor))
    const borders = new Set(peers.map((p) => p.border))
    const configuredPairs = new Set(peers.map((p) => pairOf(p.border, p.tor).join(' ')))
    const sessions = obs.bgpSessions
    const findings: FindingDraft[] = []

    // NOTIFICATIONs, one finding per (sender, receiver, code, subcode).
    const notes = sessions.flatMap((s) => s.notifications.map((n) => ({ n, to: n.from === s.a.ip ? s.b.ip : s.a.ip })))
    for (const [key, list] of groupBy(notes, ({ n, to }) => `notification ${n.from}>${to} ${n.code}/${n.subcode}`)) {
      const { n, to } = list[0]!
      const name = NOTIFICATION_CODES[n.code] ?? `code ${n.code}`
      const text = n.text ? `: "${n.text}"` : ''
      findings.push({
        key,
        message: `${n.from} sent ${plural(list.length, 'NOTIFICATION')} ${n.code}/${n.subcode} (${name}) to ${to}${n.code === 4 ? ': hold timer expired, keepalives stopped arriving' : ''}${text}`,
        count: list.length,
        evidence: inOrder(list.map((x) => x.n.at)),
        filter: and('bgp.type == 3', srcIs(n.from), dstIs(to), `bgp.notify.major_error == ${n.code}`),
        traffic: { src: n.from, dst: to, proto: 'tcp' },
      })
    }

    // Resets: a RST on a session that had begun (a refused SYN is a reset too: the peer said no).
    for (const [key, list] of groupBy(sessions.filter((s) => s.reset !== null), (s) => `reset ${pairKey(s)}`)) {
      const [x, y] = pairOf(list[0]!.a.ip, list[0]!.b.ip)
      findings.push({
        key,
        message: `BGP between ${x} and ${y} was reset (TCP RST) ${plural(list.length, 'time')}`,
        count: list.length,
        evidence: inOrder(list.map((s) => s.reset!)),
        filter: and(addrIs(x), addrIs(y), 'tcp.port == 179', 'tcp.flags.reset == 1'),
        traffic: { src: list[0]!.a.ip, dst: list[0]!.b.ip, proto: 'tcp', dstPort: list[0]!.b.port },
      })
    }

    // Flaps: the same two speakers needed more than one TCP session.
    for (const [key, list] of groupBy(sessions, (s) => `flap ${pairKey(s)}`)) {
      if (list.length < 2) continue
      const [x, y] = pairOf(list[0]!.a.ip, list[0]!.b.ip)
      findings.push({
        key,
        message: `${list.length} BGP sessions between ${x} and ${y}: the session was re-established ${plural(list.length - 1, 'time')} (flap)`,
        count: list.length,
        evidence: inOrder(list.map((s) => s.first)),
        filter: and(addrIs(x), addrIs(y), 'tcp.port == 179', 'tcp.flags.syn == 1', 'tcp.flags.ack == 0'),
        traffic: { src: list[0]!.a.ip, dst: list[0]!.b.ip, proto: 'tcp', dstPort: list[0]!.b.port },
      })
    }

    // SYNs to 179 nobody answered: sessions without SYN-ACK (or RST), and S0 flows the BGP observer did not list.
    const attempts: Array<{ src: string; dst: string; at: Where }> = []
    const tuple = (a: string, ap: number | null, b: string, bp: number | null) => `${a}:${ap}>${b}:${bp}`
    const known = new Set(sessions.map((s) => tuple(s.a.ip, s.a.port, s.b.ip, s.b.port)))
    for (const s of sessions) if (s.syn && !s.synAck && s.reset === null) attempts.push({ src: s.a.ip, dst: s.b.ip, at: s.first })
    for (const f of obs.flows) {
      if (f.proto !== 'tcp' || f.responder.port !== 179 || f.state !== 'S0') continue
      if (known.has(tuple(f.initiator.ip, f.initiator.port, f.responder.ip, f.responder.port))) continue
      attempts.push({ src: f.initiator.ip, dst: f.responder.ip, at: flowWhere(obs, f) })
    }
    for (const [key, list] of groupBy(attempts, (x) => `no-answer ${x.src}>${x.dst}`)) {
      const { src, dst } = list[0]!
      findings.push({
        key,
        message: `${src} sent ${plural(list.length, 'BGP connection attempt')} (SYN to ${dst}:179) that got no SYN-ACK`,
        count: list.length,
        evidence: inOrder(list.map((x) => x.at)),
        filter: and(srcIs(src), dstIs(dst), 'tcp.dstport == 179', 'tcp.flags.syn == 1', 'tcp.flags.ack == 0'),
        traffic: { src, dst, proto: 'tcp', dstPort: 179 },
      })
    }

    // OPENs with an ASN the policy does not name for that side.
    const opens = sessions.flatMap((s) => s.opens.map((o) => ({ o, to: o.from === s.a.ip ? s.b.ip : s.a.ip })))
    const wrongAsn = opens.filter(({ o }) => {
      const effective = o.as4 ?? o.myAs
      if (tors.has(o.from)) return o.myAs !== azsAsn || effective !== azsAsn
      if (borders.has(o.from)) return effective !== borderAsn || (borderAsn <= 0xffff ? o.myAs !== borderAsn : o.myAs !== AS_TRANS)
      return false
    })
    for (const [key, list] of groupBy(wrongAsn, ({ o }) => `asn ${o.from} ${o.myAs}/${o.as4 ?? '-'}`)) {
      const { o, to } = list[0]!
      const side = tors.has(o.from) ? `TOR ${o.from}` : `border ${o.from}`
      const expected = tors.has(o.from) ? `azsAsn ${azsAsn}` : `borderAsn ${borderAsn}`
      const sent = o.as4 !== null && o.as4 !== o.myAs ? `My AS ${o.myAs}, 4-byte AS ${o.as4}` : `AS ${o.myAs}`
      findings.push({
        key,
        message: `${side} sent ${plural(list.length, 'OPEN')} with ${sent} to ${to}; the policy expects ${expected}`,
        count: list.length,
        evidence: inOrder(list.map((x) => x.o.at)),
        filter: and('bgp.type == 1', srcIs(o.from), `bgp.open.myas == ${o.myAs}`),
        traffic: { src: o.from, dst: to, proto: 'tcp' },
      })
    }

    // TCP-MD5 expected on every segment of a TOR-border session.
    if (b.md5 === true) {
      const unsigned = sessions.filter((s) => s.noMd5Seen && configuredPairs.has(pairKey(s)))
      for (const [key, list] of groupBy(unsigned, (s) => `md5 ${pairKey(s)}`)) {
        const [x, y] = pairOf(list[0]!.a.ip, list[0]!.b.ip)
        findings.push({
          key,
          message: `BGP between ${x} and ${y} carries segments without TCP-MD5 (option 19) in ${plural(list.length, 'session')}; the policy sets md5: true`,
          count: list.length,
          evidence: inOrder(list.map((s) => s.first)),
          filter: and(addrIs(x), addrIs(y), 'tcp.port == 179', '!(tcp.option_kind == 19)'),
          traffic: { src: list[0]!.a.ip, dst: list[0]!.b.ip, proto: 'tcp', dstPort: list[0]!.b.port },
        })
      }
    }

    const betweenPeers = sessions.filter((s) => configuredPairs.has(pairKey(s))).length
    return evaluated(
      `${plural(sessions.length, 'BGP session')} (${betweenPeers} between configured TOR-border peers), ${plural(opens.length, 'OPEN')}, ${plural(notes.length, 'NOTIFICATION')}`,
      findings,
    )
  },
}
