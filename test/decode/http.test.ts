import { describe, expect, it } from 'vitest'

import * as http from '../../src/decode/http.js'
import { OK } from '../../src/decode/issue.js'
import { MAX_HTTP_HEADERS, MAX_HTTP_HEADER_BYTES, MAX_HTTP_METHOD_LEN } from '../../src/decode/limits.js'
import { fromHex } from '../support/bytes.js'
import { layerDecodeAt } from '../support/layer.js'
import { fuzzInputs } from '../support/random.js'

// vlan-triple-tagged-http.pcap frame 4 (VLANs 30/20/10, TCP payload at frame offset 0x4e): wget's request.
//   "GET /download/CHANGES.bro-aux.txt HTTP/1.1\r\n" "User-Agent: Wget/1.14 (darwin12.2.0)\r\n"
//   "Accept: */*\r\n" "Host: bro.org\r\n" "Connection: Keep-Alive\r\n" "\r\n"
const WGET_REQUEST = fromHex(`
  0000  47 45 54 20 2f 64 6f 77 6e 6c 6f 61 64 2f 43 48
  0010  41 4e 47 45 53 2e 62 72 6f 2d 61 75 78 2e 74 78
  0020  74 20 48 54 54 50 2f 31 2e 31 0d 0a 55 73 65 72
  0030  2d 41 67 65 6e 74 3a 20 57 67 65 74 2f 31 2e 31
  0040  34 20 28 64 61 72 77 69 6e 31 32 2e 32 2e 30 29
  0050  0d 0a 41 63 63 65 70 74 3a 20 2a 2f 2a 0d 0a 48
  0060  6f 73 74 3a 20 62 72 6f 2e 6f 72 67 0d 0a 43 6f
  0070  6e 6e 65 63 74 69 6f 6e 3a 20 4b 65 65 70 2d 41
  0080  6c 69 76 65 0d 0a 0d 0a
`)

// Same capture, frame 6: the head of Apache's answer (the body follows in this and later segments).
//   "HTTP/1.1 200 OK\r\n" Date, Server, Last-Modified, ETag, Accept-Ranges, "Content-Length: 4705",
//   Keep-Alive, Connection, Content-Type, "\r\n"
const APACHE_RESPONSE = fromHex(`
  0000  48 54 54 50 2f 31 2e 31 20 32 30 30 20 4f 4b 0d
  0010  0a 44 61 74 65 3a 20 54 68 75 2c 20 30 37 20 4d
  0020  61 72 20 32 30 31 33 20 32 31 3a 34 33 3a 30 37
  0030  20 47 4d 54 0d 0a 53 65 72 76 65 72 3a 20 41 70
  0040  61 63 68 65 2f 32 2e 34 2e 33 20 28 46 65 64 6f
  0050  72 61 29 0d 0a 4c 61 73 74 2d 4d 6f 64 69 66 69
  0060  65 64 3a 20 57 65 64 2c 20 32 39 20 41 75 67 20
  0070  32 30 31 32 20 32 33 3a 34 39 3a 32 37 20 47 4d
  0080  54 0d 0a 45 54 61 67 3a 20 22 31 32 36 31 2d 34
  0090  63 38 37 30 33 35 38 61 36 66 63 30 22 0d 0a 41
  00a0  63 63 65 70 74 2d 52 61 6e 67 65 73 3a 20 62 79
  00b0  74 65 73 0d 0a 43 6f 6e 74 65 6e 74 2d 4c 65 6e
  00c0  67 74 68 3a 20 34 37 30 35 0d 0a 4b 65 65 70 2d
  00d0  41 6c 69 76 65 3a 20 74 69 6d 65 6f 75 74 3d 35
  00e0  2c 20 6d 61 78 3d 31 30 30 0d 0a 43 6f 6e 6e 65
  00f0  63 74 69 6f 6e 3a 20 4b 65 65 70 2d 41 6c 69 76
  0100  65 0d 0a 43 6f 6e 74 65 6e 74 2d 54 79 70 65 3a
  0110  20 74 65 78 74 2f 70 6c 61 69 6e 3b 20 63 68 61
  0120  72 73 65 74 3d 55 54 46 2d 38 0d 0a 0d 0a
`)

