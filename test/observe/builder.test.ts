/**
 * ObservationBuilder through the whole frame loop: frames from our encoders, a real FrameDecoder,
 * a FlowTracker feeding addFlow, and the builder's Observations checked field by field.
 */
import { describe, expect, it } from 'vitest'
import type * as bgp from '../../src/decode/bgp.js'
import * as dns from '../../src/decode/dns.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import * as ntp from '../../src/decode/ntp.js'
import { ObservationBuilder } from '../../src/observe/builder.js'
import { EarliestFlows, flowStartKey } from '../../src/observe/earliest.js'
import type { FlowRecord } from '../../src/flow/flow-record.js'
import { MAX_DNS_ORPHANS, MAX_EVIDENCE_FRAMES } from '../../src/observe/limits.js'
import { ipv4Number, packet } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'
import {
  ACK, Capture, FIN, RST, SYN, T0, TcpConversation, bgpBytes, clientHelloRecord, dnsBytes, dnsTcpBytes, httpBytes, ntpBytes,
  serverFlightRecord,
} from './traffic.js'

const CLIENT = '10.10.0.29'
const RESOLVER = '192.0.2.53'

const udp = (src: string, dst: string, sport: number, dport: number, data: Uint8Array) =>
  packet().eth().ipv4(src, dst).udp(sport, dport).payload(data).build()

const query = (id: number, name: string, type = dns.Type.A) => dnsBytes({ id, questions: [{ name, type }] })
const response = (id: number, name: string, answers: dns.RecordFields[], rcode = 0, type = dns.Type.A) =>
  dnsBytes({ id, qr: true, ra: true, rcode, questions: [{ name, type }], answers })

