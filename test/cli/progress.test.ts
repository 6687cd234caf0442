import { describe, expect, it } from 'vitest'
import { createProgress, progressLine } from '../../src/cli/progress.js'

/** A stream that records what is written; isTTY as given. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  const parts: string[] = []
  const stream = {
    isTTY,
    columns: 120,
    write(chunk: string | Uint8Array): boolean { parts.push(String(chunk)); return true },
    cursorTo(): boolean { return true },
    moveCursor(): boolean { return true },
    clearLine(): boolean { return true },
    clearScreenDown(): boolean { return true },
    on() { return stream },
    once() { return stream },
    removeListener() { return stream },
  }
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => parts.join('') }
}

describe('createProgress', () => {
  it('writes nothing to a stream that is not a TTY', () => {
    const { stream, written } = fakeStream(false)
    const p = createProgress({ enabled: true, totalBytes: 1000, stream })
    p.update(500, 123, 4)
    p.stop()
    expect(p.active).toBe(false)
    expect(written()).toBe('')
  })

  it('writes nothing when disabled (--no-progress), even on a TTY', () => {
    const { stream, written } = fakeStream(true)
    const p = createProgress({ enabled: false, totalBytes: 1000, stream })
    p.update(500, 123, 4)
    p.stop()
    expect(written()).toBe('')
  })

  it('never draws on stdout', () => {
    const p = createProgress({ enabled: true, totalBytes: 1000, stream: process.stdout })
    expect(p.active).toBe(false)
    p.stop()
  })

  it('draws on a TTY: packets, flows, MB/s and a percentage when the size is known', () => {
    const { stream, written } = fakeStream(true)
    const p = createProgress({ enabled: true, totalBytes: 4_000_000, stream })
    expect(p.active).toBe(true)
    p.update(2_000_000, 31337, 4242)
    p.stop()
    p.stop()
    p.update(3_000_000, 99999, 1) // after stop: ignored
    const out = written()
    expect(out).toContain('31,337 packets')
    expect(out).toContain('4,242 flows')
    expect(out).toContain('MB/s')
    expect(out).toContain(' 50%')
    expect(out).toContain('2.0/4.0 MB')
    expect(out).not.toContain('99,999')
  })

  it('shows bytes and rate without a percentage when the total is unknown (stdin)', () => {
    const { stream, written } = fakeStream(true)
    const p = createProgress({ enabled: true, totalBytes: null, stream })
    p.update(7_500_000, 1234, 56)
    p.stop()
    const out = written()
    expect(out).toContain('7.5 MB')
    expect(out).toContain('1,234 packets')
    expect(out).not.toContain('%')
  })
})

describe('progressLine', () => {
  it('formats a bar with ETA, or a counter without a total', () => {
    expect(progressLine(250e6, 1000e6, 1_000_000, 5000, 1000))
      .toBe('[======------------------]  25% | 250.0/1000.0 MB | 250.0 MB/s | 1,000,000 packets | 5,000 flows | ETA 3s')
    expect(progressLine(250e6, null, 10, 2, 125_000)).toBe('250.0 MB | 2.0 MB/s | 10 packets | 2 flows | 2m05s')
    expect(progressLine(0, 100, 0, 0, 0)).toContain('ETA ?')
  })
})
