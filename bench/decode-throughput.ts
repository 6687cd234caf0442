/**
 * Question: how fast is the single-threaded frame loop (src/decode/frame.ts) on an L2-L4 mix,
 * on DNS-heavy traffic and on BGP-heavy traffic, side by side in one run?
 *
 * Input: frames generated in memory from our own encoders, from a fixed seed:
 *   l2-l4  Ethernet (25% 802.1Q) / IPv4 / TCP or UDP on ports with no application, 60-1514 bytes
 *   dns    queries and answers over UDP 53 with name compression (A, AAAA, CNAME), distinct names
 *   bgp    BGP sessions on TCP 179: UPDATEs announcing /32 VIPs (4 per segment) and KEEPALIVEs
 * Output: one JSON line per workload (ns/packet, packets/s, MB/s, median of the rounds) and the
 * ratio to l2-l4. The answer is checked every round: the count of decoded DNS messages and BGP
 * messages must equal what the generator wrote.
 *
 *   npm run build && node dist/bench/decode-throughput.js [--packets N] [--rounds N]
 */
import { createFrame } from '../src/capture/frame.js'
import * as bgp from '../src/decode/bgp.js'
import * as dns from '../src/decode/dns.js'
import { Layer } from '../src/decode/dispatch.js'
import { FrameDecoder } from '../src/decode/frame.js'
import { packet } from '../src/samples/packet.js'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const PACKETS = arg('--packets', 200_000)
const ROUNDS = arg('--rounds', 5)

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296
}

/** Frames to decode and the number of application messages (DNS, BGP) they hold. */
interface Workload { name: string; frames: Uint8Array[]; expect: number }

function l2l4(): Workload {
  const r = rng(1)
  const frames: Uint8Array[] = []
  for (let i = 0; i < PACKETS; i++) {
    const size = r() < 0.4 ? 60 + Math.floor(r() * 40) : r() < 0.5 ? 100 + Math.floor(r() * 500) : 1400 + Math.floor(r() * 114)
    let b = packet().eth()
    if (r() < 0.25) b = b.vlan(100 + (i % 8))
    b = b.ipv4(`10.${i % 200}.${(i >> 8) % 250}.1`, '198.51.100.7')
    const head = r() < 0.6 ? b.tcp(20000 + (i % 30000), 5001, { seq: i * 1000, flags: 0x10 }) : b.udp(20000 + (i % 30000), 5002)
    frames.push(head.payload(new Uint8Array(Math.max(0, size - 58))).build())
  }
  return { name: 'l2-l4', frames, expect: 0 }
}

function dnsHeavy(): Workload {
  const frames: Uint8Array[] = []
  for (let i = 0; i < PACKETS; i++) {
    const name = `host${i % 5000}.region${i % 7}.contoso-${i % 13}.example`
    const query = (i & 1) === 0
    const msg = dns.fields({
      id: i & 0xffff, qr: !query, ra: !query, questions: [{ name, type: 1 }],
      answers: query ? [] : [
        { name, type: 5, ttl: 300, data: `edge.${name}` },
        { name: `edge.${name}`, type: 1, ttl: 60, data: `192.0.2.${i % 250}` },
        { name: `edge.${name}`, type: 28, ttl: 60, data: '2001:db8::53' },
      ],
    })
    const bytes = new Uint8Array(dns.encodingLength(msg))
    dns.encode(msg, bytes, 0)
    const b = packet().eth().ipv4(query ? '10.10.0.29' : '192.0.2.53', query ? '192.0.2.53' : '10.10.0.29')
    frames.push((query ? b.udp(30000 + (i % 20000), 53) : b.udp(53, 30000 + (i % 20000))).payload(bytes).build())
  }
  return { name: 'dns', frames, expect: PACKETS }
}

function bgpHeavy(): Workload {
  const frames: Uint8Array[] = []
  const SESSIONS = 50
  const seq = new Array<number>(SESSIONS).fill(1000)
  let messages = 0
  for (let i = 0; i < PACKETS; i++) {
    const s = i % SESSIONS
    const parts: Uint8Array[] = []
    if (i % 10 === 9) {
      parts.push(bgp.build({ kind: 'KEEPALIVE' }))
    } else {
      for (let k = 0; k < 4; k++) {
        const v = (i * 4 + k) % 65000
        parts.push(bgp.build({
          kind: 'UPDATE', origin: 0, asPath: [64652, 64651], nextHop: `10.10.1.${2 + (s % 4)}`,
          nlri: [`203.0.${(v >> 8) & 0xff}.${v & 0xff}/32`], communities: ['64651:100'],
        }))
      }
    }
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let o = 0
    for (const p of parts) { data.set(p, o); o += p.length }
    messages += parts.length
    frames.push(packet().eth().ipv4(`10.10.1.${2 + s}`, '10.10.1.1').tcp(40000 + s, 179, { seq: seq[s]!, flags: 0x18 }).payload(data).build())
    seq[s] = (seq[s]! + data.length) >>> 0
  }
  return { name: 'bgp', frames, expect: messages }
}

function messagesIn(d: ReturnType<FrameDecoder['decode']>): number {
  let n = 0
  for (const l of d.layers) {
    if (l.kind === Layer.Dns) n++
    else if (l.kind === Layer.Record && l.record.type === 'bgp') n += l.record.messages.length
  }
  return n
}

function run(w: Workload): { nsPerPacket: number; mbps: number } {
  const bytes = w.frames.reduce((n, f) => n + f.length, 0)
  const times: number[] = []
  for (let round = 0; round < ROUNDS + 1; round++) {
    const decoder = new FrameDecoder()
    const frame = createFrame()
    frame.linkType = 1
    let found = 0
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < w.frames.length; i++) {
      const b = w.frames[i]!
      frame.frameNumber = i + 1
      frame.bytes = b
      frame.caplen = frame.origlen = b.length
      frame.tsSec = 1795183140 + (i >> 10)
      found += messagesIn(decoder.decode(frame))
    }
    const ns = Number(process.hrtime.bigint() - t0)
    if (found !== w.expect) throw new Error(`${w.name}: decoded ${found} messages, generated ${w.expect}: the decoder changed its answer`)
    if (round > 0) times.push(ns) // the first round warms the JIT up
  }
  times.sort((a, b) => a - b)
  const ns = times[times.length >> 1]!
  return { nsPerPacket: ns / w.frames.length, mbps: bytes / 1e6 / (ns / 1e9) }
}

const results = [l2l4(), dnsHeavy(), bgpHeavy()].map((w) => ({ w, r: run(w) }))
const base = results[0]!.r
for (const { w, r } of results) {
  console.log(JSON.stringify({
    bench: 'decode-throughput', workload: w.name, packets: w.frames.length, nsPerPacket: +r.nsPerPacket.toFixed(1),
    packetsPerSecond: Math.round(1e9 / r.nsPerPacket), mbPerSecond: +r.mbps.toFixed(0),
    costVsL2L4: +(r.nsPerPacket / base.nsPerPacket).toFixed(2), node: process.version,
  }))
}
