/** Byte helpers for tests: hex text to bytes, and joining byte arrays. */

/**
 * Bytes from hex text. Takes a hexdump as `tshark -x` prints it (`0010  00 2d 01 04 …`: on each
 * line, four hex digits and two or more spaces at the start are an offset column and are skipped),
 * byte pairs with spaces (`00 26 88 e7`) or runs of digits in any grouping (`000130249d00 2003ff06`).
 * Every other character that is not a hex digit is a separator; the digits left are read two by
 * two, so their count must be even.
 */
export function fromHex(text: string): Uint8Array {
  let digits = ''
  for (const line of text.split('\n')) digits += line.trim().replace(/^[0-9a-f]{4}\s{2}/i, '').replace(/[^0-9a-f]/gi, '')
  if (digits.length % 2 !== 0) throw new Error(`fromHex: an odd number of hex digits (${digits.length}) in ${JSON.stringify(text)}`)
  const out = new Uint8Array(digits.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** The arrays one after another in a new array (the capture writer's, for any test). */
export { concat } from '../../src/capture/writer.js'
