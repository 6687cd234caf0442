/**
 * Question: what does one flow update cost per packet, and which key should the flow table use?
 *
 * Two access patterns: packets uniformly random over the flows (train 1: every packet a cache miss once
 * the flows outgrow the CPU caches, the worst case) and trains of 16 packets of one flow (a steady flow).
 *
 *   table    the lookup + update + LRU move of src/flow/table.ts (numeric key, open addressing) against
 *            Map<string, Flow> with a key string built per packet (the style guide's first choice) and
 *            Map<number, Flow> on the same numeric hash (collisions chained); N steady flows, packets in
 *            random order over them (both directions), the key computed from the packet's numbers each time;
 *            capture time advances a second per 100 000 packets, and a flow moves in its LRU list at most
 *            once per second, as in the tracker.
 *   tracker  FrameDecoder.decode alone against decode + FlowTracker.observe on the same frames (TCP data
 *            segments of N steady flows, ports no application owns): the difference is the tracker's cost.
 *   memory   (--memory, run with node --expose-gc) heap + typed-array bytes per live flow in a FlowTracker
 *            holding N flows, from process.memoryUsage() before and after.
 *
 * Answers are checked every round: the table holds exactly N flows and the packet counters sum to the
 * packets sent; the tracker's records (onEnd) hold N flows and every packet.
 *
 *   node dist/bench/flow-table.js [--packets N] [--rounds N] [--flows 1000,100000,1000000]
 *   node --expose-gc dist/bench/flow-table.js --memory [--flows 1000000]
 */
import { createFrame, type Frame } from '../src/capture/frame.js'
import { FrameDecoder } from '../src/decode/frame.js'
import { FlowKey, sameKey, setIpv4Key } from '../src/flow/key.js'
import { Flow, FlowClass, FlowTable } from '../src/flow/table.js'
import { FlowTracker } from '../src/flow/tracker.js'
import { packet } from '../src/samples/packet.js'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const PACKETS = Number(arg('--packets', '2000000'))
const ROUNDS = Number(arg('--rounds', '5'))
const FLOWS = arg('--flows', '1000,100000,1000000').split(',').map(Number)
const MEMORY = process.argv.includes('--memory')

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** N flows' endpoints and a packet sequence over them: flow index and direction per packet. */
interface Traffic { src: Uint32Array; dst: Uint32Array; sport: Uint16Array; dport: Uint16Array; seq: Uint32Array; dir: Uint8Array }

/** Packets in a row of one flow: 1 = uniformly random over the flows (the cache-miss worst case). */
const TRAINS = [1, 16]

function traffic(flows: number, packets: number, train: number): Traffic {
  const r = rng(flows)
  const t: Traffic = {
    src: new Uint32Array(flows), dst: new Uint32Array(flows), sport: new Uint16Array(flows), dport: new Uint16Array(flows),
    seq: new Uint32Array(packets), dir: new Uint8Array(packets),
  }
  for (let i = 0; i < flows; i++) {
    t.src[i] = (0x0a000000 + i * 7) >>> 0
    t.dst[i] = (0xc6336400 + (i % 251)) >>> 0
    t.sport[i] = 20000 + (i % 40000)
    t.dport[i] = [443, 80, 5001, 8443][i % 4]!
  }
  let flow = 0
  for (let p = 0; p < packets; p++) {
    if (p % train === 0) flow = Math.floor(r() * flows)
    t.seq[p] = flow
    t.dir[p] = r() < 0.5 ? 0 : 1
  }
  return t
}

/** A minimal LRU on the Flow links, as table.ts keeps one, for the Map variants. */
class Lru {
  head: Flow | null = null
  tail: Flow | null = null
  touch(f: Flow, fresh: boolean): void {
    if (this.tail === f) return
    if (!fresh) {
      if (f.prev) f.prev.next = f.next
      else this.head = f.next
      if (f.next) f.next.prev = f.prev
    }
    f.prev = this.tail
    f.next = null
    if (this.tail) this.tail.next = f
    else this.head = f
    this.tail = f
  }
}

interface Variant { name: string; run(t: Traffic): { flows: number; packets: number } }

const SEED = 0x5eed
/** Capture time advances one second per this many packets (the LRU moves a flow at most once per second). */
const PACKETS_PER_SECOND = 100_000

