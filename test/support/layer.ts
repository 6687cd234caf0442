/** Calling one layer decoder the way its unit tests do. */
import type { Decoded } from '../../src/decode/issue.js'

/** A layer module's pair: a fresh header, and `decode(bytes, offset, end, header, ...rest)` into it. */
export interface LayerCodec<H, Rest extends unknown[]> {
  create(): H
  decode(bytes: Uint8Array, offset: number, end: number, out: H, ...rest: Rest): Decoded
}

/**
 * `decodeAt(bytes, offset = 0, end = bytes.length, ...rest)` for a layer module: decodes into a new
 * header and returns it with the result. `rest` goes to the module's `decode` as given, so its own
 * defaults (the end source, for most) apply when the test leaves them out.
 */
export function layerDecodeAt<H, Rest extends unknown[]>(codec: LayerCodec<H, Rest>) {
  return (bytes: Uint8Array, offset = 0, end = bytes.length, ...rest: Rest): { result: Decoded; header: H } => {
    const header = codec.create()
    const result = codec.decode(bytes, offset, end, header, ...rest)
    return { result, header }
  }
}
