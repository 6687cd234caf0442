import { describe, expect, it } from 'vitest'

import { OK, type Decoded, type DecodeIssue } from '../../src/decode/issue.js'
import * as ipv6 from '../../src/decode/ipv6.js'
import { MAX_IPV6_EXT_HEADERS } from '../../src/decode/limits.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { seededRandom } from '../support/random.js'

const decodeAt = layerDecodeAt(ipv6)

// ipv6-hbh-routing0-udp-dns.pcap frame 1 (113 bytes, Ethernet): hop-by-hop, routing type 0, UDP.
//   0000  ff ff ff ff ff ff 00 00 00 00 00 00 86 dd        Ethernet, type 0x86dd
//   000e  60 00 00 00 00 3b 00 40                          v6 tc=0 flow=0 plen=59 next=0 (HBH) hlim=64
//   0016  20 01 04 f8 00 04 00 07 02 e0 81 ff fe 52 ff ff  src 2001:4f8:4:7:2e0:81ff:fe52:ffff
//   0026  20 01 04 f8 00 04 00 07 02 e0 81 ff fe 52 9a 6b  dst 2001:4f8:4:7:2e0:81ff:fe52:9a6b
//   0036  2b 00 01 04 00 00 00 00                          HBH: next=43 len=0 (8 bytes), PadN
//   003e  11 04 00 02 00 00 00 00 + 2 addresses            routing: next=17 len=4 (40 bytes) type 0 segleft 2
//   0066  00 35 00 35 00 0b 86 31 58 58 58                 UDP 53 -> 53 len=11
// Oracle PKT: l4 udp, l4num 17, ip6_hlim=64 ip6_flow=0.
const HBH_ROUTING = fromHex(`
  ffffffffffff00000000000086dd
  60000000003b0040 200104f80004000702e081fffe52ffff 200104f80004000702e081fffe529a6b
  2b00010400000000
  1104000200000000 20010078000100320000000000000001 20010078000100320000000000000002
  00350035000b8631585858`)

// ipv6-routing-header-udp-icmpv6.pcap frame 1 (86 bytes): routing header type 0 in front of ICMPv6 echo.
//   000e  60 00 00 00 00 20 2b 04                          plen=32 next=43 hlim=4
//   0016  22 00 00 00 00 00 02 44 02 12 3f ff fe ae 22 f7  src 2200::244:212:3fff:feae:22f7
//   0026  22 00 00 00 00 00 02 40 00 02 00 00 00 00 00 04  dst 2200::240:2:0:0:4
//   0036  3a 02 00 01 00 00 00 00 + 1 address              routing: next=58 len=2 (24 bytes) segleft 1
//   004e  80 00 d3 ab 00 00 00 00                          ICMPv6 echo request
// Oracle PKT: l4 icmpv6, l4num 58, ip6_hlim=4 ip6_flow=0.
const ROUTING0 = fromHex(`
  0013c4c784f000123fae22f786dd
  6000000000202b04 220000000000024402123ffffeae22f7 22000000000002400002000000000004
  3a02000100000000 22000000000002100002000000000004
  8000d3ab00000000`)

// ipv6-segment-routing-header-icmpv6.pcap frame 1 (198 bytes): a segment routing header (type 4)
// carrying IPv6 in IPv6 (next header 41).
//   000e  60 08 89 ad 00 90 2b 40                          tc=0 flow=0x889ad (559533) plen=144 next=43 hlim=64
//   0016  00 0a 00 0b 00 0c 00 12 00 00 00 00 00 00 00 01  src a:b:c:12::1
//   0026  00 0a 00 0b 00 0c 00 02 00 00 00 00 00 f1 00 00  dst a:b:c:2::f1:0
//   0036  29 04 04 01 01 00 00 00 + 2 segments             SRH: next=41 len=4 (40 bytes) type 4 segleft 1
//   005e  60 08 89 ad ...                                  inner IPv6
// Oracle PKT: l4 ipv6, l4num 41, ip6_hlim=64,64 ip6_flow=559533,559533.
const SRH = fromHex(`
  080027206bcf080027c22da586dd
  600889ad00902b40 000a000b000c00120000000000000001 000a000b000c00020000000000f10000
  2904040101000000 000a000b000c000300000000000000d6 000a000b000c00020000000000f10000
  600889ad00403a40000a000b000c0012000000000000000100b20000000000000000000000000002
  8000635e06ee000103c5475a000000000a5e000000000000101112131415161718191a1b1c1d1e1f
  202122232425262728292a2b2c2d2e2f3031323334353637`)