const variants: Variant[] = [
  {
    name: 'numeric key, open addressing (table.ts)',
    run(t) {
      const table = new FlowTable()
      const k = new FlowKey()
      for (let p = 0; p < t.seq.length; p++) {
        const i = t.seq[p]!
        if (t.dir[p] === 0) setIpv4Key(k, 6, t.src[i]!, t.sport[i]!, t.dst[i]!, t.dport[i]!, -1, -1, SEED)
        else setIpv4Key(k, 6, t.dst[i]!, t.dport[i]!, t.src[i]!, t.sport[i]!, -1, -1, SEED)
        let f = table.find(k)
        if (f === null) f = table.insert(k, FlowClass.TCP)
        if (k.dir === 0) f.pktF++
        else f.pktR++
        const sec = (p / PACKETS_PER_SECOND) | 0
        if (f.touchSec !== sec) { f.touchSec = sec; table.touch(f, FlowClass.TCP) }
      }
      let packets = 0
      for (const f of table.liveFlows()) packets += f.pktF + f.pktR
      return { flows: table.size, packets }
    },
  },
  {
    name: 'string key per packet, Map<string, Flow>',
    run(t) {
      const map = new Map<string, Flow>()
      const lru = new Lru()
      let id = 0
      for (let p = 0; p < t.seq.length; p++) {
        const i = t.seq[p]!
        const s = t.dir[p] === 0 ? t.src[i]! : t.dst[i]!
        const d = t.dir[p] === 0 ? t.dst[i]! : t.src[i]!
        const sp = t.dir[p] === 0 ? t.sport[i]! : t.dport[i]!
        const dp = t.dir[p] === 0 ? t.dport[i]! : t.sport[i]!
        const fwd = s < d || (s === d && sp <= dp)
        const key = fwd ? `6 ${s} ${sp} ${d} ${dp} -1 -1` : `6 ${d} ${dp} ${s} ${sp} -1 -1`
        let f = map.get(key)
        const fresh = f === undefined
        if (f === undefined) { f = new Flow(id++); map.set(key, f) }
        if (fwd) f.pktF++
        else f.pktR++
        const sec = (p / PACKETS_PER_SECOND) | 0
        if (fresh || f.touchSec !== sec) { f.touchSec = sec; lru.touch(f, fresh) }
      }
      let packets = 0
      for (const f of map.values()) packets += f.pktF + f.pktR
      return { flows: map.size, packets }
    },
  },
  {
    name: 'numeric hash, Map<number, Flow> (+ chain)',
    run(t) {
      const map = new Map<number, Flow | Flow[]>()
      const lru = new Lru()
      const k = new FlowKey()
      let id = 0
      let flows = 0
      for (let p = 0; p < t.seq.length; p++) {
        const i = t.seq[p]!
        if (t.dir[p] === 0) setIpv4Key(k, 6, t.src[i]!, t.sport[i]!, t.dst[i]!, t.dport[i]!, -1, -1, SEED)
        else setIpv4Key(k, 6, t.dst[i]!, t.dport[i]!, t.src[i]!, t.sport[i]!, -1, -1, SEED)
        const hit = map.get(k.hash)
        let f: Flow | undefined
        if (hit !== undefined) {
          if (!Array.isArray(hit)) { if (sameKey(hit, k)) f = hit }
          else f = hit.find((x) => sameKey(x, k))
        }
        const fresh = f === undefined
        if (f === undefined) {
          f = new Flow(id++)
          Object.assign(f, { proto: k.proto, family: k.family, vlan: k.vlan, vni: k.vni, a0: k.a0, b0: k.b0, portA: k.portA, portB: k.portB, hash: k.hash })
          if (hit === undefined) map.set(k.hash, f)
          else if (Array.isArray(hit)) hit.push(f)
          else map.set(k.hash, [hit, f])
          flows++
        }
        if (k.dir === 0) f.pktF++
        else f.pktR++
        const sec = (p / PACKETS_PER_SECOND) | 0
        if (fresh || f.touchSec !== sec) { f.touchSec = sec; lru.touch(f, fresh) }
      }
      let packets = 0
      for (const v of map.values()) for (const f of Array.isArray(v) ? v : [v]) packets += f.pktF + f.pktR
      return { flows, packets }
    },
  },
]

function benchTable(): void {
  for (const n of FLOWS) for (const train of TRAINS) {
    const t = traffic(n, Math.max(PACKETS, 2 * n), train)
    for (const v of variants) {
      const times: number[] = []
      for (let round = 0; round < ROUNDS; round++) {
        const start = process.hrtime.bigint()
        const got = v.run(t)
        const ns = Number(process.hrtime.bigint() - start)
        const distinct = new Set(Array.from(t.seq)).size
        if (got.flows !== distinct || got.packets !== t.seq.length) {
          throw new Error(`${v.name}: ${got.flows} flows / ${got.packets} packets, expected ${distinct} / ${t.seq.length}`)
        }
        times.push(ns / t.seq.length)
      }
      console.log(JSON.stringify({ bench: 'table', flows: n, train, packets: t.seq.length, variant: v.name, nsPerPacket: +median(times).toFixed(1) }))
    }
  }
}

/** Frames of N TCP flows (both directions), and a packet order over them. */
function trackerFrames(n: number, packets: number, train: number): { frames: Frame[]; order: Uint32Array } {
  const frames: Frame[] = []
  for (let i = 0; i < n; i++) {
    const c = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
    const s = `198.51.100.${i % 251}`
    const cp = 20000 + (i % 40000)
    for (const fromClient of [true, false]) {
      const b = fromClient
        ? packet().eth().ipv4(c, s).tcp(cp, 5001, { flags: 0x10, seq: i }).payload(new Uint8Array(100)).build()
        : packet().eth().ipv4(s, c).tcp(5001, cp, { flags: 0x10, seq: i }).payload(new Uint8Array(100)).build()
      frames.push({ ...createFrame(), bytes: b, caplen: b.length, origlen: b.length, linkType: 1 })
    }
  }
  const r = rng(n + 1)
  const order = new Uint32Array(packets)
  let flow = 0
  for (let p = 0; p < packets; p++) {
    if (p % train === 0) flow = Math.floor(r() * n)
    order[p] = 2 * flow + (r() < 0.5 ? 0 : 1)
  }
  return { frames, order }
}