// vxlan-inside-gre-erspan-http.pcap frame 4 (GRE / ERSPAN / VXLAN / TCP, payload at 0x9a):
//   "GET /Hello Arkime HTTP/1.0\r\n\r\n": a space inside the target, no Host field.
const ARKIME_REQUEST = fromHex(`
  0000  47 45 54 20 2f 48 65 6c 6c 6f 20 41 72 6b 69 6d
  0010  65 20 48 54 54 50 2f 31 2e 30 0d 0a 0d 0a
`)

// Same capture, frame 5: "HTTP/1.1 200 OK\r\n\r\n" and an 8-byte body "Hi Andy!".
const ARKIME_RESPONSE = fromHex(`
  0000  48 54 54 50 2f 31 2e 31 20 32 30 30 20 4f 4b 0d
  0010  0a 0d 0a 48 69 20 41 6e 64 79 21
`)

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff)

const decodeAt = layerDecodeAt(http)

describe('http.decode: real heads', () => {
  it("reads wget's request", () => {
    const { result, header } = decodeAt(WGET_REQUEST)
    expect(result).toBe(OK)
    expect(header).toEqual({
      isResponse: false, method: 'GET', target: '/download/CHANGES.bro-aux.txt', targetForm: 'origin', version: 'HTTP/1.1',
      status: 0, reason: '', host: 'bro.org', hostCount: 1, proxyAuthorization: false, proxyConnection: false,
      contentLength: -1, chunked: false, headerCount: 4, headersSkipped: 0, complete: true, payloadOffset: 136, payloadEnd: 136,
    })
    const r = http.toRecord(header)
    expect(r).toEqual({
      type: 'http', method: 'GET', target: '/download/CHANGES.bro-aux.txt', host: 'bro.org', version: 'HTTP/1.1',
      targetForm: 'origin', proxyAuthorization: false, proxyConnection: false, response: null,
    })
    expect(Object.keys(r).slice(0, 4)).toEqual(['type', 'method', 'target', 'host'])
    expect(http.describe(header)).toBe('HTTP GET /download/CHANGES.bro-aux.txt HTTP/1.1 host=bro.org')
    expect(http.frameHeader(WGET_REQUEST, 0, WGET_REQUEST.length)).toBe(136)
  })

  it("reads Apache's response head: status, reason, Content-Length", () => {
    const { result, header } = decodeAt(APACHE_RESPONSE)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ isResponse: true, version: 'HTTP/1.1', status: 200, reason: 'OK', contentLength: 4705, headerCount: 9, complete: true, payloadOffset: 302 })
    expect(http.toRecord(header)).toEqual({
      type: 'http', method: null, target: null, host: null, version: 'HTTP/1.1', targetForm: null,
      proxyAuthorization: null, proxyConnection: null, response: { status: 200, reason: 'OK' },
    })
    expect(http.describe(header)).toBe('HTTP/1.1 200 OK')
    expect(http.frameHeader(APACHE_RESPONSE, 0, APACHE_RESPONSE.length)).toBe(302)
  })

  it('takes the target between the first and the last space (tshark: "/Hello", version "Arkime HTTP/1.0")', () => {
    const { result, header } = decodeAt(ARKIME_REQUEST)
    expect(result).toBe(OK)
    expect(http.toRecord(header)).toMatchObject({ method: 'GET', target: '/Hello Arkime', host: null, version: 'HTTP/1.0' })
  })

  it('ends the head at the blank line and leaves the body after it', () => {
    const { result, header } = decodeAt(ARKIME_RESPONSE)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ status: 200, reason: 'OK', headerCount: 0, payloadOffset: 19, payloadEnd: 27 })
    expect(http.frameHeader(ARKIME_RESPONSE, 0, ARKIME_RESPONSE.length)).toBe(19)
  })
})

