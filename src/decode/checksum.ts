/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement
 * sum of 16-bit words. Used to build correct sample packets; hubcap does not verify
 * checksums when decoding (captures taken on a sending host carry offloaded,
 * not-yet-filled checksums).
 */

/** Ones' complement sum of bytes [from, to) as 16-bit big-endian words, plus `initial`. */
export function onesSum(b: Uint8Array, from: number, to: number, initial = 0): number {
  let sum = initial
  let i = from
  for (; i + 1 < to; i += 2) sum += (b[i]! << 8) | b[i + 1]!
  if (i < to) sum += b[i]! << 8
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}

export function finish(sum: number): number {
  return ~sum & 0xffff
}

/** The pseudo-header sum of TCP/UDP/ICMPv6 (RFC 793 / 768 / 8200 §8.1): addresses, protocol, length. */
export function pseudoHeaderSum(b: Uint8Array, srcOffset: number, addrLen: 4 | 16, protocol: number, length: number): number {
  let sum = onesSum(b, srcOffset, srcOffset + 2 * addrLen)
  sum += protocol + (length >>> 16) + (length & 0xffff)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}
