/**
 * Test side of the capture writer: re-exports src/capture/writer.ts and reads such bytes back
 * through the real push-parsers, in chunks of any size (`parseCapture`).
 */
import { createParser } from '../../src/capture/open.js'
import type { CaptureParser } from '../../src/capture/open.js'
import { CaptureError, type CaptureWarning } from '../../src/capture/errors.js'
import { createFrame, type Frame } from '../../src/capture/frame.js'

export * from '../../src/capture/writer.js'

// ---------------------------------------------------------------------------------------------
// Reading it back (tests)

export interface Parsed {
  /** Frames with their bytes copied (the parser's views are only valid for a while). */
  frames: Frame[]
  warnings: CaptureWarning[]
  parser: CaptureParser
}

/**
 * Runs the push-parser for these bytes over them, `chunk` bytes at a time (or cut at the given
 * offsets), then end(). Header errors throw CaptureError, as the parsers do.
 */
export function parseCapture(bytes: Uint8Array, split: number | number[] = bytes.length || 1, file = 'test.pcap'): Parsed {
  const cuts = typeof split === 'number' ? range(split, bytes.length, split) : split
  const parser = createParser(file, bytes.subarray(0, 4))
  const frames: Frame[] = []
  const drain = (): void => {
    for (let f = createFrame(); parser.next(f); f = createFrame()) frames.push({ ...f, bytes: new Uint8Array(f.bytes) })
  }
  let at = 0
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= at) continue
    parser.push(bytes.subarray(at, cut))
    at = cut
    drain()
  }
  parser.end()
  return { frames, warnings: parser.warnings, parser }
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = []
  for (let i = from; i < to; i += step) out.push(i)
  return out
}

/** The CaptureError that `f` throws; anything else it throws is rethrown, and throwing nothing fails. */
export function catchError(f: () => unknown): CaptureError {
  try {
    f()
  } catch (e) {
    if (e instanceof CaptureError) return e
    throw e
  }
  throw new Error('expected a CaptureError')
}
