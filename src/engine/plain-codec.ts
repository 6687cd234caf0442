/**
 * JSON-like values packed into typed arrays, for the part of a shard's result that is not flow records
 * (flow/record-codec.ts has those): an `analyze` shard's DNS transactions, TLS and tunnel observations,
 * ~30 000 objects and 13 MB as V8's serializer writes them for half of the 1 GiB bench mix, which the main
 * thread took 0.17-0.3 s per shard to rebuild, one shard after the other.
 *
 * Each value is one tag byte; a number goes to a Float64Array; a string is an index into a table that
 * holds each distinct string once (file names, addresses, server names repeat); an array is its length
 * and its items; an object is the index of its shape (its keys in order, each shape once) and its
 * values in that order. The three arrays are transferred; the string and shape tables are cloned.
 *
 * Values are what structured clone and JSON both carry: null, undefined, booleans, numbers, strings,
 * arrays and plain objects, without cycles. Anything else (a Map, a class instance, a typed array) is
 * refused with an error naming where it is, rather than changed. Two references to one object come back
 * as two equal objects (nothing in a shard's observations is shared).
 */

const Tag = { Null: 0, Undefined: 1, False: 2, True: 3, Number: 4, String: 5, Array: 6, Object: 7 } as const

export interface PackedValue {
  tags: Uint8Array
  /** In the order of the tags that need one: a String's table index, an Array's length, an Object's shape. */
  words: Uint32Array
  numbers: Float64Array
  strings: string[]
  /** The keys of each shape, in order. */
  shapes: string[][]
}

/** Objects nested deeper than this are refused (observations are a few levels deep). */
const MAX_DEPTH = 64

/** A typed array that doubles when full (a plain array of a million numbers, then copied, cost more). */
class Column<A extends Uint8Array | Uint32Array | Float64Array> {
  private a: A
  length = 0
  private readonly make: (n: number) => A

  constructor(make: (n: number) => A) {
    this.make = make
    this.a = make(4096)
  }

  push(v: number): void {
    if (this.length === this.a.length) {
      const b = this.make(this.a.length * 2)
      b.set(this.a)
      this.a = b
    }
    this.a[this.length++] = v
  }

  /** The values, in an array of their own size. */
  done(): A {
    return this.a.slice(0, this.length) as A
  }
}

class Packer {
  readonly tags = new Column((n) => new Uint8Array(n))
  readonly words = new Column((n) => new Uint32Array(n))
  readonly numbers = new Column((n) => new Float64Array(n))
  readonly strings: string[] = []
  readonly shapes: string[][] = []
  private readonly stringIndex = new Map<string, number>()
  /** Shapes by their first key (a few each), compared key by key: no id string built per object. */
  private readonly shapesByFirst = new Map<string | undefined, number[]>()

