/**
 * The flows analyzer's fast path (engine/flows.ts: plain frames of named flows skip the decoder) must
 * give exactly the records of the decoder path. Three analyzers see the same frames:
 *
 *   reference   FlowTracker on a default FrameDecoder (TCP applications followed to the end): the
 *               flows analyzer as it was before the fast path
 *   decoded     FlowsAnalyzer with plainPath false (every frame decoded, first records only; it may
 *               differ from the reference only where a connection is replayed: see the mutations)
 *   fast        FlowsAnalyzer as `hubcap flows` runs it
 *
 * on the public corpus (../shared/pcaps, skipped saying so when absent), the bundled samples, a
 * generated border mix (TLS, DNS, NTP, BGP, VXLAN, 802.1Q), the mixed pipeline window and seeded
 * mutations of the samples (hostile lengths and flags reach the header reader).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureBorderMix } from '../../bench/border-mix.js'
import { mutateCapture } from '../../bench/fuzz/mutate.js'
import { seededRandom } from '../../bench/random.js'
import { CaptureError } from '../../src/capture/errors.js'
import { pcapFile } from '../../src/capture/writer.js'
import { openCapture } from '../../src/capture/open.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import { FlowsAnalyzer } from '../../src/engine/flows.js'
import { FlowTracker } from '../../src/flow/tracker.js'
import { packet } from '../../src/samples/packet.js'
import { mixedWindow } from '../engine/mixed-capture.js'
import { HAVE_PCAPS, PCAPS_DIR, sharedCaptures } from '../support/oracle.js'

const SAMPLES = join(import.meta.dirname, '../../samples')
const work = mkdtempSync(join(tmpdir(), 'hubcap-plain-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

interface Outcome { reference: string; decoded: string; fast: string; plain: number; frames: number }

/** The three analyzers over one capture (path, or bytes given as a stream). Null when the capture is refused. */
async function run(path: string, bytes?: Uint8Array): Promise<Outcome | null> {
  const config = { topN: 1000, keepAll: true }
  const decoder = new FrameDecoder()
  const reference = new FlowTracker({ topN: config.topN, keepAll: true, seed: 1 })
  const decoded = new FlowsAnalyzer({ ...config, plainPath: false }, 1_000_000)
  const fast = new FlowsAnalyzer(config, 1_000_000)
  let frames = 0
  try {
    const reader = await openCapture(path, bytes ? { input: Readable.from([Buffer.from(bytes)]) } : {})
    let file = -1
    for await (const batch of reader.batches()) {
      for (const f of batch) {
        if (file !== 0) { file = 0; reference.setFile(path); decoded.startFile(0, path); fast.startFile(0, path) }
        frames++
        reference.observe(f, decoder.decode(f))
        decoded.push(f)
        fast.push(f)
      }
    }
  } catch (e) {
    if (e instanceof CaptureError) return null
    throw e
  }
  // Records carry no shard detail; the summary's `shard` part holds the same records again.
  const text = (s: ReturnType<FlowTracker['finish']>) => JSON.stringify({ ...s, shard: undefined })
  return { reference: text(reference.finish()), decoded: text(decoded.finish()), fast: text(fast.finish()), plain: fast.counts.plain, frames }
}

function expectSame(o: Outcome | null): void {
  if (o === null) return
  expect(o.decoded).toBe(o.reference)
  expect(o.fast).toBe(o.reference)
}