// ipv6-dstopts-hbh-atomic-fragments-tcp.pcap frame 13 (82 bytes): an atomic fragment (offset 0, M 0) with TCP.
//   000e  60 00 00 00 00 1c 2c 40                          plen=28 next=44 hlim=64
//   0016  20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02  src 2001:db8:1::2
//   0026  20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01  dst 2001:db8:1::1
//   0036  06 00 00 00 00 00 00 00                          fragment: next=6 offset=0 M=0 id=0
//   003e  e9 2e 00 50 ...                                  TCP SYN 59694 -> 80
// Oracle PKT: l4 tcp, sport 59694, ip6_hlim=64 ip6_flow=0, tcp_seq=1770092805.
const ATOMIC = fromHex(`
  aa0004000a0400101895316a86dd
  60000000001c2c40 20010db8000100000000000000000002 20010db8000100000000000000000001
  0600000000000000
  e92e005069817905000000005002200068660000`)

// The same capture, frame 4 (82 bytes): destination options in front of TCP.
//   0036  06 00 01 04 00 00 00 00                          dstopts: next=6 len=0, PadN
const DSTOPTS = fromHex(`
  aa0004000a0400101895316a86dd
  60000000001c3c40 20010db8000100000000000000000002 20010db8000100000000000000000001
  0600010400000000
  90570050e31ebd4e000000005002200003570000`)

// dns-ipv6-fragmented-txt-response.pcap frame 7, its first 78 of 1494 bytes: a middle fragment.
//   000e  60 00 00 00 05 a0 2c 35                          plen=1440 next=44 hlim=53
//   0016  26 07 f7 40 00 0b 00 00 00 00 00 00 00 00 0f 93  src 2607:f740:b::f93
//   0026  20 01 04 70 1f 11 08 1f d1 38 5f 55 06 d4 1f e2  dst 2001:470:1f11:81f:d138:5f55:6d4:1fe2
//   0036  11 00 05 99 00 00 00 02                          fragment: next=17 offset=179 (1432 bytes) M=1 id=2
//   003e  58 58 58 ...                                     fragment data (middle of a DNS TXT answer)
// Oracle PKT: l4 data, l4num 17, frag mf=1,off=179, ip6_hlim=53.
const FRAG_MIDDLE = fromHex(`
  c42c033b6caad8306248c5b586dd
  6000000005a02c35 2607f740000b00000000000000000f93 200104701f11081fd1385f5506d41fe2
  1100059900000002
  58585858585858585858585858585858`)

// trunc-ipv6-extension-header-cut.pcap frame 1 (54 bytes): plen=20 next=0 (HBH), but the capture ends
// right after the fixed header. tshark: "IPv6 payload length exceeds framing length (0 bytes)".
const TRUNC_EXT = fromHex(`
  ffffffffffff00000000000086dd
  6000000000140040 200104f80004000702e081fffe52ffff 200104f80004000702e081fffe529a6b`)

// ipv6-long-extension-header-chain-udp.pcap frame 1, its first 190 of 872 bytes: HBH, then
// (routing, atomic fragment, dstopts) x 33, then UDP: 100 extension headers (tshark walks them all).
//   000e  60 00 00 00 03 32 00 40 ...                      plen=818 next=0
//   0036  2b 00 01 04 01 02 00 00                          HBH next=43
//   003e  2c 00 00 00 00 00 00 00                          routing next=44
//   0046  3c 00 00 00 00 00 00 01                          fragment next=60 offset=0 M=0 id=1
//   004e  2b 00 01 04 01 02 00 00                          dstopts next=43 ... and so on
const LONG_CHAIN = fromHex(`
  00000000000200000000000186dd
  6000000003320040 20010db8000000000000000000000001 20010db8000000000000000000000002
  2b00010401020000 2c00000000000000 3c00000000000001
  2b00010401020000 2c00000000000000 3c00000000000004
  2b00010401020000 2c00000000000000 3c00000000000007
  2b00010401020000 2c00000000000000 3c0000000000000a
  2b00010401020000 2c00000000000000 3c0000000000000d
  2b00010401020000 2c00000000000000`)