  /** `key`: where `v` is (its key or the array's), for an error only (a path built per value cost more than the rest). */
  value(v: unknown, depth: number, key: string): void {
    if (v === null) { this.tags.push(Tag.Null); return }
    switch (typeof v) {
      case 'undefined': this.tags.push(Tag.Undefined); return
      case 'boolean': this.tags.push(v ? Tag.True : Tag.False); return
      case 'number': this.tags.push(Tag.Number); this.numbers.push(v); return
      case 'string': this.tags.push(Tag.String); this.words.push(this.string(v)); return
      case 'object': break
      default: throw new TypeError(`packValue: ${typeof v} at ${key}`)
    }
    if (depth >= MAX_DEPTH) throw new TypeError(`packValue: nested deeper than ${MAX_DEPTH} at ${key}`)
    if (Array.isArray(v)) {
      this.tags.push(Tag.Array)
      this.words.push(v.length)
      for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1, key)
      return
    }
    const proto = Object.getPrototypeOf(v) as unknown
    if (proto !== Object.prototype && proto !== null) throw new TypeError(`packValue: not a plain object at ${key}`)
    const o = v as Record<string, unknown>
    const keys = Object.keys(o)
    this.tags.push(Tag.Object)
    this.words.push(this.shape(keys))
    for (const k of keys) this.value(o[k], depth + 1, k)
  }

  private string(s: string): number {
    let i = this.stringIndex.get(s)
    if (i === undefined) {
      i = this.strings.push(s) - 1
      this.stringIndex.set(s, i)
    }
    return i
  }

  private shape(keys: string[]): number {
    const first = keys[0]
    let candidates = this.shapesByFirst.get(first)
    if (candidates === undefined) this.shapesByFirst.set(first, (candidates = []))
    for (const i of candidates) if (sameKeys(this.shapes[i]!, keys)) return i
    const i = this.shapes.push(keys) - 1
    candidates.push(i)
    return i
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** `value` packed (see the file's comment); throws on what it cannot carry. */
export function packValue(value: unknown): PackedValue {
  const p = new Packer()
  p.value(value, 0, '$')
  return {
    tags: p.tags.done(), words: p.words.done(), numbers: p.numbers.done(),
    strings: p.strings, shapes: p.shapes,
  }
}

/** The buffers of a packed value, to transfer. */
export function packedValueBuffers(p: PackedValue): ArrayBuffer[] {
  return [p.tags.buffer as ArrayBuffer, p.words.buffer as ArrayBuffer, p.numbers.buffer as ArrayBuffer]
}

/** Builds one object of a shape, its values read in key order. */
type Builder = (u: Unpacker) => Record<string, unknown>

/** Shapes built by a compiled object literal at most (a shard's observations have a few dozen). */
const MAX_COMPILED_SHAPES = 256

/**
 * A shape's builder: one object literal with the shape's keys, compiled once (V8 builds such a literal
 * from a template, several times faster than adding the keys one by one). The keys are ours, quoted as
 * JSON string literals; a shape with a `__proto__` key, past MAX_COMPILED_SHAPES, or where code
 * generation is off (node --disallow-code-generation-from-strings) is built key by key.
 */
function builder(keys: readonly string[], compile: boolean): Builder {
  if (compile && !keys.includes('__proto__')) {
    try {
      return new Function('u', `return {${keys.map((k) => `${JSON.stringify(k)}: u.value()`).join(', ')}}`) as Builder
    } catch {
      // code generation refused: the generic builder below
    }
  }
  return (u) => {
    const o: Record<string, unknown> = {}
    // defineProperty: a key named __proto__ stays an own property, as it was.
    for (const k of keys) Object.defineProperty(o, k, { value: u.value(), enumerable: true, writable: true, configurable: true })
    return o
  }
}

class Unpacker {
  private t = 0
  private w = 0
  private n = 0
  private readonly p: PackedValue
  private readonly builders: Builder[]

  constructor(p: PackedValue) {
    this.p = p
    this.builders = p.shapes.map((keys, i) => {
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new Error('packed value: a shape is not a key list')
      return builder(keys, i < MAX_COMPILED_SHAPES)
    })
  }

  value(): unknown {
    const p = this.p
    if (this.t >= p.tags.length) throw new Error('packed value: runs past its tags')
    switch (p.tags[this.t++]) {
      case Tag.Null: return null
      case Tag.Undefined: return undefined
      case Tag.False: return false
      case Tag.True: return true
      case Tag.Number:
        if (this.n >= p.numbers.length) throw new Error('packed value: runs past its numbers')
        return p.numbers[this.n++]
      case Tag.String: {
        const s = p.strings[this.word()]
        if (s === undefined) throw new Error('packed value: a string index out of range')
        return s
      }
      case Tag.Array: {
        const length = this.word()
        if (length > p.tags.length - this.t) throw new Error('packed value: an array longer than what is left')
        const a: unknown[] = new Array<unknown>(length)
        for (let i = 0; i < length; i++) a[i] = this.value()
        return a
      }
      case Tag.Object: {
        const build = this.builders[this.word()]
        if (build === undefined) throw new Error('packed value: a shape index out of range')
        return build(this)
      }
      default: throw new Error(`packed value: unknown tag ${p.tags[this.t - 1]}`)
    }
  }

  private word(): number {
    if (this.w >= this.p.words.length) throw new Error('packed value: runs past its words')
    return this.p.words[this.w++]!
  }

  done(): boolean {
    return this.t === this.p.tags.length && this.w === this.p.words.length && this.n === this.p.numbers.length
  }
}

/** The value `packValue` packed; throws when `p` is not one (corrupt or cut). */
export function unpackValue(p: PackedValue): unknown {
  if (!p || !(p.tags instanceof Uint8Array) || !(p.words instanceof Uint32Array) || !(p.numbers instanceof Float64Array) ||
    !Array.isArray(p.strings) || !Array.isArray(p.shapes)) throw new Error('not a packed value')
  const u = new Unpacker(p)
  const v = u.value()
  if (!u.done()) throw new Error('packed value: data left over')
  return v
}
