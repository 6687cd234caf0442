/**
 * Applications over reassembled TCP, through the whole frame loop: messages split over
 * segments, several in one segment, out of order, and bytes that are not the protocol.
 */
import { describe, expect, it } from 'vitest'
import { toDecodeRecord } from '../../src/decode/decode-record.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import * as bgp from '../../src/decode/bgp.js'
import * as dns from '../../src/decode/dns.js'
import * as http from '../../src/decode/http.js'
import type { DecodeRecord } from '../../src/decode/record.js'
import * as tls from '../../src/decode/tls.js'
import { packet } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'
import { TcpApplications, type AppOutput, type Segment } from '../../src/flow/tcp-apps.js'

const CLIENT = '10.10.0.29'
const SERVER = '20.190.151.68'

/** Decode a TCP conversation: each entry is [fromClient, seq, payload]. */
function converse(segments: Array<[boolean, number, Uint8Array]>, ports: [number, number] = [49800, 443]): DecodeRecord[] {
  const d = new FrameDecoder()
  return segments.map(([fromClient, seq, data], i) => {
    const bytes = fromClient
      ? packet().eth().ipv4(CLIENT, SERVER).tcp(ports[0], ports[1], { seq, flags: 0x18 }).payload(data).build()
      : packet().eth().ipv4(SERVER, CLIENT).tcp(ports[1], ports[0], { seq, flags: 0x18 }).payload(data).build()
    const f = frameOf(bytes, { frameNumber: i + 1 })
    return toDecodeRecord(f, d.decode(f))
  })
}
const app = (r: DecodeRecord, type: string) => r.layers.filter((l) => l.type === type) as unknown as Array<Record<string, unknown>>

const hello = tls.records(tls.ContentType.Handshake, 0x0301, tls.clientHello({
  version: 0x0303, cipherSuites: [0x1301, 0x1302, 0xc02f], sni: 'login.microsoftonline.com', alpn: ['h2', 'http/1.1'],
}))

describe('TLS over TCP', () => {
  it('reads a ClientHello split over three segments in the frame of its last byte', () => {
    const cut = [0, 30, 60, hello.length]
    const records = converse([0, 1, 2].map((k) => [true, 1000 + cut[k]!, hello.subarray(cut[k], cut[k + 1])] as [boolean, number, Uint8Array]))
    expect(records.map((r) => app(r, 'tls').length)).toEqual([0, 0, 1])
    expect(app(records[2]!, 'tls')[0]).toMatchObject({ handshake: [1], version: 0x0301, sni: 'login.microsoftonline.com', alpn: ['h2', 'http/1.1'], cipherCount: 3 })
  })

  it('reassembles segments that arrive out of order after the SYN', () => {
    const d = new FrameDecoder()
    const seg = (seq: number, flags: number, data: ArrayLike<number>, n: number) => {
      const f = frameOf(packet().eth().ipv4(CLIENT, SERVER).tcp(49800, 443, { seq, flags }).payload(data).build(), { frameNumber: n })
      return toDecodeRecord(f, d.decode(f))
    }
    seg(999, 0x02, [], 1) // SYN: the stream starts at 1000
    expect(app(seg(1060, 0x18, hello.subarray(60), 2), 'tls')).toEqual([])
    expect(app(seg(1000, 0x18, hello.subarray(0, 60), 3), 'tls')[0]).toMatchObject({ sni: 'login.microsoftonline.com' })
  })

  it('reports bytes on 443 that are not TLS once and stops following the connection', () => {
    const junk = new TextEncoder().encode('SSH-2.0-OpenSSH_9.6\r\n')
    const d = new FrameDecoder()
    const f = frameOf(packet().eth().ipv4(CLIENT, SERVER).tcp(49800, 443, { seq: 1, flags: 0x18 }).payload(junk).build())
    const r = toDecodeRecord(f, d.decode(f))
    expect(app(r, 'tls')).toEqual([])
    expect(d.tcpApps.size).toBe(0) // never followed: the first bytes did not look like TLS
  })
})

