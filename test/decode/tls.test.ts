import { describe, expect, it } from 'vitest'

import { Tag, createTlv, oidBytes, readTlv, tlv } from '../../src/decode/der.js'
import { OK, type Decoded } from '../../src/decode/issue.js'
import { MAX_TLS_EXTENSIONS, MAX_TLS_RECORD_BYTES, MAX_X509_NAME_ATTRIBUTES } from '../../src/decode/limits.js'
import * as tls from '../../src/decode/tls.js'
import { concat, fromHex } from '../support/bytes.js'
import { fuzzInputs } from '../support/random.js'

// vxlan-outer-vlan-tcp-tls-sessions.pcap frame 8, inside VXLAN (inner TCP payload at frame
// offset 0x78): the first TLS record of a connection to facebook.com, 314 bytes.
//   16 03 01 01 35            record: handshake, version 3.1, length 309
//   01 00 01 31               ClientHello, length 305
//   03 03                     legacy_version TLS 1.2 | 32 bytes random | session id (32 bytes)
//   00 3e                     62 bytes of cipher suites = 31 suites | 01 00: one method, null
//   00 aa                     170 bytes of extensions:
//     00 00 00 11 ...         server_name: host_name "facebook.com"
//     00 0b, 00 0a, 00 23, 00 16, 00 17, 00 0d   ec_point_formats, groups, ticket, etm, ems, sig algs
//     00 2b 00 09 08 03 04 03 03 03 02 03 01   supported_versions: 1.3, 1.2, 1.1, 1.0
//     00 2d, 00 33            psk_key_exchange_modes, key_share
const CLIENT_HELLO_RECORD = fromHex(`
  0000  16 03 01 01 35 01 00 01 31 03 03 dc 58 f9 f4 03
  0010  79 b5 79 65 50 23 ac 08 79 e7 82 6f 01 04 45 71
  0020  de 92 95 cb ef d7 b0 ca 45 c2 61 20 75 8e bc 74
  0030  5b 9c db af 12 f0 93 a1 ac 8d 97 e1 24 f6 15 ae
  0040  04 b0 dd 9a ba 34 21 24 14 04 f4 ea 00 3e 13 02
  0050  13 03 13 01 c0 2c c0 30 00 9f cc a9 cc a8 cc aa
  0060  c0 2b c0 2f 00 9e c0 24 c0 28 00 6b c0 23 c0 27
  0070  00 67 c0 0a c0 14 00 39 c0 09 c0 13 00 33 00 9d
  0080  00 9c 00 3d 00 3c 00 35 00 2f 00 ff 01 00 00 aa
  0090  00 00 00 11 00 0f 00 00 0c 66 61 63 65 62 6f 6f
  00a0  6b 2e 63 6f 6d 00 0b 00 04 03 00 01 02 00 0a 00
  00b0  0c 00 0a 00 1d 00 17 00 1e 00 19 00 18 00 23 00
  00c0  00 00 16 00 00 00 17 00 00 00 0d 00 30 00 2e 04
  00d0  03 05 03 06 03 08 07 08 08 08 09 08 0a 08 0b 08
  00e0  04 08 05 08 06 04 01 05 01 06 01 03 03 02 03 03
  00f0  01 02 01 03 02 02 02 04 02 05 02 06 02 00 2b 00
  0100  09 08 03 04 03 03 03 02 03 01 00 2d 00 02 01 01
  0110  00 33 00 26 00 24 00 1d 00 20 be 1d a6 83 39 97
  0120  f5 ef 5a 8b d7 fb 0f 6b 19 77 03 3a 5d c3 c8 76
  0130  5b bd 53 bd af 5e af b6 59 46
`)

