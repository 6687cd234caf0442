/**
 * FlowTracker through the whole frame loop: frames built by src/samples/packet.ts, decoded by
 * FrameDecoder, observed in order. States and history, both directions in one flow, initiators,
 * VLAN/VNI, tunnels, ICMP errors, timeouts, the cap, TopFlows, mergeSummaries and a fuzz.
 */
import { describe, expect, it } from 'vitest'
import { FrameDecoder } from '../../src/decode/frame.js'
import * as geneve from '../../src/decode/geneve.js'
import type { FlowRecord } from '../../src/flow/flow-record.js'
import { Router } from '../../src/engine/route.js'
import { TRACK_ONLY } from '../../src/flow/share.js'
import {
  FlowTracker, TopFlows, compareFlowRecords, mergeSummaries, type EndReason, type FlowSummary, type FlowTrackerOptions,
} from '../../src/flow/tracker.js'
import { packet, type PacketBuilder } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'
import { mutate, seededRandom } from '../support/random.js'

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10
const C = '10.1.0.10'
const S = '10.2.0.20'
const T0 = 1_763_632_800 // 2025-11-20T10:00:00Z

/** A capture in the making: frames numbered from 1, at T0 + t seconds. */
class Capture {
  readonly frames: Array<{ bytes: Uint8Array; frameNumber: number; tsSec: number; tsNsec: number }> = []
  add(bytes: Uint8Array, t: number): this {
    const sec = Math.floor(t)
    this.frames.push({ bytes, frameNumber: this.frames.length + 1, tsSec: T0 + sec, tsNsec: Math.round((t - sec) * 1e9) })
    return this
  }
  /**
   * Run every frame through a fresh decoder and tracker, or as shard `shard.index` of `shard.of` would
   * get them (engine/route.ts: its frames, and track-only shares through a decoder of their own).
   */
  run(opts: FlowTrackerOptions = {}, shard?: { of: number; index: number; trackOnly?: number[] }): { tracker: FlowTracker; summary: FlowSummary; ended: Array<[FlowRecord, EndReason]> } {
    const ended: Array<[FlowRecord, EndReason]> = []
    const tracker = new FlowTracker({ file: 'test.pcap', topN: 50, keepAll: true, onEnd: (r, why) => ended.push([r, why]), ...opts })
    const decoder = new FrameDecoder()
    const outer = new FrameDecoder({ applications: false })
    const router = shard ? new Router(shard.of, {}, true) : null
    this.frames.forEach((f) => {
      const frame = frameOf(f.bytes, f)
      if (!router) { tracker.observe(frame, decoder.decode(frame)); return }
      const r = router.route(frame)
      for (let j = 0; j < r.count; j++) {
        if (r.shard[j] !== shard!.index) continue
        const share = r.share[j]!
        if (share & TRACK_ONLY) shard!.trackOnly?.push(f.frameNumber)
        tracker.observe(frame, (share & TRACK_ONLY ? outer : decoder).decode(frame), share)
      }
    })
    const last = this.frames[this.frames.length - 1]
    const summary = tracker.finish(last ? { tsSec: last.tsSec, tsNsec: last.tsNsec } : undefined)
    return { tracker, summary, ended }
  }
}

const tcp = (fromClient: boolean, flags: number, data = 0, ports: [number, number] = [50000, 8080]) =>
  (fromClient ? packet().eth().ipv4(C, S).tcp(ports[0], ports[1], { flags }) : packet().eth().ipv4(S, C).tcp(ports[1], ports[0], { flags }))
    .payload(new Uint8Array(data)).build()

/** The only flow of a one-flow capture. */
function only(cap: Capture, opts: FlowTrackerOptions = {}): FlowRecord {
  const { summary } = cap.run(opts)
  expect(summary.count).toBe(1)
  return summary.all![0]!
}