describe('DNS', () => {
  it('matches a response to its query: latency, rcode, answers, binding', () => {
    const cap = new Capture()
      .add(udp(CLIENT, RESOLVER, 51000, 53, query(0x1234, 'login.microsoftonline.com')), 1)
      .add(udp(RESOLVER, CLIENT, 53, 51000, response(0x1234, 'LOGIN.microsoftonline.com', [
        { name: 'login.microsoftonline.com', type: dns.Type.A, ttl: 300, data: '20.190.151.7' },
      ])), 1.025)
    const obs = cap.run()
    expect(obs.dns).toHaveLength(1)
    const tx = obs.dns[0]!
    expect(tx).toMatchObject({
      proto: 'udp', client: { ip: CLIENT, port: 51000 }, server: { ip: RESOLVER, port: 53 }, id: 0x1234,
      name: 'login.microsoftonline.com', qtype: 1, vni: null,
      query: { fileIndex: 0, file: 'test.pcap', frame: 1, t: T0 + 1, ts: '2026-11-20T10:00:01.000000000Z' },
    })
    expect(tx.response).not.toBeNull()
    expect(tx.response!.at.frame).toBe(2)
    expect(tx.response!.rcode).toBe(0)
    expect(tx.response!.latency).toBeCloseTo(0.025, 12)
    expect(tx.response!.answers).toEqual([{ name: 'login.microsoftonline.com', type: 1, ttl: 300, data: '20.190.151.7' }])
    expect(obs.dnsBindings).toEqual([{ name: 'login.microsoftonline.com', address: '20.190.151.7', at: tx.response!.at }])
    expect(obs.dnsOrphanResponses).toEqual([])
  })

  it('keeps an unanswered query with response null, and a NXDOMAIN as an answer without bindings', () => {
    const obs = new Capture()
      .add(udp(CLIENT, RESOLVER, 51001, 53, query(1, 'nowhere.example')), 1)
      .add(udp(CLIENT, RESOLVER, 51002, 53, query(2, 'missing.example')), 2)
      .add(udp(RESOLVER, CLIENT, 53, 51002, response(2, 'missing.example', [], 3)), 2.5)
      .run()
    expect(obs.dns.map((t) => [t.name, t.response?.rcode ?? null])).toEqual([['nowhere.example', null], ['missing.example', 3]])
    expect(obs.dnsBindings).toEqual([])
  })

  it('does not match a response with another id, name, or port: those are orphans', () => {
    const obs = new Capture()
      .add(udp(CLIENT, RESOLVER, 51000, 53, query(7, 'a.example')), 1)
      .add(udp(RESOLVER, CLIENT, 53, 51000, response(8, 'a.example', [])), 1.1)
      .add(udp(RESOLVER, CLIENT, 53, 51000, response(7, 'b.example', [])), 1.2)
      .add(udp(RESOLVER, CLIENT, 53, 51999, response(7, 'a.example', [])), 1.3)
      .run()
    expect(obs.dns[0]!.response).toBeNull()
    expect(obs.dnsOrphanResponses.map((o) => [o.id, o.name, o.client.port, o.server.ip, o.at.frame])).toEqual([
      [8, 'a.example', 51000, RESOLVER, 2], [7, 'b.example', 51000, RESOLVER, 3], [7, 'a.example', 51999, RESOLVER, 4],
    ])
  })

  it('answers a retransmitted query too, and a duplicate response is not an orphan', () => {
    const obs = new Capture()
      .add(udp(CLIENT, RESOLVER, 51000, 53, query(9, 'x.example')), 1)
      .add(udp(CLIENT, RESOLVER, 51000, 53, query(9, 'x.example')), 2)
      .add(udp(RESOLVER, CLIENT, 53, 51000, response(9, 'x.example', [{ name: 'x.example', type: 1, data: '192.0.2.9' }])), 2.5)
      .add(udp(RESOLVER, CLIENT, 53, 51000, response(9, 'x.example', [{ name: 'x.example', type: 1, data: '192.0.2.9' }])), 2.6)
      .run()
    expect(obs.dns.map((t) => t.response?.latency)).toEqual([1.5, 0.5])
    expect(obs.dnsOrphanResponses).toEqual([])
    expect(obs.dnsBindings).toHaveLength(1)
  })

  it('binds the question name through a CNAME chain to every A and AAAA, once per (name, address)', () => {
    const answers: dns.RecordFields[] = [
      { name: 'portal.contoso.example', type: dns.Type.CNAME, data: 'portal.trafficmanager.example' },
      { name: 'portal.trafficmanager.example', type: dns.Type.CNAME, data: 'edge.cdn.example' },
      { name: 'edge.cdn.example', type: dns.Type.A, data: '192.0.2.80' },
      { name: 'edge.cdn.example', type: dns.Type.AAAA, data: '2001:db8::80' },
      { name: 'unrelated.example', type: dns.Type.A, data: '192.0.2.99' },
    ]
    const obs = new Capture()
      .add(udp(CLIENT, RESOLVER, 51000, 53, query(5, 'Portal.Contoso.example')), 1)
      .add(udp(RESOLVER, CLIENT, 53, 51000, response(5, 'Portal.Contoso.example', answers)), 1.01)
      .add(udp(CLIENT, RESOLVER, 51001, 53, query(6, 'portal.contoso.example')), 2)
      .add(udp(RESOLVER, CLIENT, 53, 51001, response(6, 'portal.contoso.example', answers)), 2.01)
      .run()
    expect(obs.dnsBindings.map((b) => [b.name, b.address, b.at.frame])).toEqual([
      ['Portal.Contoso.example', '192.0.2.80', 2], ['Portal.Contoso.example', '2001:db8::80', 2],
    ])
    expect(obs.dns[0]!.response!.answers.map((a) => a.data)).toEqual([
      'portal.trafficmanager.example', 'edge.cdn.example', '192.0.2.80', '2001:db8::80', '192.0.2.99',
    ])
  })

  it('reads DNS over TCP from the reassembled stream', () => {
    const cap = new Capture()
    new TcpConversation(cap, [CLIENT, 50500], [RESOLVER, 53], 1).open()
      .send(true, dnsTcpBytes({ id: 77, questions: [{ name: 'big.example', type: dns.Type.TXT }] }))
      .send(false, dnsTcpBytes({ id: 77, qr: true, questions: [{ name: 'big.example', type: dns.Type.TXT }],
        answers: [{ name: 'big.example', type: dns.Type.TXT, data: { strings: ['v=spf1 -all'] } }] }))
      .close()
    const obs = cap.run()
    expect(obs.dns).toHaveLength(1)
    expect(obs.dns[0]).toMatchObject({ proto: 'tcp', client: { ip: CLIENT, port: 50500 }, server: { ip: RESOLVER, port: 53 }, id: 77, qtype: 16 })
    expect(obs.dns[0]!.query.frame).toBe(4)
    expect(obs.dns[0]!.response!.at.frame).toBe(5)
    expect(obs.dns[0]!.response!.answers).toEqual([{ name: 'big.example', type: 16, ttl: 0, data: 'v=spf1 -all' }])
  })

  it('ignores mDNS (the rules judge DNS on port 53) and DNS quoted by an ICMP error', () => {
    const q = query(0, 'printer.local')
    const quotedQuery = packet().ipv4(CLIENT, RESOLVER).udp(51000, 53).payload(query(3, 'quoted.example')).build()
    const obs = new Capture()
      .add(udp(CLIENT, '224.0.0.251', 5353, 5353, q), 1)
      .add(packet().eth().ipv4(RESOLVER, CLIENT).icmp(3, 3).payload(quotedQuery).build(), 2)
      .run()
    expect(obs.dns).toEqual([])
    expect(obs.dnsOrphanResponses).toEqual([])
    expect(obs.icmpErrors).toHaveLength(1)
  })

  it('counts orphans past the bound in dropped', () => {
    const b = new ObservationBuilder()
    const decoder = new FrameDecoder()
    const bytes = udp(RESOLVER, CLIENT, 53, 40000, response(1, 'o.example', []))
    for (let i = 1; i <= MAX_DNS_ORPHANS + 3; i++) {
      const f = frameOf(bytes, { frameNumber: i, tsSec: T0 + i })
      b.observe(f, decoder.decode(f))
    }
    const obs = b.finish()
    expect(obs.dnsOrphanResponses).toHaveLength(MAX_DNS_ORPHANS)
    expect(obs.dnsOrphanResponses[MAX_DNS_ORPHANS - 1]!.at.frame).toBe(MAX_DNS_ORPHANS)
    expect(obs.dropped).toEqual({ dnsOrphanResponses: 3 })
  })
})