// Same capture, frame 10: the server's answer. Its TCP payload starts with three records:
//   16 03 03 00 7a            handshake, 3.3, 122: ServerHello (02 00 00 76), legacy 3.3,
//                             random, the client's session id echoed, suite 13 03, method 0,
//                             extensions: supported_versions 03 04 (TLS 1.3), key_share x25519
//   14 03 03 00 01 01         change_cipher_spec (TLS 1.3 middlebox compatibility)
//   17 03 03 03 f9 ...        application data, 1017 bytes (only its first 3 bytes are kept here)
const SERVER_FLIGHT = fromHex(`
  0000  16 03 03 00 7a 02 00 00 76 03 03 a6 49 f9 9d 35
  0010  e3 66 f1 00 d3 1b 6e 29 3d 26 f0 81 a1 e9 29 65
  0020  4e 12 ec 55 d1 57 43 a0 86 d5 44 20 75 8e bc 74
  0030  5b 9c db af 12 f0 93 a1 ac 8d 97 e1 24 f6 15 ae
  0040  04 b0 dd 9a ba 34 21 24 14 04 f4 ea 13 03 00 00
  0050  2e 00 2b 00 02 03 04 00 33 00 24 00 1d 00 20 5e
  0060  58 22 5d 37 a0 d8 8b 23 68 2f d3 b8 a6 c0 3e 6c
  0070  ec 05 dd d9 4f 56 3f bf 66 f0 a9 b5 e9 c4 5a 14
  0080  03 03 00 01 01 17 03 03 03 f9 c7 7c 16
`)
const SERVER_HELLO_RECORD = SERVER_FLIGHT.subarray(0, 127)

/** A self-made leaf certificate: the names an inspecting proxy would put there. */
const LEAF = tls.certificateDer({
  subjectCn: 'login.microsoftonline.com', issuerCn: 'Contoso TLS Inspection CA',
  extraAttributes: [['2.5.4.6', 'US'], ['2.5.4.10', 'Contoso']],
})
const ISSUER = tls.certificateDer({ subjectCn: 'Contoso TLS Inspection CA', issuerCn: 'Contoso Root', serial: 2 })

function handshakeOf(bytes: Uint8Array, offset = 0, end = bytes.length) {
  const m = tls.createHandshake()
  const result = tls.decodeHandshake(bytes, offset, end, m)
  return { result, m }
}

/** Every handshake message of a byte stream, run through frameRecord, decode and the collector. */
function stream(bytes: Uint8Array, chunks: number[] = [bytes.length], maxBytes?: number) {
  const collector = new tls.TlsHandshakeCollector(maxBytes)
  const summary = tls.createSummary()
  const messages: Array<{ type: number; result: Decoded; sni: string | null; subject: string | null }> = []
  const header = tls.create()
  let buffered = new Uint8Array(0)
  let at = 0
  for (const size of chunks) {
    const chunk = bytes.subarray(at, at + size)
    at += size
    const joined = new Uint8Array(buffered.length + chunk.length)
    joined.set(buffered)
    joined.set(chunk, buffered.length)
    let p = 0
    for (;;) {
      const n = tls.frameRecord(joined, p, joined.length)
      if (n <= 0) { expect(n).toBe(0); break }
      expect(tls.decode(joined, p, p + n, header)).toBe(OK)
      tls.addRecord(summary, header)
      if (header.contentType === tls.ContentType.Handshake) {
        collector.push(joined, header.payloadOffset, header.payloadEnd, (m, result) => {
          messages.push({ type: m.msgType, result, sni: m.sni, subject: m.certSubjectCn })
          tls.addHandshake(summary, m)
        })
      }
      p += n
    }
    buffered = joined.slice(p)
  }
  return { messages, summary, collector, left: buffered.length }
}

