// The PRNG lives with the benches (they are built; tests are not), and tests share it.
import { seededRandom } from '../../bench/random.js'

export { seededRandom }

/** One structure-blind mutation: bit flip, byte set to 0/0xff/random, insertion, deletion or truncation. */
export function mutate(input: Uint8Array, rnd: () => number): Uint8Array {
  const b = Uint8Array.from(input)
  const at = Math.floor(rnd() * Math.max(1, b.length))
  switch (Math.floor(rnd() * 6)) {
    case 0: if (b.length) b[at] = b[at]! ^ (1 << Math.floor(rnd() * 8)); return b
    case 1: if (b.length) b[at] = [0, 0xff, 1, 0x7f, 0x80][Math.floor(rnd() * 5)]!; return b
    case 2: if (b.length) b[at] = Math.floor(rnd() * 256); return b
    case 3: { const out = new Uint8Array(b.length + 1); out.set(b.subarray(0, at)); out[at] = Math.floor(rnd() * 256); out.set(b.subarray(at), at + 1); return out }
    case 4: { const out = new Uint8Array(Math.max(0, b.length - 1)); out.set(b.subarray(0, at)); out.set(b.subarray(at + 1), at); return out }
    default: return b.subarray(0, at)
  }
}

/**
 * `count` seeded inputs for a no-throw fuzz of one decoder: every other one random bytes (up to
 * twice `base`'s length), the rest a prefix of `base` with up to four bytes overwritten; each with a
 * random offset (at most 8) and end inside the buffer, as `[bytes, offset, end]`.
 */
export function* fuzzInputs(seed: number, base: Uint8Array, count: number): Generator<[Uint8Array, number, number]> {
  const rand = seededRandom(seed)
  const int = (n: number) => Math.floor(rand() * n)
  for (let n = 0; n < count; n++) {
    let bytes: Uint8Array
    if (n % 2 === 0) {
      bytes = new Uint8Array(int(base.length * 2 + 1))
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(256)
    } else {
      bytes = base.slice(0, int(base.length + 1))
      for (let k = int(4); k >= 0 && bytes.length > 0; k--) bytes[int(bytes.length)] = int(256)
    }
    const offset = int(Math.min(bytes.length, 8) + 1)
    const end = offset + int(bytes.length - offset + 1)
    yield [bytes, offset, end]
  }
}
