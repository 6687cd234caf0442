import { describe, expect, it } from 'vitest'

import { OK } from '../../src/decode/issue.js'
import { MAX_NTP_EXTENSION_FIELDS } from '../../src/decode/limits.js'
import * as ntp from '../../src/decode/ntp.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// The UDP payloads below are byte for byte from the shared captures (`tshark -r <file> -x`),
// starting at the first NTP byte; the comments name the fields.

// ntp-v4-client-server-with-mac.pcap frame 1: a v4 client request with a SHA-1 MAC.
//   23 = LI 0, VN 4, mode 3 | stratum 0 | poll 0 | precision 0x20 (32)
//   root delay, dispersion, refid, reference/origin/receive times all zero
//   xmt a4b39cd1.01fb24bf | key id 8 | 20-byte digest
const CLIENT_SHA1 = fromHex(`
  0000  23 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00
  0010  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  0020  00 00 00 00 00 00 00 00 a4 b3 9c d1 01 fb 24 bf
  0030  00 00 00 08 57 ea 53 0f 6d 74 35 0c c5 28 6b fe
  0040  c1 ab 8c a7 47 c7 35 84
`)

// Same capture, frame 2: the server's kiss-o'-death answer with a crypto-NAK.
//   e4 = LI 3 (alarm), VN 4, mode 4 | stratum 0 | poll 3 | precision 0xe9 (-23)
//   root delay 0 | dispersion 0x5a | refid "STEP" | ref 0 | org = client's xmt
//   rec dcf25a39.84199119 | xmt dcf25a39.841d6dc5 | key id 0, no digest (crypto-NAK)
const KOD_STEP = fromHex(`
  0000  e4 00 03 e9 00 00 00 00 00 00 00 5a 53 54 45 50
  0010  00 00 00 00 00 00 00 00 a4 b3 9c d1 01 fb 24 bf
  0020  dc f2 5a 39 84 19 91 19 dc f2 5a 39 84 1d 6d c5
  0030  00 00 00 00
`)

// Same capture, frame 3: a client whose receive time has the top bit clear (era 1, 2093).
//   org dcf25be5.794d206a | rec 6b70caf9.b1a9f9d9 | xmt ae9d0aa8.1b8971a7 | key id 8 | 20-byte digest
const CLIENT_ERA1 = fromHex(`
  0000  23 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00
  0010  00 00 00 00 00 00 00 00 dc f2 5b e5 79 4d 20 6a
  0020  6b 70 ca f9 b1 a9 f9 d9 ae 9d 0a a8 1b 89 71 a7
  0030  00 00 00 08 8b 7e 64 09 79 15 62 64 f3 fa a5 ae
  0040  97 96 56 dd 86 50 24 31
`)

// Same capture, frame 7: a client with refid "INIT" and an MD5 MAC (16-byte digest).
//   e3 = LI 3, VN 4, mode 3 | stratum 0 | poll 6 | precision 0xe7 (-25) | refid "INIT"
//   xmt dcf26270.cd03ed4f | key id 8 | 16-byte digest
const CLIENT_MD5 = fromHex(`
  0000  e3 00 06 e7 00 00 00 00 00 00 00 00 49 4e 49 54
  0010  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  0020  00 00 00 00 00 00 00 00 dc f2 62 70 cd 03 ed 4f
  0030  00 00 00 08 d5 37 8a 09 c0 4d a8 45 73 20 97 10
  0040  43 48 84 3a
`)

// gre-ipv4-inner-ntp-ssh-icmp.pcap frame 10 (inside GRE): a stratum 2 server reply, no MAC.
//   24 = LI 0, VN 4, mode 4 | stratum 2 | poll 6 | precision 0xee (-18)
//   root delay 0x3bc | dispersion 0x2e4 | refid cd.bc.b9.21
//   ref c290f098.e430a000 | org c290f0f5.d98dac25 | rec c290f109.3be6f000 | xmt c290f109.3bf88000
const SERVER_STRATUM2 = fromHex(`
  0000  24 02 06 ee 00 00 03 bc 00 00 02 e4 cd bc b9 21
  0010  c2 90 f0 98 e4 30 a0 00 c2 90 f0 f5 d9 8d ac 25
  0020  c2 90 f1 09 3b e6 f0 00 c2 90 f1 09 3b f8 80 00
`)