describe('tls.decode and decodeHandshake: real records', () => {
  it('reads the ClientHello record of a real connection', () => {
    const h = tls.create()
    expect(tls.decode(CLIENT_HELLO_RECORD, 0, CLIENT_HELLO_RECORD.length, h)).toBe(OK)
    expect(h).toEqual({ contentType: 22, version: 0x0301, length: 309, payloadOffset: 5, payloadEnd: 314 })
    expect(tls.describe(h)).toBe('TLS handshake 0x0301 len=309')

    const { result, m } = handshakeOf(CLIENT_HELLO_RECORD, 5)
    expect(result).toBe(OK)
    expect(m).toEqual({
      msgType: 1, length: 305, bodyOffset: 9, bodyEnd: 314, legacyVersion: 0x0303,
      supportedVersions: [0x0304, 0x0303, 0x0302, 0x0301], cipherCount: 31, cipherSuite: -1, sni: 'facebook.com',
      alpn: [], hasAlpn: false, extensionTypes: [0, 11, 10, 35, 22, 23, 13, 43, 45, 51], certificateCount: 0,
      certSubjectCn: null, certIssuerCn: null,
    })
    expect(tls.describeHandshake(m)).toBe('ClientHello 0x303 sni=facebook.com ciphers=31')

    const s = tls.createSummary()
    tls.addRecord(s, h)
    tls.addHandshake(s, m)
    const r = tls.toRecord(s)
    expect(r).toEqual({
      type: 'tls', handshake: [1], version: 0x0301, sni: 'facebook.com', alpn: null, clientVersion: 0x0303,
      clientSupportedVersions: [0x0304, 0x0303, 0x0302, 0x0301], serverVersion: null, cipherCount: 31,
      cipherSuite: null, certSubjectCn: null, certIssuerCn: null,
    })
    expect(Object.keys(r).slice(0, 4)).toEqual(['type', 'handshake', 'version', 'sni'])
  })

  it('reads the TLS 1.3 ServerHello: the chosen version is in supported_versions', () => {
    const { result, m } = handshakeOf(SERVER_HELLO_RECORD, 5)
    expect(result).toBe(OK)
    expect(m).toMatchObject({ msgType: 2, length: 118, legacyVersion: 0x0303, cipherSuite: 0x1303, supportedVersions: [0x0304], extensionTypes: [43, 51] })
    expect(tls.describeHandshake(m)).toBe('ServerHello 0x304 cipher=0x1303')
    const s = tls.createSummary()
    tls.addHandshake(s, m)
    expect(tls.toRecord(s)).toMatchObject({ handshake: [2], serverVersion: 0x0304, cipherSuite: 0x1303, version: -1 })
  })

  it('frames the records of a real segment one by one, and waits for the cut one', () => {
    const b = SERVER_FLIGHT
    expect(tls.frameRecord(b, 0, b.length)).toBe(127)
    expect(tls.frameRecord(b, 127, b.length)).toBe(6)
    expect(tls.frameRecord(b, 133, b.length)).toBe(0)   // 1022-byte application data record, 8 bytes here
    const h = tls.create()
    expect(tls.decode(b, 127, 133, h)).toBe(OK)
    expect(h).toMatchObject({ contentType: 20, version: 0x0303, length: 1 })
    expect(tls.decode(b, 133, b.length, h)).toEqual({
      ok: false, kind: 'truncated', layer: 'tls', part: 'payload', need: 1022, have: 8, lenSource: 'reassembly', offset: 133,
    })
    expect(h).toMatchObject({ contentType: 23, length: 1017, payloadOffset: 138, payloadEnd: 141 })
    const { messages, summary } = stream(b)
    expect(messages.map((x) => x.type)).toEqual([2])
    expect(summary.recordVersion).toBe(0x0303)
  })
})

