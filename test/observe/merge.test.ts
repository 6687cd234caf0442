/**
 * mergeObservations: one mixed capture (DNS, NTP, BGP, TLS, HTTP, VXLAN with a fragmented outer
 * datagram, ICMP errors, two files) observed whole and split into 2 and 3 shards by the router's
 * symmetric hash; every merge must equal the single part's.
 */
import { describe, expect, it } from 'vitest'
import { mergeObservations } from '../../src/observe/merge.js'
import { MAX_EVIDENCE_FRAMES, MAX_TUNNELS } from '../../src/observe/limits.js'
import type { Observations, TunnelObservation, Where } from '../../src/observe/model.js'
import { packet } from '../../src/samples/packet.js'
import {
  Capture, TcpConversation, bgpBytes, clientHelloRecord, dnsBytes, httpBytes, ntpBytes, serverFlightRecord,
} from './traffic.js'

const udp = (src: string, dst: string, sport: number, dport: number, data: Uint8Array) =>
  packet().eth().ipv4(src, dst).udp(sport, dport).payload(data).build()

function mixedCapture(): Capture {
  const cap = new Capture(['one.pcap', 'two.pcap'])
  let t = 1
  for (let i = 0; i < 12; i++) {
    const client = `10.10.0.${20 + i}`
    const name = `host${i % 4}.example`
    cap.add(udp(client, '192.0.2.53', 40000 + i, 53, dnsBytes({ id: i, questions: [{ name, type: 1 }] })), t += 0.1, i < 6 ? 0 : 1)
    if (i % 3 !== 0) {
      cap.add(udp('192.0.2.53', client, 53, 40000 + i, dnsBytes({
        id: i, qr: true, questions: [{ name, type: 1 }], answers: [{ name, type: 1, data: `192.0.2.${100 + (i % 4)}` }],
      })), t += 0.05, i < 6 ? 0 : 1)
    }
    cap.add(udp(client, '192.0.2.123', 123, 123, ntpBytes({ mode: 3 })), t += 0.1, i < 6 ? 0 : 1)
    if (i % 2 === 0) cap.add(udp('192.0.2.123', client, 123, 123, ntpBytes({ mode: 4, stratum: 2 })), t += 0.01, i < 6 ? 0 : 1)
  }
  for (let k = 0; k < 3; k++) {
    const tor = `10.10.1.${2 + 4 * k}`
    const border = `10.10.1.${1 + 4 * k}`
    const c = new TcpConversation(cap, [tor, 50179 + k], [border, 179], t += 1).open()
      .send(true, bgpBytes({ kind: 'OPEN', myAs: 64651, bgpId: tor }))
      .send(false, bgpBytes({ kind: 'OPEN', myAs: 64512, bgpId: border }, { kind: 'KEEPALIVE' }))
      .send(true, bgpBytes({ kind: 'UPDATE', origin: 0, asPath: [64651], nextHop: tor, nlri: ['203.0.113.10/32', '203.0.113.11/32'] }))
      .send(true, bgpBytes({ kind: 'UPDATE', withdrawn: ['203.0.113.11/32'] }, { kind: 'UPDATE', origin: 0, asPath: [64651], nextHop: tor, nlri: ['203.0.113.11/32'] }))
    t = c.t
  }
  for (let k = 0; k < 4; k++) {
    const c = new TcpConversation(cap, [`10.10.0.${40 + k}`, 50000 + k], ['20.190.151.7', 443], t += 0.5).open()
      .send(true, clientHelloRecord(`svc${k}.example`)).send(false, serverFlightRecord(`svc${k}.example`, 'Test CA'))
    t = c.t
    const h = new TcpConversation(cap, [`10.10.0.${40 + k}`, 51000 + k], ['192.0.2.8', 3128], t += 0.5).open()
      .send(true, httpBytes({ method: 'CONNECT', target: `svc${k}.example:443`, headers: [['Host', `svc${k}.example:443`]] }))
    t = h.t
  }
  cap.add(udp('192.0.2.53', '10.10.0.99', 53, 40999, dnsBytes({ id: 99, qr: true, questions: [{ name: 'late.example', type: 1 }] })), t += 0.1, 1)
  // VXLAN: several inner pairs under one VTEP pair, one outer datagram fragmented. That one carries an inner
  // pair of its own: a reassembled datagram is routed by its fragments' (outer) pair, so an inner flow with
  // other packets would be split over two shards (src/engine/route.ts), which no merge of observations undoes.
  for (let k = 0; k < 8; k++) {
    const inner = packet().eth().ipv4(k === 5 ? '172.16.0.9' : `172.16.0.${k % 4}`, '172.16.1.1').tcp(50000, 443, { seq: k }).payload(new Uint8Array(64)).build()
    const whole = packet().eth().ipv4('10.30.0.1', '10.30.0.2').udp(49152, 4789).vxlan(5001).payload(inner).build()
    if (k !== 5) { cap.add(whole, t += 0.01, 1); continue }
    const d = whole.subarray(34)
    const ip = (data: Uint8Array, fragmentOffset: number, mf: boolean) =>
      packet().eth().ipv4('10.30.0.1', '10.30.0.2', { id: 0x77, mf, fragmentOffset, protocol: 17 }).payload(data).build()
    cap.add(ip(d.subarray(0, 48), 0, true), t += 0.01, 1).add(ip(d.subarray(48), 48, false), t += 0.01, 1)
  }
  for (let k = 0; k < 5; k++) {
    const quoted = packet().ipv4(`10.10.0.${60 + k}`, '192.0.2.200').udp(40000 + k, 443).payload(new Uint8Array(8)).build()
    cap.add(packet().eth().ipv4('10.10.1.1', `10.10.0.${60 + k}`).icmp(3, 4, 1400 - k).payload(quoted).build(), t += 0.01, 1)
  }
  return cap
}

