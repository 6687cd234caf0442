import { describe, expect, it } from 'vitest'

import * as bgp from '../../src/decode/bgp.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import { OK, type DecodeIssue } from '../../src/decode/issue.js'
import * as limits from '../../src/decode/limits.js'
import { concat, fromHex } from '../support/bytes.js'
import { frameOf } from '../support/frames.js'
import { seededRandom } from '../support/random.js'

// ---------------------------------------------------------------------------------------------
// Known bytes, from the shared captures (tshark -r <file> -x); offsets are from the first BGP byte.

// shared/pcaps/bgp-session-tcp-md5-open-keepalive.pcap, frame 4: OPEN as Cisco sends it,
// one optional parameter per capability.
//   0010  00 2d 01 04 fe 4c 00 b4 0a 00 00 01 10 | 02 06 01 04 00 01 00 01 | 02 02 80 00 | 02 02 02 00
//         len=45 OPEN v4 as=65100 hold=180 id=10.0.0.1 optlen=16 | MP 1/1 | route refresh (Cisco) | route refresh
const OPEN_MD5 = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 2d 01 04 fe 4c 00 b4 0a 00 00 01 10 02 06 01
  0020  04 00 01 00 01 02 02 80 00 02 02 02 00
`)

// shared/pcaps/bgp-role-capability-open-updates-sll.pcapng, frame 1: OPEN with eleven capabilities:
// MP 1/1, 128, 2, 70, 4-octet AS 65002, extended message, role 3 (customer), add-path 1/1 receive,
// FQDN "donatas-pc", graceful restart (restart bit, 120 s), long-lived graceful restart.
const OPEN_ROLE = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 6b 01 04 fd ea 00 b4 c0 a8 0a 11 4e 02 06 01
  0020  04 00 01 00 01 02 02 80 00 02 02 02 00 02 02 46
  0030  00 02 06 41 04 00 00 fd ea 02 02 06 00 02 03 09
  0040  01 03 02 06 45 04 00 01 01 01 02 0e 49 0c 0a 64
  0050  6f 6e 61 74 61 73 2d 70 63 00 02 04 40 02 40 78
  0060  02 09 47 07 00 01 01 80 00 00 00
`)

// shared/pcaps/bgp-session-4byte-asn-as4path-withdrawals.pcap, frames 6 and 8: the OPENs of a session
// where 1.0.2.2 (AS 2764334674, sent as AS_TRANS 23456) offers capability 65 and 1.0.2.1 (AS 200) does not.
//   frame 6: .. 01 04 5b a0 00 b4 00 00 01 01 1a | 02 18 01 04 00 01 00 01 02 00 40 02 c1 2c 41 04 a4 c4 66 52 45 04 00 01 01 01
//   frame 8: .. 01 04 00 c8 00 b4 00 00 02 01 0e | 02 0c 01 04 00 01 00 01 45 04 00 01 01 01
const OPEN_AS4 = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 37 01 04 5b a0 00 b4 00 00 01 01 1a 02 18 01
  0020  04 00 01 00 01 02 00 40 02 c1 2c 41 04 a4 c4 66
  0030  52 45 04 00 01 01 01
`)
const OPEN_AS2 = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 2b 01 04 00 c8 00 b4 00 00 02 01 0e 02 0c 01
  0020  04 00 01 00 01 45 04 00 01 01 01
`)

// Same file, frame 13: the 2-octet speaker's UPDATE with AS4_PATH.
//   0010  00 5f 02 | 00 00 | 00 2f | 40 01 01 02 | 40 02 0c 02 05 00 c8 00 01 5b a0 5b a0 5b a0
//         len=95 UPDATE | no withdrawn | 47 bytes of attributes | ORIGIN INCOMPLETE | AS_PATH 200 1 23456 23456 23456
//   002a  40 03 04 01 00 02 01 | e0 11 12 02 04 00 00 00 01 00 03 64 0e 00 05 16 15 ff ff ff fa
//         NEXT_HOP 1.0.2.1     | AS4_PATH 1 222222 333333 4294967290
//   0046  20 04 04 04 04 20 05 05 05 05 20 01 01 01 01 20 02 02 02 02 20 03 03 03 03   five /32s
const UPDATE_AS4_PATH = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 5f 02 00 00 00 2f 40 01 01 02 40 02 0c 02 05
  0020  00 c8 00 01 5b a0 5b a0 5b a0 40 03 04 01 00 02
  0030  01 e0 11 12 02 04 00 00 00 01 00 03 64 0e 00 05
  0040  16 15 ff ff ff fa 20 04 04 04 04 20 05 05 05 05
  0050  20 01 01 01 01 20 02 02 02 02 20 03 03 03 03
`)

// shared/pcaps/bgp-update-mp-reach-ipv6-linklocal-nexthop.pcap, frame 1: MP_REACH_NLRI AFI 2 SAFI 1
// with a 32-byte next hop (global dead:beef::1 + link-local fe80::1ff:fe01:0) and 4:5::/64.
//   0029  80 0e 2e | 00 02 01 20 | de ad .. 00 01 | fe 80 .. 00 00 | 00 | 40 00 04 00 05 00 00 00 00
const UPDATE_IPV6_LL = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 5a 02 00 00 00 43 40 01 01 02 40 02 04 02 01
  0020  00 01 40 03 04 00 00 00 00 80 0e 2e 00 02 01 20
  0030  de ad be ef 00 00 00 00 00 00 00 00 00 00 00 01
  0040  fe 80 00 00 00 00 00 00 00 00 01 ff fe 01 00 00
  0050  00 40 00 04 00 05 00 00 00 00
`)

// shared/pcaps/bgp-session-labeled-unicast-multiple-labels.pcap, frame 18: labeled unicast (SAFI 4) with a
// stack of four labels (4-octet session: AS_PATH 200 in 4 bytes); extended-length MP_REACH_NLRI (0x90).
//   002b  90 0e 00 1a | 00 01 04 04 01 01 01 02 00 | 80 | 00 06 40 00 06 50 00 06 60 00 06 71 | 1e 01 01 01
//                       AFI 1 SAFI 4 nh 1.1.1.2    | 128 bits: labels 100 101 102 103 (bottom) | 30.1.1.1/32
const UPDATE_LABELED = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 49 02 00 00 00 32 40 01 01 00 40 02 06 02 01
  0020  00 00 00 c8 40 05 04 00 00 00 64 90 0e 00 1a 00
  0030  01 04 04 01 01 01 02 00 80 00 06 40 00 06 50 00
  0040  06 60 00 06 71 1e 01 01 01
`)

// Same file, frame 14's payload: KEEPALIVE, End-of-RIB for IPv4 unicast (an empty UPDATE) and
// End-of-RIB for AFI 1 SAFI 4 (only an empty MP_UNREACH_NLRI), three messages in one segment.
const SEGMENT_EOR = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 13 04 ff ff ff ff ff ff ff ff ff ff ff ff ff
  0020  ff ff ff 00 17 02 00 00 00 00 ff ff ff ff ff ff
  0030  ff ff ff ff ff ff ff ff ff ff 00 1e 02 00 00 00
  0040  07 90 0f 00 03 00 01 04
`)

// Same file, frame 38, the whole Ethernet frame: the labeled route withdrawn with MP_UNREACH_NLRI,
// label field 0x800001 (label 524288, bottom of stack). BGP starts at 0x42.
//   0042  ff x16 | 00 26 02 | 00 00 | 00 0f | 90 0f 00 0b 00 01 04 | 38 80 00 01 1e 01 01 01
const FRAME_LABELED_WITHDRAW = fromHex(`
  0000  00 00 76 02 00 00 00 00 76 01 00 00 08 00 45 c0
  0010  00 5a 4e 02 40 00 ff 06 26 d7 02 01 01 01 02 01
  0020  01 02 9f 68 00 b3 23 2c 35 ee f2 37 69 80 80 18
  0030  00 3a 00 69 00 00 01 01 08 0a 52 73 78 f9 52 73
  0040  78 dc ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0050  ff ff 00 26 02 00 00 00 0f 90 0f 00 0b 00 01 04
  0060  38 80 00 01 1e 01 01 01
`)