describe('http: truncation sweep', () => {
  it('reports every cut of a real request: header before the first line end, payload after', () => {
    const firstLf = WGET_REQUEST.indexOf(0x0a)
    for (let end = 0; end < WGET_REQUEST.length; end++) {
      const { result, header } = decodeAt(WGET_REQUEST, 0, end)
      if (end <= firstLf) {
        expect(result).toEqual({ ok: false, kind: 'truncated', layer: 'http', part: 'header', need: end + 1, have: end, lenSource: 'reassembly', offset: 0 })
      } else {
        expect(result).toEqual({ ok: false, kind: 'truncated', layer: 'http', part: 'payload', need: end + 1, have: end, lenSource: 'reassembly', offset: 0 })
        expect([header.method, header.complete]).toEqual(['GET', false])
        expect(header.host).toBe(end >= 0x6e ? 'bro.org' : null)
      }
      expect(http.frameHeader(WGET_REQUEST, 0, end)).toBe(http.NEED_MORE)
    }
  })

  it('says NEED_MORE for every prefix of a response head, then its length', () => {
    for (let end = 0; end < APACHE_RESPONSE.length; end++) expect(http.frameHeader(APACHE_RESPONSE, 0, end)).toBe(0)
    expect(http.frameHeader(APACHE_RESPONSE, 0, APACHE_RESPONSE.length)).toBe(APACHE_RESPONSE.length)
  })
})

describe('http: not HTTP', () => {
  it.each([
    ['G@T / HTTP/1.1\r\n\r\n', 'method', 0x40],
    [' GET / HTTP/1.1\r\n\r\n', 'method', 0x20],
    ['\x16\x03\x01\x01\x35\x01\r\n\r\n', 'method', 0x16],
    ['GET\r\n\r\n', 'method', -1],
    ['GET / HTTX/1.1\r\n\r\n', 'version', 14],
    ['GET /\r\n\r\n', 'version', 5],
    ['GET / HTTP/1.1x\r\n\r\n', 'version', 15],
    ['GET  HTTP/1.1\r\n\r\n', 'target', 0],
    ['HTTP/1.1 2x0 OK\r\n\r\n', 'status', 6],
    ['HTTP/1.1 20\r\n\r\n', 'status', 2],
    ['HTTP/1.1200 OK\r\n\r\n', 'version', 14],
    ['HTTP/x.1 200 OK\r\n\r\n', 'version', 15],
  ])('%j is malformed (%s)', (head, field, value) => {
    const bytes = text(head)
    expect(decodeAt(bytes).result).toMatchObject({ ok: false, kind: 'malformed', layer: 'http', field, value, offset: 0 })
    expect(http.frameHeader(bytes, 0, bytes.length)).toBe(http.NOT_HTTP)
  })

  it(`rejects a method longer than ${MAX_HTTP_METHOD_LEN} characters`, () => {
    const long = text(`${'X'.repeat(MAX_HTTP_METHOD_LEN + 1)} / HTTP/1.1\r\n\r\n`)
    expect(decodeAt(long).result).toMatchObject({ kind: 'malformed', field: 'method', value: MAX_HTTP_METHOD_LEN + 1 })
    expect(http.frameHeader(long, 0, long.length)).toBe(http.NOT_HTTP)
    const ok = text(`${'X'.repeat(MAX_HTTP_METHOD_LEN)} / HTTP/1.1\r\n\r\n`)
    expect(decodeAt(ok).result).toBe(OK)
  })

  it(`rejects a first line longer than ${MAX_HTTP_HEADER_BYTES} bytes`, () => {
    const long = text(`GET /${'a'.repeat(MAX_HTTP_HEADER_BYTES)}`)
    expect(decodeAt(long).result).toMatchObject({ kind: 'malformed', field: 'startLine', value: MAX_HTTP_HEADER_BYTES })
    expect(http.frameHeader(long, 0, long.length)).toBe(http.NOT_HTTP)
  })
})

