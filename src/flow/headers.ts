/**
 * The flow fields of a plain frame, read straight from its bytes: no decoder, no layer objects.
 *
 *   Ethernet ─► up to two 802.1Q tags ─► IPv4 (no fragment) or IPv6 (straight to TCP/UDP) ─► TCP or UDP
 *
 * "Plain" means the decoder would give these frames exactly these layers and fields: one IP level (the
 * outermost, so its VLAN tags are the link's and not part of the flow key), a transport header it
 * accepts, nothing cut by the snap length, no issue to report. Anything else (other links, tunnels,
 * fragments, IPv6 extension headers, ICMP, a length that disagrees, TSO's zero length) returns false
 * and goes through the decoder as before. TCP headers are read by the decoder's own tcp.decode, so a
 * frame is plain only when the decoder finds nothing wrong with its options either.
 *
 * The flow tracker's fast path (tracker.ts observePlain) takes these fields for the packets of live
 * flows whose application is already named (engine/flows.ts) or that the decoder would not look into
 * past TCP/UDP (engine/analyze.ts); test/flow/plain-path.test.ts and test/engine/analyze-plain.test.ts
 * prove on captures that the results equal the decoder path's.
 */
import { u32 } from '../decode/bytes.js'
import * as tcp from '../decode/tcp.js'

const LINKTYPE_ETHERNET = 1

/** One plain frame's flow fields, filled in place. */
export interface PlainHeaders {
  /** 6 (TCP) or 17 (UDP). */
  proto: number
  family: 4 | 6
  /** IPv4 addresses as unsigned numbers (family 4). */
  src: number
  dst: number
  /** IPv6: where the 16-byte source and destination addresses start in `bytes`. */
  srcAt: number
  dstAt: number
  bytes: Uint8Array
  srcPort: number
  dstPort: number
  /** 802.1Q tags in front of the IP header (0-2), and the innermost tag's VLAN id (-1: none). */
  vlanTags: number
  vlan: number
  /** The VXLAN VNI around these headers (readPlainInner), -1 outside a tunnel. */
  vni: number
  /** TCP flags and sequence number (0 for UDP). */
  flags: number
  seq: number
  /** IP bytes as the header says (IPv4 total length; IPv6 40 + payload length). */
  ipBytes: number
  /** Transport payload bytes: TCP segment length, UDP length - 8. */
  payload: number
  /** Where the transport payload starts and ends in `bytes`. */
  payloadAt: number
  payloadEnd: number
}

export function createPlainHeaders(): PlainHeaders {
  return {
    proto: 0, family: 4, src: 0, dst: 0, srcAt: 0, dstAt: 0, bytes: new Uint8Array(0), srcPort: 0, dstPort: 0,
    vlanTags: 0, vlan: -1, vni: -1, flags: 0, seq: 0, ipBytes: 0, payload: 0, payloadAt: 0, payloadEnd: 0,
  }
}

const scratchTcp = tcp.create()

/** Fill `out` from a plain frame; false when the frame is not plain (the decoder's job). */
export function readPlainHeaders(linkType: number, b: Uint8Array, out: PlainHeaders): boolean {
  if (linkType !== LINKTYPE_ETHERNET) return false
  out.vni = -1
  return readEthernet(b, 0, b.length, out)
}

/** VXLAN's header: flags, reserved, a 24-bit VNI, reserved. */
const VXLAN_HEADER = 8

/**
 * The inner frame of a plain VXLAN frame whose outer headers are in `outer` (its UDP ports lead into
 * VXLAN): the Ethernet frame after the 8-byte VXLAN header, to the end of the UDP datagram, read as
 * readPlainHeaders reads a frame; `inner.vni` is the VNI. False when it is not plain.
 */
export function readPlainInner(outer: PlainHeaders, inner: PlainHeaders): boolean {
  const b = outer.bytes
  const at = outer.payloadAt
  if (outer.payloadEnd - at < VXLAN_HEADER) return false
  inner.vni = (b[at + 4]! << 16) | (b[at + 5]! << 8) | b[at + 6]!
  return readEthernet(b, at + VXLAN_HEADER, outer.payloadEnd, inner)
}

