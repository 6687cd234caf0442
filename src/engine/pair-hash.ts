/**
 * The routing hash (engine/route.ts): a symmetric 32-bit hash of an IP address pair, either order, and
 * the VNI of the tunnel around it. Every path that routes a frame (the header bytes, the decoder, a
 * fragment's datagram) computes it with these functions, so equal pairs always meet on one worker.
 */
import { u32 } from '../decode/bytes.js'
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
  for (let k = 0; k < 16; k += 4) h = mix(h, u32(lo, loAt + k))
  for (let k = 0; k < 16; k += 4) h = mix(h, u32(hi, hiAt + k))
  return fmix(mix(h, vni + 1))
}