// ntp-v2-bsd-null-loopback.pcap frame 1: a v2 server message of junk-looking bytes, stratum 32.
//   54 = LI 1, VN 2, mode 4 | stratum 0x20 | poll 0x20 | precision 0x20 | root delay 2020ffff ...
//   25 bytes after the header: no valid extension field (length 0x2020 > 25), so a MAC:
//   key id ffff2020 and a 21-byte digest (Wireshark reads it the same way).
const V2_STRATUM32 = fromHex(`
  0000  54 20 20 20 20 20 ff ff 20 20 ff 20 20 20 20 20
  0010  20 20 20 20 20 20 20 20 20 20 20 ff 20 20 20 ff
  0020  ff ff ff ff ff 20 20 20 20 20 20 20 ff ff ff ff
  0030  ff ff 20 20 20 20 20 20 20 20 20 20 20 20 7f ff
  0040  ff ff 20 20 20 ff ff ff 20
`)

// ntp-mode6-control-ipv6.pcap frame 1: an ntpq read-variables request.
//   16 = LI 0, VN 2, mode 6 | 02 = R 0, E 0, M 0, opcode 2 | sequence 68
//   status 0 | association 0 | offset 0 | count 0
const CONTROL_REQUEST = fromHex('16 02 00 44 00 00 00 00 00 00 00 00')

// Same capture, frame 4: the read-status response with 20 bytes of data.
//   16 | 81 = R 1, opcode 1 | sequence 69 | status 0x0618 | association 0 | offset 0 | count 20
//   data: five (association id, peer status) pairs
const CONTROL_RESPONSE = fromHex(`
  0000  16 81 00 45 06 18 00 00 00 00 00 14 be bd 96 1a
  0010  be bc 80 11 be bb 80 11 be ba 80 11 be b9 80 11
`)

// ntp-mode7-private-xntpd.pcap frame 2: an ntpdc response (request code 28, one 36-byte item).
//   97 = R 1, M 0, VN 2, mode 7 | 00 = A 0, sequence 0 | implementation 3 | request 28
//   00 01 = err 0, 1 item | 00 24 = mbz 0, item size 36 | 36 bytes of item
const PRIVATE_RESPONSE = fromHex(`
  0000  97 00 03 1c 00 01 00 24 00 50 60 6a 00 00 00 0a
  0010  00 00 00 0e 00 00 00 00 00 00 28 66 00 00 29 d3
  0020  00 00 15 95 00 00 00 00 00 00 65 0a
`)

const decodeAt = layerDecodeAt(ntp)

