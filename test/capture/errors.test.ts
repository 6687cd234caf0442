import { describe, expect, it } from 'vitest'
import { CaptureError, Warnings } from '../../src/capture/errors.js'
import { linkTypeName } from '../../src/capture/link-type.js'
import { MAX_CAPTURE_WARNINGS } from '../../src/decode/limits.js'

describe('capture errors', () => {
  it('CaptureError names file, offset and reason in one line', () => {
    const e = new CaptureError('a\nb.pcap', 24, 'bad\r\nthing')
    expect(e.message).toBe('a b.pcap: byte 24: bad thing')
    expect([e.file, e.offset, e.reason, e.name]).toEqual(['a\nb.pcap', 24, 'bad\r\nthing', 'CaptureError'])
  })

  it(`Warnings keeps at most ${MAX_CAPTURE_WARNINGS} entries, the last one counting the rest`, () => {
    const w = new Warnings()
    for (let i = 0; i < MAX_CAPTURE_WARNINGS + 500; i++) w.add(i, `w${i}`)
    expect(w.list.length).toBe(MAX_CAPTURE_WARNINGS)
    expect(w.list[MAX_CAPTURE_WARNINGS - 2]).toEqual({ offset: MAX_CAPTURE_WARNINGS - 2, message: `w${MAX_CAPTURE_WARNINGS - 2}` })
    expect(w.list[MAX_CAPTURE_WARNINGS - 1]).toEqual({ offset: MAX_CAPTURE_WARNINGS - 1, message: '501 more warning(s) not listed' })
  })

  it('names link types for messages', () => {
    expect(linkTypeName(1)).toBe('LINKTYPE_ETHERNET (1)')
    expect(linkTypeName(276)).toBe('LINKTYPE_LINUX_SLL2 (276)')
    expect(linkTypeName(147)).toBe('LINKTYPE 147')
  })
})