function conversation(segs: Array<[boolean, number, number?]>, ports?: [number, number]): Capture {
  const cap = new Capture()
  segs.forEach(([c, flags, data], i) => cap.add(tcp(c, flags, data ?? 0, ports), i * 0.001))
  return cap
}

const HANDSHAKE: Array<[boolean, number, number?]> = [[true, SYN], [false, SYN | ACK], [true, ACK]]

describe('TCP handshake and teardown states', () => {
  const cases: Array<[string, Array<[boolean, number, number?]>, string]> = [
    ['S0', [[true, SYN], [true, SYN]], 'S'],
    ['S1', [...HANDSHAKE, [true, PSH | ACK, 100], [false, ACK]], 'ShADa'],
    ['SF', [...HANDSHAKE, [true, PSH | ACK, 100], [false, ACK], [false, PSH | ACK, 1000], [true, FIN | ACK], [false, FIN | ACK], [true, ACK]], 'ShADadFf'],
    ['REJ', [[true, SYN], [false, RST | ACK]], 'Sr'],
    ['RSTO', [...HANDSHAKE, [true, RST | ACK]], 'ShAR'],
    ['RSTR', [...HANDSHAKE, [false, RST | ACK]], 'ShAr'],
    ['SH', [[true, SYN], [true, FIN | ACK]], 'SF'],
    ['S2', [...HANDSHAKE, [true, FIN | ACK]], 'ShAF'],
    ['S3', [...HANDSHAKE, [false, FIN | ACK]], 'ShAf'],
    ['RSTOS0', [[true, SYN], [true, RST]], 'SR'],
  ]
  for (const [state, segs, history] of cases) {
    it(`${state}: ${history}`, () => {
      const r = only(conversation(segs))
      expect(r.state).toBe(state)
      expect(r.history).toBe(history)
      expect(r.initiator).toEqual({ ip: C, port: 50000 })
      expect(r.responder).toEqual({ ip: S, port: 8080 })
      expect(r.initiatorInferred).toBe(false)
    })
  }

  it('both directions fold into one flow with per-direction packets, IP bytes and payload', () => {
    const r = only(conversation([...HANDSHAKE, [true, PSH | ACK, 100], [false, PSH | ACK, 1000]]))
    expect(r.packets).toEqual({ fwd: 3, rev: 2 })
    // 40 bytes of IPv4 + TCP headers per packet.
    expect(r.bytes).toEqual({ fwd: 3 * 40 + 100, rev: 2 * 40 + 1000 })
    expect(r.payloadBytes).toEqual({ fwd: 100, rev: 1000 })
    expect([r.firstFrame, r.lastFrame]).toEqual([1, 5])
    expect(r.firstTs).toBe('2025-11-20T10:00:00.000000000Z')
    expect(r.lastTs).toBe('2025-11-20T10:00:00.004000000Z')
    expect(r.proto).toBe('tcp')
    expect(r.file).toBe('test.pcap')
    expect([r.vlan, r.vni, r.app, r.icmpErrors]).toEqual([null, null, null, 0])
    expect(r.roles).toEqual({ initiator: null, responder: null })
  })

  it('the record has the contract\'s keys in order, then the additions', () => {
    const r = only(conversation(HANDSHAKE))
    expect(Object.keys(r)).toEqual([
      'proto', 'initiator', 'responder', 'vni', 'vlan', 'firstTs', 'lastTs', 'packets', 'bytes', 'state', 'app',
      'firstFrame', 'roles', 'history', 'payloadBytes', 'lastFrame', 'initiatorInferred', 'icmpErrors', 'file',
    ])
  })

  it('mid-stream pickup: OTH, the lower port is the server, marked initiatorInferred', () => {
    // The first packet is the server's: 8080 -> 50000.
    const r = only(conversation([[false, PSH | ACK, 500], [true, ACK], [true, PSH | ACK, 20]]))
    expect(r.initiatorInferred).toBe(true)
    expect(r.initiator).toEqual({ ip: C, port: 50000 })
    expect(r.state).toBe('OTH')
    expect(r.history).toBe('dAD')
    expect(r.packets).toEqual({ fwd: 2, rev: 1 })
  })

  it('a SYN-ACK first: its receiver initiated (inferred); the ACK establishes (S1)', () => {
    const r = only(conversation([[false, SYN | ACK], [true, ACK]], [50000, 60000]))
    expect(r.initiator.port).toBe(50000)
    expect(r.initiatorInferred).toBe(true)
    expect([r.state, r.history]).toEqual(['S1', 'hA'])
  })

  it('RSTRH: a SYN-ACK then the responder\'s RST', () => {
    expect(only(conversation([[false, SYN | ACK], [false, RST]])).state).toBe('RSTRH')
  })

  it('a closed connection ends 5 s after the close; a new SYN on it starts a new flow at once', () => {
    const cap = conversation([...HANDSHAKE, [true, FIN | ACK], [false, FIN | ACK]])
    cap.add(tcp(true, ACK), 1) // the last ACK, inside the linger
    cap.add(tcp(true, SYN), 2) // port reuse
    cap.add(tcp(false, SYN | ACK), 2.001)
    cap.add(tcp(true, ACK), 10) // 8 s after: still the second connection (not closed)
    const { summary, ended } = cap.run()
    expect(summary.count).toBe(2)
    expect(ended.map(([r, why]) => [r.state, r.history, why, r.packets.fwd + r.packets.rev])).toEqual([
      ['SF', 'ShAFf', 'reused', 6],
      ['S1', 'ShA', 'end', 3],
    ])
  })

  it('the originator\'s SYN with a new sequence number is a new connection; a retransmitted SYN is not', () => {
    const cap = new Capture()
    const syn = (seq: number) => packet().eth().ipv4(C, S).tcp(50000, 8080, { flags: SYN, seq }).build()
    cap.add(syn(100), 0).add(syn(100), 1).add(syn(9000), 3)
    const { summary, ended } = cap.run()
    expect(summary.count).toBe(2)
    expect(ended.map(([r, why]) => [r.packets.fwd, why])).toEqual([[2, 'reused'], [1, 'end']])
  })

  it('closed flows leave the table after the linger, even without more packets of theirs', () => {
    const cap = conversation([...HANDSHAKE, [true, RST]])
    cap.add(packet().eth().ipv4('10.9.9.9', S).udp(1, 2).build(), 6)
    const { tracker, ended } = cap.run({ onEnd: undefined })
    void ended
    expect(tracker.stats.closed).toBe(1)
    const t2 = new FlowTracker()
    const d = new FrameDecoder()
    for (const f of cap.frames) t2.observe(frameOf(f.bytes, f), d.decode(frameOf(f.bytes, f)))
    expect(t2.liveFlows).toBe(1) // the RST flow is gone, the UDP flow is live
  })
})

