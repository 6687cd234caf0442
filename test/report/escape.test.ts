import { describe, expect, it } from 'vitest'
import { forTerminal } from '../../src/report/escape.js'

describe('forTerminal', () => {
  it('shows control characters as \\xNN so captured text cannot drive the terminal', () => {
    expect(forTerminal('evil\x1b[2J.example\r\n')).toBe('evil\\x1b[2J.example\\x0d\\x0a')
    expect(forTerminal('a\x00b\x7fc\x9bd')).toBe('a\\x00b\\x7fc\\x9bd')
  })

  it('neutralises bidi overrides and keeps ordinary Unicode', () => {
    expect(forTerminal('x\u202ey')).toBe('x\\u{202e}y')
    expect(forTerminal('münchen.example – ok')).toBe('münchen.example – ok')
  })
})
