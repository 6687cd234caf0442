import { describe, expect, it } from 'vitest'
import { parseFrameRanges } from '../../src/cli/frame-ranges.js'

describe('parseFrameRanges', () => {
  it('selects single frames, closed and open ranges', () => {
    const s = parseFrameRanges('1-3,7, 10-')
    expect([1, 2, 3, 4, 6, 7, 8, 9, 10, 1e9].map((n) => s.includes(n)))
      .toEqual([true, true, true, false, false, true, false, false, true, true])
    expect(s.last()).toBe(Infinity)
    expect(parseFrameRanges('250,1-100').last()).toBe(250)
  })

  it.each(['', '0', '5-2', 'a', '1-2-3', '-4', '1,,2'])('rejects %j with a message naming --frames', (spec) => {
    expect(() => parseFrameRanges(spec)).toThrow(/--frames/)
  })
})
