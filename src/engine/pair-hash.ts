/**
 * The routing hash (engine/route.ts): a symmetric 32-bit hash of an IP address pair, either order, and
 * the VNI of the tunnel around it. Every path that routes a frame (the header bytes, the decoder, a
 * fragment's datagram) computes it with these functions, so equal pairs always meet on one worker.
 */
import { mix } from '../flow/key.js'

/** MurmurHash3's finalizer: an unsigned 32-bit result. */
export function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The big-endian u32 at b[o..o+4). */
export function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
}

/** The pair of IPv4 addresses `x`, `y` (unsigned) inside the tunnel of VNI `vni` (-1: none). */
export function ipv4PairHash(x: number, y: number, vni: number): number {
  return fmix(mix(mix(mix(4, x < y ? x : y), x < y ? y : x), vni + 1))
}

/** The pair of 16-byte IPv6 addresses at a[ao..] and b[bo..] inside the tunnel of VNI `vni` (-1: none). */
export function ipv6PairHash(a: Uint8Array, ao: number, b: Uint8Array, bo: number, vni: number): number {
  let swap = false
  for (let i = 0; i < 16; i++) {
    if (a[ao + i] !== b[bo + i]) { swap = a[ao + i]! > b[bo + i]!; break }
  }
  const lo = swap ? b : a
  const loAt = swap ? bo : ao
  const hi = swap ? a : b
  const hiAt = swap ? ao : bo
  let h = 6
  for (let k = 0; k < 16; k += 4) h = mix(h, word(lo, loAt + k))
  for (let k = 0; k < 16; k += 4) h = mix(h, word(hi, hiAt + k))
  return fmix(mix(h, vni + 1))
}

/** ethernetPayload's second result: the EtherType after the tags. */
export const ethernet = { type: 0 }

/**
 * Where the Ethernet frame at b[o..end) carries its payload, past up to two 802.1Q tags (the decoder takes
 * 8 stacked tags; two are plenty for the header paths, which leave the rest to it), with the EtherType in
 * `ethernet.type`; -1 when the frame is cut short.
 */
export function ethernetPayload(b: Uint8Array, o: number, end: number): number {
  if (end - o < 14) return -1
  let type = (b[o + 12]! << 8) | b[o + 13]!
  o += 14
  for (let tags = 0; type === 0x8100 && tags < 2; tags++) {
    if (end - o < 4) return -1
    type = (b[o + 2]! << 8) | b[o + 3]!
    o += 4
  }
  ethernet.type = type
  return o
}
