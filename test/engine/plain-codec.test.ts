/**
 * packValue / unpackValue: JSON-like values through typed arrays and back, equal key by key and in key
 * order, edges included; what structured clone would carry but this codec does not is refused, and a
 * corrupt packed value throws instead of building something else.
 */
import { describe, expect, it } from 'vitest'
import { packValue, packedValueBuffers, unpackValue, type PackedValue } from '../../src/engine/plain-codec.js'

/** Through a real MessagePort, buffers transferred, as a worker posts it. */
async function viaPort(p: PackedValue): Promise<PackedValue> {
  const { port1, port2 } = new MessageChannel()
  const got = new Promise<PackedValue>((resolve) => port2.once('message', (m) => resolve(m as PackedValue)))
  port1.postMessage(p, packedValueBuffers(p))
  const back = await got
  port1.close()
  port2.close()
  return back
}

const roundTrip = async (v: unknown): Promise<unknown> => unpackValue(await viaPort(packValue(v)))

describe('plain-codec', () => {
  it('gives back every kind of value, in key order, with undefined kept and -0, NaN, infinities exact', async () => {
    const v = {
      nothing: null, missing: undefined, yes: true, no: false, zero: 0, minusZero: -0, big: 2 ** 53 - 1, tiny: 5e-324, nan: Number.NaN,
      inf: Infinity, ninf: -Infinity, pi: Math.PI, empty: '', text: 'dvm.azurestack.local', unicode: 'münchen-😀-\u0000-\u2028',
      list: [1, 'a', null, [], {}, [[[]]], { x: [undefined] }], nested: { a: { b: { c: { d: 'deep' } } } }, obj: {},
    }
    const back = await roundTrip(v)
    expect(back).toStrictEqual(v)
    expect(JSON.stringify(back)).toBe(JSON.stringify(v))
    expect(Object.is((back as typeof v).minusZero, -0)).toBe(true)
    expect(Object.keys(back as object)).toEqual(Object.keys(v))
  })

  it('keeps keys as they were: __proto__ as an own key, keys that hold separators, the same keys in another order', async () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "a\\u0000b": 1, "c": 2}') as Record<string, unknown>
    const v = [
      hostile, { 'a': 1, 'b\u0000c': 2 }, { 'a\u0000b': 1, 'c': 2 }, { c: 2, 'a\u0000b': 1 }, { '"};process.exit(1);({"': 'code?' },
      { a: 1, b: 2 }, { a: 1, c: 2 }, { a: 1 }, { a: 1, b: 2, c: 3 }, { a: 1, b: 2 },
    ]
    const back = (await roundTrip(v)) as Array<Record<string, unknown>>
    expect(back).toStrictEqual(v)
    expect(Object.keys(back[0]!)).toEqual(['__proto__', 'a\u0000b', 'c'])
    expect(Object.getPrototypeOf(back[0]!)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(back.map((o) => Object.keys(o))).toEqual(v.map((o) => Object.keys(o)))
  })

  it('packs each distinct string and shape once, and many shapes past the compiled ones still come back', async () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ [`k${i}`]: i, ip: '10.0.0.1' }))
    const p = packValue(many)
    expect(p.strings.filter((s) => s === '10.0.0.1')).toHaveLength(1)
    expect(p.shapes).toHaveLength(600)
    expect(unpackValue(await viaPort(p))).toStrictEqual(many)
    const same = packValue(Array.from({ length: 1000 }, (_, i) => ({ name: `n${i % 10}`, at: { frame: i } })))
    expect(same.shapes).toHaveLength(2)
    expect(same.strings).toHaveLength(10)
  })

  it('refuses what it cannot carry, naming where', () => {
    for (const bad of [new Map(), new Date(0), new Uint8Array(2), new (class Point { x = 1 })(), () => 1, 1n, Symbol('s')]) {
      expect(() => packValue({ obs: [{ field: bad }] }), String(bad)).toThrow(/packValue: .* at field/)
    }
    let deep: unknown = 'leaf'
    for (let i = 0; i < 100; i++) deep = { d: deep }
    expect(() => packValue(deep)).toThrow(/nested deeper than 64/)
  })

  it('throws on a corrupt packed value instead of building another one', () => {
    const good = packValue({ name: 'x', n: [1, 2, 3], o: { a: null } })
    const variants: Array<[string, PackedValue]> = [
      ['cut tags', { ...good, tags: good.tags.slice(0, good.tags.length - 1) }],
      ['extra tag', { ...good, tags: Uint8Array.from([...good.tags, 0]) }],
      ['unknown tag', { ...good, tags: good.tags.map((t, i) => (i === 1 ? 99 : t)) }],
      ['string index', { ...good, strings: [] }],
      ['shape index', { ...good, shapes: good.shapes.slice(0, 1) }],
      ['numbers cut', { ...good, numbers: good.numbers.slice(0, 1) }],
      ['huge array', { ...good, words: good.words.map((w, i) => (i === 2 ? 0xffffffff : w)) }],
      ['shape of non-strings', { ...good, shapes: [[1 as unknown as string]] }],
    ]
    expect(unpackValue(good)).toStrictEqual({ name: 'x', n: [1, 2, 3], o: { a: null } })
    for (const [what, p] of variants) expect(() => unpackValue(p), what).toThrow(/packed value/)
    expect(() => unpackValue({} as PackedValue)).toThrow(/not a packed value/)
  })
})