// shared/pcaps/bgp-update-cisco-hdlc-mpls.pcap, frame 1: an MPLS VPN (SAFI 128) route with MED,
// LOCAL_PREF and four extended communities; next hop RD 0:0 + 2.2.2.2; NLRI label 25, RD 100:100, 170.0.0.0/32.
const UPDATE_VPN = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 73 02 00 00 00 5c 40 01 01 02 40 02 00 80 04
  0020  04 00 00 00 56 40 05 04 00 00 00 64 c0 10 20 00
  0030  02 00 64 00 00 04 57 00 05 00 00 00 01 02 00 80
  0040  00 00 00 00 00 03 00 80 01 ac 10 02 01 00 00 80
  0050  0e 21 00 01 80 0c 00 00 00 00 00 00 00 00 02 02
  0060  02 02 00 78 00 01 91 00 00 00 64 00 00 00 64 aa
  0070  00 00 00
`)

// shared/pcaps/bgp-five-updates-one-segment-large-community.pcap, frame 1, the first message:
// no OPEN in the capture, and AS_PATH 02 01 00 01 00 00 only reads consistently as one 4-octet ASN, 65536.
//   0029  40 03 04 c0 00 02 02 | c0 20 18 00 00 ff ff 00 00 00 01 00 00 00 01 ff ff ff ff ff ff ff ff ff ff ff ff
//         NEXT_HOP 192.0.2.2   | LARGE_COMMUNITY 65535:1:1 4294967295:4294967295:4294967295
const UPDATE_LARGE_COMMUNITY = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 4b 02 00 00 00 2f 40 01 01 00 40 02 06 02 01
  0020  00 01 00 00 40 03 04 c0 00 02 02 c0 20 18 00 00
  0030  ff ff 00 00 00 01 00 00 00 01 ff ff ff ff ff ff
  0040  ff ff ff ff ff ff 20 cb 00 71 10
`)

// shared/pcaps/bgp-notification-shutdown-communication.pcapng, frame 1: Cease / Administrative Shutdown
// with a 52-byte shutdown communication (RFC 8203/9003).
const NOTIFICATION_SHUTDOWN = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 4a 03 06 02 34 54 68 69 73 20 69 73 20 61 20
  0020  74 65 73 74 20 6f 66 20 74 68 65 20 73 68 75 74
  0030  64 6f 77 6e 20 63 6f 6d 6d 75 6e 69 63 61 74 69
  0040  6f 6e 20 73 79 73 74 65 6d 2e
`)

// shared/pcaps/bgp-open-and-notification-cease-hard-reset.pcap, frame 3: Cease / Hard Reset (RFC 8538)
// carrying the inner code 6 subcode 3.
const NOTIFICATION_HARD_RESET = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 17 03 06 09 06 03
`)

// shared/pcaps/bgp-ipv6-peer-updates-route-refresh-sll.pcapng, frame 2: ROUTE-REFRESH AFI 1 SAFI 1,
// subtype 1 (Begin of Route Refresh, RFC 7313).
const ROUTE_REFRESH_BORR = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 17 05 00 01 01 01
`)

// shared/pcaps/bgp-session-4byte-asn-as4path-withdrawals.pcap, frame 10.
const KEEPALIVE = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 13 04
`)

// Same file, frame 56: a withdrawal-only UPDATE (five /32s, no attributes).
const UPDATE_WITHDRAW = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 30 02 00 19 20 05 05 05 05 20 01 01 01 01 20
  0020  02 02 02 02 20 03 03 03 03 20 04 04 04 04 00 00
`)

// shared/pcaps/bgp-malformed-updates-snaplen96-sll.pcap, frame 1: an UPDATE whose length field says 19,
// followed by 15 bytes that are not a BGP header.
const UPDATE_LENGTH_19 = fromHex(`
  0000  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
  0010  00 13 02 00 01 00 ff 00 ff 0e 00 ff 00 01 84 00
  0020  00 00
