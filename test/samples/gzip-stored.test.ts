/**
 * The writer's gzip (src/capture/writer.ts gzipStored): stored deflate blocks, so a committed
 * .gz sample is the same bytes on every zlib; any gunzip must read it back exactly.
 */
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { crc32, gzipStored, payload } from '../../src/capture/writer.js'

describe('gzipStored', () => {
  it.each([0, 1, 65535, 65536, 200_000])('round-trips %i bytes through zlib', (n) => {
    const data = payload(n, n)
    const gz = gzipStored(data)
    expect(Buffer.compare(gunzipSync(gz), Buffer.from(data))).toBe(0)
    // Header, one 5-byte header per 64 KiB block (at least one), trailer.
    expect(gz.length).toBe(10 + 5 * Math.max(1, Math.ceil(n / 65535)) + n + 8)
  })

  it('writes a fixed header: deflate, no flags, MTIME 0, OS unknown', () => {
    expect([...gzipStored(payload(10)).subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255])
  })

  it('crc32 gives the check value of the CRC-32 catalogue for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32([])).toBe(0)
  })
})