describe('NTP', () => {
  const NTP_SERVER = '192.0.2.123'
  it('pairs a client request with the server reply; keeps stratum, leap, refId text', () => {
    const obs = new Capture()
      .add(udp(CLIENT, NTP_SERVER, 123, 123, ntpBytes({ mode: ntp.Mode.Client, version: 4 })), 1)
      .add(udp(NTP_SERVER, CLIENT, 123, 123, ntpBytes({ mode: ntp.Mode.Server, version: 4, stratum: 2, leap: 0, refId: ipv4Number('192.0.2.1') })), 1.002)
      .add(udp(CLIENT, NTP_SERVER, 50123, 123, ntpBytes({ mode: ntp.Mode.SymmetricActive, version: 3 })), 2)
      .add(udp(CLIENT, '192.0.2.124', 123, 123, ntpBytes({ mode: ntp.Mode.Client })), 3)
      .add(udp('192.0.2.124', CLIENT, 123, 123, ntpBytes({ mode: ntp.Mode.Server, stratum: 1, leap: 3, refId: ntp.refIdOf('GPS') })), 3.1)
      .run()
    expect(obs.ntp.map((x) => [x.client.port, x.server.ip, x.mode, x.version, x.request.frame])).toEqual([
      [123, NTP_SERVER, 3, 4, 1], [50123, NTP_SERVER, 1, 3, 3], [123, '192.0.2.124', 3, 4, 4],
    ])
    expect(obs.ntp[0]!.reply).toEqual({ at: expect.objectContaining({ frame: 2 }), mode: 4, stratum: 2, leap: 0, refId: '192.0.2.1', version: 4 })
    expect(obs.ntp[1]!.reply).toBeNull()
    expect(obs.ntp[2]!.reply).toMatchObject({ stratum: 1, leap: 3, refId: 'GPS' })
  })

  it('a reply answers the oldest waiting request of its pair, and a reply from elsewhere answers nothing', () => {
    const obs = new Capture()
      .add(udp(CLIENT, '192.0.2.123', 123, 123, ntpBytes({ mode: 3 })), 1)
      .add(udp(CLIENT, '192.0.2.123', 123, 123, ntpBytes({ mode: 3 })), 2)
      .add(udp('192.0.2.200', CLIENT, 123, 123, ntpBytes({ mode: 4, stratum: 3 })), 2.1)
      .add(udp('192.0.2.123', CLIENT, 123, 123, ntpBytes({ mode: 4, stratum: 2 })), 2.2)
      .run()
    expect(obs.ntp.map((x) => x.reply?.at.frame ?? null)).toEqual([4, null])
  })
})