describe('http: edge cases', () => {
  const head = (s: string) => decodeAt(text(s))

  it('recognises an explicit proxy: absolute-form and Proxy-* fields', () => {
    const { result, header } = head('GET http://login.microsoftonline.com/common HTTP/1.1\r\nHost: login.microsoftonline.com\r\n' +
      'Proxy-Connection: keep-alive\r\nPROXY-AUTHORIZATION: Basic dTpw\r\n\r\n')
    expect(result).toBe(OK)
    expect(http.toRecord(header)).toEqual({
      type: 'http', method: 'GET', target: 'http://login.microsoftonline.com/common', host: 'login.microsoftonline.com',
      version: 'HTTP/1.1', targetForm: 'absolute', proxyAuthorization: true, proxyConnection: true, response: null,
    })
  })

  it('classifies the authority and asterisk forms', () => {
    expect(head('CONNECT management.azure.com:443 HTTP/1.1\r\nHost: management.azure.com:443\r\n\r\n').header)
      .toMatchObject({ method: 'CONNECT', target: 'management.azure.com:443', targetForm: 'authority', host: 'management.azure.com:443' })
    expect(head('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n').header.targetForm).toBe('asterisk')
    expect(http.targetForm('GET', '[2001:db8::1]:8080')).toBe('authority')
    expect(http.targetForm('GET', 'https://x')).toBe('absolute')
    expect(http.targetForm('GET', 'index.html')).toBe('other')
  })

  it('keeps non-ASCII and control bytes in method-less places: target and host', () => {
    const { result, header } = head('GET /caf\xe9\x01?q=\x7f HTTP/1.1\r\nHost: h\xffst\x1b.example\r\n\r\n')
    expect(result).toBe(OK)
    expect([header.target, header.host]).toEqual(['/caf\xe9\x01?q=\x7f', 'h\xffst\x1b.example'])
  })

  it('reads field names in any case, trims OWS, keeps the first of two Host fields', () => {
    const { header } = head('GET / HTTP/1.1\r\nhOST: \t a.example \t\r\nHost: b.example\r\ncontent-length: 12\r\n\r\n')
    expect(header).toMatchObject({ host: 'a.example', hostCount: 2, contentLength: 12 })
    expect(head('POST / HTTP/1.1\r\nContent-Length: 12a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n').header)
      .toMatchObject({ contentLength: -1, chunked: true })
    expect(head('POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n').header.chunked).toBe(false)
  })

  it('accepts bare LF line ends and empty lines before the request line', () => {
    const lf = text('GET /a HTTP/1.1\nHost: lf.example\n\nbody')
    expect(decodeAt(lf).header).toMatchObject({ host: 'lf.example', complete: true, payloadOffset: 34 })
    expect(http.frameHeader(lf, 0, lf.length)).toBe(34)
    const lead = text('\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(decodeAt(lead).header).toMatchObject({ target: '/b', complete: true, payloadOffset: lead.length })
    expect(http.frameHeader(lead, 0, lead.length)).toBe(lead.length)
    expect(http.looksLikeHttpRequest(lead, 0, lead.length)).toBe(true)
  })

  it('skips continuation lines and lines without a colon', () => {
    const { result, header } = head('GET / HTTP/1.1\r\nX-Long: a\r\n  folded\r\nnot a field\r\nHost: h\r\n\r\n')
    expect(result).toBe(OK)
    expect(header).toMatchObject({ host: 'h', headerCount: 2 })
  })

  it(`reads ${MAX_HTTP_HEADERS} fields and skips the rest, still framing the whole head`, () => {
    const many = http.build(http.fields({ headers: [...Array.from({ length: MAX_HTTP_HEADERS + 5 }, (_, i): [string, string] => [`X-${i}`, 'v']), ['Host', 'late.example']] }))
    const { result, header } = decodeAt(many)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ headerCount: MAX_HTTP_HEADERS, headersSkipped: 6, host: null, complete: true })
    expect(http.frameHeader(many, 0, many.length)).toBe(many.length)
  })

  it(`frames a head longer than ${MAX_HTTP_HEADER_BYTES} bytes as TOO_LARGE and decodes up to the bound`, () => {
    const big = text(`GET / HTTP/1.1\r\nHost: big.example\r\nCookie: ${'c'.repeat(MAX_HTTP_HEADER_BYTES)}\r\n\r\n`)
    expect(http.frameHeader(big, 0, big.length)).toBe(http.TOO_LARGE)
    const { result, header } = decodeAt(big)
    expect(result).toMatchObject({ kind: 'truncated', part: 'payload', have: MAX_HTTP_HEADER_BYTES })
    expect(header).toMatchObject({ method: 'GET', host: 'big.example', complete: false })
  })

  it('finds pipelined requests one after the other', () => {
    const two = new Uint8Array(WGET_REQUEST.length + ARKIME_REQUEST.length)
    two.set(WGET_REQUEST)
    two.set(ARKIME_REQUEST, WGET_REQUEST.length)
    const n = http.frameHeader(two, 0, two.length)
    expect(n).toBe(136)
    expect(http.frameHeader(two, n, two.length)).toBe(ARKIME_REQUEST.length)
    expect(decodeAt(two, n).header.target).toBe('/Hello Arkime')
  })

  it('looksLikeHttp: request and status starts yes, other protocols no', () => {
    const yes = ['GET / H', 'GET /x HTTP/1.1\r\n', 'M-SEARCH * HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n']
    for (const s of yes) expect([s, http.looksLikeHttp(text(s), 0, s.length)]).toEqual([s, true])
    const no = ['GET /x FOO\r\n', '\x16\x03\x01\x00\x05', 'SSH-2.0-OpenSSH_9.6\r\n', 'GE', 'HTTP/1.1 OK', '', ' GET / HTTP/1.1']
    for (const s of no) expect([s, http.looksLikeHttp(text(s), 0, s.length)]).toEqual([s, false])
    expect(http.looksLikeHttpRequest(text('HTTP/1.1 200 OK\r\n'), 0, 17)).toBe(false)
    expect(http.looksLikeHttpRequest(WGET_REQUEST, 0, 5)).toBe(true)
    expect(http.frameHeader(text('SSH-2.0-OpenSSH_9.6\r\n\r\n'), 0, 23)).toBe(http.NOT_HTTP)
  })
})