function benchTracker(): void {
  for (const n of FLOWS.filter((x) => x <= 100_000)) for (const train of TRAINS) {
    const packets = Math.max(PACKETS / 2, 2 * n)
    const { frames, order } = trackerFrames(n, packets, train)
    const decodeOnly: number[] = []
    const withTracker: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const d1 = new FrameDecoder()
      let t0 = process.hrtime.bigint()
      let layers = 0
      for (let p = 0; p < packets; p++) {
        const f = frames[order[p]!]!
        f.frameNumber = p + 1
        f.tsSec = 1_700_000_000 + Math.floor(p / PACKETS_PER_SECOND)
        layers += d1.decode(f).layers.length
      }
      decodeOnly.push(Number(process.hrtime.bigint() - t0) / packets)
      if (layers !== 3 * packets) throw new Error(`decoded ${layers} layers, expected ${3 * packets}`)

      const d2 = new FrameDecoder()
      const tracker = new FlowTracker({ topN: 10, seed: 1 })
      t0 = process.hrtime.bigint()
      for (let p = 0; p < packets; p++) {
        const f = frames[order[p]!]!
        f.frameNumber = p + 1
        f.tsSec = 1_700_000_000 + Math.floor(p / PACKETS_PER_SECOND)
        tracker.observe(f, d2.decode(f))
      }
      withTracker.push(Number(process.hrtime.bigint() - t0) / packets)
      const summary = tracker.finish()
      const distinct = new Set(Array.from(order, (x) => x >> 1)).size
      if (summary.count !== distinct || summary.byState.OTH !== distinct) throw new Error(`tracker: ${summary.count} flows, expected ${distinct}`)
      const top = summary.top[0]!
      if (top.packets.fwd + top.packets.rev === 0 || top.payloadBytes.fwd + top.payloadBytes.rev !== 100 * (top.packets.fwd + top.packets.rev)) {
        throw new Error('tracker: wrong counters in the top flow')
      }
    }
    const d = median(decodeOnly)
    const w = median(withTracker)
    console.log(JSON.stringify({
      bench: 'tracker', flows: n, train, packets, decodeNsPerPacket: +d.toFixed(1), decodeObserveNsPerPacket: +w.toFixed(1), observeNsPerPacket: +(w - d).toFixed(1),
    }))
  }
}

function benchMemory(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with node --expose-gc')
  const n = FLOWS[FLOWS.length - 1]!
  const bytes = (ip: number) => packet().eth().ipv4(`10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`, '198.51.100.1')
    .tcp(20000 + (ip % 40000), 5001, { flags: 0x18 }).payload(new Uint8Array(10)).build()
  const decoder = new FrameDecoder()
  const frame: Frame = { ...createFrame(), linkType: 1, tsSec: 1_700_000_000 }
  const tracker = new FlowTracker({ maxFlows: n, seed: 1 })
  // Warm up the decoder and the tracker's code on other flows, then measure the table growing by n flows.
  const used = () => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
  const before = used()
  for (let i = 0; i < n; i++) {
    const b = bytes(i)
    frame.bytes = b; frame.caplen = frame.origlen = b.length; frame.frameNumber = i + 1
    tracker.observe(frame, decoder.decode(frame))
  }
  const after = used()
  if (tracker.liveFlows !== n) throw new Error(`${tracker.liveFlows} live flows, expected ${n}`)
  console.log(JSON.stringify({ bench: 'memory', flows: n, bytesPerFlow: Math.round((after - before) / n), totalMB: +((after - before) / 1e6).toFixed(1) }))
  // The records of summary.all (keepAll): built at finish; the ended Flow objects stay in the table's free list.
  const kept = new FlowTracker({ maxFlows: n, seed: 1, keepAll: true })
  const m = Math.min(n, 100_000)
  for (let i = 0; i < m; i++) {
    const b = bytes(i)
    frame.bytes = b; frame.caplen = frame.origlen = b.length; frame.frameNumber = i + 1
    kept.observe(frame, decoder.decode(frame))
  }
  const beforeRecords = used()
  const summary = kept.finish()
  const afterRecords = used()
  if (summary.all?.length !== m) throw new Error(`${summary.all?.length} records, expected ${m}`)
  console.log(JSON.stringify({ bench: 'memory', records: m, bytesPerRecord: Math.round((afterRecords - beforeRecords) / m) }))
}

if (MEMORY) benchMemory()
else {
  benchTable()
  benchTracker()
}