/** ethernetPayload's other results: the EtherType after the tags, their number, the innermost one's VLAN id (-1: none). */
export const ethernet = { type: 0, tags: 0, vlan: -1 }

/**
 * Where the Ethernet frame at b[o..end) carries its payload, past up to two 802.1Q tags (the decoder takes
 * 8 stacked tags; two are plenty for the paths that read headers from the bytes, here and in the router,
 * which leave the rest to it); the rest in `ethernet`. -1 when the frame is cut short.
 */
export function ethernetPayload(b: Uint8Array, o: number, end: number): number {
  if (end - o < 14) return -1
  let type = (b[o + 12]! << 8) | b[o + 13]!
  o += 14
  let tags = 0
  let vlan = -1
  for (; type === 0x8100 && tags < 2; tags++) {
    if (end - o < 4) return -1
    vlan = ((b[o]! << 8) | b[o + 1]!) & 0x0fff
    type = (b[o + 2]! << 8) | b[o + 3]!
    o += 4
  }
  ethernet.type = type
  ethernet.tags = tags
  ethernet.vlan = vlan
  return o
}

function readEthernet(b: Uint8Array, start: number, end: number, out: PlainHeaders): boolean {
  const o = ethernetPayload(b, start, end)
  if (o < 0) return false
  const type = ethernet.type
  out.vlanTags = ethernet.tags
  out.vlan = ethernet.vlan
  let l4: number
  let l4End: number
  if (type === 0x0800) {
    const have = end - o
    // No options (the decoder reports odd ones), the whole datagram captured, not TSO's zero length.
    if (have < 20 || b[o] !== 0x45) return false
    const total = (b[o + 2]! << 8) | b[o + 3]!
    if (total < 20 || total > have) return false
    if ((((b[o + 6]! << 8) | b[o + 7]!) & 0x3fff) !== 0) return false // a fragment: the defragmenter's
    out.proto = b[o + 9]!
    out.family = 4
    out.src = u32(b, o + 12)
    out.dst = u32(b, o + 16)
    out.ipBytes = total
    l4 = o + 20
    l4End = o + total
  } else if (type === 0x86dd) {
    const have = end - o
    if (have < 40 || b[o]! >> 4 !== 6) return false
    const payload = (b[o + 4]! << 8) | b[o + 5]!
    // Straight to TCP or UDP (extension headers, jumbograms: the decoder).
    if (payload === 0 || 40 + payload > have) return false
    out.proto = b[o + 6]!
    out.family = 6
    out.srcAt = o + 8
    out.dstAt = o + 24
    out.ipBytes = 40 + payload
    l4 = o + 40
    l4End = o + 40 + payload
  } else {
    return false
  }
  out.bytes = b
  if (out.proto === 6) {
    const h = scratchTcp
    // Any issue (a cut header, a bad Data Offset or option) is the decoder's to report.
    if (!tcp.decode(b, l4, l4End, h).ok) return false
    out.srcPort = h.srcPort
    out.dstPort = h.dstPort
    out.flags = h.flags
    out.seq = h.seq
    out.payloadAt = h.payloadOffset
    out.payloadEnd = l4End
    out.payload = l4End - h.payloadOffset
    return true
  }
  if (out.proto !== 17 || l4End - l4 < 8) return false
  const length = (b[l4 + 4]! << 8) | b[l4 + 5]!
  if (length < 8 || length > l4End - l4) return false
  out.srcPort = (b[l4]! << 8) | b[l4 + 1]!
  out.dstPort = (b[l4 + 2]! << 8) | b[l4 + 3]!
  out.flags = 0
  out.seq = 0
  out.payload = length - 8
  out.payloadAt = l4 + 8
  out.payloadEnd = l4 + length
  return true
}