describe('ntp.decode: real messages', () => {
  it('reads a v4 client request with a SHA-1 MAC', () => {
    const { result, header } = decodeAt(CLIENT_SHA1)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      leap: 0, version: 4, mode: 3, stratum: 0, poll: 0, precision: 32, rootDelay: 0, rootDispersion: 0, refId: 0,
      referenceTime: { seconds: 0, fraction: 0 }, transmitTime: { seconds: 0xa4b39cd1, fraction: 0x01fb24bf },
      extensionTypes: [], keyId: 8, digestLength: 20, payloadOffset: 72, payloadEnd: 72,
    })
    const r = ntp.toRecord(header)
    expect(r).toEqual({
      type: 'ntp', version: 4, mode: 3, stratum: 0, leap: 0, poll: 0, precision: 32, refId: '',
      transmitTime: '1987-07-25T21:08:33.007738396Z', rootDelay: 0, rootDispersion: 0,
      referenceTime: null, originTime: null, receiveTime: null, extensions: [], keyId: 8, digestLength: 20,
    })
    expect(Object.keys(r).slice(0, 9)).toEqual(['type', 'version', 'mode', 'stratum', 'leap', 'poll', 'precision', 'refId', 'transmitTime'])
    expect(ntp.describe(header)).toBe('NTPv4 client stratum 0 ref  xmt 1987-07-25T21:08:33.007738396Z')
  })

  it("reads a kiss-o'-death STEP with a crypto-NAK", () => {
    const { result, header } = decodeAt(KOD_STEP)
    expect(result).toBe(OK)
    expect(ntp.toRecord(header)).toEqual({
      type: 'ntp', version: 4, mode: 4, stratum: 0, leap: 3, poll: 3, precision: -23, refId: 'STEP',
      transmitTime: '2017-06-19T14:12:09.516074047Z', rootDelay: 0, rootDispersion: 90 / 65536,
      referenceTime: null, originTime: '1987-07-25T21:08:33.007738396Z', receiveTime: '2017-06-19T14:12:09.516015118Z',
      extensions: [], keyId: 0, digestLength: 0,
    })
  })

  it('reads a receive time with the top bit clear as era 1 (2036-2104)', () => {
    const { result, header } = decodeAt(CLIENT_ERA1)
    expect(result).toBe(OK)
    const r = ntp.toRecord(header)
    expect(r.receiveTime).toBe('2093-03-22T03:56:41.693999877Z')
    expect(r.originTime).toBe('2017-06-19T14:19:17.473833108Z')
    expect(r.transmitTime).toBe('1992-10-31T13:37:44.107565978Z')
  })

  it('reads an MD5 MAC and the INIT refid', () => {
    const { result, header } = decodeAt(CLIENT_MD5)
    expect(result).toBe(OK)
    expect(ntp.toRecord(header)).toMatchObject({
      leap: 3, mode: 3, poll: 6, precision: -25, refId: 'INIT', keyId: 8, digestLength: 16,
      transmitTime: '2017-06-19T14:47:12.800841171Z',
    })
  })

  it('reads a stratum 2 server reply: refid as a dotted quad, root delay in seconds', () => {
    const { result, header } = decodeAt(SERVER_STRATUM2)
    expect(result).toBe(OK)
    expect(ntp.toRecord(header)).toEqual({
      type: 'ntp', version: 4, mode: 4, stratum: 2, leap: 0, poll: 6, precision: -18, refId: '205.188.185.33',
      transmitTime: '2003-06-11T00:06:33.234260559Z', rootDelay: 0x3bc / 65536, rootDispersion: 0x2e4 / 65536,
      referenceTime: '2003-06-11T00:04:40.891366958Z', originTime: '2003-06-11T00:06:13.849817999Z',
      receiveTime: '2003-06-11T00:06:33.233992576Z', extensions: [], keyId: null, digestLength: 0,
    })
    expect(ntp.describe(header)).toBe('NTPv4 server stratum 2 ref 205.188.185.33 xmt 2003-06-11T00:06:33.234260559Z')
  })

  it('reads a v2 message of junk bytes as tshark does: stratum 32, era-1 times, a 21-byte digest', () => {
    const { result, header } = decodeAt(V2_STRATUM32)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ leap: 1, version: 2, mode: 4, stratum: 32, poll: 32, precision: 32, rootDelay: 0x2020ffff })
    const r = ntp.toRecord(header)
    expect(r).toMatchObject({
      refId: '32.32.32.32', keyId: 0xffff2020, digestLength: 21, extensions: [],
      referenceTime: '2053-03-07T10:06:24.125490196Z', transmitTime: '2053-03-07T10:06:24.999999999Z',
      receiveTime: '2036-02-07T06:28:15.996583946Z',
    })
  })

  it('reads a mode 6 request and response header, data skipped by count', () => {
    const req = decodeAt(CONTROL_REQUEST)
    expect(req.result).toBe(OK)
    expect(req.header.control).toEqual({
      response: false, error: false, more: false, opcode: 2, sequence: 68, status: 0, associationId: 0, offset: 0, count: 0,
    })
    const res = decodeAt(CONTROL_RESPONSE)
    expect(res.result).toBe(OK)
    expect([res.header.dataOffset, res.header.dataEnd]).toEqual([12, 32])
    const r = ntp.toRecord(res.header)
    expect(r).toEqual({
      type: 'ntp', version: 2, mode: 6, stratum: null, leap: 0, poll: null, precision: null, refId: null,
      transmitTime: null, rootDelay: null, rootDispersion: null, referenceTime: null, originTime: null,
      receiveTime: null, extensions: [], keyId: null, digestLength: 0,
      control: { response: true, error: false, more: false, opcode: 1, sequence: 69, status: 0x0618, associationId: 0, offset: 0, count: 20 },
    })
    expect(ntp.describe(res.header)).toBe('NTPv2 control opcode 1 seq 69 response count 20')
  })

  it('reads a mode 7 response header: leap is null (those bits are R and M)', () => {
    const { result, header } = decodeAt(PRIVATE_RESPONSE)
    expect(result).toBe(OK)
    expect([header.dataOffset, header.dataEnd]).toEqual([8, 44])
    const r = ntp.toRecord(header)
    expect(r).toMatchObject({ type: 'ntp', version: 2, mode: 7, stratum: null, leap: null, refId: null, transmitTime: null })
    expect(r.private).toEqual({
      response: true, more: false, auth: false, sequence: 0, implementation: 3, requestCode: 28,
      err: 0, itemCount: 1, mbz: 0, itemSize: 36,
    })
    expect(r.control).toBeUndefined()
    expect(ntp.describe(header)).toBe('NTPv2 private impl 3 req 28 seq 0 response items 1x36')
  })
})