const ZERO16 = new Uint8Array(16)

describe('ipv6.decode: known bytes', () => {
  it('walks hop-by-hop and routing to UDP', () => {
    const { result, header } = decodeAt(HBH_ROUTING, 14)
    expect(result).toBe(OK)
    expect(header).toEqual({
      version: 6, trafficClass: 0, flowLabel: 0, payloadLength: 59, nextHeader: 0, hopLimit: 64,
      src: fromHex('200104f80004000702e081fffe52ffff'), dst: fromHex('200104f80004000702e081fffe529a6b'),
      extensions: [0, 43], upperProtocol: 17, upperOffset: 102,
      hasFragment: false, fragmentId: 0, fragmentOffset: 0, fragmentMore: false,
      jumbo: false, payloadOffset: 54, payloadEnd: 113, declaredEnd: 113,
    } satisfies ipv6.Header)
    expect(ipv6.toRecord(header)).toEqual({
      type: 'ipv6', src: '2001:4f8:4:7:2e0:81ff:fe52:ffff', dst: '2001:4f8:4:7:2e0:81ff:fe52:9a6b',
      nextHeader: 17, hopLimit: 64, flowLabel: 0, trafficClass: 0, payloadLength: 59, extensions: [0, 43],
    })
    expect(ipv6.describe(header)).toBe(
      'IPv6 2001:4f8:4:7:2e0:81ff:fe52:ffff -> 2001:4f8:4:7:2e0:81ff:fe52:9a6b next=17 hlim=64 len=59 ext=0,43')
  })

  it('walks a routing header to ICMPv6', () => {
    const { result, header } = decodeAt(ROUTING0, 14)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      payloadLength: 32, nextHeader: 43, hopLimit: 4, extensions: [43], upperProtocol: 58, upperOffset: 78,
      payloadOffset: 54, payloadEnd: 86, declaredEnd: 86,
    })
    expect(ipv6.toRecord(header)).toMatchObject({ src: '2200::244:212:3fff:feae:22f7', dst: '2200::240:2:0:0:4', nextHeader: 58 })
  })

  it('stops at IPv6-in-IPv6 behind a segment routing header, with the 20-bit flow label', () => {
    const { result, header } = decodeAt(SRH, 14)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      trafficClass: 0, flowLabel: 559533, payloadLength: 144, hopLimit: 64, extensions: [43],
      upperProtocol: 41, upperOffset: 94, payloadEnd: 198,
    })
    expect(ipv6.toRecord(header)).toMatchObject({ src: 'a:b:c:12::1', dst: 'a:b:c:2::f1:0', flowLabel: 559533, nextHeader: 41 })
    // The inner header decodes the same way from upperOffset.
    const inner = decodeAt(SRH, header.upperOffset, header.payloadEnd, 'ipv6.payloadLength')
    expect(inner.result).toBe(OK)
    expect(inner.header).toMatchObject({ flowLabel: 559533, upperProtocol: 58, extensions: [], payloadEnd: 198 })
  })

  it('walks on past an atomic fragment (RFC 6946) and keeps its fields', () => {
    const { result, header } = decodeAt(ATOMIC, 14)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      extensions: [44], upperProtocol: 6, upperOffset: 62,
      hasFragment: true, fragmentId: 0, fragmentOffset: 0, fragmentMore: false, payloadEnd: 82,
    })
    expect(ipv6.isFragment(header)).toBe(false)
    expect(ipv6.toRecord(header)).toEqual({
      type: 'ipv6', src: '2001:db8:1::2', dst: '2001:db8:1::1', nextHeader: 6, hopLimit: 64, flowLabel: 0,
      trafficClass: 0, payloadLength: 28, extensions: [44], fragment: { id: 0, offset: 0, mf: false },
    })
  })

  it('walks destination options to TCP', () => {
    const { result, header } = decodeAt(DSTOPTS, 14)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ extensions: [60], upperProtocol: 6, upperOffset: 62, hasFragment: false, payloadEnd: 82 })
  })

  it('stops at a real fragment: the rest is fragment data of the fragment header\'s protocol', () => {
    const { result, header } = decodeAt(FRAG_MIDDLE, 14)
    // Only the first 78 of 1494 bytes are inlined here, so the payload is short.
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'ipv6', part: 'payload', need: 1480, have: 64, lenSource: 'capture', offset: 14,
    })
    expect(header).toMatchObject({
      payloadLength: 1440, nextHeader: 44, hopLimit: 53, extensions: [44], upperProtocol: 17, upperOffset: 62,
      hasFragment: true, fragmentId: 2, fragmentOffset: 1432, fragmentMore: true,
      payloadOffset: 54, payloadEnd: 78, declaredEnd: 1494,
    })
    expect(ipv6.isFragment(header)).toBe(true)
    expect(ipv6.toRecord(header)).toMatchObject({ nextHeader: 17, extensions: [44], fragment: { id: 2, offset: 1432, mf: true } })
    expect(ipv6.describe(header)).toContain('frag=1432+ id=2')
  })

  it('keeps the fixed header when the capture cuts the first extension header (trunc-ipv6-extension-header-cut)', () => {
    const { result, header } = decodeAt(TRUNC_EXT, 14)
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'ipv6', part: 'header', need: 8, have: 0, lenSource: 'capture', offset: 54,
    })
    expect(header).toMatchObject({
      payloadLength: 20, nextHeader: 0, hopLimit: 64, extensions: [], upperProtocol: 0, upperOffset: 54,
      payloadOffset: 54, payloadEnd: 54, declaredEnd: 74,
    })
    expect(ipv6.toRecord(header)).toMatchObject({ src: '2001:4f8:4:7:2e0:81ff:fe52:ffff', hopLimit: 64 })
  })

  it('walks past 16 headers of the long chain (the first 17 of its 100; the corpus test walks all of them to UDP)', () => {
    const { result, header } = decodeAt(LONG_CHAIN, 14)
    // The fixture keeps only the first 17 headers, so the walk runs out of captured bytes at the 18th.
    expect(result).toMatchObject({ ok: false, kind: 'truncated', layer: 'ipv6', part: 'header', offset: 14 + 40 + 8 * 17 })
    expect(header.extensions).toEqual([0, 43, 44, 60, 43, 44, 60, 43, 44, 60, 43, 44, 60, 43, 44, 60, 43])
  })

  it(`refuses a chain longer than MAX_IPV6_EXT_HEADERS (${MAX_IPV6_EXT_HEADERS}) at the first header past it`, () => {
    const n = MAX_IPV6_EXT_HEADERS + 1
    const ext: number[] = []
    // Destination options headers, each 8 bytes: next header, length 0, PadN of 4 bytes.
    for (let i = 0; i < n; i++) ext.push(i === n - 1 ? 59 : 60, 0, 1, 4, 0, 0, 0, 0)
    const bytes = packet(60, ext)
    const { result } = decodeAt(bytes, 0)
    expect(result).toEqual({
      ok: false, kind: 'malformed', layer: 'ipv6', field: 'extensions', value: MAX_IPV6_EXT_HEADERS + 1,
      expected: `<= ${MAX_IPV6_EXT_HEADERS} extension headers`, offset: 40 + 8 * MAX_IPV6_EXT_HEADERS,
    })
  })

  it('resets the reused extension and fragment fields on every decode', () => {
    const header = ipv6.create()
    const extensions = header.extensions
    expect(ipv6.decode(ATOMIC, 14, ATOMIC.length, header)).toBe(OK)
    expect(ipv6.decode(DSTOPTS, 14, DSTOPTS.length, header)).toBe(OK)
    expect(header).toMatchObject({ extensions: [60], hasFragment: false, fragmentId: 0, fragmentOffset: 0, fragmentMore: false })
    expect(header.extensions).toBe(extensions)
  })

  it('copies the addresses: the header does not alias the frame', () => {
    const bytes = HBH_ROUTING.slice()
    const { header } = decodeAt(bytes, 14)
    bytes.fill(0)
    expect(ipv6.toRecord(header).src).toBe('2001:4f8:4:7:2e0:81ff:fe52:ffff')
    expect(ipv6.toRecord(header).dst).toBe('2001:4f8:4:7:2e0:81ff:fe52:9a6b')
  })
})

