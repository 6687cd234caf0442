/**
 * Shard results as workers post them (engine/transfer.ts, flow/record-codec.ts): flow records packed
 * into transferred typed columns. What comes out of pack -> postMessage's clone with transfer ->
 * unpack must be the result that went in: the same JSON (key order included), the same values where
 * JSON cannot tell (undefined keys stay absent), and the same sharing of record objects between lists.
 * On the bundled samples (flows with every record kept, and analyze with each sample's policy), the
 * mixed pipeline window, and hand-made records at the edges of every field.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { openCapture } from '../../src/capture/open.js'
import type { AnalyzeResult } from '../../src/engine/analyze.js'
import { createAnalyzer, packResult, unpackResult } from '../../src/engine/shard.js'
import type { FlowRecord } from '../../src/flow/flow-record.js'
import { RecordPacker, RecordUnpacker, packedBuffers } from '../../src/flow/record-codec.js'
import type { FlowSummary } from '../../src/flow/tracker.js'
import { loadPolicy } from '../../src/policy/load.js'
import { mixedWindow } from './mixed-capture.js'

const SAMPLES = join(import.meta.dirname, '../../samples')
const captures = readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort()

/** One analyzer (made for a 2-shard run) over every frame of a capture given as a path or as bytes. */
async function shardResult(name: string, config: unknown, path: string, bytes?: Uint8Array): Promise<unknown> {
  const a = createAnalyzer(name, config, 2)
  const reader = await openCapture(path, bytes ? { input: Readable.from([Buffer.from(bytes)]) } : {})
  a.startFile?.(0, path)
  for await (const batch of reader.batches()) for (const f of batch) a.push(f)
  return a.finish()
}

/** Through a real MessagePort, as pool.ts receives it: packed, cloned with its transfer list, unpacked. */
async function postAndUnpack(name: string, result: unknown): Promise<{ back: unknown; detached: boolean }> {
  const { value, transfer } = packResult(name, result)
  const { port1, port2 } = new MessageChannel()
  const got = new Promise<unknown>((resolve) => port2.once('message', resolve))
  port1.postMessage(value, transfer)
  const received = await got
  port1.close()
  port2.close()
  return { back: unpackResult(name, received), detached: transfer.every((b) => b.byteLength === 0) }
}

/** Every record list of a result, in a fixed order. */
function recordLists(name: string, r: unknown): FlowRecord[][] {
  const summary = (s: FlowSummary): FlowRecord[][] => [s.top, s.all ?? []]
  if (name === 'flows') return summary(r as FlowSummary)
  const a = r as AnalyzeResult
  return [...summary(a.flows), a.observations.flows]
}

/** For each record in list order, where the same object first appeared: equal shapes mean equal sharing. */
function sharing(lists: FlowRecord[][]): number[] {
  const first = new Map<FlowRecord, number>()
  const out: number[] = []
  let i = 0
  for (const list of lists) {
    for (const r of list) {
      if (!first.has(r)) first.set(r, i)
      out.push(first.get(r)!)
      i++
    }
  }
  return out
}

async function expectRoundTrip(name: string, result: unknown): Promise<void> {
  const { back, detached } = await postAndUnpack(name, result)
  expect(detached).toBe(true)
  expect(JSON.stringify(back)).toBe(JSON.stringify(result))
  expect(back).toStrictEqual(result)
  expect(sharing(recordLists(name, back))).toEqual(sharing(recordLists(name, result)))
}

