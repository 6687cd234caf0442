import { describe, expect, it } from 'vitest'
import { parseInstant } from '../../../src/policy/phase.js'
import { T0, at } from '../../support/observations.js'

// Rules read flow records' nine-digit timestamps with parseInstant (src/policy/phase.ts).
describe('parseInstant on flow record timestamps', () => {
  it('keeps the sub-millisecond fraction Date.parse would drop (to a double\'s precision, ~0.2 µs today)', () => {
    expect(parseInstant('2026-11-20T12:00:00.123456789Z') - T0).toBeCloseTo(0.1234568, 6)
    expect(parseInstant('2026-11-20T12:00:00.000500000Z') - T0).toBeCloseTo(0.0005, 6)
    expect(parseInstant('2026-11-20T12:00:00Z')).toBe(T0)
    expect(parseInstant(at(42.5).ts)).toBe(T0 + 42.5)
  })

  it('is NaN for an empty or malformed timestamp', () => {
    expect(parseInstant('')).toBeNaN()
    expect(parseInstant('2026-11-20 12:00:00')).toBeNaN()
  })
})