describe('http.encode', () => {
  it("writes wget's request byte for byte", () => {
    const f = http.fields({
      method: 'GET', target: '/download/CHANGES.bro-aux.txt',
      headers: [['User-Agent', 'Wget/1.14 (darwin12.2.0)'], ['Accept', '*/*'], ['Host', 'bro.org'], ['Connection', 'Keep-Alive']],
    })
    expect(http.encodingLength(f)).toBe(136)
    expect(http.build(f)).toEqual(WGET_REQUEST)
  })

  it('round-trips a proxy request and a response through decode at a non-zero offset', () => {
    const req = http.fields({
      method: 'CONNECT', target: 'login.microsoftonline.com:443', version: 'HTTP/1.1',
      headers: [['Host', 'login.microsoftonline.com:443'], ['Proxy-Authorization', 'Negotiate abc'], ['Content-Length', '0']],
    })
    const bytes = new Uint8Array(9 + http.encodingLength(req) + 3)
    const end = http.encode(req, bytes, 9)
    expect(end).toBe(bytes.length - 3)
    expect(http.frameHeader(bytes, 9, bytes.length)).toBe(end - 9)
    const { result, header } = decodeAt(bytes, 9)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      isResponse: false, method: 'CONNECT', target: 'login.microsoftonline.com:443', version: 'HTTP/1.1', targetForm: 'authority',
      host: 'login.microsoftonline.com:443', proxyAuthorization: true, proxyConnection: false, contentLength: 0,
      headerCount: 3, payloadOffset: end, payloadEnd: bytes.length,
    })
    const res = http.fields({ isResponse: true, version: 'HTTP/1.0', status: 407, reason: 'Proxy Authentication Required', headers: [['Proxy-Authenticate', 'Basic']] })
    const rb = new Uint8Array(4 + http.encodingLength(res))
    http.encode(res, rb, 4)
    const d = decodeAt(rb, 4)
    expect(d.result).toBe(OK)
    expect(http.toRecord(d.header).response).toEqual({ status: 407, reason: 'Proxy Authentication Required' })
  })
})

describe('http fuzz', () => {
  it('never throws; framed lengths and offsets stay inside the input; records serialise', () => {
    const header = http.create()
    let seed = 0x477
    for (const base of [WGET_REQUEST, APACHE_RESPONSE, ARKIME_REQUEST, ARKIME_RESPONSE]) {
      for (const [bytes, offset, end] of fuzzInputs(seed++, base, 2000)) {
        const r = http.decode(bytes, offset, end, header)
        if (r.ok || (r.kind === 'truncated' && r.part === 'payload')) {
          expect(header.payloadOffset).toBeLessThanOrEqual(end)
          expect(header.headerCount).toBeLessThanOrEqual(MAX_HTTP_HEADERS)
          expect(() => JSON.stringify(http.toRecord(header))).not.toThrow()
          expect(typeof http.describe(header)).toBe('string')
        }
        if (!r.ok) expect(r.offset).toBe(offset)
        const n = http.frameHeader(bytes, offset, end)
        expect(n).toBeLessThanOrEqual(end - offset)
        if (n > 0) expect(http.decode(bytes, offset, offset + n, header)).toBe(OK)
        http.looksLikeHttp(bytes, offset, end)
      }
    }
  })
})
