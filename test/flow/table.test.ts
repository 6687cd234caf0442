/**
 * The flow table: lookups after inserts and removals (backward-shift deletion keeps every probe run
 * reachable), growth, LRU order per class, object reuse; checked against a Map model.
 */
import { describe, expect, it } from 'vitest'
import { FlowKey, setIpv4Key } from '../../src/flow/key.js'
import { Flow, FlowClass, FlowTable } from '../../src/flow/table.js'
import { seededRandom } from '../support/random.js'

function key(i: number, seed = 1): FlowKey {
  const k = new FlowKey()
  setIpv4Key(k, 17, 0x0a000000 + (i % 5000), 1000 + (i % 7), 0xc0000200, 53 + Math.floor(i / 5000), -1, -1, seed)
  return k
}

describe('FlowTable', () => {
  it('finds what was inserted and not what was removed, through growth and deletions (model check)', () => {
    const t = new FlowTable()
    const model = new Map<number, Flow>()
    const rnd = seededRandom(42)
    for (let step = 0; step < 30_000; step++) {
      const i = Math.floor(rnd() * 20_000)
      const k = key(i)
      const f = t.find(k)
      expect(f).toBe(model.get(i) ?? null)
      if (f === null) model.set(i, t.insert(k, FlowClass.UDP))
      else if (rnd() < 0.5) { t.remove(f); model.delete(i) }
      expect(t.size).toBe(model.size)
    }
    for (const [i, f] of model) expect(t.find(key(i))).toBe(f)
  })

  it('every key lands in one small run even when all hashes collide in the low bits', () => {
    const t = new FlowTable()
    const keys: FlowKey[] = []
    for (let i = 0; i < 300; i++) {
      const k = key(i)
      k.hash = (i << 20) | 5 // same slot for all at any table size below 2^20
      keys.push(k)
      t.insert(k, FlowClass.UDP)
    }
    for (let i = 0; i < 300; i += 2) t.remove(t.find(keys[i]!)!)
    for (let i = 0; i < 300; i++) expect(t.find(keys[i]!) !== null).toBe(i % 2 === 1)
  })

  it('LRU per class: touch moves to the tail; oldestOverall compares last packet times', () => {
    const t = new FlowTable()
    const a = t.insert(key(1), FlowClass.UDP)
    const b = t.insert(key(2), FlowClass.UDP)
    const c = t.insert(key(3), FlowClass.TCP)
    a.lastSec = 10; b.lastSec = 5; c.lastSec = 7
    expect(t.oldest(FlowClass.UDP)).toBe(a)
    t.touch(a, FlowClass.UDP)
    expect(t.oldest(FlowClass.UDP)).toBe(b)
    expect(t.oldestOverall()).toBe(b)
    t.touch(c, FlowClass.CLOSED)
    expect(t.oldest(FlowClass.TCP)).toBe(null)
    expect(t.oldest(FlowClass.CLOSED)).toBe(c)
    expect(t.liveFlows()).toEqual([b, a, c])
  })

  it('reuses ended Flow objects, reset to zero', () => {
    const t = new FlowTable()
    const a = t.insert(key(1), FlowClass.UDP)
    a.pktF = 9
    a.app = 'dns'
    t.remove(a)
    const b = t.insert(key(2), FlowClass.UDP)
    expect(b).toBe(a)
    expect([b.pktF, b.app, b.live]).toEqual([0, null, true])
    expect(t.find(key(1))).toBe(null)
    expect(t.find(key(2))).toBe(b)
  })
})
