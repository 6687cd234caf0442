/** A small seeded PRNG (mulberry32): fuzz runs are repeatable from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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