describe('shard results packed for the main thread', () => {
  it('flows: every sample, all records kept, comes back equal and shared alike', async () => {
    let records = 0
    let shared = 0
    for (const c of captures) {
      const r = (await shardResult('flows', { topN: 5, keepAll: true }, join(SAMPLES, c))) as FlowSummary
      records += r.all!.length
      shared += r.top.filter((x) => r.all!.includes(x)).length
      await expectRoundTrip('flows', r)
    }
    expect(captures.length).toBeGreaterThan(20)
    expect(records).toBeGreaterThan(100)
    expect(shared).toBeGreaterThan(0)
  })

  it('analyze: every sample with its policy, observations included', async () => {
    let kept = 0
    for (const c of captures) {
      const policyFile = join(SAMPLES, c.replace(/\.(pcap|pcapng)(\.gz)?$/, '.policy.yaml'))
      const r = (await shardResult('analyze', { policy: loadPolicy(policyFile).policy, topN: 5 }, join(SAMPLES, c))) as AnalyzeResult
      kept += r.observations.flows.length
      await expectRoundTrip('analyze', r)
    }
    expect(kept).toBeGreaterThan(50)
  })

  it('the mixed window (tunnels, ICMP errors, fragments, VLANs, IPv6), flows and analyze without a policy', async () => {
    const w = mixedWindow()
    for (const [file, bytes] of [['mixed.pcap', w.pcap], ['mixed.pcapng', w.pcapng]] as const) {
      const flows = (await shardResult('flows', { topN: 3, keepAll: true }, file, bytes)) as FlowSummary
      expect(flows.top.every((x) => flows.all!.includes(x))).toBe(true)
      await expectRoundTrip('flows', flows)
      await expectRoundTrip('analyze', await shardResult('analyze', { policy: null, topN: 3 }, file, bytes))
    }
  })
})

function record(over: Partial<FlowRecord>): FlowRecord {
  return {
    proto: 'tcp', initiator: { ip: '10.0.0.1', port: 49152 }, responder: { ip: '10.0.0.2', port: 443 }, vni: null, vlan: null,
    firstTs: '2026-12-07T00:00:00.000000001Z', lastTs: '2026-12-07T00:00:01.000000000Z', packets: { fwd: 3, rev: 2 },
    bytes: { fwd: 180, rev: 120 }, state: 'SF', app: 'tls', firstFrame: 1, roles: { initiator: 'dvm', responder: null },
    history: 'ShADadFf', payloadBytes: { fwd: 60, rev: 0 }, lastFrame: 5, initiatorInferred: false, icmpErrors: 0, file: 'a.pcap',
    ...over,
  }
}

describe('RecordPacker / RecordUnpacker', () => {
  it('keeps every field at its edges: nulls, zeros, 2^53 - 1, empty and non-ASCII text', () => {
    const edge = [
      record({}),
      record({ proto: 'icmp', initiator: { ip: 'fe80::1', port: null }, responder: { ip: 'ff02::1', port: null }, app: null, roles: { initiator: null, responder: null } }),
      record({ vni: 0, vlan: 0, initiator: { ip: '0.0.0.0', port: 0 }, responder: { ip: '255.255.255.255', port: 65535 }, history: '', initiatorInferred: true }),
      record({ vni: 16777215, vlan: 4095, packets: { fwd: 0, rev: Number.MAX_SAFE_INTEGER }, bytes: { fwd: 2 ** 40 + 1, rev: 0 }, icmpErrors: 7 }),
      record({ file: 'capture "ü" \u0000 ☃.pcapng', firstTs: '', lastTs: '', state: 'OTH', app: 'ip-47', firstFrame: 4294967295, lastFrame: 2 ** 33 }),
    ]
    const p = new RecordPacker()
    const refs = p.refs([...edge, edge[2]!, edge[0]!])
    const packed = p.finish()
    expect(packed.count).toBe(5)
    const u = new RecordUnpacker(structuredClone(packed))
    const back = u.list(refs)
    expect(JSON.stringify(back)).toBe(JSON.stringify([...edge, edge[2], edge[0]]))
    expect(back.slice(0, 5)).toStrictEqual(edge)
    expect(back[5]).toBe(back[2])
    expect(back[6]).toBe(back[0])
    expect(packedBuffers(packed)).toHaveLength(2)
  })

  it('refuses packed records that do not add up, with an error (never a wrong record)', () => {
    const p = new RecordPacker()
    const refs = p.refs([record({})])
    const good = p.finish()
    expect(() => new RecordUnpacker({ ...good, count: 2 })).toThrow(/2 records need/)
    expect(() => new RecordUnpacker({ ...good, table: good.table.slice(0, 2) })).toThrow(/not in the table/)
    expect(() => new RecordUnpacker(good).list(Uint32Array.of(refs[0]!, 1))).toThrow(/record 1 is not among the 1 packed/)
    expect(() => unpackResult('flows', { records: good })).toThrow(/not a packed shard result/)
  })
})