// A hand-built packet: fixed header + the given extension bytes + `tail`, starting at byte 0.
function packet(nextHeader: number, extensions: number[], tail: number[] = [], payloadLength?: number): Uint8Array {
  const fields: ipv6.Fields = {
    version: 6, trafficClass: 0, flowLabel: 0, payloadLength: payloadLength ?? extensions.length + tail.length,
    nextHeader, hopLimit: 64, src: ZERO16, dst: ZERO16,
  }
  const bytes = new Uint8Array(ipv6.encodingLength(extensions) + tail.length)
  bytes.set(tail, ipv6.encode(fields, bytes, 0, extensions))
  return bytes
}
const ah = (next: number) => [next, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 1, ...new Array<number>(12).fill(0xaa)] // 24 bytes
const generic = (next: number, units = 0) => [next, units, ...new Array<number>(6 + 8 * units).fill(0)]
const fragment = (next: number, offsetBytes: number, more: boolean, id: number) =>
  [next, 0, (offsetBytes >>> 8) & 0xff, (offsetBytes & 0xf8) | (more ? 1 : 0), id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]

describe('ipv6.decode: extension header kinds', () => {
  it('sizes AH in 4-byte units (Payload Len + 2) x 4', () => {
    const { result, header } = decodeAt(packet(51, ah(17), [1, 2, 3, 4, 0, 8, 0, 0]), 0)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ extensions: [51], upperProtocol: 17, upperOffset: 64 })
  })

  it('walks mobility, HIP, Shim6 and the experimental numbers as generic (len + 1) x 8 headers', () => {
    // Each generic(next, units) names the header after it: HBH -> 135 (16 bytes) -> 139 -> 140 (24 bytes) -> 253 -> 254 -> TCP.
    const exts = [...generic(135), ...generic(139, 1), ...generic(140), ...generic(253, 2), ...generic(254), ...generic(6)]
    const { result, header } = decodeAt(packet(0, exts), 0)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ extensions: [0, 135, 139, 140, 253, 254], upperProtocol: 6, upperOffset: 40 + 72 })
  })

  it('stops at No Next Header, ESP and unknown protocols without reading them', () => {
    for (const next of [59, 50, 6, 17, 58, 4, 41, 132, 255]) {
      const { result, header } = decodeAt(packet(next, [], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0)
      expect(result).toBe(OK)
      expect(header).toMatchObject({ extensions: [], upperProtocol: next, upperOffset: 40 })
    }
    const { header } = decodeAt(packet(60, [...generic(50)], [0xff, 0xff]), 0)
    expect(header).toMatchObject({ extensions: [60], upperProtocol: 50, upperOffset: 48 })
  })

  it('does not walk into the data of a first fragment (offset 0, M 1), as tshark does not', () => {
    // The fragment header says destination options follow; they belong to the fragmentable part.
    const { result, header } = decodeAt(packet(0, [...generic(44), ...fragment(60, 0, true, 7)], [0xff, 0xff, 0, 0, 0, 0, 0, 0]), 0)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ extensions: [0, 44], upperProtocol: 60, upperOffset: 56, fragmentMore: true, fragmentId: 7 })
    expect(ipv6.isFragment(header)).toBe(true)
  })

  it('does not walk into the data of a later fragment, whatever it looks like', () => {
    const { result, header } = decodeAt(packet(44, fragment(43, 8, false, 0xffffffff), [0xff, 0xff]), 0)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ extensions: [44], upperProtocol: 43, upperOffset: 48, fragmentOffset: 8, fragmentMore: false, fragmentId: 0xffffffff })
    expect(ipv6.isFragment(header)).toBe(true)
  })

  it('accepts exactly MAX_IPV6_EXT_HEADERS headers', () => {
    const exts: number[] = []
    for (let i = 0; i < MAX_IPV6_EXT_HEADERS; i++) exts.push(...generic(i === MAX_IPV6_EXT_HEADERS - 1 ? 17 : 60))
    const { result, header } = decodeAt(packet(60, exts, [0, 1, 0, 2, 0, 8, 0, 0]), 0)
    expect(result).toBe(OK)
    expect(header.extensions.length).toBe(MAX_IPV6_EXT_HEADERS)
    expect(header.upperProtocol).toBe(17)
  })
})

