import { describe, expect, it } from 'vitest'
import { createFrame, type Frame } from '../../src/capture/frame.js'
import { Router } from '../../src/engine/route.js'
import {
  analyzerNames, createAnalyzer, decodingAnalyzer, mergeCounts, mergeResults, type CountResult, type FrameObserver,
} from '../../src/engine/shard.js'
import { packet } from '../../src/samples/packet.js'

function frames(): Frame[] {
  const out: Frame[] = []
  const add = (bytes: Uint8Array) => {
    const f = createFrame()
    f.frameNumber = out.length + 1
    f.bytes = bytes
    f.caplen = f.origlen = bytes.length
    f.linkType = 1
    out.push(f)
  }
  for (let i = 0; i < 200; i++) {
    const a = `10.0.${i % 5}.${i % 17}`
    add(packet().eth().ipv4(a, '192.0.2.1').tcp(1000 + (i % 9), 443).payload([i]).build())
    add(packet().eth().ipv4('192.0.2.1', a).tcp(443, 1000 + (i % 9)).build())
  }
  add(packet().eth('02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff', 0x0806).payload(new Uint8Array(28)).build())
  return out
}

function countOf(list: Frame[]): CountResult {
  const a = createAnalyzer('count', {})
  for (const f of list) a.push(f)
  return a.finish() as CountResult
}

describe('shard registry', () => {
  it('builds analyzers by name and refuses unknown names and bad configs', () => {
    expect(analyzerNames()).toEqual(['analyze', 'flows', 'count', 'fault'])
    expect(() => createAnalyzer('flows?', {})).toThrow('unknown analyzer "flows?" (known: analyze, flows, count, fault)')
    expect(() => createAnalyzer('flows', { topN: -1 })).toThrow(/topN/)
    expect(() => createAnalyzer('flows', { vxlanPorts: ['x'] })).toThrow(/vxlanPorts/)
    expect(() => createAnalyzer('toString', {})).toThrow(/unknown analyzer/) // no prototype keys
    expect(() => createAnalyzer('count', { vxlanPorts: [70000] })).toThrow(/vxlanPorts/)
    expect(() => createAnalyzer('count', 'x')).toThrow(/config must be an object/)
    expect(() => createAnalyzer('fault', { mode: 'explode' })).toThrow(/mode must be one of/)
    expect(() => mergeResults('nope', [])).toThrow(/unknown analyzer/)
  })

  it('count: merging the parts of any flow-affine split gives the whole', () => {
    const list = frames()
    const whole = countOf(list)
    expect(whole.packets).toBe(401)
    expect(whole.flows.find((f) => f.key === 'non-ip')?.packets).toBe(1)
    expect(whole.flows.find((f) => f.key === 'tcp 10.0.0.0:1000 192.0.2.1:443')).toMatchObject({ packets: 2, replies: 1 })
    expect(JSON.stringify(mergeResults('count', [whole]))).toBe(JSON.stringify(whole))
    for (const shards of [2, 3, 5]) {
      const router = new Router(shards)
      const parts = Array.from({ length: shards }, () => [] as Frame[])
      for (const f of list) parts[router.shardOf(f)]!.push(f)
      const merged = mergeCounts(parts.map(countOf))
      expect(JSON.stringify(merged)).toBe(JSON.stringify(whole))
      expect(JSON.stringify(mergeCounts(parts.map(countOf).reverse()))).toBe(JSON.stringify(whole)) // order-free
    }
  })

  it('count: the checksum sees the file index and every frame field', () => {
    const list = frames().slice(0, 3)
    const base = countOf(list).checksum
    const inFile1 = createAnalyzer('count', {})
    inFile1.startFile?.(1, 'b.pcap')
    for (const f of list) inFile1.push(f)
    expect((inFile1.finish() as CountResult).checksum).not.toBe(base)
    for (const change of [{ tsNsec: 1 }, { interfaceId: 1 }, { fileOffset: 2 ** 32 }, { hasTimestamp: false }, { origlen: 1 }]) {
      expect(countOf([{ ...list[0]!, ...change }, ...list.slice(1)]).checksum).not.toBe(base)
    }
  })

  it('decodingAnalyzer hands the observer decoded frames and file changes', () => {
    const seen: string[] = []
    const observer: FrameObserver<string[]> = {
      startFile: (i, file) => seen.push(`file ${i} ${file}`),
      observe: (f, d) => seen.push(`${f.frameNumber}:${d.layers.length}`),
      finish: () => seen,
    }
    const a = decodingAnalyzer(observer, { applications: false })
    a.startFile?.(0, 'a.pcap')
    for (const f of frames().slice(0, 2)) a.push(f)
    expect(a.finish()).toEqual(['file 0 a.pcap', '1:3', '2:3'])
  })
})
