/**
 * Seeded, bounded no-throw fuzz of the whole layer loop: frames from the shared
 * captures (when present) and from our own builder, mutated, decoded and turned
 * into records. An exception, a non-serialisable record or an issue offset outside
 * the buffer fails the test and prints the seed and the input to reproduce it.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { openCapture } from '../../src/capture/open.js'
import { toDecodeRecord } from '../../src/decode/decode-record.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import { packet } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'
import { HAVE_PCAPS, PCAPS_DIR, sharedCaptures } from '../support/oracle.js'
import { mutate, seededRandom } from '../support/random.js'

const LINK_TYPES = [1, 113, 276, 0, 108, 101, 228, 229, 104]

async function seedFrames(): Promise<Array<{ bytes: Uint8Array; linkType: number }>> {
  const seeds = [
    packet().eth().vlan(7).ipv4('192.0.2.1', '192.0.2.2').tcp(1, 179, { flags: 2 }, { mss: 1460, timestamp: [1, 2] }).build(),
    packet().eth().ipv6('2001:db8::1', '2001:db8::2').udp(53, 53).payload([1, 2, 3]).build(),
    packet().eth().ipv4('192.0.2.1', '192.0.2.2').icmp(3, 4, 1400).payload(packet().ipv4('192.0.2.2', '192.0.2.9').udp(1, 2).build()).build(),
  ].map((bytes) => ({ bytes, linkType: 1 }))
  if (!HAVE_PCAPS) return seeds
  for (const name of sharedCaptures()) {
    try {
      const reader = await openCapture(join(PCAPS_DIR, name))
      for await (const batch of reader.batches()) {
        for (const f of batch.slice(0, 3)) seeds.push({ bytes: Uint8Array.from(f.bytes), linkType: f.linkType })
        break
      }
    } catch { /* unreadable captures are the capture reader's fuzz subject */ }
  }
  return seeds
}

describe('FrameDecoder fuzz', () => {
  it('never throws and keeps every issue inside the buffer (seed 2026, 20000 inputs)', async () => {
    const seeds = await seedFrames()
    const rnd = seededRandom(2026)
    const decoder = new FrameDecoder()
    for (let i = 0; i < 20000; i++) {
      const seed = seeds[Math.floor(rnd() * seeds.length)]!
      let bytes = seed.bytes
      for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) bytes = mutate(bytes, rnd)
      const linkType = rnd() < 0.1 ? LINK_TYPES[Math.floor(rnd() * LINK_TYPES.length)]! : seed.linkType
      const frame = frameOf(bytes, { linkType, frameNumber: i + 1, tsSec: i })
      let ok = false
      try {
        const decoded = decoder.decode(frame)
        for (const issue of decoded.issues) {
          expect(issue.offset).toBeGreaterThanOrEqual(0)
          expect(issue.offset).toBeLessThanOrEqual(Math.max(bytes.length, decoded.bytes.length))
        }
        JSON.stringify(toDecodeRecord(frame, decoded))
        ok = true
      } finally {
        if (!ok) console.error(`fuzz input ${i} (link type ${linkType}): ${Buffer.from(bytes).toString('hex')}`)
      }
    }
  })
})