describe('HTTP over TCP', () => {
  it('reads two pipelined requests in one segment and skips a body by Content-Length', () => {
    const post = http.build(http.fields({ method: 'POST', target: '/a', headers: [['Host', 'x.example'], ['Content-Length', '5']] }))
    const connect = http.build(http.fields({ method: 'CONNECT', target: 'login.microsoftonline.com:443', headers: [['Host', 'login.microsoftonline.com:443']] }))
    const body = new TextEncoder().encode('hello')
    const stream = new Uint8Array([...post, ...body, ...connect])
    const [r] = converse([[true, 1, stream]], [49800, 3128])
    expect(app(r!, 'http').map((h) => [h['method'], h['target'], h['host']])).toEqual([
      ['POST', '/a', 'x.example'],
      ['CONNECT', 'login.microsoftonline.com:443', 'login.microsoftonline.com:443'],
    ])
  })
})

describe('BGP over TCP', () => {
  const open = bgp.build({ kind: 'OPEN', myAs: 64652, holdTime: 180, bgpId: '10.10.1.6', capabilities: [{ code: 65, asn: 64652 }] })
  const update = (vip: string) => bgp.build({ kind: 'UPDATE', origin: 0, asPath: [64652], nextHop: '10.10.1.6', nlri: [`${vip}/32`] })

  it('reports every message of a segment in one bgp layer, and one message split over segments in the frame of its end', () => {
    const two = new Uint8Array([...open, ...update('203.0.113.10')])
    const u = update('203.0.113.11')
    const records = converse([[true, 1, two], [true, 1 + two.length, u.subarray(0, 10)], [true, 1 + two.length + 10, u.subarray(10)]], [40000, 179])
    const kinds = records.map((r) => r.layers.flatMap((l) => (l.type === 'bgp' ? l.messages.map((m) => m.kind) : [])))
    expect(kinds).toEqual([['OPEN', 'UPDATE'], [], ['UPDATE']])
    const last = records[2]!.layers.find((l) => l.type === 'bgp')
    expect(last?.type === 'bgp' && last.messages[0]).toMatchObject({ nlri: ['203.0.113.11/32'] })
  })

  it('skips a lost segment: the next message after the hole is decoded when it arrives, the cut one is dropped', () => {
    const a = update('203.0.113.10')
    const b = update('203.0.113.74')
    // a's second half is never captured; b follows after the hole.
    const records = converse([[true, 1, a.subarray(0, 20)], [true, 1 + a.length, b]], [40000, 179])
    const nlri = records.map((r) => r.layers.flatMap((l) => (l.type === 'bgp' ? l.messages.flatMap((m) => (m.kind === 'UPDATE' ? m.nlri : [])) : [])))
    expect(nlri).toEqual([[], ['203.0.113.74/32']])
    expect(records.flatMap((r) => r.malformed)).toEqual([])
  })
})

describe('DNS over TCP', () => {
  it('reads length-prefixed messages: two in one segment, one split over two segments', () => {
    const msg = (id: number) => {
      const f = dns.fields({ id, qr: true, ra: true, questions: [{ name: 'login.microsoftonline.com', type: 1 }], answers: [{ name: 'login.microsoftonline.com', type: 1, ttl: 60, data: '20.190.151.68' }] })
      const b = new Uint8Array(2 + dns.encodingLength(f))
      b[0] = (b.length - 2) >> 8
      b[1] = (b.length - 2) & 0xff
      dns.encode(f, b, 2)
      return b
    }
    const two = new Uint8Array([...msg(1), ...msg(2)])
    const third = msg(3)
    const records = converse([[false, 1, two], [false, 1 + two.length, third.subarray(0, 17)], [false, 1 + two.length + 17, third.subarray(17)]], [50000, 53])
    expect(records.map((r) => app(r, 'dns').map((d) => d['id']))).toEqual([[1, 2], [], [3]])
    expect(app(records[2]!, 'dns')[0]).toMatchObject({ answers: [{ name: 'login.microsoftonline.com', type: 1, class: 1, ttl: 60, data: '20.190.151.68' }] })
  })
})