describe('ipv6.decode: truncation', () => {
  it('reports a truncated header for every length short of 40 bytes', () => {
    for (let have = 0; have < ipv6.HEADER_LEN; have++) {
      expect(decodeAt(HBH_ROUTING, 14, 14 + have).result).toEqual({
        ok: false, kind: 'truncated', layer: 'ipv6', part: 'header', need: 40, have, lenSource: 'capture', offset: 14,
      })
    }
  })

  it('reports the cut extension header, at its own offset, for every length inside each one', () => {
    // Hop-by-hop at 54 (8 bytes), routing at 62 (40 bytes), UDP from 102.
    for (let end = 54; end < 102; end++) {
      const { result, header } = decodeAt(HBH_ROUTING, 14, end)
      const [at, need] = end < 62 ? [54, 8] : end < 70 ? [62, 8] : [62, 40]
      expect(result).toEqual({
        ok: false, kind: 'truncated', layer: 'ipv6', part: 'header', need, have: end - at, lenSource: 'capture', offset: at,
      })
      // The fixed header and the headers before the cut stay decoded.
      expect(header.hopLimit).toBe(64)
      expect(header.extensions).toEqual(at === 54 ? [] : [0])
      expect([header.upperProtocol, header.upperOffset]).toEqual(at === 54 ? [0, 54] : [43, 62])
    }
  })

  it('reports a cut fragment header for every length inside it', () => {
    for (let end = 54; end < 62; end++) {
      expect(decodeAt(ATOMIC, 14, end).result).toEqual({
        ok: false, kind: 'truncated', layer: 'ipv6', part: 'header', need: 8, have: end - 54, lenSource: 'capture', offset: 54,
      })
    }
  })

  it('reports a cut AH for every length inside it', () => {
    const bytes = packet(51, ah(59))
    for (let end = 40; end < 64; end++) {
      expect(decodeAt(bytes, 0, end).result).toEqual({
        ok: false, kind: 'truncated', layer: 'ipv6', part: 'header', need: end < 48 ? 8 : 24, have: end - 40, lenSource: 'capture', offset: 40,
      })
    }
    expect(decodeAt(bytes, 0).result).toBe(OK)
  })

  it('blames Payload Length when an extension header runs past it', () => {
    const bytes = HBH_ROUTING.slice()
    bytes[14 + 5] = 20 // plen 20: HBH fits, the 40-byte routing header does not
    const { result, header } = decodeAt(bytes, 14)
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'ipv6', part: 'header', need: 40, have: 12, lenSource: 'ipv6.payloadLength', offset: 62,
    })
    expect(header.payloadEnd).toBe(74)
  })

  it('names the enclosing length when it is what ran out', () => {
    expect(decodeAt(SRH, 94, 120, 'ipv6.payloadLength').result).toMatchObject({
      part: 'header', need: 40, have: 26, lenSource: 'ipv6.payloadLength', offset: 94,
    })
  })
})