describe('ntp.decode: truncation sweep', () => {
  it('reports a truncated header for every length short of 48 bytes (modes 0-5)', () => {
    for (let have = 0; have < ntp.HEADER_LEN; have++) {
      expect(decodeAt(SERVER_STRATUM2.subarray(0, have)).result).toEqual({
        ok: false, kind: 'truncated', layer: 'ntp', part: 'header', need: 48, have, lenSource: 'udp.length', offset: 0,
      })
    }
  })

  it('reports a truncated header for every length short of 12 bytes (mode 6) and 8 bytes (mode 7)', () => {
    for (let have = 1; have < ntp.CONTROL_HEADER_LEN; have++) {
      expect(decodeAt(CONTROL_RESPONSE.subarray(0, have)).result).toMatchObject({ kind: 'truncated', part: 'header', need: 12, have })
    }
    for (let have = 1; have < ntp.PRIVATE_HEADER_LEN; have++) {
      expect(decodeAt(PRIVATE_RESPONSE.subarray(0, have)).result).toMatchObject({ kind: 'truncated', part: 'header', need: 8, have })
    }
  })

  it('keeps the mode 6/7 header when the data is cut, and names the layer offset', () => {
    const bytes = new Uint8Array(3 + CONTROL_RESPONSE.length)
    bytes.set(CONTROL_RESPONSE, 3)
    for (let end = 3 + 12; end < bytes.length; end++) {
      const { result, header } = decodeAt(bytes, 3, end)
      expect(result).toEqual({
        ok: false, kind: 'truncated', layer: 'ntp', part: 'payload', need: 32, have: end - 3, lenSource: 'udp.length', offset: 3,
      })
      expect(header.control.count).toBe(20)
      expect([header.dataOffset, header.dataEnd]).toEqual([15, end])
    }
    for (let end = 8; end < PRIVATE_RESPONSE.length; end++) {
      expect(decodeAt(PRIVATE_RESPONSE, 0, end).result).toMatchObject({ kind: 'truncated', part: 'payload', need: 44, have: end })
    }
  })

  it('reads every cut of a MAC-carrying message without an issue that stops decoding', () => {
    for (let end = ntp.HEADER_LEN; end <= CLIENT_SHA1.length; end++) {
      const { result, header } = decodeAt(CLIENT_SHA1, 0, end)
      const rest = end - 48
      if (rest === 0) expect([result, header.keyId]).toEqual([OK, null])
      else if (rest < 4) expect(result).toMatchObject({ kind: 'truncated', part: 'payload', need: 52, have: end })
      else expect([result, header.keyId, header.digestLength]).toEqual([OK, 8, rest - 4])
    }
  })
})

