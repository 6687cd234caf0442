/**
 * `--frames 1-100,250,400-`: which frame numbers to print. Parsed once into
 * sorted, merged ranges; `last()` lets the reader stop early.
 */

export interface FrameSelection {
  includes(frame: number): boolean
  /** The largest selected frame number (Infinity for an open range). */
  last(): number
}

export function parseFrameRanges(spec: string): FrameSelection {
  const ranges: Array<[number, number]> = []
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?$/.exec(part)
    if (!m) throw new RangeError(`--frames: "${part}" is not a frame number or range (use e.g. 1-100,250,400-)`)
    const lo = Number(m[1])
    const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo
    if (lo < 1 || hi < lo) throw new RangeError(`--frames: "${part}" is empty; frames count from 1 and ranges go upwards`)
    ranges.push([lo, hi])
  }
  ranges.sort((a, b) => a[0] - b[0])
  return {
    includes: (frame) => ranges.some(([lo, hi]) => frame >= lo && frame <= hi),
    last: () => Math.max(...ranges.map(([, hi]) => hi)),
  }
}