describe('ipv6.fixedHeaderDecoded', () => {
  it('tells an issue in the extension chain from one in the fixed header', () => {
    const cases: Array<[Uint8Array, number, boolean]> = [
      [HBH_ROUTING, HBH_ROUTING.length, true], // OK
      [HBH_ROUTING, 105, true], // payload cut
      [HBH_ROUTING, 80, true], // routing header cut
      [TRUNC_EXT, TRUNC_EXT.length, true], // first extension header cut
      [LONG_CHAIN, LONG_CHAIN.length, true], // too many extension headers
      [HBH_ROUTING, 53, false], // fixed header cut
    ]
    for (const [bytes, end, expected] of cases) {
      expect(ipv6.fixedHeaderDecoded(decodeAt(bytes, 14, end).result, 14)).toBe(expected)
    }
    const badVersion = HBH_ROUTING.slice()
    badVersion[14] = 0x40
    expect(ipv6.fixedHeaderDecoded(decodeAt(badVersion, 14).result, 14)).toBe(false)
  })
})

describe('ipv6.decode: forbidden values', () => {
  const rows: Array<[string, Uint8Array, DecodeIssue]> = [
    ...[0, 4, 7, 15].map((v): [string, Uint8Array, DecodeIssue] => {
      const b = HBH_ROUTING.slice()
      b[14] = (v << 4) | (b[14]! & 0x0f)
      return [`version ${v}`, b, { ok: false, kind: 'malformed', layer: 'ipv6', field: 'version', value: v, expected: '6', offset: 14 }]
    }),
    (() => {
      const exts: number[] = []
      for (let i = 0; i <= MAX_IPV6_EXT_HEADERS; i++) exts.push(...generic(i === MAX_IPV6_EXT_HEADERS ? 17 : 60))
      const b = new Uint8Array(14 + 40 + exts.length)
      b.set(packet(60, exts), 14)
      return ['one extension header too many', b, {
        ok: false, kind: 'malformed', layer: 'ipv6', field: 'extensions', value: MAX_IPV6_EXT_HEADERS + 1,
        expected: `<= ${MAX_IPV6_EXT_HEADERS} extension headers`, offset: 14 + 40 + 8 * MAX_IPV6_EXT_HEADERS,
      }] as [string, Uint8Array, DecodeIssue]
    })(),
  ]
  for (const [name, bytes, issue] of rows) {
    it(`rejects ${name}`, () => {
      expect(decodeAt(bytes, 14).result).toEqual(issue)
    })
  }
})