describe('ntp.decode: forbidden values', () => {
  it.each([0, 5, 6, 7])('rejects version %i', (version) => {
    const bytes = SERVER_STRATUM2.slice()
    bytes[0] = (bytes[0]! & 0xc7) | (version << 3)
    expect(decodeAt(bytes).result).toEqual({
      ok: false, kind: 'malformed', layer: 'ntp', field: 'version', value: version, expected: '1-4', offset: 0,
    })
  })

  it(`rejects more than ${MAX_NTP_EXTENSION_FIELDS} extension fields`, () => {
    const many = ntp.fields({ mode: 4, extensions: Array.from({ length: MAX_NTP_EXTENSION_FIELDS + 1 }, () => ({ type: 0x0104, value: new Uint8Array(12) })) })
    const bytes = new Uint8Array(ntp.encodingLength(many))
    ntp.encode(many, bytes, 0)
    expect(decodeAt(bytes).result).toEqual({
      ok: false, kind: 'malformed', layer: 'ntp', field: 'extensions', value: MAX_NTP_EXTENSION_FIELDS + 1,
      expected: `<= ${MAX_NTP_EXTENSION_FIELDS} extension fields`, offset: 0,
    })
    const atBound = ntp.fields({ mode: 4, extensions: many.extensions.slice(1) })
    const ok = new Uint8Array(ntp.encodingLength(atBound))
    ntp.encode(atBound, ok, 0)
    expect(decodeAt(ok).header.extensionTypes).toHaveLength(MAX_NTP_EXTENSION_FIELDS)
  })
})

describe('ntp.decode: edge cases', () => {
  const at = (t: ntp.Timestamp) => ntp.timestampToIso(t)

  it('converts timestamps era-aware, truncating to nanoseconds, zero as null', () => {
    expect(at({ seconds: 0x80000000, fraction: 0 })).toBe('1968-01-20T03:14:08.000000000Z')
    expect(at({ seconds: 0x7fffffff, fraction: 0 })).toBe('2104-02-26T09:42:23.000000000Z')
    expect(at({ seconds: 0xffffffff, fraction: 0xffffffff })).toBe('2036-02-07T06:28:15.999999999Z')
    expect(at({ seconds: 0, fraction: 1 })).toBe('2036-02-07T06:28:16.000000000Z')
    expect(at({ seconds: 0, fraction: 0 })).toBeNull()
    expect(ntp.fractionToNanos(0x80000000)).toBe(500_000_000)
    expect(ntp.fractionToNanos(0xffffffff)).toBe(999_999_999)
  })

  it('turns a Unix time into a timestamp that decodes back exactly', () => {
    for (const [sec, nsec] of [[0, 0], [1_718_000_000, 123_456_789], [2_085_978_496, 999_999_999], [4_000_000_000, 1]] as const) {
      expect(ntp.toUnix(ntp.timestamp(sec, nsec))).toEqual({ sec, nsec })
    }
  })

  it('writes reference ids as the contract says: NULs trimmed, unprintables escaped, stratum >= 2 dotted', () => {
    expect(ntp.refIdText(ntp.refIdOf('GPS'), 1)).toBe('GPS')
    expect(ntp.refIdText(0x41004200, 1)).toBe('A\\x00B')
    expect(ntp.refIdText(0x47015300, 0)).toBe('G\\x01S')
    expect(ntp.refIdText(0xff7f2020, 1)).toBe('\\xff\\x7f  ')
    expect(ntp.refIdText(0, 0)).toBe('')
    expect(ntp.refIdText(ntp.refIdOf('GPS'), 2)).toBe('71.80.83.0')
    expect(ntp.refIdText(0xc0000201, 16)).toBe('192.0.2.1')
  })

  it('reads signed poll and precision', () => {
    const bytes = SERVER_STRATUM2.slice()
    bytes[2] = 0xfa
    bytes[3] = 0x80
    expect(decodeAt(bytes).header).toMatchObject({ poll: -6, precision: -128 })
  })

  it('tells extension fields from the MAC by length (RFC 7822), as Wireshark does', () => {
    const f = ntp.fields({
      mode: 3, extensions: [{ type: 0x0104, value: new Uint8Array(32) }, { type: 0x0204, value: new Uint8Array(100) }],
      keyId: 42, digest: new Uint8Array(20),
    })
    const bytes = new Uint8Array(ntp.encodingLength(f))
    ntp.encode(f, bytes, 0)
    expect(decodeAt(bytes).header).toMatchObject({ extensionTypes: [0x0104, 0x0204], keyId: 42, digestLength: 20 })

    // A field followed by fewer than 20 bytes: that "field" was the MAC's start.
    const g = ntp.fields({ mode: 3, extensions: [{ type: 0x0000_0007, value: new Uint8Array(12) }], keyId: 1, digest: new Uint8Array(4) })
    const b2 = new Uint8Array(ntp.encodingLength(g))
    ntp.encode(g, b2, 0)
    expect(decodeAt(b2).header).toMatchObject({ extensionTypes: [], keyId: 0x00070010, digestLength: 20 })

    // An extension field alone (no MAC), and a crypto-NAK after a field.
    const h = ntp.fields({ mode: 3, extensions: [{ type: 0x0104, value: new Uint8Array(24) }] })
    const b3 = new Uint8Array(ntp.encodingLength(h) + 4)
    ntp.encode(h, b3, 0)
    expect(decodeAt(b3, 0, b3.length - 4).header).toMatchObject({ extensionTypes: [0x0104], keyId: null, digestLength: 0 })
    expect(decodeAt(b3).header).toMatchObject({ extensionTypes: [0x0104], keyId: 0, digestLength: 0 })
  })

  it('accepts the reserved mode 0 as a 48-byte message, and broadcast (mode 5)', () => {
    for (const mode of [0, 5]) {
      const bytes = SERVER_STRATUM2.slice()
      bytes[0] = (bytes[0]! & 0xf8) | mode
      expect(decodeAt(bytes).result).toBe(OK)
    }
  })
})