/** The capture observed as `n` shards, each with its own decoder and builder. */
const split = (cap: Capture, n: number): Observations[] => Array.from({ length: n }, (_, index) => cap.run({}, { of: n, index }))

describe('mergeObservations', () => {
  const cap = mixedCapture()
  const whole = mergeObservations([cap.run()])

  it('the capture exercises every list, and the shards really divide it', () => {
    for (const k of ['dns', 'dnsBindings', 'dnsOrphanResponses', 'ntp', 'bgpSessions', 'routes', 'tls', 'http', 'tunnels', 'icmpErrors', 'flows'] as const) {
      expect(whole[k].length, k).toBeGreaterThan(0)
    }
    const parts = split(cap, 3)
    expect(parts.filter((p) => p.dns.length > 0).length).toBeGreaterThan(1)
    expect(parts.reduce((n, p) => n + p.dns.length, 0)).toBe(whole.dns.length)
    // The VTEP pair's outer flow is one shard's record, though its frames' inner flows are on several.
    expect(parts.filter((p) => p.flows.some((f) => f.app === 'vxlan')).length).toBe(1)
    expect(parts.filter((p) => p.tunnels.length > 0).length).toBeGreaterThan(1)
    expect(whole.flows.filter((f) => f.app === 'vxlan').map((f) => f.packets.fwd)).toEqual([8])
  })

  for (const n of [2, 3]) {
    it(`${n} shards merge to the single part's result`, () => {
      expect(mergeObservations(split(cap, n))).toEqual(whole)
      expect(JSON.stringify(mergeObservations(split(cap, n).reverse()))).toBe(JSON.stringify(whole))
    })
  }

  it('sorts by file then frame of the first evidence; route events of one frame keep their wire order', () => {
    const keys = (ws: Where[]) => ws.map((w) => [w.fileIndex, w.frame])
    const sorted = (ws: Where[]) => keys(ws).every((k, i, all) => i === 0 || k[0]! > all[i - 1]![0]! || (k[0] === all[i - 1]![0] && k[1]! >= all[i - 1]![1]!))
    expect(sorted(whole.dns.map((x) => x.query))).toBe(true)
    expect(whole.dns.some((x) => x.query.fileIndex === 1)).toBe(true)
    expect(sorted(whole.routes.map((x) => x.at))).toBe(true)
    const sameFrame = whole.routes.filter((r) => r.at.frame === whole.routes.find((x) => x.kind === 'withdraw')!.at.frame && r.peer === '10.10.1.2')
    expect(sameFrame.map((r) => r.kind)).toEqual(['withdraw', 'announce'])
  })

  it('counts the tunnels past their bound alike for any split: the frames of the aggregates not kept', () => {
    // MAX_TUNNELS aggregates of one frame each, then 300 more of three frames each (one inner 5-tuple each,
    // so one shard each): one builder counts the 900 frames as it meets them; two or three shards each
    // keep what they hold and the merge cuts the 300 latest aggregates, by their frames.
    const cap = new Capture()
    const vxlan = (i: number) => {
      const inner = packet().eth().ipv4(`172.${16 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}`, '172.31.1.1').udp(40000, 53).payload(new Uint8Array(8)).build()
      return packet().eth().ipv4('10.30.0.1', '10.30.0.2').udp(49152, 4789).vxlan(5001).payload(inner).build()
    }
    let t = 0
    for (let i = 0; i < MAX_TUNNELS; i++) cap.add(vxlan(i), t += 0.001)
    for (let i = MAX_TUNNELS; i < MAX_TUNNELS + 300; i++) for (let k = 0; k < 3; k++) cap.add(vxlan(i), t += 0.001)
    const one = mergeObservations([cap.run()])
    expect(one.tunnels).toHaveLength(MAX_TUNNELS)
    expect(one.dropped['tunnels']).toBe(900)
    for (const n of [2, 3]) {
      const parts = split(cap, n)
      expect(parts.every((p) => p.tunnels.length < MAX_TUNNELS)).toBe(true)
      const merged = mergeObservations(parts)
      expect(merged.dropped['tunnels']).toBe(900)
      expect(JSON.stringify(merged.tunnels)).toBe(JSON.stringify(one.tunnels))
    }
  }, 60_000)

  it('joins tunnel aggregates found on several parts and sums dropped counts', () => {
    const a: TunnelObservation = {
      kind: 'vxlan', outerSrc: '10.30.0.1', outerDst: '10.30.0.2', vni: 5001, flags: 8, innerSrc: '172.16.0.1', innerDst: '172.16.1.1',
      packets: 15, fragmented: 1, first: at(3), last: at(40), frames: Array.from({ length: 15 }, (_, i) => 3 + 2 * i), fragmentedFrames: [40],
    }
    const b: TunnelObservation = { ...a, packets: 10, fragmented: 2, first: at(2), last: at(50), frames: Array.from({ length: 10 }, (_, i) => 2 + 2 * i), fragmentedFrames: [8, 50] }
    const p1: Observations = { ...mergeObservations([]), tunnels: [a], dropped: { routes: 2, tls: 1 } }
    const p2: Observations = { ...mergeObservations([]), tunnels: [b], dropped: { routes: 3 } }
    const m = mergeObservations([p1, p2])
    expect(m.tunnels).toHaveLength(1)
    expect(m.tunnels[0]).toMatchObject({ packets: 25, fragmented: 3, first: at(2), last: at(50), fragmentedFrames: [8, 40, 50] })
    expect(m.tunnels[0]!.frames).toEqual([...new Set([...a.frames, ...b.frames])].sort((x, y) => x - y).slice(0, MAX_EVIDENCE_FRAMES))
    expect(m.dropped).toEqual({ routes: 5, tls: 1 })
    expect(Object.keys(m.dropped)).toEqual(['routes', 'tls'])
  })

  it('keeps the earliest DNS binding of each (name, address) across parts', () => {
    const b = (frame: number, name: string) => ({ name, address: '192.0.2.1', at: at(frame) })
    const m = mergeObservations([
      { ...mergeObservations([]), dnsBindings: [b(9, 'x.example')] },
      { ...mergeObservations([]), dnsBindings: [b(4, 'X.example'), b(5, 'y.example')] },
    ])
    expect(m.dnsBindings.map((x) => [x.name, x.at.frame])).toEqual([['X.example', 4], ['y.example', 5]])
  })

  it('joins spans per file: earliest first, latest last', () => {
    const span = (first: number, last: number) => ({ fileIndex: 0, file: 'a.pcap', first: at(first), last: at(last) })
    const m = mergeObservations([
      { ...mergeObservations([]), spans: [span(3, 90)] },
      { ...mergeObservations([]), spans: [span(1, 50), { fileIndex: 1, file: 'b.pcap', first: null, last: null }] },
    ])
    expect(m.spans.map((s) => [s.fileIndex, s.first?.frame ?? null, s.last?.frame ?? null])).toEqual([[0, 1, 90], [1, null, null]])
  })
})

function at(frame: number): Where {
  return { fileIndex: 0, file: 'a.pcap', frame, t: 1_700_000_000 + frame, ts: `t${frame}` }
}