describe('tls: truncation sweep', () => {
  it('reports a truncated record header for every length short of 5 bytes', () => {
    for (let have = 0; have < tls.HEADER_LEN; have++) {
      expect(tls.decode(CLIENT_HELLO_RECORD, 0, have, tls.create())).toEqual({
        ok: false, kind: 'truncated', layer: 'tls', part: 'header', need: 5, have, lenSource: 'reassembly', offset: 0,
      })
    }
  })

  it('keeps the record header when the fragment is cut, at every length', () => {
    const h = tls.create()
    for (let end = 5; end < CLIENT_HELLO_RECORD.length; end++) {
      expect(tls.decode(CLIENT_HELLO_RECORD, 0, end, h)).toMatchObject({ kind: 'truncated', part: 'payload', need: 314, have: end })
      expect([h.payloadOffset, h.payloadEnd]).toEqual([5, end])
    }
  })

  it('reports a cut handshake message: header below 4 bytes, payload above', () => {
    for (let end = 5; end < CLIENT_HELLO_RECORD.length; end++) {
      const { result, m } = handshakeOf(CLIENT_HELLO_RECORD, 5, end)
      if (end - 5 < 4) {
        expect(result).toEqual({ ok: false, kind: 'truncated', layer: 'tls', part: 'header', need: 4, have: end - 5, lenSource: 'reassembly', offset: 5 })
      } else {
        expect(result).toMatchObject({ kind: 'truncated', part: 'payload', need: 309, have: end - 5, offset: 5 })
        expect([m.msgType, m.length, m.sni]).toEqual([1, 305, null])
      }
    }
  })

  it('frames nothing until the whole record is there', () => {
    for (let end = 0; end < CLIENT_HELLO_RECORD.length; end++) expect(tls.frameRecord(CLIENT_HELLO_RECORD, 0, end)).toBe(0)
    expect(tls.frameRecord(CLIENT_HELLO_RECORD, 0, 314)).toBe(314)
  })
})