describe('flows fast path: the same records as the decoder path', () => {
  it('on a generated border mix (TLS, DNS, NTP, BGP, VXLAN, 802.1Q), where most frames take it', async () => {
    const mix = ensureBorderMix({ sizeMiB: 3, flows: 600, path: join(work, 'mix.pcap') })
    const o = (await run(mix.path))!
    expectSame(o)
    expect(o.frames).toBe(mix.packets)
    // Most frames belong to flows already named: the fast path must really be taken.
    expect(o.plain / o.frames).toBeGreaterThan(0.5)
  })

  it('on VXLAN with inner 802.1Q tags, IPv6 inside, and DNS and TLS inside the tunnel', async () => {
    // Both directions of inner flows that differ only by their inner tag or their VNI, data after each
    // flow is named: the fast path must key them exactly as the decoder does.
    const frames: Uint8Array[] = []
    const tls = [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]
    for (const [vni, tag] of [[5001, 10], [5001, 20], [5002, 10], [5002, -1]] as const) {
      const outer = (up: boolean) => packet().eth().vlan(7).ipv4(up ? '192.0.2.1' : '192.0.2.2', up ? '192.0.2.2' : '192.0.2.1')
        .udp(up ? 40000 : 40001, 4789).vxlan(vni)
      const innerEth = (p: ReturnType<typeof outer>) => (tag >= 0 ? p.eth().vlan(tag) : p.eth())
      for (let i = 0; i < 4; i++) {
        const up = i % 2 === 0
        frames.push(innerEth(outer(up)).ipv4(up ? '10.0.0.1' : '10.0.0.2', up ? '10.0.0.2' : '10.0.0.1')
          .tcp(up ? 50000 : 443, up ? 443 : 50000, { flags: i === 0 ? 0x02 : 0x18, seq: 1000 + i }).payload(i === 0 ? [] : tls).build())
        frames.push(innerEth(outer(up)).ipv6(up ? 'fd00::1' : 'fd00::2', up ? 'fd00::2' : 'fd00::1')
          .udp(up ? 5300 : 53, up ? 53 : 5300).payload([0x12, 0x34, up ? 0x01 : 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0]).build())
        frames.push(innerEth(outer(up)).ipv4(up ? '10.0.0.1' : '10.0.0.2', up ? '10.0.0.2' : '10.0.0.1')
          .udp(up ? 7000 : 7001, up ? 7001 : 7000).payload([1, 2, 3, 4]).build())
      }
    }
    const file = join(work, 'vxlan.pcap')
    writeFileSync(file, pcapFile(frames.map((data, i) => ({ data, tsSec: 1795183200, tsFrac: i * 1000 }))))
    const o = (await run(file))!
    expectSame(o)
    expect(o.plain).toBeGreaterThan(frames.length / 3)
  })

  it('on the mixed pipeline window (QinQ, IPv6, VXLAN, fragments, ICMP errors, cut frames)', async () => {
    const w = mixedWindow()
    const a = (await run(join(work, 'w.pcap'), w.pcap))!
    const b = (await run(join(work, 'w.pcapng'), w.pcapng))!
    expectSame(a)
    expectSame(b)
    expect(a.plain + b.plain).toBeGreaterThan(0)
  })

  it('on every bundled sample', async () => {
    const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f))
    expect(files.length).toBeGreaterThan(10)
    for (const f of files) expectSame(await run(join(SAMPLES, f)))
  })

  it('on seeded mutations of the samples (hostile lengths, flags and options)', async () => {
    const r = seededRandom(4242)
    const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?$/.test(f))
    let compared = 0
    for (let i = 0; i < 120; i++) {
      const seed = readFileSync(join(SAMPLES, files[i % files.length]!))
      const m = mutateCapture(seed, r)
      const o = await run(join(work, `m${i}`), m.bytes)
      if (o === null) continue
      compared++
      // Against the decoder path with the same decoder settings: a replayed connection (a mutation may
      // repeat every record) is named by its own ClientHello once the first was read (firstRecordOnly),
      // where a decoder following the stream to its end sees a retransmission and names nothing.
      expect(o.fast, m.label).toBe(o.decoded)
    }
    expect(compared).toBeGreaterThan(60)
  })

  it.skipIf(!HAVE_PCAPS)(`on the public corpus in ${PCAPS_DIR}`, async () => {
    let plain = 0
    for (const f of sharedCaptures()) {
      const o = await run(join(PCAPS_DIR, f))
      expectSame(o)
      plain += o?.plain ?? 0
    }
    expect(plain).toBeGreaterThan(0)
  }, 120_000)
  if (!HAVE_PCAPS) it.skip(`public corpus: ${PCAPS_DIR} is absent`, () => {})
})