describe('UDP, ICMP, VLAN and tunnels', () => {
  const udp = (from: string, to: string, sp: number, dp: number, data = 10, b: PacketBuilder = packet().eth()) =>
    b.ipv4(from, to).udp(sp, dp).payload(new Uint8Array(data)).build()

  it('UDP: the first sender initiates; S0 then SF; history D/d', () => {
    const one = only(new Capture().add(udp(S, C, 9999, 5000), 0))
    expect([one.initiator, one.state, one.history, one.initiatorInferred]).toEqual([{ ip: S, port: 9999 }, 'S0', 'D', false])
    const two = only(new Capture().add(udp(S, C, 9999, 5000), 0).add(udp(C, S, 5000, 9999, 30), 0.5))
    expect([two.initiator.ip, two.state, two.history]).toEqual([S, 'SF', 'Dd'])
    expect(two.bytes).toEqual({ fwd: 38, rev: 58 })
    expect(two.payloadBytes).toEqual({ fwd: 10, rev: 30 })
  })

  it('an outer VLAN tag is the link, not the flow: a reply on another VLAN (or untagged) is the same flow', () => {
    const cap = new Capture()
      .add(udp(C, S, 5000, 9999, 10, packet().eth().vlan(10)), 0)
      .add(udp(S, C, 9999, 5000, 10, packet().eth()), 0.1)
      .add(udp(C, S, 5000, 9999, 10, packet().eth().vlan(20)), 0.2)
    const { summary } = cap.run()
    expect(summary.count).toBe(1)
    expect(summary.all!.map((r) => [r.vlan, r.packets.fwd, r.packets.rev, r.state])).toEqual([[null, 2, 1, 'SF']])
  })

  it('inside a tunnel the same addresses on two inner VLANs are two flows', () => {
    const tunnel = (vlan: number) => packet().eth().ipv4('192.0.2.1', '192.0.2.2').udp(61000, 4789).vxlan(5001).eth().vlan(vlan)
    const cap = new Capture()
      .add(udp(C, S, 5000, 9999, 10, tunnel(10)), 0)
      .add(udp(S, C, 9999, 5000, 10, tunnel(10)), 0.1)
      .add(udp(C, S, 5000, 9999, 10, tunnel(20)), 0.2)
    const { summary } = cap.run()
    const inner = summary.all!.filter((r) => r.vni === 5001)
    expect(inner.map((r) => [r.vlan, r.packets.fwd + r.packets.rev]).sort()).toEqual([[10, 2], [20, 1]])
  })

  it('VXLAN: inner flows with the same addresses split by VNI; the outer VTEP flow is its own flow, app vxlan', () => {
    const inner = (vni: number, sport: number, fromClient = true) => packet().eth().vlan(100).ipv4('192.0.2.1', '192.0.2.2').udp(sport, 4789).vxlan(vni)
      .eth().ipv4(fromClient ? C : S, fromClient ? S : C).tcp(fromClient ? 50000 : 443, fromClient ? 443 : 50000, { flags: fromClient ? SYN : SYN | ACK }).build()
    const cap = new Capture().add(inner(5001, 61000), 0).add(inner(5001, 61000, false), 0.1).add(inner(5002, 61000), 0.2)
    const { summary } = cap.run()
    const all = summary.all!
    const tcpFlows = all.filter((r) => r.proto === 'tcp')
    expect(tcpFlows.map((r) => [r.vni, r.vlan, r.state, r.packets.fwd, r.packets.rev]).sort()).toEqual([[5001, null, 'S1', 1, 1], [5002, null, 'S0', 1, 0]])
    const outer = all.filter((r) => r.proto === 'udp')
    expect(outer).toHaveLength(1)
    expect(outer[0]).toMatchObject({ app: 'vxlan', vni: null, vlan: null, initiator: { ip: '192.0.2.1', port: 61000 }, responder: { ip: '192.0.2.2', port: 4789 } })
    expect(outer[0]!.packets).toEqual({ fwd: 3, rev: 0 })
    expect(summary.byProto).toEqual({ tcp: 2, udp: 1 })
  })

  it('Geneve and NVGRE give the inner flow its VNI / VSID', () => {
    const gh = new Uint8Array(8)
    geneve.encode({ version: 0, optionsLength: 0, oam: false, critical: false, protocol: 0x6558, vni: 777 }, gh, 0)
    const cap = new Capture()
      .add(packet().eth().ipv4('192.0.2.1', '192.0.2.2').udp(40000, 6081).payload(gh).eth().ipv4(C, S).udp(1, 2).build(), 0)
      .add(packet().eth().ipv4('192.0.2.1', '192.0.2.2').gre({ key: (888 << 8) | 1 }).eth().ipv4(C, S).udp(1, 2).build(), 0.1)
    const all = cap.run().summary.all!
    const rows = (x: unknown[][]) => x.map((r) => JSON.stringify(r)).sort()
    expect(rows(all.map((r) => [r.proto, r.vni, r.app]))).toEqual(rows([
      ['ip-47', null, 'nvgre'], ['udp', 777, null], ['udp', 888, null], ['udp', null, 'geneve'],
    ]))
  })

  it('an ICMP unreachable counts in the UDP flow it quotes; the ICMP flow is kept too', () => {
    const quote = packet().ipv4(C, S).udp(5000, 9999).payload(new Uint8Array(12)).build().subarray(0, 28)
    const cap = new Capture()
      .add(udp(C, S, 5000, 9999), 0)
      .add(packet().eth().ipv4(S, C).icmp(3, 3).payload(quote).build(), 0.01)
      .add(packet().eth().ipv4(S, C).icmp(3, 3).payload(quote).build(), 0.02)
    const { summary, tracker } = cap.run()
    const flow = summary.all!.find((r) => r.proto === 'udp')!
    expect(flow.icmpErrors).toBe(2)
    const icmp = summary.all!.find((r) => r.proto === 'icmp')!
    expect(icmp).toMatchObject({ initiator: { ip: S, port: null }, responder: { ip: C, port: null }, state: 'OTH', history: '', icmpErrors: 0 })
    expect(icmp.packets).toEqual({ fwd: 2, rev: 0 })
    expect(icmp.payloadBytes.fwd).toBe(56)
    expect(tracker.stats.icmpErrors).toBe(2)
  })

  it('ICMPv6 packet-too-big counts in the TCP flow it quotes (ports read from the 8-byte quote)', () => {
    const quote = packet().ipv6('2001:db8::1', '2001:db8::2').tcp(50000, 443, { flags: ACK }).build().subarray(0, 48)
    const cap = new Capture()
      .add(packet().eth().ipv6('2001:db8::1', '2001:db8::2').tcp(50000, 443, { flags: ACK }).payload(new Uint8Array(1400)).build(), 0)
      .add(packet().eth().ipv6('2001:db8::ff', '2001:db8::1').icmpv6(2, 0, 1280).payload(quote).build(), 0.01)
    const all = cap.run().summary.all!
    expect(all.find((r) => r.proto === 'tcp')!.icmpErrors).toBe(1)
    expect(all.find((r) => r.proto === 'icmpv6')!.initiator.ip).toBe('2001:db8::ff')
  })
})