`)

// ---------------------------------------------------------------------------------------------

function decodeAt(bytes: Uint8Array, offset = 0, end = bytes.length, session: bgp.BgpSession | null = null, side: bgp.Side = 0) {
  const h = bgp.create()
  const result = bgp.decode(bytes, offset, end, h, session, side)
  return { result, h, rec: h.framed ? bgp.toRecord(h) : null }
}

function update(rec: bgp.BgpMessageRecord | null): bgp.BgpUpdateRecord {
  if (!rec || rec.kind !== 'UPDATE') throw new Error(`not an UPDATE: ${JSON.stringify(rec)}`)
  return rec
}

/** The UPDATE record with every addition at its empty value, overridden by `over`. */
function emptyUpdate(over: Partial<bgp.BgpUpdateRecord>): bgp.BgpUpdateRecord {
  return {
    kind: 'UPDATE', length: 23, withdrawn: [], nlri: [], origin: null, asPath: [], nextHop: null, mpReach: null, mpUnreach: null,
    med: null, localPref: null, atomicAggregate: false, aggregator: null, communities: [], extendedCommunities: [],
    largeCommunities: [], originatorId: null, clusterList: [], asPathSegments: [], asnWidth: 2, as4Path: null,
    as4Aggregator: null, endOfRib: false, attributes: [], unknownAttributes: [], ...over,
  }
}

/** A 2-octet session as frames 6 and 8 negotiate it (1.0.2.2 is side 0, 1.0.2.1 side 1). */
function twoOctetSession(): bgp.BgpSession {
  const s = bgp.createSession()
  for (const [bytes, side] of [[OPEN_AS4, 0], [OPEN_AS2, 1]] as const) {
    const h = bgp.create()
    expect(bgp.decode(bytes, 0, bytes.length, h, s, side)).toBe(OK)
    bgp.observeOpen(s, h, side)
  }
  return s
}

describe('bgp: known messages from real captures', () => {
  it('OPEN with one parameter per capability (Cisco, TCP-MD5 session)', () => {
    const { result, h, rec } = decodeAt(OPEN_MD5)
    expect(result).toBe(OK)
    expect(h.framed && h.complete).toBe(true)
    expect(rec).toEqual({
      kind: 'OPEN', length: 45, version: 4, myAs: 65100, holdTime: 180, bgpId: '10.0.0.1', as4: null, capabilities: [1, 128, 2],
      capabilityDetails: [{ code: 1, length: 4, afi: 1, safi: 1 }, { code: 128, length: 0 }, { code: 2, length: 0 }],
      extendedParameters: false, otherParameters: [],
    })
    expect(Object.keys(rec!).slice(0, 8)).toEqual(['kind', 'length', 'version', 'myAs', 'holdTime', 'bgpId', 'as4', 'capabilities'])
    expect(bgp.describe(h)).toBe('BGP OPEN len=45 as=65100 hold=180 id=10.0.0.1')
  })

  it('OPEN with role, FQDN, add-path, extended message, graceful restart and LLGR capabilities', () => {
    const { result, rec } = decodeAt(OPEN_ROLE)
    expect(result).toBe(OK)
    expect(rec).toMatchObject({ kind: 'OPEN', length: 107, myAs: 65002, holdTime: 180, bgpId: '192.168.10.17', as4: 65002 })
    if (rec?.kind !== 'OPEN') throw new Error('OPEN')
    expect(rec.capabilities).toEqual([1, 128, 2, 70, 65, 6, 9, 69, 73, 64, 71])
    expect(rec.capabilityDetails).toEqual([
      { code: 1, length: 4, afi: 1, safi: 1 },
      { code: 128, length: 0 },
      { code: 2, length: 0 },
      { code: 70, length: 0 },
      { code: 65, length: 4, asn: 65002 },
      { code: 6, length: 0 },
      { code: 9, length: 1, role: 3 },
      { code: 69, length: 4, families: [{ afi: 1, safi: 1, value: 1 }] },
      { code: 73, length: 12, hostname: 'donatas-pc', domain: '' },
      { code: 64, length: 2, restartFlags: 4, restartTime: 120, families: [] },
      { code: 71, length: 7, families: [{ afi: 1, safi: 1, value: 0x80000000 }] },
    ])
  })

  it('negotiates a 2-octet session from the two OPENs, and merges AS4_PATH into AS_PATH (RFC 6793 §4.2.3)', () => {
    const s = twoOctetSession()
    expect(s.as4).toBe(false)
    expect(s.opens[0]?.as4).toBe(2764334674)
    expect(s.opens[1]?.as4).toBe(null)
    const { result, h, rec } = decodeAt(UPDATE_AS4_PATH, 0, UPDATE_AS4_PATH.length, s, 1)
    expect(result).toBe(OK)
    expect(rec).toEqual(emptyUpdate({
      length: 95,
      nlri: ['4.4.4.4/32', '5.5.5.5/32', '1.1.1.1/32', '2.2.2.2/32', '3.3.3.3/32'],
      origin: 2,
      asPath: [200, 1, 222222, 333333, 4294967290],
      nextHop: '1.0.2.1',
      asPathSegments: [{ type: 2, asns: [200, 1, 23456, 23456, 23456] }],
      asnWidth: 2,
      as4Path: [{ type: 2, asns: [1, 222222, 333333, 4294967290] }],
      attributes: [{ type: 1, flags: 0x40, length: 1 }, { type: 2, flags: 0x40, length: 12 }, { type: 3, flags: 0x40, length: 4 }, { type: 17, flags: 0xe0, length: 18 }],
    }))
    expect(Object.keys(rec!).slice(0, 9)).toEqual(['kind', 'length', 'withdrawn', 'nlri', 'origin', 'asPath', 'nextHop', 'mpReach', 'mpUnreach'])
    expect(bgp.describe(h)).toBe('BGP UPDATE len=95 withdrawn=0 nlri=5')
  })

  it('MP_REACH_NLRI IPv6 with a global and a link-local next hop', () => {
    const { result, rec } = decodeAt(UPDATE_IPV6_LL)
    expect(result).toBe(OK)
    expect(rec).toEqual(emptyUpdate({
      length: 90, origin: 2, asPath: [1], nextHop: '0.0.0.0', asPathSegments: [{ type: 2, asns: [1] }],
      mpReach: { afi: 2, safi: 1, nextHop: 'dead:beef::1', nlri: ['4:5::/64'], nextHopLinkLocal: 'fe80::1ff:fe01:0' },
      attributes: [{ type: 1, flags: 0x40, length: 1 }, { type: 2, flags: 0x40, length: 4 }, { type: 3, flags: 0x40, length: 4 }, { type: 14, flags: 0x80, length: 46 }],
    }))
    expect(Object.keys(update(rec).mpReach!)).toEqual(['afi', 'safi', 'nextHop', 'nlri', 'nextHopLinkLocal'])
  })

  it('labeled unicast with a four-label stack (RFC 8277)', () => {
    const { result, rec } = decodeAt(UPDATE_LABELED, 0, UPDATE_LABELED.length, bgp.sessionFor({ as4: true }))
    expect(result).toBe(OK)
    expect(rec).toEqual(emptyUpdate({
      length: 73, origin: 0, asPath: [200], localPref: 100, asPathSegments: [{ type: 2, asns: [200] }], asnWidth: 4,
      mpReach: { afi: 1, safi: 4, nextHop: '1.1.1.2', nlri: ['30.1.1.1/32'], labels: [[100, 101, 102, 103]] },
      attributes: [{ type: 1, flags: 0x40, length: 1 }, { type: 2, flags: 0x40, length: 6 }, { type: 5, flags: 0x40, length: 4 }, { type: 14, flags: 0x90, length: 26 }],
    }))
  })

  it('three messages in one segment: KEEPALIVE and two End-of-RIB markers', () => {
    const r = bgp.decodeMessages(SEGMENT_EOR, 0, SEGMENT_EOR.length)
    expect(r.issues).toEqual([])
    expect(r.next).toBe(SEGMENT_EOR.length)
    expect(r.messages).toEqual([
      { kind: 'KEEPALIVE', length: 19 },
      emptyUpdate({ length: 23, endOfRib: true }),
      emptyUpdate({
        length: 30, endOfRib: true, mpUnreach: { afi: 1, safi: 4, withdrawn: [], labels: [] },
        attributes: [{ type: 15, flags: 0x90, length: 3 }],
      }),
    ])
  })

  it('a whole captured frame: the TCP payload from the frame loop holds a labeled withdrawal', () => {
    const d = new FrameDecoder().decode(frameOf(FRAME_LABELED_WITHDRAW))
    expect(d.payloadOffset).toBe(0x42)
    const r = bgp.decodeMessages(d.bytes, d.payloadOffset, d.payloadEnd, bgp.sessionFor({ as4: true }), 0)
    expect(r.issues).toEqual([])
    expect(r.messages).toEqual([emptyUpdate({
      length: 38, asnWidth: 4,
      mpUnreach: { afi: 1, safi: 4, withdrawn: ['30.1.1.1/32'], labels: [[524288]] },
      attributes: [{ type: 15, flags: 0x90, length: 11 }],
    })])
  })

  it('an MPLS VPN route with extended communities (SAFI 128)', () => {
    const { result, rec } = decodeAt(UPDATE_VPN)
    expect(result).toBe(OK)
    expect(rec).toEqual(emptyUpdate({
      length: 115, origin: 2, med: 86, localPref: 100,
      extendedCommunities: ['rt:100:1111', '0005000000010200', '8000000000000300', '8001ac1002010000'],
      mpReach: { afi: 1, safi: 128, nextHop: '2.2.2.2', nlri: ['170.0.0.0/32'], nextHopRd: '0:0', labels: [[25]], rds: ['100:100'] },
      attributes: [
        { type: 1, flags: 0x40, length: 1 }, { type: 2, flags: 0x40, length: 0 }, { type: 4, flags: 0x80, length: 4 },
        { type: 5, flags: 0x40, length: 4 }, { type: 16, flags: 0xc0, length: 32 }, { type: 14, flags: 0x80, length: 33 },
      ],
    }))
  })

  it('guesses 4-octet ASNs without an OPEN when the 2-octet reading is inconsistent; large communities', () => {
    const { result, rec } = decodeAt(UPDATE_LARGE_COMMUNITY)
    expect(result).toBe(OK)
    expect(rec).toMatchObject({
      nlri: ['203.0.113.16/32'], origin: 0, asPath: [65536], asnWidth: 4, nextHop: '192.0.2.2',
      largeCommunities: ['65535:1:1', '4294967295:4294967295:4294967295'],
    })
  })

  it('withdrawal-only UPDATE', () => {
    const { result, rec } = decodeAt(UPDATE_WITHDRAW)
    expect(result).toBe(OK)
    expect(rec).toEqual(emptyUpdate({ length: 48, withdrawn: ['5.5.5.5/32', '1.1.1.1/32', '2.2.2.2/32', '3.3.3.3/32', '4.4.4.4/32'] }))
  })

  it('NOTIFICATION Cease / Administrative Shutdown with its communication', () => {
    const { result, h, rec } = decodeAt(NOTIFICATION_SHUTDOWN)
    expect(result).toBe(OK)
    expect(rec).toEqual({
      kind: 'NOTIFICATION', length: 74, code: 6, subcode: 2,
      data: '34' + Buffer.from('This is a test of the shutdown communication system.').toString('hex'),
      communication: 'This is a test of the shutdown communication system.',
    })
    expect(bgp.describe(h)).toBe('BGP NOTIFICATION 6/2 len=74')
  })

  it('NOTIFICATION Cease / Hard Reset keeps its data as hex', () => {
    expect(decodeAt(NOTIFICATION_HARD_RESET).rec).toEqual({ kind: 'NOTIFICATION', length: 23, code: 6, subcode: 9, data: '0603', communication: null })
  })

  it('ROUTE-REFRESH with the enhanced route refresh subtype, and KEEPALIVE', () => {
    expect(decodeAt(ROUTE_REFRESH_BORR).rec).toEqual({ kind: 'ROUTE-REFRESH', length: 23, afi: 1, safi: 1, subtype: 1 })
    const k = decodeAt(KEEPALIVE)
    expect(k.result).toBe(OK)
    expect(k.rec).toEqual({ kind: 'KEEPALIVE', length: 19 })
    expect(bgp.describe(k.h)).toBe('BGP KEEPALIVE len=19')
  })

  it('an UPDATE whose length says 19 is reported, malformed, and the bytes after it are not a header', () => {
    const r = bgp.decodeMessages(UPDATE_LENGTH_19, 0, UPDATE_LENGTH_19.length)
    expect(r.messages).toEqual([{ ...emptyUpdate({ length: 19 }), malformed: true }])
    expect(r.issues).toEqual([
      { ok: false, kind: 'malformed', layer: 'bgp', field: 'length', value: 19, expected: '>= 23 for UPDATE', offset: 16 },
      { ok: false, kind: 'malformed', layer: 'bgp', field: 'marker', value: 0x00, expected: '16 bytes of 0xff', offset: 19 },
    ])
    expect(r.skipped).toBe(15)
  })
})

// ---------------------------------------------------------------------------------------------

const KNOWN: Array<[string, Uint8Array]> = [
  ['OPEN (Cisco)', OPEN_MD5], ['OPEN (role)', OPEN_ROLE], ['OPEN (4-octet AS)', OPEN_AS4], ['UPDATE AS4_PATH', UPDATE_AS4_PATH],
  ['UPDATE IPv6', UPDATE_IPV6_LL], ['UPDATE labeled', UPDATE_LABELED], ['UPDATE VPN', UPDATE_VPN],
  ['UPDATE large community', UPDATE_LARGE_COMMUNITY], ['UPDATE withdraw', UPDATE_WITHDRAW],
  ['NOTIFICATION', NOTIFICATION_SHUTDOWN], ['ROUTE-REFRESH', ROUTE_REFRESH_BORR], ['KEEPALIVE', KEEPALIVE],
]

describe('bgp: truncation sweep', () => {
  it.each(KNOWN)('%s cut at every length: need more bytes, one truncation issue, no other', (_, bytes) => {
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(bgp.frameMessage(bytes, 0, cut)).toBe(0)
      const { result, h } = decodeAt(bytes, 0, cut)
      const want: DecodeIssue = cut < bgp.HEADER_LEN
        ? { ok: false, kind: 'truncated', layer: 'bgp', part: 'header', need: 19, have: cut, lenSource: 'capture', offset: 0 }
        : { ok: false, kind: 'truncated', layer: 'bgp', part: 'payload', need: bytes.length, have: cut, lenSource: 'capture', offset: 0 }
      expect(result, `cut at ${cut}`).toEqual(want)
      expect(h.issues, `cut at ${cut}`).toEqual([want])
      if (cut >= bgp.HEADER_LEN) expect(() => bgp.toRecord(h)).not.toThrow()
      const r = bgp.decodeMessages(bytes, 0, cut)
      expect([r.messages.length, r.issues.length, r.next]).toEqual([0, 0, 0])
    }
  })

  it('a cut segment keeps the complete messages and leaves the last one for the next segment', () => {
    for (let cut = 0; cut <= SEGMENT_EOR.length; cut++) {
      const r = bgp.decodeMessages(SEGMENT_EOR, 0, cut)
      const complete = [19, 42, 72].filter((end) => end <= cut).length
      expect(r.messages.length, `cut at ${cut}`).toBe(complete)
      expect(r.next).toBe([0, 19, 42, 72][complete])
      expect(r.issues).toEqual([])
    }
  })

  it('a snap-length cut inside the attributes keeps the attributes that were captured', () => {
    const { result, rec } = decodeAt(UPDATE_AS4_PATH, 0, 0x31)
    expect(result).toMatchObject({ kind: 'truncated', part: 'payload', need: 95, have: 0x31 })
    expect(update(rec)).toMatchObject({ origin: 2, nextHop: '1.0.2.1', asPathSegments: [{ type: 2, asns: [200, 1, 23456, 23456, 23456] }], malformed: true })
  })

  it('names the length that ran out', () => {
    const h = bgp.create()
    expect(bgp.decode(KEEPALIVE, 0, 10, h, null, 0, 'reassembly')).toMatchObject({ part: 'header', lenSource: 'reassembly' })
  })
})

// ---------------------------------------------------------------------------------------------

/** A message with `tail` appended and its length field fixed. */
function withTail(msg: Uint8Array, tail: number[]): Uint8Array {
  const out = new Uint8Array(msg.length + tail.length)
  out.set(msg)
  out.set(tail, msg.length)
  out[16] = out.length >> 8
  out[17] = out.length & 0xff
  return out
}

const BASE_UPDATE: bgp.UpdateSpec = { kind: 'UPDATE', origin: 0, asPath: [65001], nextHop: '10.0.0.1' }
/** Offset of the first attribute of an UPDATE without withdrawn routes. */
const ATTRS = 23

interface MalformedRow {
  name: string
  bytes: Uint8Array
  session?: bgp.BgpSession
  field: string
  value: number
  offset: number
}

const MALFORMED: MalformedRow[] = [
  { name: 'a marker byte is not 0xff', bytes: (() => { const b = KEEPALIVE.slice(); b[5] = 0xfe; return b })(), field: 'marker', value: 0xfe, offset: 5 },
  { name: 'length below 19', bytes: bgp.build({ kind: 'KEEPALIVE', length: 18 }), field: 'length', value: 18, offset: 16 },
  { name: 'length above 4096', bytes: bgp.build({ kind: 'UPDATE', length: 4097 }), field: 'length', value: 4097, offset: 16 },
  { name: 'an OPEN above 4096 even with extended messages', bytes: bgp.build({ kind: 'OPEN', myAs: 1, bgpId: '1.1.1.1', length: 4097 }), session: bgp.sessionFor({ extendedMessage: true }), field: 'length', value: 4097, offset: 16 },
  { name: 'unknown type 6', bytes: bgp.build({ kind: 'KEEPALIVE', type: 6 }), field: 'type', value: 6, offset: 18 },
  { name: 'KEEPALIVE longer than 19', bytes: withTail(KEEPALIVE, [0]), field: 'length', value: 20, offset: 16 },
  { name: 'OPEN shorter than 29', bytes: withTail(bgp.build({ kind: 'KEEPALIVE', type: 1 }), [4, 0, 1]), field: 'length', value: 22, offset: 16 },
  { name: 'withdrawn routes length overruns the message', bytes: bgp.build({ kind: 'UPDATE', withdrawnLength: 100 }), field: 'withdrawnLength', value: 100, offset: 19 },
  { name: 'path attributes length overruns the message', bytes: bgp.build({ ...BASE_UPDATE, pathAttributesLength: 200 }), field: 'pathAttributesLength', value: 200, offset: 21 },
  { name: 'an attribute length overruns the attributes', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x40, type: 1, data: [0], length: 50 }] }), field: 'attributeLength', value: 50, offset: ATTRS + 2 },
  { name: 'an AS_PATH segment overruns the attribute', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x40, type: 2, data: [2, 5, 0, 1, 0, 2] }] }), session: bgp.sessionFor({ as4: false }), field: 'asPath.segmentLength', value: 5, offset: ATTRS + 4 },
  { name: 'an AS_PATH segment type 7', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x40, type: 2, data: [7, 1, 0, 1] }] }), session: bgp.sessionFor({ as4: false }), field: 'asPath.segmentType', value: 7, offset: ATTRS + 3 },
  { name: 'an AS_PATH segment of no ASN (RFC 7606 §7.2)', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x40, type: 2, data: [2, 0] }] }), field: 'asPath.segmentLength', value: 0, offset: ATTRS + 4 },
  { name: 'an NLRI prefix longer than 32 bits', bytes: withTail(bgp.build(BASE_UPDATE), [33, 1, 2, 3, 4, 5]), field: 'prefixLength', value: 33, offset: bgp.build(BASE_UPDATE).length },
  { name: 'a withdrawn prefix longer than 32 bits', bytes: withTail(bgp.build({ kind: 'UPDATE' }).subarray(0, 19), [0, 6, 40, 1, 2, 3, 4, 5, 0, 0]), field: 'prefixLength', value: 40, offset: 21 },
  { name: 'an NLRI prefix cut by the message end', bytes: withTail(bgp.build(BASE_UPDATE), [24, 10, 0]), field: 'prefixLength', value: 24, offset: bgp.build(BASE_UPDATE).length },
  { name: 'an IPv6 prefix longer than 128 bits', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x80, type: 14, data: [0, 2, 1, 16, ...new Array<number>(16).fill(0), 0, 129, ...new Array<number>(17).fill(0)] }] }), field: 'prefixLength', value: 129, offset: ATTRS + 3 + 21 },
  { name: 'a label stack that runs past the prefix length', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x80, type: 14, data: [0, 1, 4, 4, 10, 0, 0, 1, 0, 48, 0x00, 0x06, 0x40, 0x00, 0x06, 0x50, 0, 0] }] }), field: 'prefixLength', value: 48, offset: ATTRS + 3 + 9 },
  { name: 'ORIGIN of two bytes', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x40, type: 1, data: [0, 0] }] }), field: 'origin.length', value: 2, offset: ATTRS },
  { name: 'ORIGIN 3', bytes: bgp.build({ kind: 'UPDATE', origin: 3 }), field: 'origin', value: 3, offset: ATTRS + 3 },
  { name: 'NEXT_HOP of five bytes', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x40, type: 3, data: [10, 0, 0, 1, 0] }] }), field: 'nextHop.length', value: 5, offset: ATTRS },
  { name: 'COMMUNITIES not a multiple of 4', bytes: bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0xc0, type: 8, data: [0, 1, 0] }] }), field: 'communities.length', value: 3, offset: ATTRS },
  { name: 'a capability overruns its parameter', bytes: bgp.build({ kind: 'OPEN', myAs: 65001, bgpId: '10.0.0.1', capabilities: [{ code: 65, data: [0, 0, 0xfd, 0xe9], length: 10 }] }), field: 'capabilityLength', value: 10, offset: 29 + 2 + 1 },
  { name: 'a multiprotocol capability of 3 bytes', bytes: bgp.build({ kind: 'OPEN', myAs: 65001, bgpId: '10.0.0.1', capabilities: [{ code: 1, data: [0, 1, 1] }] }), field: 'capabilityLength', value: 3, offset: 29 + 2 + 1 },
  { name: 'optional parameters length short of the message', bytes: bgp.build({ kind: 'OPEN', myAs: 65001, bgpId: '10.0.0.1', capabilities: [{ code: 2 }], optionalParametersLength: 2 }), field: 'optionalParametersLength', value: 2, offset: 28 },
  { name: 'hold time of 2 seconds', bytes: bgp.build({ kind: 'OPEN', myAs: 65001, bgpId: '10.0.0.1', holdTime: 2 }), field: 'holdTime', value: 2, offset: 22 },
  { name: 'a shutdown communication longer than the data', bytes: bgp.build({ kind: 'NOTIFICATION', code: 6, subcode: 2, data: [200, 0x41, 0x42] }), field: 'communicationLength', value: 200, offset: 21 },
]

describe('bgp: forbidden values', () => {
  it.each(MALFORMED.map((r) => [r.name, r] as const))('%s', (_, row) => {
    const { result, h } = decodeAt(row.bytes, 0, row.bytes.length, row.session ?? null)
    expect(result).toMatchObject({ ok: false, kind: 'malformed', layer: 'bgp', field: row.field, value: row.value, offset: row.offset })
    if (h.framed) expect(bgp.toRecord(h).malformed).toBe(true)
    // decodeMessages reports the same issue at the same place, whatever the framing said.
    const r = bgp.decodeMessages(row.bytes, 0, row.bytes.length, row.session ?? null)
    expect(r.issues[0]).toMatchObject({ field: row.field, value: row.value, offset: row.offset })
  })

  it('a message length beyond the end of the stream, once the stream has ended', () => {
    const stream = concat(KEEPALIVE, UPDATE_AS4_PATH.subarray(0, 0x31))
    const open = bgp.decodeMessages(stream, 0, stream.length)
    expect([open.messages.length, open.issues, open.next]).toEqual([1, [], 19])
    const r = bgp.decodeMessages(stream, 0, stream.length, twoOctetSession(), 1, true)
    expect(r.next).toBe(stream.length)
    expect(r.issues).toEqual([{ ok: false, kind: 'malformed', layer: 'bgp', field: 'length', value: 95, expected: '<= 49 (the stream ended there)', offset: 19 + 16 }])
    expect(r.messages[1]).toMatchObject({ kind: 'UPDATE', length: 95, origin: 2, nextHop: '1.0.2.1', malformed: true })
    // A header cut short at the end of the stream is a truncated header.
    expect(bgp.decodeMessages(KEEPALIVE, 0, 10, null, 0, true).issues).toEqual([
      { ok: false, kind: 'truncated', layer: 'bgp', part: 'header', need: 19, have: 10, lenSource: 'reassembly', offset: 0 },
    ])
  })

  it('a bad header is -1 for frameMessage as soon as the bad byte has arrived', () => {
    const b = KEEPALIVE.slice()
    b[3] = 0
    for (let cut = 1; cut <= b.length; cut++) expect(bgp.frameMessage(b, 0, cut)).toBe(cut <= 3 ? 0 : -1)
    // The length alone, before the type arrives: 0x20.. is above 4096, 0x0005 below 19.
    const long = bgp.build({ kind: 'UPDATE', length: 0x2000 })
    expect([bgp.frameMessage(long, 0, 16), bgp.frameMessage(long, 0, 17)]).toEqual([0, -1])
    expect(bgp.frameMessage(long, 0, 17, bgp.sessionFor({ extendedMessage: true }))).toBe(0)
    const short = bgp.build({ kind: 'UPDATE', length: 5 })
    expect([bgp.frameMessage(short, 0, 17), bgp.frameMessage(short, 0, 18)]).toEqual([0, -1])
    expect(bgp.headerIssue(short, 0, 18)).toMatchObject({ field: 'length', value: 5, offset: 16 })
    expect(decodeAt(long, 0, 17).result).toMatchObject({ kind: 'malformed', field: 'length', value: 0x2000 })
  })

  it('a bad withdrawn prefix ends the withdrawn list; the attributes after it are still read', () => {
    const msg = withTail(bgp.build({ kind: 'UPDATE' }).subarray(0, 19), [0, 7, 8, 10, 40, 1, 2, 3, 4, 0, 4, 0x40, 1, 1, 2])
    const { result, rec } = decodeAt(msg)
    expect(result).toMatchObject({ field: 'prefixLength', value: 40, expected: '<= 32', offset: 23 })
    expect(update(rec)).toMatchObject({ withdrawn: ['10.0.0.0/8'], origin: 2, malformed: true })
  })

  it('keeps decoding the attributes after one whose length does not fit its type', () => {
    const msg = bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x40, type: 5, data: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100] }], med: undefined, communities: ['65001:100'] })
    const { h, rec } = decodeAt(msg)
    expect(h.issues.map((i) => i.kind === 'malformed' && i.field)).toEqual(['localPref.length'])
    expect(update(rec)).toMatchObject({ localPref: null, communities: ['65001:100'], malformed: true })
  })
})

// ---------------------------------------------------------------------------------------------

describe('bgp: edge cases', () => {
  it('session: as4 needs both OPENs with capability 65; one OPEN without it settles 2 octets at once', () => {
    const open = (caps: bgp.CapabilitySpec[]) => {
      const h = bgp.create()
      const b = bgp.build({ kind: 'OPEN', myAs: 65001, bgpId: '10.0.0.1', capabilities: caps })
      bgp.decode(b, 0, b.length, h)
      return h
    }
    const s = bgp.createSession()
    bgp.observeOpen(s, open([{ code: 65, asn: 65001 }]), 0)
    expect(s.as4).toBe(null)
    bgp.observeOpen(s, open([{ code: 65, asn: 4200000000 }]), 1)
    expect(s.as4).toBe(true)
    const t = bgp.createSession()
    bgp.observeOpen(t, open([]), 1)
    expect(t.as4).toBe(false)
    // A message that is not an OPEN changes nothing.
    const k = bgp.create()
    bgp.decode(KEEPALIVE, 0, KEEPALIVE.length, k)
    bgp.observeOpen(t, k, 0)
    expect(t.opens[0]).toBe(null)
  })

  it('session: extended messages (RFC 8654) allow UPDATEs above 4096 bytes once both sides offered them', () => {
    const big = bgp.build({ ...BASE_UPDATE, nlri: Array.from({ length: 1100 }, (_, i) => `10.${i >> 8}.${i & 0xff}.0/24`) })
    expect(big.length).toBeGreaterThan(4096)
    expect(bgp.frameMessage(big, 0, big.length)).toBe(-1)
    const s = bgp.createSession()
    const r = bgp.decodeMessages(concat(
      bgp.build({ kind: 'OPEN', myAs: 1, bgpId: '1.1.1.1', capabilities: [{ code: 6 }] }),
    ), 0, 45, s, 0)
    expect(r.messages[0]?.kind).toBe('OPEN')
    expect(s.extendedMessage).toBe(false)
    bgp.decodeMessages(bgp.build({ kind: 'OPEN', myAs: 2, bgpId: '2.2.2.2', capabilities: [{ code: 6 }] }), 0, 35, s, 1)
    expect(s.extendedMessage).toBe(true)
    expect(bgp.frameMessage(big, 0, big.length, s)).toBe(big.length)
    expect(update(decodeAt(big, 0, big.length, s).rec).nlri).toHaveLength(1100)
    // KEEPALIVE and OPEN stay at 4096 (RFC 8654 §4).
    expect(bgp.frameMessage(bgp.build({ kind: 'KEEPALIVE', length: 5000 }), 0, 19, s)).toBe(-1)
  })

  it('session: add-path (RFC 7911) applies in the direction where the sender sends and the receiver receives', () => {
    const s = bgp.createSession()
    const opens = [
      bgp.build({ kind: 'OPEN', myAs: 1, bgpId: '1.1.1.1', capabilities: [{ code: 69, families: [{ afi: 1, safi: 1, value: 2 }] }] }),
      bgp.build({ kind: 'OPEN', myAs: 2, bgpId: '2.2.2.2', capabilities: [{ code: 69, families: [{ afi: 1, safi: 1, value: 1 }] }] }),
    ]
    bgp.decodeMessages(opens[0]!, 0, opens[0]!.length, s, 0)
    bgp.decodeMessages(opens[1]!, 0, opens[1]!.length, s, 1)
    expect(s.addPath?.map((k) => [...k])).toEqual([[257], []])
    const msg = bgp.build({ ...BASE_UPDATE, asnWidth: 2, nlri: ['10.0.0.0/8', '10.0.0.0/8'], pathIds: { nlri: [1, 2] } })
    expect(update(decodeAt(msg, 0, msg.length, s, 0).rec)).toMatchObject({ nlri: ['10.0.0.0/8', '10.0.0.0/8'], nlriPathIds: [1, 2] })
    // From side 1 the same bytes are read without path ids: then they are not prefixes.
    expect(decodeAt(msg, 0, msg.length, s, 1).result).toMatchObject({ kind: 'malformed', field: 'prefixLength' })
  })

  it('add-path without the OPENs: assumed only when the plain reading is invalid and the add-path one valid', () => {
    const withIds = bgp.build({ ...BASE_UPDATE, nlri: ['192.0.2.10/32'], pathIds: { nlri: [7] } })
    expect(update(decodeAt(withIds).rec)).toMatchObject({ nlri: ['192.0.2.10/32'], nlriPathIds: [7] })
    const plain = bgp.build({ ...BASE_UPDATE, nlri: ['192.0.2.10/32'] })
    expect(update(decodeAt(plain).rec).nlriPathIds).toBeUndefined()
    const mp = bgp.build({ ...BASE_UPDATE, mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::1', nlri: ['2001:db8:1::/48'], pathIds: [9] } })
    expect(update(decodeAt(mp).rec).mpReach).toMatchObject({ nlri: ['2001:db8:1::/48'], pathIds: [9] })
  })

  it('AS_PATH width without a session: 2 octets when consistent, 4 when only that reads (an ASN of 0 is not 2-octet)', () => {
    const two = bgp.build({ ...BASE_UPDATE, asPath: [65001, 65002], asnWidth: 2 })
    expect(update(decodeAt(two).rec)).toMatchObject({ asPath: [65001, 65002], asnWidth: 2 })
    // shared/pcaps/bgp-session-4byte-asn-as4path-withdrawals.pcap frame 75 without its OPENs: 02 01 00 00 00 01.
    const four = bgp.build({ ...BASE_UPDATE, asPath: [1], asnWidth: 4 })
    expect(update(decodeAt(four).rec)).toMatchObject({ asPath: [1], asnWidth: 4 })
    expect(bgp.guessAsnWidth(Uint8Array.of(2, 1, 0, 0, 0, 1), 0, 6)).toBe(4)
    expect(bgp.guessAsnWidth(Uint8Array.of(2, 2, 0, 0, 0, 1), 0, 6)).toBe(2) // neither reads: 2 (RFC 4271)
    // With a session the session decides, even when the other width would read too.
    expect(update(decodeAt(four, 0, four.length, bgp.sessionFor({ as4: false })).rec)).toMatchObject({ asPath: [0], asnWidth: 2, malformed: true })
  })

  it('AS4_PATH merge: sets count one, confederation segments none; a longer AS4_PATH is ignored', () => {
    const s = bgp.sessionFor({ as4: false })
    const merged = bgp.build({
      ...BASE_UPDATE, asnWidth: 2,
      asPath: [{ type: 3, asns: [64512] }, { type: 2, asns: [65001, 23456] }, { type: 1, asns: [23456, 65003] }],
      as4Path: [{ type: 2, asns: [4200000001] }, { type: 1, asns: [4200000002, 65003] }],
    })
    expect(update(decodeAt(merged, 0, merged.length, s).rec).asPath).toEqual([64512, 65001, 4200000001, 4200000002, 65003])
    const longer = bgp.build({ ...BASE_UPDATE, asnWidth: 2, asPath: [23456], as4Path: [4200000001, 4200000002] })
    expect(update(decodeAt(longer, 0, longer.length, s).rec)).toMatchObject({ asPath: [23456], as4Path: [{ type: 2, asns: [4200000001, 4200000002] }] })
    // A 4-octet session ignores AS4_PATH (RFC 6793 §4.2.2), but keeps it in the record.
    const four = bgp.build({ ...BASE_UPDATE, asPath: [4200000001], as4Path: [1] })
    expect(update(decodeAt(four, 0, four.length, bgp.sessionFor({ as4: true })).rec)).toMatchObject({ asPath: [4200000001], as4Path: [{ type: 2, asns: [1] }] })
  })

  it('AGGREGATOR of AS_TRANS takes AS4_AGGREGATOR on a 2-octet session', () => {
    const msg = bgp.build({ ...BASE_UPDATE, asnWidth: 2, aggregator: { asn: 4200000001, address: '10.9.9.9' }, as4Aggregator: { asn: 4200000001, address: '10.9.9.9' }, atomicAggregate: true })
    expect(update(decodeAt(msg, 0, msg.length, bgp.sessionFor({ as4: false })).rec)).toMatchObject({
      atomicAggregate: true, aggregator: { asn: 4200000001, address: '10.9.9.9' }, as4Aggregator: { asn: 4200000001, address: '10.9.9.9' },
    })
  })

  it('communities, extended communities, originator and cluster list as text', () => {
    const msg = bgp.build({
      ...BASE_UPDATE, communities: ['65535:65281', '65001:100'], originatorId: '10.0.0.9', clusterList: ['10.0.0.1', '10.0.0.2'],
      extendedCommunities: ['rt:65001:100', 'soo:10.0.0.1:7', 'rt:4200000001:5', '0300000000000001'],
    })
    expect(update(decodeAt(msg).rec)).toMatchObject({
      communities: ['65535:65281', '65001:100'], originatorId: '10.0.0.9', clusterList: ['10.0.0.1', '10.0.0.2'],
      extendedCommunities: ['rt:65001:100', 'soo:10.0.0.1:7', 'rt:4200000001:5', '0300000000000001'],
    })
    expect(bgp.extendedCommunityText(0x40020064, 5)).toBe('rt:100:5') // non-transitive route target
  })

  it('unknown attributes, capabilities and families are kept by code and length', () => {
    const msg = bgp.build({ ...BASE_UPDATE, attributes: [{ flags: 0xc0, type: 35, data: [0, 0, 0xfd, 0xe9] }], mpReach: { afi: 25, safi: 70, nextHop: '10.0.0.1', nlri: [] } })
    const rec = update(decodeAt(msg).rec)
    expect(rec.unknownAttributes).toEqual([{ type: 35, flags: 0xc0, length: 4, data: '0000fde9' }])
    expect(rec.mpReach).toEqual({ afi: 25, safi: 70, nextHop: '10.0.0.1', nlri: [] })
    const withNlri = withTail(bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x80, type: 15, data: [0, 25, 70, 1, 2, 3] }] }), [])
    expect(update(decodeAt(withNlri).rec).mpUnreach).toEqual({ afi: 25, safi: 70, withdrawn: [], undecoded: 3 })
    const open = bgp.build({ kind: 'OPEN', myAs: 1, bgpId: '1.1.1.1', capabilities: [{ code: 200, data: [1, 2] }], parameters: [{ type: 1, data: [9] }] })
    const o = decodeAt(open).rec
    expect(o).toMatchObject({ capabilities: [200], capabilityDetails: [{ code: 200, length: 2, data: '0102' }], otherParameters: [1] })
  })

  it('duplicate attributes: the first one counts (RFC 7606 §3 (g)), both are listed', () => {
    const msg = bgp.build({ kind: 'UPDATE', origin: 0, attributes: [{ flags: 0x40, type: 1, data: [2] }] })
    expect(update(decodeAt(msg).rec)).toMatchObject({ origin: 0, attributes: [{ type: 1 }, { type: 1 }] })
  })

  it('RFC 9072 extended optional parameters length', () => {
    const open = bgp.build({ kind: 'OPEN', myAs: 65001, bgpId: '10.0.0.1', extendedParameters: true, capabilities: [{ code: 65, asn: 4200000001 }, { code: 2 }] })
    expect(Array.from(open.subarray(28, 32))).toEqual([255, 255, 0, 11])
    const { result, rec } = decodeAt(open)
    expect(result).toBe(OK)
    expect(rec).toMatchObject({ myAs: 65001, as4: 4200000001, capabilities: [65, 2], extendedParameters: true })
  })

  it('a shutdown communication with invalid UTF-8 is text with replacement characters, the raw bytes in data', () => {
    const msg = bgp.build({ kind: 'NOTIFICATION', code: 6, subcode: 4, data: [4, 0x6f, 0x6b, 0xff, 0xc3] })
    const { result, rec } = decodeAt(msg)
    expect(result).toBe(OK)
    expect(rec).toEqual({ kind: 'NOTIFICATION', length: 26, code: 6, subcode: 4, data: '046f6bffc3', communication: 'ok\ufffd\ufffd' })
    // Length 0: an empty communication; no data at all: none.
    expect(decodeAt(bgp.build({ kind: 'NOTIFICATION', code: 6, subcode: 2, data: [0] })).rec).toMatchObject({ communication: '' })
    expect(decodeAt(bgp.build({ kind: 'NOTIFICATION', code: 6, subcode: 2 })).rec).toMatchObject({ data: '', communication: null })
    // Other subcodes carry no communication.
    expect(decodeAt(bgp.build({ kind: 'NOTIFICATION', code: 6, subcode: 3, data: [1, 0x41] })).rec).toMatchObject({ communication: null })
  })

  it('resync finds the next marker after garbage, a run of 0xff and a partial marker at the end', () => {
    const garbage = [0x00, 0xff, 0xff, 0x13, 0xff]
    const stream = concat(Uint8Array.from(garbage), KEEPALIVE, new Uint8Array(20).fill(0xff).map((v, i) => (i === 19 ? 0x7f : v)), KEEPALIVE, Uint8Array.of(0xff, 0xff))
    expect(bgp.resync(stream, 0, stream.length)).toBe(5)
    const r = bgp.decodeMessages(stream, 0, stream.length)
    expect(r.messages).toEqual([{ kind: 'KEEPALIVE', length: 19 }, { kind: 'KEEPALIVE', length: 19 }])
    // The 0xff run reads as a marker whose length is 0xffff and type 0xff: a bad type, then no header until the KEEPALIVE.
    expect(r.issues.map((i) => i.kind === 'malformed' && i.field)).toEqual(['marker', 'type'])
    expect(r.next).toBe(stream.length - 2) // ff ff may be the start of the next marker
    expect(r.skipped).toBe(5 + 20)
    expect(bgp.resync(stream, 0, 3)).toBe(1) // ff ff at the end of what there is: plausible
  })

  it('End-of-RIB is only the empty UPDATE or an UPDATE holding only an empty MP_UNREACH_NLRI', () => {
    expect(update(decodeAt(bgp.build({ kind: 'UPDATE' })).rec).endOfRib).toBe(true)
    expect(update(decodeAt(bgp.build({ kind: 'UPDATE', mpUnreach: { afi: 2, safi: 1, withdrawn: [] } })).rec).endOfRib).toBe(true)
    expect(update(decodeAt(bgp.build({ kind: 'UPDATE', origin: 0, mpUnreach: { afi: 2, safi: 1, withdrawn: [] } })).rec).endOfRib).toBe(false)
    expect(update(decodeAt(bgp.build({ kind: 'UPDATE', mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] } })).rec).endOfRib).toBe(false)
    expect(update(decodeAt(UPDATE_WITHDRAW).rec).endOfRib).toBe(false)
  })

  it('labeled withdrawals with RFC 8277 §2.4 value 0x800000 (no bottom bit) end the stack there', () => {
    const msg = bgp.build({ kind: 'UPDATE', mpUnreach: { afi: 1, safi: 4, withdrawn: ['30.1.1.1/32'] } })
    expect(Array.from(msg.subarray(msg.length - 8, msg.length - 4))).toEqual([56, 0x80, 0x00, 0x00])
    expect(update(decodeAt(msg).rec).mpUnreach).toEqual({ afi: 1, safi: 4, withdrawn: ['30.1.1.1/32'], labels: [[0x80000]] })
  })

  it('bounds: attributes per UPDATE', () => {
    const many = bgp.build({ kind: 'UPDATE', attributes: Array.from({ length: limits.MAX_BGP_ATTRIBUTES + 1 }, (_, i) => ({ flags: 0xc0, type: 100 + (i % 100), data: [] })) })
    const { h } = decodeAt(many, 0, many.length, bgp.sessionFor({ extendedMessage: true }))
    expect(h.issues).toEqual([expect.objectContaining({ field: 'attributes', value: limits.MAX_BGP_ATTRIBUTES + 1, offset: ATTRS + 3 * limits.MAX_BGP_ATTRIBUTES })])
  })

  it('bounds: prefixes per message, ASNs per path, capabilities per OPEN, labels per prefix', () => {
    const ext = bgp.sessionFor({ extendedMessage: true, as4: false })
    const zeros = withTail(bgp.build({ kind: 'UPDATE' }), new Array<number>(limits.MAX_BGP_PREFIXES + 1).fill(0))
    const z = decodeAt(zeros, 0, zeros.length, ext)
    expect(z.h.issues).toEqual([expect.objectContaining({ field: 'prefixes', value: limits.MAX_BGP_PREFIXES + 1 })])
    expect(update(z.rec).nlri).toHaveLength(limits.MAX_BGP_PREFIXES)

    const segments = Array.from({ length: 9 }, () => ({ type: 2, asns: new Array<number>(255).fill(65001) }))
    const long = bgp.build({ kind: 'UPDATE', asnWidth: 2, asPath: segments })
    const l = decodeAt(long, 0, long.length, ext)
    expect(l.h.issues).toEqual([expect.objectContaining({ field: 'asPath.asns', value: 9 * 255 })])
    expect(update(l.rec).asPath).toHaveLength(8 * 255)

    const manySegments = bgp.build({ kind: 'UPDATE', asnWidth: 2, asPath: Array.from({ length: limits.MAX_BGP_AS_PATH_SEGMENTS + 1 }, () => ({ type: 2, asns: [1] })) })
    expect(decodeAt(manySegments, 0, manySegments.length, ext).result).toMatchObject({ field: 'asPath.segments' })

    const caps = bgp.build({ kind: 'OPEN', myAs: 1, bgpId: '1.1.1.1', extendedParameters: true, capabilities: Array.from({ length: limits.MAX_BGP_CAPABILITIES + 1 }, () => ({ code: 2 })) })
    const c = decodeAt(caps, 0, caps.length)
    expect(c.h.issues).toEqual([expect.objectContaining({ field: 'capabilities', value: limits.MAX_BGP_CAPABILITIES + 1 })])
    expect(c.h.open.capabilities).toHaveLength(limits.MAX_BGP_CAPABILITIES)

    // Eleven labels without a bottom bit in a length of 255 bits: the bound stops the walk before the length does.
    const labels = [255, ...Array.from({ length: 11 }, () => [0x00, 0x06, 0x40]).flat(), 0]
    const lu = bgp.build({ kind: 'UPDATE', attributes: [{ flags: 0x80, type: 14, data: [0, 1, 4, 4, 10, 0, 0, 1, 0, ...labels] }] })
    expect(decodeAt(lu).result).toMatchObject({ field: 'labels', value: limits.MAX_BGP_LABELS + 1 })
  })

  it('never throws on mutated messages (seeded)', () => {
    const rand = seededRandom(0xb69)
    const h = bgp.create()
    const sessions = [null, bgp.sessionFor({ as4: true }), bgp.sessionFor({ as4: false, addPath: [257, 513] }), bgp.createSession()]
    for (let n = 0; n < 4000; n++) {
      const [, base] = KNOWN[n % KNOWN.length]!
      const b = base.slice()
      const flips = 1 + Math.floor(rand() * 4)
      for (let k = 0; k < flips; k++) b[19 + Math.floor(rand() * (b.length - 19))] = Math.floor(rand() * 256)
      const end = rand() < 0.2 ? Math.floor(rand() * b.length) : b.length
      const s = sessions[n % sessions.length]!
      expect(() => {
        bgp.decode(b, 0, end, h, s, (n & 1) as bgp.Side)
        if (h.framed) JSON.stringify(bgp.toRecord(h))
        bgp.decodeMessages(b, 0, end, s, 0, (n & 2) !== 0)
      }).not.toThrow()
    }
  })
})

// ---------------------------------------------------------------------------------------------

describe('bgp: encode', () => {
  it('writes real messages byte for byte', () => {
    expect(bgp.build({ kind: 'KEEPALIVE' })).toEqual(KEEPALIVE)
    expect(bgp.build({
      kind: 'OPEN', myAs: 65100, holdTime: 180, bgpId: '10.0.0.1', separateParameters: true,
      capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 128 }, { code: 2 }],
    })).toEqual(OPEN_MD5)
    expect(bgp.build({ kind: 'NOTIFICATION', code: 6, subcode: 2, communication: 'This is a test of the shutdown communication system.' })).toEqual(NOTIFICATION_SHUTDOWN)
    expect(bgp.build({ kind: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 1 })).toEqual(ROUTE_REFRESH_BORR)
    expect(bgp.build({
      kind: 'UPDATE', origin: 2, asnWidth: 2, asPath: [200, 1, 23456, 23456, 23456], nextHop: '1.0.2.1',
      attributes: [{ flags: 0xe0, type: 17, data: [2, 4, 0, 0, 0, 1, 0, 3, 0x64, 0x0e, 0, 5, 0x16, 0x15, 0xff, 0xff, 0xff, 0xfa] }],
      nlri: ['4.4.4.4/32', '5.5.5.5/32', '1.1.1.1/32', '2.2.2.2/32', '3.3.3.3/32'],
    })).toEqual(UPDATE_AS4_PATH)
    expect(bgp.build({
      kind: 'UPDATE', origin: 2, asnWidth: 2, asPath: [1], nextHop: '0.0.0.0',
      mpReach: { afi: 2, safi: 1, nextHop: 'dead:beef::1', nextHopLinkLocal: 'fe80::1ff:fe01:0', nlri: ['4:5::/64'] },
    })).toEqual(UPDATE_IPV6_LL)
  })

  it('encodingLength is what encode writes', () => {
    for (const f of [{ kind: 'KEEPALIVE' }, { kind: 'ROUTE-REFRESH', afi: 2, safi: 1 }, BASE_UPDATE] as bgp.Fields[]) {
      const bytes = new Uint8Array(100)
      expect(bgp.encode(f, bytes, 3) - 3).toBe(bgp.encodingLength(f))
    }
  })

  // An SLB MUX (AS 65001) peering with a border switch (AS 65100): the session a sample recipe builds.
  const MUX: bgp.Fields[] = [
    { kind: 'OPEN', myAs: 65001, holdTime: 90, bgpId: '10.10.0.21', capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 2 }, { code: 65, asn: 65001 }, { code: 64, restartTime: 120, families: [{ afi: 1, safi: 1, value: 0x80 }] }] },
    { kind: 'KEEPALIVE' },
    { kind: 'UPDATE', origin: 0, asPath: [65001], nextHop: '10.10.0.21', med: 0, localPref: 100, communities: ['65001:100'], nlri: ['192.0.2.10/32', '192.0.2.11/32', '192.0.2.12/32'] },
    { kind: 'UPDATE', withdrawn: ['192.0.2.11/32'] },
    { kind: 'UPDATE', origin: 0, asPath: [65001], mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::21', nextHopLinkLocal: 'fe80::21', nlri: ['2001:db8:100::10/128'] } },
    { kind: 'UPDATE', mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:100::10/128'] } },
    { kind: 'UPDATE', origin: 0, asPath: [65001], mpReach: { afi: 1, safi: 4, nextHop: '10.10.0.21', nlri: ['192.0.2.20/32'], labels: [[16001, 3]] } },
    { kind: 'UPDATE', origin: 1, asPath: [{ type: 2, asns: [65001, 4200000001] }, { type: 1, asns: [65002, 65003] }], nextHop: '10.10.0.21', largeCommunities: ['4200000001:1:2'], nlri: ['198.51.100.0/24'] },
    { kind: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 },
    { kind: 'NOTIFICATION', code: 6, subcode: 2, communication: 'MUX drained for maintenance' },
  ]

  it('round-trips every message kind through decode at a non-zero offset', () => {
    const bytes = new Uint8Array(4096)
    let p = 7
    for (const f of MUX) p = bgp.encode(f, bytes, p)
    const s = bgp.createSession()
    const r = bgp.decodeMessages(bytes, 7, p, s, 0)
    expect(r.issues).toEqual([])
    expect(r.next).toBe(p)
    const [open, keepalive, announce, withdraw, v6, v6withdraw, labeled, paths, refresh, notification] = r.messages
    expect(open).toMatchObject({ kind: 'OPEN', myAs: 65001, holdTime: 90, bgpId: '10.10.0.21', as4: 65001, capabilities: [1, 2, 65, 64] })
    expect(s.opens[0]).not.toBe(null)
    expect(keepalive).toEqual({ kind: 'KEEPALIVE', length: 19 })
    expect(announce).toMatchObject({ nlri: ['192.0.2.10/32', '192.0.2.11/32', '192.0.2.12/32'], origin: 0, asPath: [65001], nextHop: '10.10.0.21', med: 0, localPref: 100, communities: ['65001:100'] })
    expect(withdraw).toEqual(emptyUpdate({ length: 28, withdrawn: ['192.0.2.11/32'] }))
    expect(v6).toMatchObject({ mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::21', nextHopLinkLocal: 'fe80::21', nlri: ['2001:db8:100::10/128'] } })
    expect(v6withdraw).toMatchObject({ mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:100::10/128'] }, endOfRib: false })
    expect(labeled).toMatchObject({ mpReach: { afi: 1, safi: 4, nextHop: '10.10.0.21', nlri: ['192.0.2.20/32'], labels: [[16001, 3]] } })
    expect(paths).toMatchObject({ origin: 1, asPath: [65001, 4200000001, 65002, 65003], asPathSegments: [{ type: 2, asns: [65001, 4200000001] }, { type: 1, asns: [65002, 65003] }], largeCommunities: ['4200000001:1:2'] })
    expect(refresh).toEqual({ kind: 'ROUTE-REFRESH', length: 23, afi: 1, safi: 1, subtype: 0 })
    expect(notification).toEqual({ kind: 'NOTIFICATION', length: 49, code: 6, subcode: 2, data: '1b' + Buffer.from('MUX drained for maintenance').toString('hex'), communication: 'MUX drained for maintenance' })
  })

  it('round-trips a VPN route and a 2-octet speaker with AS4_PATH', () => {
    const vpn = bgp.build({ kind: 'UPDATE', origin: 2, asPath: [], mpReach: { afi: 1, safi: 128, nextHop: '2.2.2.2', nextHopRd: '0:0', nlri: ['170.0.0.0/32'], labels: [[25]], rds: ['100:100'] } })
    expect(update(decodeAt(vpn).rec).mpReach).toEqual({ afi: 1, safi: 128, nextHop: '2.2.2.2', nlri: ['170.0.0.0/32'], nextHopRd: '0:0', labels: [[25]], rds: ['100:100'] })
    const old = bgp.build({ kind: 'UPDATE', origin: 0, asnWidth: 2, asPath: [65010, 4200000001], as4Path: [4200000001], nextHop: '10.0.0.2', nlri: ['10.1.0.0/16'] })
    expect(Array.from(old.subarray(ATTRS + 4 + 3, ATTRS + 4 + 3 + 6))).toEqual([2, 2, 0xfd, 0xf2, 0x5b, 0xa0]) // AS_TRANS in AS_PATH
    expect(update(decodeAt(old, 0, old.length, bgp.sessionFor({ as4: false })).rec).asPath).toEqual([65010, 4200000001])
  })
})