describe('tls: forbidden values', () => {
  const withByte = (src: Uint8Array, at: number, v: number) => { const b = src.slice(); b[at] = v; return b }

  it.each([0, 19, 25, 0x80])('rejects content type %i (not TLS)', (type) => {
    const b = withByte(CLIENT_HELLO_RECORD, 0, type)
    expect(tls.decode(b, 0, b.length, tls.create())).toEqual({
      ok: false, kind: 'malformed', layer: 'tls', field: 'contentType', value: type, expected: '20-24', offset: 0,
    })
    expect(tls.frameRecord(b, 0, b.length)).toBe(-1)
    expect(tls.looksLikeTls(b, 0, b.length)).toBe(false)
  })

  it.each([0x0200, 0x0305, 0x0403, 0x0000])('rejects record version %i', (version) => {
    const b = CLIENT_HELLO_RECORD.slice()
    b[1] = version >> 8
    b[2] = version & 0xff
    expect(tls.decode(b, 0, b.length, tls.create())).toMatchObject({ kind: 'malformed', field: 'version', value: version })
    expect(tls.frameRecord(b, 0, b.length)).toBe(-1)
  })

  it('rejects a record longer than 2^14 + 2048', () => {
    const b = Uint8Array.of(22, 3, 3, (MAX_TLS_RECORD_BYTES + 1) >> 8, (MAX_TLS_RECORD_BYTES + 1) & 0xff)
    expect(tls.decode(b, 0, 5, tls.create())).toMatchObject({ kind: 'malformed', field: 'length', value: MAX_TLS_RECORD_BYTES + 1 })
    expect(tls.frameRecord(b, 0, 5)).toBe(-1)
    b[4] = b[4]! - 1
    expect(tls.frameRecord(b, 0, 5)).toBe(0)
  })

  const hello = (f: Partial<tls.ClientHelloFields> = {}) => tls.clientHello({ version: 0x0303, cipherSuites: [0x1301, 0xc02f], sni: 'a.example', ...f })

  it('rejects a session id longer than 32 bytes', () => {
    const b = hello({ sessionId: new Uint8Array(33) })
    expect(handshakeOf(b).result).toEqual({
      ok: false, kind: 'malformed', layer: 'tls', field: 'clientHello.sessionIdLength', value: 33, expected: '<= 32', offset: 0,
    })
  })

  it('rejects an odd cipher suites length', () => {
    const b = hello()
    b[4 + 2 + 32 + 1 + 1] = 3 // cipher suites length 4 -> 3
    expect(handshakeOf(b).result).toMatchObject({ kind: 'malformed', field: 'clientHello.cipherSuitesLength', value: 3, expected: 'even' })
  })

  it('rejects inner lengths that run out of the message, keeping what was read before', () => {
    const b = hello({ alpn: ['h2'] })
    const cut = b.slice()
    cut[1] = 0; cut[2] = 0; cut[3] = 60 // message claims 60 body bytes: ends inside the extensions
    const { result, m } = handshakeOf(cut, 0, 64)
    expect(result).toMatchObject({ kind: 'malformed', field: 'clientHello.extensionsLength', expected: 'inside the enclosing length' })
    expect([m.msgType, m.cipherCount]).toEqual([1, 2])
  })

  it('rejects an empty ALPN protocol name and an odd supported_versions length', () => {
    expect(handshakeOf(hello({ extensions: [{ type: 16, data: Uint8Array.of(0, 1, 0) }] })).result)
      .toMatchObject({ kind: 'malformed', field: 'alpn.nameLength', value: 0, expected: '>= 1' })
    expect(handshakeOf(hello({ extensions: [{ type: 43, data: Uint8Array.of(3, 3, 4, 3) }] })).result)
      .toMatchObject({ kind: 'malformed', field: 'supportedVersions.length', value: 3, expected: 'even' })
    expect(handshakeOf(hello({ extensions: [{ type: 0, data: Uint8Array.of(0, 9, 0, 0, 1, 0x61) }] })).result)
      .toMatchObject({ kind: 'malformed', field: 'serverName.listLength' })
  })

  it(`rejects more than ${MAX_TLS_EXTENSIONS} extensions`, () => {
    const many = Array.from({ length: MAX_TLS_EXTENSIONS }, () => ({ type: 0xfafa, data: new Uint8Array(0) }))
    expect(handshakeOf(hello({ sni: null, extensions: many })).result).toBe(OK)
    expect(handshakeOf(hello({ extensions: many })).result).toMatchObject({
      kind: 'malformed', field: 'clientHello.extensions', value: MAX_TLS_EXTENSIONS + 1, expected: `<= ${MAX_TLS_EXTENSIONS}`,
    })
  })

  it('rejects certificates that are not X.509 DER, naming the field', () => {
    const cert = (der: Uint8Array) => handshakeOf(tls.certificateMessage([der])).result
    expect(cert(Uint8Array.of(1, 2, 3))).toMatchObject({ kind: 'malformed', field: 'certificate.der', value: 1 })
    expect(cert(tlv(Tag.Sequence, tlv(Tag.Integer, [1])))).toMatchObject({ field: 'certificate.tbsCertificate', value: 2 })
    expect(cert(tlv(Tag.Sequence, tlv(Tag.Sequence, tlv(Tag.Integer, [1]))))).toMatchObject({ field: 'certificate.signature' })
    expect(cert(Uint8Array.of(0x30, 0x80, 0, 0))).toMatchObject({ field: 'certificate.der', value: 0x30 }) // indefinite length
    // A Name whose RDN is not a SET.
    const badName = tlv(Tag.Sequence, tlv(Tag.Sequence,
      tlv(Tag.Integer, [1]), tlv(Tag.Sequence), tlv(Tag.Sequence, tlv(Tag.Sequence)), tlv(Tag.Sequence), tlv(Tag.Sequence)))
    expect(cert(badName)).toMatchObject({ field: 'certificate.name', value: 0x30 })
  })

  it(`rejects a Name with more than ${MAX_X509_NAME_ATTRIBUTES} attributes`, () => {
    const attrs: Array<[string, string]> = Array.from({ length: MAX_X509_NAME_ATTRIBUTES }, () => ['2.5.4.11', 'x'])
    expect(handshakeOf(tls.certificateMessage([tls.certificateDer({ subjectCn: null, issuerCn: null, extraAttributes: attrs })])).result).toBe(OK)
    const over = tls.certificateDer({ subjectCn: 'a', issuerCn: 'b', extraAttributes: attrs })
    expect(handshakeOf(tls.certificateMessage([over])).result).toMatchObject({
      kind: 'malformed', field: 'certificate.nameAttributes', value: MAX_X509_NAME_ATTRIBUTES + 1,
    })
  })
})