describe('timeouts and the cap', () => {
  const udp = (sp: number, t: number, cap: Capture) => cap.add(packet().eth().ipv4(C, S).udp(sp, 9999).build(), t)

  it('an idle gap longer than the timeout splits a flow; seen again it is a new flow', () => {
    const cap = new Capture()
    udp(5000, 0, cap); udp(5000, 59, cap); udp(5000, 119.5, cap) // gaps 59 s, 60.5 s
    const { summary, ended } = cap.run()
    expect(summary.count).toBe(2)
    expect(summary.timedOut).toBe(1)
    expect(ended.map(([r, why]) => [r.firstFrame, r.packets.fwd, why])).toEqual([[1, 2, 'timeout'], [3, 1, 'end']])
  })

  it('TCP idles 5 minutes; configurable per protocol', () => {
    const cap = conversation(HANDSHAKE)
    cap.add(tcp(true, PSH | ACK, 10), 299)
    expect(cap.run().summary.count).toBe(1)
    expect(cap.run({ timeouts: { tcp: 100 } }).summary.count).toBe(2)
  })

  it('flows idle past the timeout at the end are counted as timed out', () => {
    const cap = new Capture()
    udp(5000, 0, cap); udp(5001, 100, cap)
    const { summary } = cap.run()
    expect([summary.count, summary.timedOut]).toEqual([2, 1])
  })

  it('the active timeout cuts a long flow into records that keep initiator and state', () => {
    const cap = conversation(HANDSHAKE)
    for (let t = 10; t <= 250; t += 10) cap.add(tcp(false, PSH | ACK, 100), t)
    const { ended } = cap.run({ timeouts: { active: 100 } })
    expect(ended.map(([r, why]) => [why, r.state, r.history, r.initiator.port, r.packets.fwd + r.packets.rev])).toEqual([
      ['active', 'S1', 'ShAd', 50000, 13],
      ['active', 'S1', 'd', 50000, 11], // 110 s to 210 s: exactly 100 s is not past the timeout
      ['end', 'S1', 'd', 50000, 4],
    ])
  })

  it('the cap evicts the flow with the oldest last packet, counted', () => {
    const cap = new Capture()
    udp(1, 0, cap); udp(2, 1, cap); udp(1, 2, cap); udp(3, 3, cap) // flow 2 is the oldest idle one at frame 4
    const { summary, tracker, ended } = cap.run({ maxFlows: 2 })
    expect(tracker.stats.evicted).toBe(1)
    expect(summary.evicted).toBe(1)
    expect(tracker.stats.peakLive).toBe(2)
    expect(ended[0]![0].initiator.port).toBe(2)
    expect(ended[0]![1]).toBe('evicted')
    expect(summary.count).toBe(3)
  })
})

