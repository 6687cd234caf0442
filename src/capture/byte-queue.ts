/**
 * The unread bytes of a capture stream, so that a parser can ask for "the next n bytes, contiguous"
 * whatever the chunk boundaries were.
 *
 *   chunks pushed:   [ ....A.... | ..B.. ][ ...C... | ..D.. ]       (records A-D, B straddles)
 *   ensure(len B):   copies B's two halves into a buffer of B's size; A, C and D stay views of
 *                    their chunk (no copy)
 *
 * A buffer handed out is never written again (only space past its last valid byte is filled), so
 * a frame's `bytes` view stays valid however far the reading goes. Memory: the chunks not yet read
 * plus at most one partial record; parsers check a record's length against the limits before they
 * ask for it, so that record is bounded too.
 */
const EMPTY = new Uint8Array(0)

export class ByteQueue {
  /** After a successful `ensure(n)`: `buf[pos .. pos + n)` are the next n bytes. */
  buf: Uint8Array = EMPTY
  pos = 0
  /** File offset of `buf[pos]`, counted over everything pushed. */
  offset = 0
  private lim = 0
  private queued: Uint8Array[] = []
  private queuedBytes = 0

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    // A plain Uint8Array view, not a Buffer: subarray() per frame is ~30% cheaper on it (Node 20),
    // and frames then hold the same type whatever the source.
    this.queued.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))
    this.queuedBytes += chunk.length
  }

  /** Bytes pushed and not yet skipped. */
  available(): number {
    return this.lim - this.pos + this.queuedBytes
  }

  /** Makes the next n bytes contiguous at `buf[pos]`; false when fewer than n are buffered. */
  ensure(n: number): boolean {
    if (this.lim - this.pos >= n) return true
    if (this.lim === this.pos && this.queued.length > 0 && this.queued[0]!.length >= n) {
      this.buf = this.queued.shift()!
      this.queuedBytes -= this.buf.length
      this.pos = 0
      this.lim = this.buf.length
      return true
    }
    // Copy into one buffer of capacity n: the whole record when it is all here, otherwise what is
    // here so far (later pushes append to it in place, so 1-byte chunks cost O(1) each, not O(n)).
    if (this.buf.length - this.pos < n) {
      const carry = new Uint8Array(n)
      carry.set(this.buf.subarray(this.pos, this.lim))
      this.lim -= this.pos
      this.pos = 0
      this.buf = carry
    }
    this.fill(this.pos + n)
    return this.lim - this.pos >= n
  }

  /** Moves the read position n bytes on; the caller has ensured them. */
  skip(n: number): void {
    this.pos += n
    this.offset += n
  }

  /**
   * Copies the unread bytes (a partial record, usually) into a buffer of the queue's own and drops
   * every view of a pushed chunk, so that the reader may read into those chunks' memory again.
   * Buffers already handed out (frames' bytes) are not touched.
   */
  detach(): void {
    const n = this.available()
    const own = new Uint8Array(n)
    own.set(this.buf.subarray(this.pos, this.lim))
    let at = this.lim - this.pos
    for (const c of this.queued) { own.set(c, at); at += c.length }
    this.buf = own
    this.pos = 0
    this.lim = n
    this.queued = []
    this.queuedBytes = 0
  }

  /** Drops everything buffered (the parser has stopped trusting the rest of the file). */
  clear(): void {
    this.offset += this.available()
    this.buf = EMPTY
    this.pos = this.lim = 0
    this.queued = []
    this.queuedBytes = 0
  }

  /** Appends queued chunks into `buf` (which has room) until `lim` reaches `upTo` or the queue is empty. */
  private fill(upTo: number): void {
    while (this.lim < upTo && this.queued.length > 0) {
      const chunk = this.queued[0]!
      const take = Math.min(chunk.length, upTo - this.lim)
      this.buf.set(chunk.subarray(0, take), this.lim)
      this.lim += take
      this.queuedBytes -= take
      if (take === chunk.length) this.queued.shift()
      else this.queued[0] = chunk.subarray(take)
    }
  }
}