describe('tls: edge cases', () => {
  it('reads the first certificate of a TLS 1.2 Certificate message', () => {
    const { result, m } = handshakeOf(tls.certificateMessage([LEAF, ISSUER]))
    expect(result).toBe(OK)
    expect(m).toMatchObject({ msgType: 11, certificateCount: 2, certSubjectCn: 'login.microsoftonline.com', certIssuerCn: 'Contoso TLS Inspection CA' })
    expect(tls.describeHandshake(m)).toBe('Certificate x2 subject CN=login.microsoftonline.com issuer CN=Contoso TLS Inspection CA')
    const empty = handshakeOf(tls.certificateMessage([]))
    expect(empty.result).toBe(OK)
    expect(empty.m).toMatchObject({ certificateCount: 0, certSubjectCn: null, certIssuerCn: null })
  })

  it('takes the last CN of a Name, reads BMPString and UTF8String, and gives null without a CN', () => {
    const cnSet = (value: Uint8Array) => tlv(Tag.Set, tlv(Tag.Sequence, tlv(Tag.Oid, oidBytes('2.5.4.3')), value))
    const name = (...sets: Uint8Array[]) => tlv(Tag.Sequence, ...sets)
    const cert = (issuer: Uint8Array, subject: Uint8Array) => tlv(Tag.Sequence, tlv(Tag.Sequence,
      tlv(Tag.Integer, [7]), tlv(Tag.Sequence), issuer, tlv(Tag.Sequence), subject))
    const bmp = tlv(Tag.BmpString, [0x00, 0x43, 0x00, 0xe9]) // "Cé"
    const { result, m } = handshakeOf(tls.certificateMessage([cert(name(cnSet(tlv(Tag.PrintableString, [0x41])), cnSet(bmp)), name(cnSet(tlv(Tag.Utf8String, [0xc3, 0xa9]))))]))
    expect(result).toBe(OK)
    expect([m.certIssuerCn, m.certSubjectCn]).toEqual(['Cé', 'é'])
    const none = handshakeOf(tls.certificateMessage([tls.certificateDer({ subjectCn: null, issuerCn: null })]))
    expect([none.result, none.m.certSubjectCn, none.m.certIssuerCn]).toEqual([OK, null, null])
  })

  it('reads a ClientHello without extensions (SSL 3.0 style) and keeps non-ASCII SNI bytes', () => {
    const plain = handshakeOf(tls.clientHello({ version: 0x0300, cipherSuites: [0x002f] }))
    expect(plain.result).toBe(OK)
    expect(plain.m).toMatchObject({ legacyVersion: 0x0300, cipherCount: 1, sni: null, extensionTypes: [], supportedVersions: [] })
    const odd = handshakeOf(tls.clientHello({ version: 0x0303, cipherSuites: [], sni: 'b\u00e4d\u0007.example' }))
    expect(odd.m.sni).toBe('b\u00e4d\u0007.example')
  })

  it('joins one message spread over many records, split at every byte boundary', () => {
    const cert = tls.certificateMessage([LEAF, ISSUER])
    const bytes = tls.records(22, 0x0303, cert, 100)
    expect(tls.frameRecord(bytes, 0, bytes.length)).toBe(105)
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const { messages, left } = stream(bytes, [cut, bytes.length - cut])
      expect(messages).toEqual([{ type: 11, result: OK, sni: null, subject: 'login.microsoftonline.com' }])
      expect(left).toBe(0)
    }
  })

  it('reads several messages in one record (a TLS 1.2 server flight)', () => {
    const flight = concat(
      tls.serverHello({ version: 0x0303, cipherSuite: 0xc02f, alpn: 'http/1.1' }),
      tls.certificateMessage([LEAF]),
      tls.handshakeMessage(tls.HandshakeType.ServerHelloDone, []),
    )
    const { messages, summary } = stream(tls.records(22, 0x0303, flight))
    expect(messages.map((x) => [x.type, x.result])).toEqual([[2, OK], [11, OK], [14, OK]])
    expect(tls.toRecord(summary)).toEqual({
      type: 'tls', handshake: [2, 11, 14], version: 0x0303, sni: null, alpn: ['http/1.1'], clientVersion: null,
      clientSupportedVersions: null, serverVersion: 0x0303, cipherCount: null, cipherSuite: 0xc02f,
      certSubjectCn: 'login.microsoftonline.com', certIssuerCn: 'Contoso TLS Inspection CA',
    })
  })

  it('skips a message larger than the bound by its length and finds the next one', () => {
    const big = tls.handshakeMessage(tls.HandshakeType.Certificate, new Uint8Array(5000))
    const bytes = tls.records(22, 0x0303, concat(big, tls.handshakeMessage(14, [])), 1000)
    for (const chunks of [[bytes.length], [3, 1500, bytes.length - 1503]]) {
      const { messages, collector } = stream(bytes, chunks, 2048)
      expect(messages.map((x) => x.type)).toEqual([14])
      expect([collector.skipped, collector.buffered]).toEqual([1, 0])
    }
    const c = new tls.TlsHandshakeCollector(2048)
    c.push(big, 0, 3, () => {})
    expect(c.buffered).toBe(3)
    c.reset()
    expect(c.buffered).toBe(0)
  })

  it('refuses bytes that are not TLS: HTTP, SSL 2.0', () => {
    const http = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')
    expect(tls.frameRecord(http, 0, http.length)).toBe(-1)
    expect(tls.looksLikeTls(http, 0, http.length)).toBe(false)
    const sslv2 = Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01)
    expect(tls.frameRecord(sslv2, 0, 5)).toBe(-1)
    expect(tls.looksLikeTls(CLIENT_HELLO_RECORD, 0, 314)).toBe(true)
    expect(tls.looksLikeTls(CLIENT_HELLO_RECORD, 0, 4)).toBe(false)
    expect(tls.frameRecord(CLIENT_HELLO_RECORD, 0, 1)).toBe(0)
    expect(tls.frameRecord(Uint8Array.of(22, 2), 0, 2)).toBe(-1)
  })
})

