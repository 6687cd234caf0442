/**
 * DER (ITU-T X.690 §10): the tag-length-value encoding of X.509 certificates,
 * read one element at a time, and written for tests and sample recipes.
 *
 *   +-----+----------------------------+------------------+
 *   | tag | length: 0xxxxxxx           | value            |
 *   |     |      or 1nnnnnnn + n bytes |                  |
 *   +-----+----------------------------+------------------+
 *
 * Supported: single-byte tags (all X.509 tags up to the subject Name are),
 * short and long definite lengths of up to 4 bytes.
 * Not supported: high tag numbers (tag byte 0x1f form), indefinite lengths
 * (BER only; DER forbids them), lengths beyond 2^32-1. The reader has no
 * recursion: callers walk a fixed path of nested elements, so a hostile
 * certificate cannot make the walk deeper than the code is.
 */

/** Universal and context tags hubcap meets in certificates. */
export const Tag = {
  Integer: 0x02,
  BitString: 0x03,
  Null: 0x05,
  Oid: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BmpString: 0x1e,
  Sequence: 0x30,
  Set: 0x31,
  /** [0] EXPLICIT, constructed: the X.509 version field. */
  Context0: 0xa0,
} as const

/** One element: where its value lies and where the next element starts. */
export interface Tlv {
  tag: number
  /** Offset of the first value byte. */
  valueOffset: number
  /** One past the last value byte; also where the next sibling starts. */
  valueEnd: number
}

export function createTlv(): Tlv {
  return { tag: 0, valueOffset: 0, valueEnd: 0 }
}

/**
 * Read the element at `offset` into `out`. Returns false, leaving `out` partly
 * written, when the bytes are not an element this reader accepts or the element
 * runs past `end`.
 */
export function readTlv(bytes: Uint8Array, offset: number, end: number, out: Tlv): boolean {
  if (end - offset < 2 || end > bytes.length || offset < 0) return false
  const tag = bytes[offset]!
  if ((tag & 0x1f) === 0x1f) return false
  const first = bytes[offset + 1]!
  let p = offset + 2
  let length = first
  if (first & 0x80) {
    const n = first & 0x7f
    if (n === 0 || n > 4 || end - p < n) return false
    length = 0
    for (let i = 0; i < n; i++) length = length * 256 + bytes[p + i]!
    p += n
  }
  if (length > end - p) return false
  out.tag = tag
  out.valueOffset = p
  out.valueEnd = p + length
  return true
}

/** True when the value at [offset, end) is the OID whose content bytes are `oid`. */
export function valueEquals(bytes: Uint8Array, offset: number, end: number, oid: readonly number[]): boolean {
  if (end - offset !== oid.length) return false
  for (let i = 0; i < oid.length; i++) if (bytes[offset + i] !== oid[i]) return false
  return true
}

// ---- writing (tests and sample recipes; allocates) ----

/** One element: `tag`, the DER length of the joined parts, the parts. */
export function tlv(tag: number, ...parts: ArrayLike<number>[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const head: number[] = [tag]
  if (length < 0x80) head.push(length)
  else {
    const l: number[] = []
    for (let v = length; v > 0; v = Math.floor(v / 256)) l.unshift(v & 0xff)
    head.push(0x80 | l.length, ...l)
  }
  const out = new Uint8Array(head.length + length)
  out.set(head)
  let o = head.length
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/** The content bytes of a dotted OID ("2.5.4.3" -> 55 04 03). */
export function oidBytes(dotted: string): number[] {
  const arcs = dotted.split('.').map(Number)
  const out = [40 * arcs[0]! + arcs[1]!]
  for (const arc of arcs.slice(2)) {
    const b: number[] = [arc & 0x7f]
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f))
    out.push(...b)
  }
  return out
}

/** A UTF8String element. */
export function utf8String(text: string): Uint8Array {
  return tlv(Tag.Utf8String, new TextEncoder().encode(text))
}