describe('files, drain and the end time', () => {
  it('setFile: flows started later carry the new file; frame numbers restart per file', () => {
    const d = new FrameDecoder()
    const t = new FlowTracker({ file: 'a.pcap', keepAll: true, collect: true })
    const send = (b: Uint8Array, n: number, sec: number) => { const f = frameOf(b, { frameNumber: n, tsSec: T0 + sec }); t.observe(f, d.decode(f)) }
    send(packet().eth().ipv4(C, S).udp(1, 2).build(), 1, 0)
    t.setFile('b.pcap')
    send(packet().eth().ipv4(C, S).udp(1, 2).build(), 1, 1) // the same flow goes on: still a.pcap's
    send(packet().eth().ipv4(C, S).udp(3, 4).build(), 2, 2)
    expect(t.drain()).toEqual([])
    const s = t.finish()
    expect(s.all!.map((r) => [r.initiator.port, r.file, r.firstFrame, r.lastFrame])).toEqual([[1, 'a.pcap', 1, 1], [3, 'b.pcap', 2, 2]])
    expect(t.drain().map((r) => r.file).sort()).toEqual(['a.pcap', 'b.pcap'])
    expect(() => t.finish()).toThrow()
  })

  it('finish(end): flows idle past their timeout at the capture\'s end count as timed out', () => {
    const cap = new Capture().add(packet().eth().ipv4(C, S).udp(1, 2).build(), 0)
    const t = new FlowTracker()
    const d = new FrameDecoder()
    for (const f of cap.frames) t.observe(frameOf(f.bytes, f), d.decode(frameOf(f.bytes, f)))
    expect(t.finish({ tsSec: T0 + 61, tsNsec: 0 }).timedOut).toBe(1)
    expect(cap.run().summary.timedOut).toBe(0)
  })
})

