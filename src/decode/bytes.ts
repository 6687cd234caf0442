/**
 * Big-endian (network order) and little-endian reads and writes on a Uint8Array.
 *
 * Callers check bounds first (each decoder compares `end - offset` with its
 * header length before the first read); these helpers then read without
 * checking. An out-of-range read on a Uint8Array yields `undefined`, and
 * `undefined << 8` is 0, so a skipped bounds check gives silently wrong
 * numbers rather than an exception: check lengths before reading.
 *
 * This is the only module in src/decode that uses the non-null assertion `!`.
 */

export function u8(b: Uint8Array, o: number): number {
  return b[o]!
}

export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8)
}

export function u24(b: Uint8Array, o: number): number {
  return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!
}

/** Unsigned 32-bit. Multiplies instead of `<< 24` so the result never goes negative. */
export function u32(b: Uint8Array, o: number): number {
  return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!)
}

export function u32le(b: Uint8Array, o: number): number {
  return b[o + 3]! * 0x1000000 + ((b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!)
}

export function put8(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff
  b[o + 1] = v & 0xff
}

export function put16le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
  b[o + 1] = (v >>> 8) & 0xff
}

export function put24(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 16) & 0xff
  b[o + 1] = (v >>> 8) & 0xff
  b[o + 2] = v & 0xff
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff
  b[o + 1] = (v >>> 16) & 0xff
  b[o + 2] = (v >>> 8) & 0xff
  b[o + 3] = v & 0xff
}

export function put32le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
  b[o + 1] = (v >>> 8) & 0xff
  b[o + 2] = (v >>> 16) & 0xff
  b[o + 3] = (v >>> 24) & 0xff
}

/** Copy `src` into `b` at `o`; returns the offset just past it. */
export function putBytes(b: Uint8Array, o: number, src: ArrayLike<number>): number {
  b.set(src, o)
  return o + src.length
}

/** Characters per String.fromCharCode call: well under every engine's argument limit. */
const LATIN1_CHUNK = 8192

/**
 * Node's native Latin-1 decoder. Buffer.prototype.latin1Slice takes any Uint8Array as `this`: no view to
 * allocate (the subarray that String.fromCharCode.apply needs was a quarter of `analyze`'s DNS allocations)
 * and half the time for a short string. Absent in another runtime: the portable path below.
 */
const nativeLatin1 = (Buffer.prototype as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice

/**
 * bytes[offset, end) as Latin-1 text (one character per byte, nothing lost), in one flat string. Building it
 * with `s += String.fromCharCode(b)` made a rope of one 32-byte node per character, which observations then
 * kept (a 25-character TLS server name held ~800 bytes). The range is clamped to the bytes, as subarray does.
 */
export function latin1(bytes: Uint8Array, offset: number, end: number): string {
  end = Math.min(end, bytes.length)
  offset = Math.max(0, Math.min(offset, end))
  if (nativeLatin1 !== undefined) return nativeLatin1.call(bytes, offset, end)
  if (end - offset <= LATIN1_CHUNK) return String.fromCharCode.apply(null, bytes.subarray(offset, end) as unknown as number[])
  const parts: string[] = []
  for (let p = offset; p < end; p += LATIN1_CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(p, Math.min(end, p + LATIN1_CHUNK)) as unknown as number[]))
  }
  return parts.join('')
}