describe('ipv6.decode: payload bounds', () => {
  it('ends the packet at Payload Length: link padding is not payload', () => {
    const bytes = new Uint8Array(ATOMIC.length + 6)
    bytes.set(ATOMIC)
    const { result, header } = decodeAt(bytes, 14)
    expect(result).toBe(OK)
    expect([header.upperOffset, header.payloadEnd, header.declaredEnd]).toEqual([62, 82, 82])
  })

  it('cuts the payload at the captured end and says which length ran out', () => {
    const { result, header } = decodeAt(HBH_ROUTING, 14, 105, 'ipv4.totalLength')
    expect(result).toEqual({
      ok: false, kind: 'truncated', layer: 'ipv6', part: 'payload', need: 99, have: 91, lenSource: 'ipv4.totalLength', offset: 14,
    })
    expect(header).toMatchObject({ upperProtocol: 17, upperOffset: 102, payloadEnd: 105, declaredEnd: 113 })
  })

  it('takes Payload Length 0 with data behind it as a jumbogram / GSO packet: up to the captured end', () => {
    const bytes = DSTOPTS.slice()
    bytes[14 + 4] = 0
    bytes[14 + 5] = 0
    const { result, header } = decodeAt(bytes, 14)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ payloadLength: 0, jumbo: true, upperProtocol: 6, upperOffset: 62, payloadEnd: 82, declaredEnd: 82 })
    expect(ipv6.describe(header)).toContain('len=jumbo')
    expect(ipv6.decode(DSTOPTS, 14, DSTOPTS.length, header)).toBe(OK)
    expect(header.jumbo).toBe(false)
  })

  it('keeps an empty packet (next header 59, Payload Length 0) empty despite Ethernet padding', () => {
    const bytes = new Uint8Array(46)
    bytes.set(packet(59, []))
    const { result, header } = decodeAt(bytes, 0)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ jumbo: false, upperProtocol: 59, upperOffset: 40, payloadEnd: 40, declaredEnd: 40 })
  })
})

function fieldsOf(h: ipv6.Header): ipv6.Fields {
  const { version, trafficClass, flowLabel, payloadLength, nextHeader, hopLimit, src, dst } = h
  return { version, trafficClass, flowLabel, payloadLength, nextHeader, hopLimit, src, dst }
}