describe('ntp.looksLikeNtp', () => {
  it('accepts the real messages and rejects what cannot be NTP', () => {
    for (const m of [CLIENT_SHA1, KOD_STEP, SERVER_STRATUM2, V2_STRATUM32, CONTROL_REQUEST, CONTROL_RESPONSE, PRIVATE_RESPONSE]) {
      expect(ntp.looksLikeNtp(m, 0, m.length)).toBe(true)
    }
    expect(ntp.looksLikeNtp(SERVER_STRATUM2, 0, 47)).toBe(false)
    expect(ntp.looksLikeNtp(CONTROL_REQUEST, 0, 11)).toBe(false)
    expect(ntp.looksLikeNtp(Uint8Array.of(0x2c, 0, 0, 0, 0, 0, 0, 0), 0, 8)).toBe(false) // version 5
    expect(ntp.looksLikeNtp(new Uint8Array(48), 0, 48)).toBe(false)                       // version 0
    expect(ntp.looksLikeNtp(PRIVATE_RESPONSE, 40, 44)).toBe(false)
  })
})

describe('ntp.encode', () => {
  it('writes the real stratum 2 reply byte for byte', () => {
    const f = ntp.fields({
      leap: 0, version: 4, mode: 4, stratum: 2, poll: 6, precision: -18, rootDelay: 0x3bc, rootDispersion: 0x2e4,
      refId: 0xcdbcb921, referenceTime: { seconds: 0xc290f098, fraction: 0xe430a000 },
      originTime: { seconds: 0xc290f0f5, fraction: 0xd98dac25 }, receiveTime: { seconds: 0xc290f109, fraction: 0x3be6f000 },
      transmitTime: { seconds: 0xc290f109, fraction: 0x3bf88000 },
    })
    const bytes = new Uint8Array(ntp.encodingLength(f))
    expect(ntp.encode(f, bytes, 0)).toBe(48)
    expect(bytes).toEqual(SERVER_STRATUM2)
  })

  it('writes the real mode 6 and mode 7 messages byte for byte', () => {
    const c = ntp.fields({
      version: 2, mode: 6, data: CONTROL_RESPONSE.subarray(12),
      control: { response: true, error: false, more: false, opcode: 1, sequence: 69, status: 0x0618, associationId: 0, offset: 0, count: 20 },
    })
    const cb = new Uint8Array(ntp.encodingLength(c))
    ntp.encode(c, cb, 0)
    expect(cb).toEqual(CONTROL_RESPONSE)
    const p = ntp.fields({
      version: 2, mode: 7, data: PRIVATE_RESPONSE.subarray(8),
      private: { response: true, more: false, auth: false, sequence: 0, implementation: 3, requestCode: 28, err: 0, itemCount: 1, mbz: 0, itemSize: 36 },
    })
    const pb = new Uint8Array(ntp.encodingLength(p))
    ntp.encode(p, pb, 0)
    expect(pb).toEqual(PRIVATE_RESPONSE)
  })

  it('round-trips a server reply with extension fields and a MAC through decode at a non-zero offset', () => {
    const f = ntp.fields({
      leap: 1, version: 4, mode: 4, stratum: 3, poll: 10, precision: -20, rootDelay: 0x1234, rootDispersion: 0x56789,
      refId: 0xc0000201, referenceTime: ntp.timestamp(1_790_000_000, 1), originTime: ntp.timestamp(1_790_000_100, 2),
      receiveTime: ntp.timestamp(1_790_000_101, 3), transmitTime: ntp.timestamp(2_200_000_000, 999_999_999),
      extensions: [{ type: 0x0104, value: new Uint8Array(16).fill(7) }], keyId: 99, digest: new Uint8Array(20).fill(1),
    })
    const bytes = new Uint8Array(5 + ntp.encodingLength(f))
    const end = ntp.encode(f, bytes, 5)
    expect(end).toBe(bytes.length)
    const { result, header } = decodeAt(bytes, 5, end)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      leap: 1, version: 4, mode: 4, stratum: 3, poll: 10, precision: -20, rootDelay: 0x1234, rootDispersion: 0x56789,
      refId: 0xc0000201, referenceTime: f.referenceTime, originTime: f.originTime, receiveTime: f.receiveTime,
      transmitTime: f.transmitTime, extensionTypes: [0x0104], keyId: 99, digestLength: 20, payloadEnd: end,
    })
    expect(ntp.toRecord(header).transmitTime).toBe('2039-09-18T23:06:40.999999999Z')
  })

  it('round-trips mode 6 and mode 7 headers at a non-zero offset', () => {
    const control: ntp.ControlFields = { response: true, error: true, more: true, opcode: 31, sequence: 65535, status: 0xabcd, associationId: 7, offset: 468, count: 3 }
    const c = ntp.fields({ version: 3, mode: 6, control, data: Uint8Array.of(1, 2, 3, 0) })
    const cb = new Uint8Array(2 + ntp.encodingLength(c))
    ntp.encode(c, cb, 2)
    const cd = decodeAt(cb, 2)
    expect(cd.result).toBe(OK)
    expect(cd.header.control).toEqual(control)
    expect([cd.header.dataOffset, cd.header.dataEnd]).toEqual([14, 17])

    const priv: ntp.PrivateFields = { response: false, more: true, auth: true, sequence: 127, implementation: 2, requestCode: 42, err: 15, itemCount: 2, mbz: 9, itemSize: 3 }
    const p = ntp.fields({ version: 2, mode: 7, private: priv, data: new Uint8Array(6) })
    const pb = new Uint8Array(2 + ntp.encodingLength(p))
    ntp.encode(p, pb, 2)
    const pd = decodeAt(pb, 2)
    expect(pd.result).toBe(OK)
    expect(pd.header.private).toEqual(priv)
  })
})

describe('ntp.decode fuzz', () => {
  it('never throws; offsets stay inside the buffer; records serialise', () => {
    const header = ntp.create()
    const seeds = [CLIENT_SHA1, KOD_STEP, V2_STRATUM32, SERVER_STRATUM2, CONTROL_RESPONSE, PRIVATE_RESPONSE]
    let n = 0
    for (const seed of seeds) {
      for (const [bytes, offset, end] of fuzzInputs(0x4e7 + n++, seed, 1500)) {
        const result = ntp.decode(bytes, offset, end, header)
        if (result.ok || (result.kind === 'truncated' && result.part === 'payload')) {
          expect(header.dataEnd).toBeLessThanOrEqual(end)
          expect(header.extensionTypes.length).toBeLessThanOrEqual(MAX_NTP_EXTENSION_FIELDS)
          expect(() => JSON.stringify(ntp.toRecord(header))).not.toThrow()
          expect(typeof ntp.describe(header)).toBe('string')
        }
        if (!result.ok) expect(result.offset).toBe(offset)
        ntp.looksLikeNtp(bytes, offset, end)
      }
    }
  })
})
