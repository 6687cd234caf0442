/** Wrap raw bytes as a captured Frame for the decoders. */
import { createFrame, type Frame } from '../../src/capture/frame.js'

export function frameOf(bytes: Uint8Array, opts: Partial<Frame> = {}): Frame {
  return { ...createFrame(), frameNumber: 1, bytes, caplen: bytes.length, origlen: bytes.length, linkType: 1, ...opts }
}