describe('ipv6.encode', () => {
  it('round-trips through decode at a non-zero offset, extension headers included', () => {
    const exts = [...generic(44), ...fragment(17, 0, true, 0xdeadbeef)]
    const fields: ipv6.Fields = {
      version: 6, trafficClass: 0xb8, flowLabel: 0xfffff, payloadLength: exts.length + 8, nextHeader: 0, hopLimit: 255,
      src: fromHex('fe800000000000000000000000000001'), dst: fromHex('ff020000000000000000000000000001'),
    }
    const bytes = new Uint8Array(5 + ipv6.encodingLength(exts) + 8)
    const end = ipv6.encode(fields, bytes, 5, exts)
    expect(end).toBe(5 + 56)

    const header = ipv6.create()
    expect(ipv6.decode(bytes, 5, bytes.length, header)).toBe(OK)
    expect(fieldsOf(header)).toEqual(fields)
    expect(header).toMatchObject({
      extensions: [0, 44], upperProtocol: 17, upperOffset: 61, hasFragment: true, fragmentId: 0xdeadbeef,
      fragmentOffset: 0, fragmentMore: true, payloadOffset: 45, payloadEnd: 69,
    })
  })

  it('re-encodes captured bytes exactly', () => {
    const { header } = decodeAt(SRH, 14)
    const bytes = new Uint8Array(40)
    ipv6.encode(fieldsOf(header), bytes, 0)
    expect(bytes).toEqual(SRH.subarray(14, 54))
  })

  it('writes forbidden values as given', () => {
    const bytes = new Uint8Array(40)
    ipv6.encode({ ...fieldsOf(decodeAt(SRH, 14).header), version: 4 }, bytes, 0)
    expect(bytes[0]).toBe(0x40)
    expect(decodeAt(bytes, 0).result).toMatchObject({ kind: 'malformed', field: 'version', value: 4 })
  })
})

describe('ipv6.decode: no-throw fuzz', () => {
  it('never throws on mutated and random input, and every issue lies inside the buffer', () => {
    const random = seededRandom(0x49505636)
    const bases = [HBH_ROUTING, ROUTING0, SRH, ATOMIC, DSTOPTS, FRAG_MIDDLE, LONG_CHAIN]
    const header = ipv6.create()
    const failures: string[] = []
    for (let i = 0; i < 20_000 && failures.length < 5; i++) {
      let bytes: Uint8Array
      let offset = 14
      if (i % 4 === 0) {
        bytes = new Uint8Array(Math.floor(random() * 160))
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256)
        offset = 0
        if (bytes.length > 0 && random() < 0.8) bytes[0] = 0x60 | (bytes[0]! & 0x0f)
        // Mostly extension-header numbers as next headers, so the walk runs.
        if (bytes.length > 6 && random() < 0.8) bytes[6] = [0, 43, 44, 51, 60, 135, 139, 140, 253, 254][Math.floor(random() * 10)]!
      } else {
        bytes = bases[i % bases.length]!.slice()
        for (let f = 1 + Math.floor(random() * 4); f > 0; f--) {
          bytes[offset + Math.floor(random() * Math.min(120, bytes.length - offset))] = Math.floor(random() * 256)
        }
      }
      const end = offset + Math.floor(random() * (bytes.length - offset + 1))
      const input = `${Buffer.from(bytes).toString('hex')} @${offset}..${end}`
      let result: Decoded
      try {
        result = ipv6.decode(bytes, offset, end, header)
      } catch (e) {
        failures.push(`threw ${String(e)}: ${input}`)
        continue
      }
      if (result.ok || (result.kind === 'truncated' && result.part === 'payload')) {
        const ok = header.payloadOffset <= header.upperOffset && header.upperOffset <= header.payloadEnd && header.payloadEnd <= end
        if (!ok) failures.push(`bounds: ${input}`)
      } else if (result.offset < 0 || result.offset > end) {
        failures.push(`issue offset ${result.offset}: ${input}`)
      }
    }
    expect(failures).toEqual([])
  })
})