describe('connections opened by a bare SYN', () => {
  const seg = (srcPort: number, dir: 0 | 1, seq: number, flags: number, data: Uint8Array, frame: number): Segment => ({
    lo: 0x0a000001, loPort: srcPort, hi: 0x0a000002, hiPort: 443, vni: -1, key: "", hash: srcPort, dir, srcPort: dir === 0 ? srcPort : 443, dstPort: dir === 0 ? 443 : srcPort,
    seq, flags, bytes: data, payloadOffset: 0, payloadEnd: data.length, frame,
  })
  const out = (): AppOutput => ({ records: [], issues: [] })

  it('hold no parser or reassembler until a direction sends more than its SYN (a SYN flood to 443 builds none)', () => {
    const apps = new TcpApplications()
    for (let p = 1024; p < 3024; p++) apps.segment(seg(p, 0, p * 7, 0x02, new Uint8Array(0), p), out())
    expect(apps.size).toBe(2000)
    expect(apps.reassemblers).toBe(0)
    // The SYN-ACK of one of them builds nothing either; its first data segment builds its direction's stream.
    apps.segment(seg(1024, 1, 5000, 0x12, new Uint8Array(0), 1), out())
    expect(apps.reassemblers).toBe(0)
    const o = out()
    apps.segment(seg(1024, 0, 1024 * 7 + 1, 0x18, hello, 2), o)
    expect(apps.reassemblers).toBe(1)
    expect(o.records.filter((r) => r.type === 'tls')).toHaveLength(1)
  })

  it('start the stream at the first SYN seen, as the reassembler does (a retransmitted SYN with another number is ignored)', () => {
    const apps = new TcpApplications()
    apps.segment(seg(2000, 0, 999, 0x02, new Uint8Array(0), 1), out())
    apps.segment(seg(2000, 0, 5_000_000, 0x02, new Uint8Array(0), 2), out())
    // The second half first: held out of order behind byte 1000, then the first half completes the hello.
    const late = out()
    apps.segment(seg(2000, 0, 1060, 0x18, hello.subarray(60), 3), late)
    expect(late.records).toEqual([])
    const o = out()
    apps.segment(seg(2000, 0, 1000, 0x18, hello.subarray(0, 60), 4), o)
    expect(o.records.filter((r) => r.type === 'tls')[0]).toMatchObject({ sni: 'login.microsoftonline.com' })
  })

  it('are told apart by their identity when their hashes collide, and close one by one from any place in the chain', () => {
    const apps = new TcpApplications()
    const same = (srcPort: number, dir: 0 | 1, seq: number, flags: number, data: Uint8Array, frame: number): Segment => ({ ...seg(srcPort, dir, seq, flags, data, frame), hash: 7 })
    for (const p of [4001, 4002, 4003]) apps.segment(same(p, 0, p, 0x02, new Uint8Array(0), 1), out())
    expect(apps.size).toBe(3)
    // Half a hello on 4001, a whole one on 4002: only 4002's completes.
    const half = out()
    apps.segment(same(4001, 0, 4002, 0x18, hello.subarray(0, 60), 2), half)
    expect(half.records).toEqual([])
    const whole = out()
    apps.segment(same(4002, 0, 4003, 0x18, hello, 3), whole)
    expect(whole.records.filter((r) => r.type === 'tls')).toHaveLength(1)
    // A reset ends only its own connection: the middle of the chain, its head, then the last one.
    apps.segment(same(4002, 1, 9, 0x04, new Uint8Array(0), 4), out())
    expect(apps.size).toBe(2)
    apps.segment(same(4003, 1, 9, 0x04, new Uint8Array(0), 5), out())
    expect(apps.size).toBe(1)
    const rest = out()
    apps.segment(same(4001, 0, 4062, 0x18, hello.subarray(60), 6), rest) // 4001 was kept whole through both
    expect(rest.records.filter((r) => r.type === 'tls')[0]).toMatchObject({ sni: 'login.microsoftonline.com' })
    apps.segment(same(4001, 1, 9, 0x04, new Uint8Array(0), 7), out())
    expect(apps.size).toBe(0)
    expect(apps.skips(7, 0x18, 4001, 443, new Uint8Array(4), 0, 4)).toBe(true) // nothing of that hash is left
  })

  it('give their reassemblers back when the connection closes', () => {
    const apps = new TcpApplications()
    apps.segment(seg(3000, 0, 1, 0x02, new Uint8Array(0), 1), out())
    apps.segment(seg(3000, 0, 2, 0x18, hello.subarray(0, 10), 2), out())
    expect(apps.reassemblers).toBe(1)
    apps.segment(seg(3000, 1, 77, 0x04, new Uint8Array(0), 3), out())
    expect(apps.size).toBe(0)
    expect(apps.reassemblers).toBe(0)
  })
})