describe('der.readTlv', () => {
  it('reads short and long lengths and refuses what DER forbids or this reader skips', () => {
    const t = createTlv()
    expect(readTlv(Uint8Array.of(0x02, 0x01, 0x05), 0, 3, t)).toBe(true)
    expect(t).toEqual({ tag: 2, valueOffset: 2, valueEnd: 3 })
    const long = tlv(Tag.Utf8String, new Uint8Array(300))
    expect(Array.from(long.subarray(0, 4))).toEqual([0x0c, 0x82, 0x01, 0x2c])
    expect(readTlv(long, 0, long.length, t)).toBe(true)
    expect(t).toEqual({ tag: 0x0c, valueOffset: 4, valueEnd: 304 })
    expect(readTlv(long, 0, long.length - 1, t)).toBe(false)                         // runs past end
    expect(readTlv(Uint8Array.of(0x30, 0x80, 0, 0), 0, 4, t)).toBe(false)            // indefinite
    expect(readTlv(Uint8Array.of(0x1f, 0x01, 0x00), 0, 3, t)).toBe(false)            // high tag number
    expect(readTlv(Uint8Array.of(0x04, 0x85, 1, 1, 1, 1, 1), 0, 7, t)).toBe(false)   // 5 length bytes
    expect(readTlv(Uint8Array.of(0x04), 0, 1, t)).toBe(false)
  })
})