describe('TopFlows and output order', () => {
  const rec = (bytes: number, firstFrame: number, port = 1, file = 'a'): FlowRecord => ({
    proto: 'udp', initiator: { ip: '10.0.0.1', port }, responder: { ip: '10.0.0.2', port: 53 }, vni: null, vlan: null,
    firstTs: '', lastTs: '', packets: { fwd: 1, rev: 0 }, bytes: { fwd: bytes, rev: 0 }, state: 'S0', app: null, firstFrame,
    roles: { initiator: null, responder: null }, history: 'D', payloadBytes: { fwd: 0, rev: 0 }, lastFrame: firstFrame,
    initiatorInferred: false, icmpErrors: 0, file,
  })

  it('keeps the right N in any offer order, ties broken by frame, key, file', () => {
    const records = [
      rec(100, 5), rec(300, 9), rec(300, 2), rec(50, 1), rec(300, 2, 7), rec(300, 2, 7, 'b'), rec(200, 3), rec(100, 4),
    ]
    const expected = records.slice().sort(compareFlowRecords).slice(0, 5)
    expect(expected.map((r) => [r.bytes.fwd, r.firstFrame, r.initiator.port, r.file])).toEqual([
      [300, 2, 1, 'a'], [300, 2, 7, 'a'], [300, 2, 7, 'b'], [300, 9, 1, 'a'], [200, 3, 1, 'a'],
    ])
    const rnd = seededRandom(3)
    for (let round = 0; round < 50; round++) {
      const top = new TopFlows(5)
      const order = records.slice().sort(() => rnd() - 0.5)
      for (const r of order) if (top.accepts(r.bytes.fwd, r.firstFrame)) top.offer(r)
      expect(top.sorted()).toEqual(expected)
    }
    const none = new TopFlows(0)
    none.offer(records[0]!)
    expect(none.sorted()).toEqual([])
  })

  it('the summary\'s top list is the first N of all records in output order', () => {
    const cap = new Capture()
    for (let i = 0; i < 40; i++) cap.add(packet().eth().ipv4(C, S).udp(1000 + (i % 13), 9999).payload(new Uint8Array((i * 37) % 200)).build(), i * 0.01)
    const { summary } = cap.run({ topN: 5 })
    expect(summary.top).toEqual(summary.all!.slice(0, 5))
    expect(summary.all).toEqual(summary.all!.slice().sort(compareFlowRecords))
    expect(summary.allComplete).toBe(true)
  })
})

