import { describe, expect, it } from 'vitest'
import { isoSeconds } from '../../../src/policy/rules/flow-time.js'
import { T0, at } from '../../support/observations.js'

describe('isoSeconds', () => {
  it('keeps the sub-millisecond fraction Date.parse would drop (to a double\'s precision, ~0.2 µs today)', () => {
    expect(isoSeconds('2026-11-20T12:00:00.123456789Z') - T0).toBeCloseTo(0.1234568, 6)
    expect(isoSeconds('2026-11-20T12:00:00.000500000Z') - T0).toBeCloseTo(0.0005, 6)
    expect(isoSeconds('2026-11-20T12:00:00Z')).toBe(T0)
    expect(isoSeconds(at(42.5).ts)).toBe(T0 + 42.5)
  })

  it('is NaN for an empty or malformed timestamp', () => {
    expect(isoSeconds('')).toBeNaN()
    expect(isoSeconds('2026-11-20 12:00:00')).toBeNaN()
  })
})