describe('tls encoders', () => {
  it('round-trips a ClientHello through records and decode at a non-zero offset', () => {
    const f: tls.ClientHelloFields = {
      version: 0x0303, cipherSuites: [0x1301, 0x1302, 0xc02b], sni: 'management.azure.com', alpn: ['h2', 'http/1.1'],
      supportedVersions: [0x0304, 0x0303], sessionId: new Uint8Array(32).fill(9),
    }
    const rec = tls.records(22, 0x0301, tls.clientHello(f))
    const bytes = new Uint8Array(7 + rec.length)
    bytes.set(rec, 7)
    expect(tls.frameRecord(bytes, 7, bytes.length)).toBe(rec.length)
    const h = tls.create()
    expect(tls.decode(bytes, 7, bytes.length, h)).toBe(OK)
    expect(h).toMatchObject({ contentType: 22, version: 0x0301, length: rec.length - 5, payloadOffset: 12 })
    const { result, m } = handshakeOf(bytes, h.payloadOffset, h.payloadEnd)
    expect(result).toBe(OK)
    expect(m).toMatchObject({
      msgType: 1, legacyVersion: 0x0303, cipherCount: 3, sni: 'management.azure.com', alpn: ['h2', 'http/1.1'],
      hasAlpn: true, supportedVersions: [0x0304, 0x0303], extensionTypes: [0, 16, 43],
    })
  })

  it('round-trips a ServerHello and a Certificate at a non-zero offset', () => {
    const sh = tls.serverHello({ version: 0x0303, cipherSuite: 0x1302, supportedVersion: 0x0304, sessionId: new Uint8Array(32) })
    const cert = tls.certificateMessage([LEAF])
    const both = concat(new Uint8Array(3), sh, cert)
    const a = handshakeOf(both, 3, 3 + sh.length)
    expect(a.result).toBe(OK)
    expect(a.m).toMatchObject({ msgType: 2, legacyVersion: 0x0303, cipherSuite: 0x1302, supportedVersions: [0x0304] })
    const b = handshakeOf(both, 3 + sh.length)
    expect(b.result).toBe(OK)
    expect(b.m).toMatchObject({ msgType: 11, certificateCount: 1, certSubjectCn: 'login.microsoftonline.com', certIssuerCn: 'Contoso TLS Inspection CA' })
  })

  it('writes the real ClientHello record header byte for byte', () => {
    const out = new Uint8Array(tls.encodingLength())
    tls.encode({ contentType: 22, version: 0x0301, length: 309 }, out, 0)
    expect(out).toEqual(CLIENT_HELLO_RECORD.subarray(0, 5))
  })
})

describe('tls fuzz', () => {
  it('never throws: records, handshake messages, certificates and the stream collector', () => {
    const seeds = [
      CLIENT_HELLO_RECORD, SERVER_FLIGHT,
      tls.records(22, 0x0303, concat(tls.certificateMessage([LEAF, ISSUER]), tls.handshakeMessage(14, []))),
      tls.records(22, 0x0303, tls.clientHello({ version: 0x0303, cipherSuites: [1, 2], sni: 'x', alpn: ['h2'], supportedVersions: [0x0304] }), 40),
    ]
    const header = tls.create()
    const m = tls.createHandshake()
    let seed = 0x715
    for (const base of seeds) {
      for (const [bytes, offset, end] of fuzzInputs(seed++, base, 1500)) {
        const r = tls.decode(bytes, offset, end, header)
        if (r.ok) expect(header.payloadEnd).toBeLessThanOrEqual(end)
        else expect(r.offset).toBe(offset)
        const hr = tls.decodeHandshake(bytes, offset, end, m)
        if (!hr.ok) expect(hr.offset).toBe(offset)
        expect(typeof tls.describeHandshake(m)).toBe('string')
        const n = tls.frameRecord(bytes, offset, end)
        expect(n).toBeLessThanOrEqual(end - offset)
        tls.looksLikeTls(bytes, offset, end)
        const c = new tls.TlsHandshakeCollector(512)
        const s = tls.createSummary()
        c.push(bytes, offset, end, (msg) => tls.addHandshake(s, msg))
        c.push(bytes, 0, Math.min(bytes.length, 40), (msg) => tls.addHandshake(s, msg))
        expect(c.buffered).toBeLessThanOrEqual(512)
        expect(() => JSON.stringify(tls.toRecord(s))).not.toThrow()
      }
    }
  })
})