/** Seeded traffic of every kind: TCP conversations, UDP, ICMP echo and errors, VXLAN, VLANs, idle gaps. */
function mixedCapture(seed: number, frames: number): Capture {
  const rnd = seededRandom(seed)
  const int = (n: number) => Math.floor(rnd() * n)
  const cap = new Capture()
  let t = 0
  const hosts = (i: number) => `10.${i % 3}.0.${1 + (i % 7)}`
  for (let i = 0; i < frames; i++) {
    t += rnd() < 0.02 ? 70 : rnd() * 0.5 // now and then a gap longer than the UDP idle timeout
    const a = hosts(int(21))
    const b = `192.0.2.${1 + int(5)}`
    const fwd = rnd() < 0.5
    const [src, dst] = fwd ? [a, b] : [b, a]
    const pa = 40000 + int(4)
    const pb = [443, 8080, 9999][int(3)]!
    const [sp, dp] = fwd ? [pa, pb] : [pb, pa]
    let base = packet().eth()
    if (rnd() < 0.2) base = base.vlan(10 + int(2))
    const kind = int(10)
    let bytes: Uint8Array
    if (kind < 4) bytes = base.ipv4(src, dst).tcp(sp, dp, { flags: [SYN, SYN | ACK, ACK, PSH | ACK, FIN | ACK, RST][int(6)]!, seq: int(3) }).payload(new Uint8Array(int(300))).build()
    else if (kind < 6) bytes = base.ipv4(src, dst).udp(sp, dp).payload(new Uint8Array(int(300))).build()
    else if (kind === 6) bytes = base.ipv4(src, dst).icmp(rnd() < 0.5 ? 8 : 0, 0, int(3)).payload(new Uint8Array(32)).build()
    else if (kind === 7) {
      const quote = packet().ipv4(dst, src).udp(dp, sp).payload(new Uint8Array(8)).build().subarray(0, 28)
      bytes = base.ipv4(`10.9.0.${1 + int(2)}`, dst).icmp(3, 3).payload(quote).build()
    } else {
      const vtepA = fwd ? '172.16.0.1' : '172.16.0.2'
      const vtepB = fwd ? '172.16.0.2' : '172.16.0.1'
      bytes = base.ipv4(vtepA, vtepB).udp(50000 + int(3), 4789).vxlan(100 + int(2)).eth().ipv4(src, dst)
        .tcp(sp, dp, { flags: [SYN, SYN | ACK, ACK, PSH | ACK][int(4)]! }).payload(new Uint8Array(int(100))).build()
    }
    cap.add(bytes, t)
  }
  return cap
}