describe('BGP', () => {
  const TOR = '10.10.1.2'
  const BORDER = '10.10.1.1'
  const open = (myAs: number, bgpId: string): bgp.Fields => ({ kind: 'OPEN', myAs, holdTime: 90, bgpId, capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 65, asn: myAs }] })

  function session(md5: boolean): Capture {
    const cap = new Capture()
    new TcpConversation(cap, [TOR, 50179], [BORDER, 179], 1, { md5 }).open()
      .send(true, bgpBytes(open(64651, '10.10.1.2')))
      .send(false, bgpBytes(open(64512, '10.10.1.1'), { kind: 'KEEPALIVE' }))
      .send(true, bgpBytes({ kind: 'KEEPALIVE' }))
      .send(true, bgpBytes({ kind: 'UPDATE', origin: 0, asPath: [64651], nextHop: TOR, nlri: ['203.0.113.10/32', '203.0.113.11/32'] }))
      .send(true, bgpBytes(
        { kind: 'UPDATE', withdrawn: ['203.0.113.10/32'] },
        { kind: 'UPDATE', origin: 0, asPath: [64651, 64652], nextHop: TOR, nlri: ['203.0.113.10/32'] },
      ))
      .send(true, bgpBytes({ kind: 'UPDATE', origin: 0, asPath: [64651], mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::2', nlri: ['2001:db8:100::/48'] } }))
      .send(true, bgpBytes({ kind: 'UPDATE', mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:100::/48'] } }))
      .send(false, bgpBytes({ kind: 'NOTIFICATION', code: 6, subcode: 2, communication: 'maintenance <b>' }))
      .segment(true, RST | ACK)
    return cap
  }

  it('follows one session: handshake, OPENs, KEEPALIVEs, UPDATEs, NOTIFICATION, RST', () => {
    const obs = session(false).run()
    expect(obs.bgpSessions).toHaveLength(1)
    const s = obs.bgpSessions[0]!
    expect(s).toMatchObject({
      a: { ip: TOR, port: 50179 }, b: { ip: BORDER, port: 179 }, syn: true, synAck: true, md5Seen: false, noMd5Seen: true,
      keepalives: 2, updates: 5, prefixUpdates: 5,
    })
    expect(s.first.frame).toBe(1)
    expect(s.last.frame).toBe(12)
    expect(s.reset?.frame).toBe(12)
    expect(s.fin).toBeNull()
    expect(s.firstKeepalive?.frame).toBe(5)
    expect(s.opens).toEqual([
      { from: TOR, myAs: 64651, as4: 64651, holdTime: 90, bgpId: '10.10.1.2', capabilities: [1, 65], at: expect.objectContaining({ frame: 4 }) },
      { from: BORDER, myAs: 64512, as4: 64512, holdTime: 90, bgpId: '10.10.1.1', capabilities: [1, 65], at: expect.objectContaining({ frame: 5 }) },
    ])
    expect(s.notifications).toEqual([{ from: BORDER, code: 6, subcode: 2, text: 'maintenance <b>', at: expect.objectContaining({ frame: 11 }) }])
    expect(obs.routes.map((r) => [r.kind, r.peer, r.to, r.prefix, r.nextHop, r.asPath, r.at.frame])).toEqual([
      ['announce', TOR, BORDER, '203.0.113.10/32', TOR, [64651], 7],
      ['announce', TOR, BORDER, '203.0.113.11/32', TOR, [64651], 7],
      ['withdraw', TOR, BORDER, '203.0.113.10/32', null, [], 8],
      ['announce', TOR, BORDER, '203.0.113.10/32', TOR, [64651, 64652], 8],
      ['announce', TOR, BORDER, '2001:db8:100::/48', '2001:db8::2', [64651], 9],
      ['withdraw', TOR, BORDER, '2001:db8:100::/48', null, [], 10],
    ])
  })

  it('sees TCP-MD5 on every segment, and side a from a SYN-ACK when the SYN was missed', () => {
    const cap = session(true)
    cap.frames.shift()
    const s = cap.run().bgpSessions[0]!
    expect(s).toMatchObject({ a: { ip: TOR, port: 50179 }, syn: false, synAck: true, md5Seen: true, noMd5Seen: false })
  })

  it('a FIN is noted; a KEEPALIVE-only session has no updates', () => {
    const cap = new Capture()
    new TcpConversation(cap, [BORDER, 40000], [TOR, 179], 1).open()
      .send(true, bgpBytes(open(64512, '10.10.1.1'))).send(false, bgpBytes(open(64651, '10.10.1.2')))
      .send(true, bgpBytes({ kind: 'KEEPALIVE' })).send(false, bgpBytes({ kind: 'KEEPALIVE' }))
      .send(true, bgpBytes({ kind: 'UPDATE' })) // End-of-RIB: an UPDATE with no prefix
      .close()
    const s = cap.run().bgpSessions[0]!
    expect(s).toMatchObject({ a: { ip: BORDER }, updates: 1, prefixUpdates: 0, keepalives: 2, reset: null })
    expect(s.fin?.frame).toBe(9)
  })
})

describe('TLS and HTTP', () => {
  it('one observation per ClientHello, with the certificate names from the server flight', () => {
    const cap = new Capture()
    new TcpConversation(cap, [CLIENT, 50001], ['20.190.151.7', 443], 1).open()
      .send(true, clientHelloRecord('login.microsoftonline.com'))
      .send(false, serverFlightRecord('login.microsoftonline.com', 'Microsoft Azure TLS Issuing CA 01'))
    new TcpConversation(cap, [CLIENT, 50002], ['192.0.2.44', 443], 2).open()
      .send(true, clientHelloRecord(null))
    const obs = cap.run()
    expect(obs.tls).toEqual([
      {
        client: { ip: CLIENT, port: 50001 }, server: { ip: '20.190.151.7', port: 443 }, sni: 'login.microsoftonline.com',
        certSubject: 'login.microsoftonline.com', certIssuer: 'Microsoft Azure TLS Issuing CA 01', at: expect.objectContaining({ frame: 4 }), vni: null,
      },
      { client: { ip: CLIENT, port: 50002 }, server: { ip: '192.0.2.44', port: 443 }, sni: null, certSubject: null, certIssuer: null, at: expect.objectContaining({ frame: 9 }), vni: null },
    ])
  })

  it('HTTP CONNECT with proxy headers and an absolute-URI GET; responses are not requests', () => {
    const cap = new Capture()
    new TcpConversation(cap, [CLIENT, 50010], ['192.0.2.8', 3128], 1).open()
      .send(true, httpBytes({ method: 'CONNECT', target: 'login.microsoftonline.com:443', headers: [['Host', 'login.microsoftonline.com:443'], ['Proxy-Authorization', 'Basic Zm9v']] }))
      .send(false, httpBytes({ isResponse: true, status: 200, reason: 'Connection established' }))
    new TcpConversation(cap, [CLIENT, 50011], ['192.0.2.8', 8080], 2).open()
      .send(true, httpBytes({ method: 'GET', target: 'http://crl.example/ca.crl', headers: [['Host', 'crl.example']] }))
    const obs = cap.run()
    expect(obs.http).toEqual([
      { client: { ip: CLIENT, port: 50010 }, server: { ip: '192.0.2.8', port: 3128 }, method: 'CONNECT', target: 'login.microsoftonline.com:443', host: 'login.microsoftonline.com:443', proxyHeaders: true, at: expect.objectContaining({ frame: 4 }), vni: null },
      { client: { ip: CLIENT, port: 50011 }, server: { ip: '192.0.2.8', port: 8080 }, method: 'GET', target: 'http://crl.example/ca.crl', host: 'crl.example', proxyHeaders: false, at: expect.objectContaining({ frame: 9 }), vni: null },
    ])
  })

  it('the VNI of the tunnel carrying a TLS hello', () => {
    const cap = new Capture()
    const wrap = (b: ReturnType<typeof packet>, fromClient: boolean) => (fromClient
      ? b.eth().ipv4('10.30.0.1', '10.30.0.2').udp(49152, 4789) : b.eth().ipv4('10.30.0.2', '10.30.0.1').udp(49153, 4789)).vxlan(5001).eth()
    new TcpConversation(cap, ['172.16.0.5', 50000], ['203.0.113.10', 443], 1, { wrap }).open().send(true, clientHelloRecord('tenant.example'))
    const obs = cap.run()
    expect(obs.tls.map((t) => [t.sni, t.vni, t.client.ip])).toEqual([['tenant.example', 5001, '172.16.0.5']])
  })
})

describe('tunnels', () => {
  const inner = (i: number) => packet().eth().ipv4('172.16.0.5', '172.16.0.6').tcp(50000, 443, { seq: i }).payload(new Uint8Array(64))
  const vxlanFrame = (i: number, vni = 5001) => packet().eth().ipv4('10.30.0.1', '10.30.0.2').udp(49152, 4789).vxlan(vni).payload(inner(i).build()).build()

  /** The VXLAN datagram in two IPv4 fragments (first 64 bytes of UDP, then the rest). */
  function fragmented(i: number): Uint8Array[] {
    const whole = vxlanFrame(i)
    const udpDatagram = whole.subarray(14 + 20)
    const ip = (data: Uint8Array, fragmentOffset: number, mf: boolean) =>
      packet().eth().ipv4('10.30.0.1', '10.30.0.2', { id: 0x4242 + i, mf, fragmentOffset, protocol: 17 }).payload(data).build()
    return [ip(udpDatagram.subarray(0, 64), 0, true), ip(udpDatagram.subarray(64), 64, false)]
  }

  it('aggregates VXLAN per (outer pair, VNI, flags, inner pair): packets, fragmented outer datagrams, evidence frames', () => {
    const cap = new Capture()
    for (let i = 0; i < 25; i++) cap.add(vxlanFrame(i), 1 + i)
    const [f1, f2] = fragmented(99)
    cap.add(f1!, 30).add(f2!, 30.001)
    cap.add(vxlanFrame(100, 5002), 31)
    cap.add(packet().eth().ipv4('10.30.0.1', '10.30.0.2').gre({ key: 6001 * 256 + 7 }).eth().ipv4('172.16.0.5', '172.16.0.6').udp(1, 2).build(), 32)
    cap.add(packet().eth().ipv4('10.30.0.1', '10.30.0.2').gre().ipv4('172.16.0.5', '172.16.0.6').udp(1, 2).build(), 33)
    const obs = cap.run()
    expect(obs.tunnels).toHaveLength(4)
    const [v, v2, nvgre, plain] = obs.tunnels
    expect(v).toMatchObject({
      kind: 'vxlan', outerSrc: '10.30.0.1', outerDst: '10.30.0.2', vni: 5001, flags: 0x08, innerSrc: '172.16.0.5', innerDst: '172.16.0.6',
      packets: 26, fragmented: 1, fragmentedFrames: [27],
    })
    expect(v!.frames).toEqual(Array.from({ length: MAX_EVIDENCE_FRAMES }, (_, i) => i + 1))
    expect(v!.first.frame).toBe(1)
    expect(v!.last.frame).toBe(27)
    expect(v!.last.ts).toBe('2026-11-20T10:00:30.001000000Z')
    expect(v2).toMatchObject({ kind: 'vxlan', vni: 5002, packets: 1, frames: [28] })
    expect(nvgre).toMatchObject({ kind: 'nvgre', vni: 6001, flags: 0, innerSrc: '172.16.0.5', packets: 1 })
    expect(plain).toMatchObject({ kind: 'gre', vni: null, innerDst: '172.16.0.6', packets: 1 })
  })
})

describe('ICMP errors', () => {
  it('fragmentation needed with the next-hop MTU and the quoted flow; ICMPv6 packet too big; echo is not an error', () => {
    const quotedTcp = packet().ipv4('10.30.0.1', '10.30.0.2').tcp(49152, 4789).build().subarray(0, 28)
    const quotedUdp6 = packet().ipv6('2001:db8::1', '2001:db8::2').udp(40000, 53).payload(new Uint8Array(8)).build()
    const obs = new Capture()
      .add(packet().eth().ipv4('10.10.1.1', '10.30.0.1').icmp(3, 4, 1450).payload(quotedTcp).build(), 1)
      .add(packet().eth().ipv6('2001:db8::fe', '2001:db8::1').icmpv6(2, 0, 1280).payload(quotedUdp6).build(), 2)
      .add(packet().eth().ipv4('10.10.1.1', '10.30.0.1').icmp(11, 0).payload(quotedTcp).build(), 3)
      .add(packet().eth().ipv4('10.10.1.1', '10.30.0.1').icmp(8, 0).payload(new Uint8Array(8)).build(), 4)
      .run()
    expect(obs.icmpErrors.map(({ at, ...e }) => ({ ...e, frame: at.frame }))).toEqual([
      { family: 4, from: '10.10.1.1', to: '10.30.0.1', icmpType: 3, code: 4, mtu: 1450, quoted: { proto: 6, src: '10.30.0.1', dst: '10.30.0.2', srcPort: 49152, dstPort: 4789 }, frame: 1 },
      { family: 6, from: '2001:db8::fe', to: '2001:db8::1', icmpType: 2, code: 0, mtu: 1280, quoted: { proto: 17, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 40000, dstPort: 53 }, frame: 2 },
      { family: 4, from: '10.10.1.1', to: '10.30.0.1', icmpType: 11, code: 0, mtu: null, quoted: { proto: 6, src: '10.30.0.1', dst: '10.30.0.2', srcPort: 49152, dstPort: 4789 }, frame: 3 },
    ])
  })
})

describe('spans and files', () => {
  it('first and last Where per file; frames are numbered per file; no timestamp gives NaN and ""', () => {
    const cap = new Capture(['a.pcap', 'b.pcapng'])
      .add(udp(CLIENT, RESOLVER, 1, 53, query(1, 'a.example')), 1, 0)
      .add(udp(CLIENT, RESOLVER, 2, 53, query(2, 'b.example')), 2, 0)
      .add(udp(CLIENT, RESOLVER, 3, 53, query(3, 'c.example')), 3, 1)
    const obs = cap.run()
    expect(obs.spans.map((s) => [s.fileIndex, s.file, s.first?.frame, s.last?.frame, s.last?.file])).toEqual([
      [0, 'a.pcap', 1, 2, 'a.pcap'], [1, 'b.pcapng', 1, 1, 'b.pcapng'],
    ])
    expect(obs.dns.map((t) => [t.query.file, t.query.frame])).toEqual([['a.pcap', 1], ['a.pcap', 2], ['b.pcapng', 1]])

    const b = new ObservationBuilder()
    const decoder = new FrameDecoder()
    const f = frameOf(udp(CLIENT, RESOLVER, 1, 53, query(1, 'a.example')), { hasTimestamp: false, tsSec: 0, tsNsec: 0 })
    b.observe(f, decoder.decode(f))
    const o = b.finish()
    expect(o.dns[0]!.query.t).toBeNaN()
    expect(o.dns[0]!.query.ts).toBe('')
    expect(o.spans).toHaveLength(1)
  })
})

describe('flows', () => {
  it('counts every flow and keeps them all without a policy, roles null', () => {
    const cap = new Capture()
      .add(udp(CLIENT, RESOLVER, 51000, 53, query(1, 'a.example')), 1)
      .add(packet().eth().ipv4('198.51.100.1', '198.51.100.2').tcp(1000, 22, { flags: SYN }).build(), 2)
    const obs = cap.run()
    expect(obs.flowCount).toBe(2)
    expect(obs.flows).toHaveLength(2)
    expect(obs.flows.every((f) => f.roles.initiator === null && f.roles.responder === null)).toBe(true)
  })

  it('with a policy keeps only relevant flows and fills their roles', () => {
    const cap = new Capture()
      .add(udp(CLIENT, RESOLVER, 51000, 53, query(1, 'a.example')), 1)                                           // dvm -> forwarder
      .add(packet().eth().ipv4('198.51.100.1', '198.51.100.2').tcp(1000, 22, { flags: SYN }).build(), 2)         // unrelated
      .add(packet().eth().ipv4('198.51.100.1', '203.0.113.200').tcp(1000, 443, { flags: SYN }).build(), 3)       // public VIP on 443
      .add(packet().eth().ipv4('198.51.100.1', '203.0.113.200').tcp(1000, 3389, { flags: SYN }).build(), 4)      // public VIP, other port
      .add(packet().eth().ipv6('2001:db8::1', '2001:db8::2').udp(1, 2).build(), 5)                                // IPv6
    const obs = cap.run({ policy: { version: 1, networks: { bmc: '10.10.0.0/26', publicVip: '203.0.113.0/24' }, hosts: { dvm: CLIENT, dnsForwarders: [RESOLVER] } } })
    expect(obs.flowCount).toBe(5)
    expect(obs.flows.map((f) => [f.initiator.ip, f.responder.ip, f.roles.initiator, f.roles.responder]).sort()).toEqual([
      [CLIENT, RESOLVER, 'dvm', 'dns-forwarder'],
      ['198.51.100.1', '203.0.113.200', null, 'public-vip'],
      ['2001:db8::1', '2001:db8::2', null, null],
    ].sort())
  })

  const rec = (i: number): FlowRecord => ({
    proto: 'udp', initiator: { ip: '10.0.0.1', port: 1000 + i }, responder: { ip: '10.0.0.2', port: 53 }, vni: null, vlan: null,
    firstTs: `2026-11-20T10:00:0${i}.000000000Z`, lastTs: `2026-11-20T10:00:0${i}.000000000Z`, packets: { fwd: 1, rev: 0 },
    bytes: { fwd: 60, rev: 0 }, state: 'S0', app: 'dns', firstFrame: i + 1, roles: { initiator: null, responder: null },
    history: 'D', payloadBytes: { fwd: 32, rev: 0 }, lastFrame: i + 1, initiatorInferred: false, icmpErrors: 0, file: 'x.pcap',
  })

  it('past the bound keeps the earliest flows (whatever order they end in) and counts the rest', () => {
    const keep = new EarliestFlows(3)
    for (const i of [5, 1, 4, 0, 3, 2]) keep.offer(rec(i))
    expect(keep.records().map((r) => r.firstFrame).sort()).toEqual([1, 2, 3])
    expect(keep.dropped).toBe(3)
  })

  it('after a cutoff (engine/list-cutoffs.ts) lets go of the later records and keeps no more of them, counting both', () => {
    const keep = new EarliestFlows(5)
    for (const i of [4, 1, 3]) keep.offer(rec(i))
    expect(keep.lastKey()).toEqual(flowStartKey(rec(4)))
    keep.cutAfter(flowStartKey(rec(2)))
    expect(keep.records().map((r) => r.firstFrame)).toEqual([2]) // rec(1): firstFrame 2
    expect(keep.dropped).toBe(2)
    for (const i of [0, 2, 6]) keep.offer(rec(i)) // 0 and 2 are at or before the cut
    expect(keep.records().map((r) => r.firstFrame).sort()).toEqual([1, 2, 3])
    expect(keep.dropped).toBe(3)
    expect(keep.size).toBe(3)
  })
})

describe('frames with nothing to observe', () => {
  it('plain TCP and ARP leave every list empty but the span and flows', () => {
    const cap = new Capture()
      .add(packet().eth().ipv4('198.51.100.1', '198.51.100.2').tcp(1000, 22, { flags: SYN | ACK }).build(), 1)
      .add(packet().eth('02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff', 0x0806).payload(new Uint8Array(28)).build(), 2)
      .add(packet().eth().ipv4('198.51.100.1', '198.51.100.2').tcp(1000, 22, { flags: FIN | ACK }).build(), 3)
    const obs = cap.run()
    for (const k of ['dns', 'dnsBindings', 'dnsOrphanResponses', 'ntp', 'bgpSessions', 'routes', 'tls', 'http', 'tunnels', 'icmpErrors'] as const) {
      expect(obs[k]).toEqual([])
    }
    expect(obs.spans[0]!.last!.frame).toBe(3)
    expect(obs.dropped).toEqual({})
  })
})
