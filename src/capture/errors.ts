/**
 * What can go wrong while reading a capture file, in two kinds:
 *
 * - `CaptureError` (thrown): the file cannot be read at all: not a capture, a header cut short or
 *   invalid, an I/O failure before the first record. The CLI prints the message as one line and
 *   exits 2.
 * - `CaptureWarning` (a value): something wrong after the header: a record cut short at the end,
 *   an impossible length. The records before it are kept; the warning names the byte offset.
 */
import { MAX_CAPTURE_WARNINGS } from '../decode/limits.js'

export class CaptureError extends Error {
  override readonly name = 'CaptureError'
  readonly file: string
  /** Byte offset in the (decompressed) file where the problem is. */
  readonly offset: number
  readonly reason: string

  constructor(file: string, offset: number, reason: string) {
    super(oneLine(`${file}: byte ${offset}: ${reason}`))
    this.file = file
    this.offset = offset
    this.reason = reason
  }
}

export interface CaptureWarning {
  /** Byte offset in the (decompressed) file of the record or block concerned. */
  offset: number
  message: string
}

/**
 * The warnings of one capture file, at most MAX_CAPTURE_WARNINGS of them: past that, the last
 * entry only counts the rest, so a hostile file cannot grow the list without end.
 */
export class Warnings {
  readonly list: CaptureWarning[] = []
  private summary: CaptureWarning | null = null
  private dropped = 0

  add(offset: number, message: string): void {
    if (this.list.length < MAX_CAPTURE_WARNINGS - 1) {
      this.list.push({ offset, message })
      return
    }
    this.dropped++
    const text = `${this.dropped} more warning(s) not listed`
    if (this.summary) this.summary.message = text
    else this.list.push((this.summary = { offset, message: text }))
  }
}

/** The CLI prints the message as one line: a file name or an OS message must not break it. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ')
}