describe('mergeSummaries', () => {
  it('two and three shards (as the router splits frames) merge into what one tracker gives', () => {
    for (const [seed, n] of [[1, 2], [2, 2], [3, 3]] as const) {
      const cap = mixedCapture(seed, 3000)
      const one = cap.run({ topN: 25 }).summary
      const trackOnly: number[] = []
      const shards = Array.from({ length: n }, (_, index) => cap.run({ topN: 25 }, { of: n, index, trackOnly }).summary)
      expect(shards[0]!.count).toBeGreaterThan(0)
      expect(shards[1]!.count).toBeGreaterThan(0)
      const merged = mergeSummaries(shards, 25)
      expect(merged.count).toBe(one.count)
      expect(merged.byProto).toEqual(one.byProto)
      expect(merged.byState).toEqual(one.byState)
      expect(merged.timedOut).toBe(one.timedOut)
      expect(merged.evicted).toBe(0)
      expect(merged.top).toEqual(one.top)
      expect(merged.all).toEqual(one.all)
      expect(JSON.stringify(merged.top)).toBe(JSON.stringify(one.top))
      // A merge of merges is the same merge.
      expect(mergeSummaries([merged], 25).all).toEqual(one.all)
      // Outer flows (VXLAN, ICMP errors') really were counted away from their frames.
      expect(trackOnly.length).toBeGreaterThan(50)
    }
  })

  it('is deterministic: the same frames give byte-identical summaries', () => {
    const cap = mixedCapture(9, 1500)
    const a = cap.run({ topN: 10 }).summary
    const b = cap.run({ topN: 10, seed: 12345 }).summary
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
  })

  it('of nothing: zero flows', () => {
    const s = mergeSummaries([], 10)
    expect([s.count, s.top, s.byProto]).toEqual([0, [], {}])
    expect(new FlowTracker().finish().count).toBe(0)
  })
})

describe('fuzz', () => {
  it('mutated frames never throw and the table never exceeds the cap', () => {
    const seeds = mixedCapture(5, 300).frames.map((f) => f.bytes)
    const rnd = seededRandom(77)
    const decoder = new FrameDecoder()
    const cap = 40
    const tracker = new FlowTracker({ maxFlows: cap, topN: 5, keepAll: true, collect: true })
    let t = T0
    for (let i = 0; i < 20_000; i++) {
      let bytes = seeds[Math.floor(rnd() * seeds.length)]!
      for (let m = Math.floor(rnd() * 4); m >= 0; m--) bytes = mutate(bytes, rnd)
      t += rnd() < 0.01 ? 400 : rnd() < 0.01 ? -5 : rnd() * 0.2 // also time going backwards now and then
      const frame = frameOf(bytes, { frameNumber: i + 1, tsSec: Math.floor(t), tsNsec: Math.floor(rnd() * 1e9) })
      tracker.observe(frame, decoder.decode(frame))
      expect(tracker.liveFlows).toBeLessThanOrEqual(cap)
      if (i % 1000 === 0) tracker.drain()
    }
    const s = tracker.finish()
    expect(s.count).toBeGreaterThan(0)
    expect(s.top.length).toBeLessThanOrEqual(5)
    expect(Object.values(s.byProto).reduce((x, y) => x + y, 0)).toBe(s.count)
    expect(Object.values(s.byState).reduce((x, y) => x + y, 0)).toBe(s.count)
    expect(tracker.stats.peakLive).toBeLessThanOrEqual(cap)
  })
})
