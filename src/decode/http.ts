/**
 * HTTP/1.x message heads (RFC 9112 §2-§5, RFC 9110 §5-§7): the request line or
 * status line and the header fields up to the blank line.
 *
 *   request-line = method SP request-target SP HTTP-version CRLF
 *   status-line  = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 *   *( field-name ":" OWS field-value OWS CRLF )
 *   CRLF
 *   [ message body ]
 *
 *   request-target forms (RFC 9112 §3.2):
 *     origin-form     /where?q=now               (to the origin server)
 *     absolute-form   http://www.example.org/x   (to a proxy)
 *     authority-form  www.example.com:443        (CONNECT, to a proxy)
 *     asterisk-form   *                          (OPTIONS)
 *
 * HTTP runs over TCP: the caller hands in-order stream bytes to `frameHeader`,
 * which says where the head ends (or that more bytes are needed, or that this
 * is not HTTP), then `decode` reads it. `contentLength` and `chunked` tell the
 * caller where the body ends, so the next message of a keep-alive connection
 * can be found.
 *
 * Text is kept byte for byte: method, target, host and reason are built with
 * one character per byte (Latin-1), so non-ASCII and control bytes survive and
 * the report escapes them. A "method" that is not a token means the bytes are
 * not an HTTP request. The target is everything between the first and the last
 * space of the request line (tshark takes the first word, and the rest into the
 * version); a request line without " HTTP/d.d" at its end is not HTTP.
 *
 * Supported: HTTP/1.0 and 1.1 requests and responses; bare-LF line ends (RFC
 * 9112 §2.2 allows recognising them); Host, Proxy-Authorization,
 * Proxy-Connection, Content-Length, Transfer-Encoding; the target form.
 * Not supported: HTTP/0.9 simple requests (no version), HTTP/2 and 3, bodies
 * (skipped by the caller), trailers, obs-fold continuation lines (skipped).
 */
import { latin1 } from './bytes.js'
import { MAX_HTTP_HEADERS, MAX_HTTP_HEADER_BYTES, MAX_HTTP_METHOD_LEN } from './limits.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'

/** HTTP has no fixed offsets: every head starts with its start line. */
export const Field = {
  START_LINE: 0,
} as const

/** The shortest complete head: "X / HTTP/1.1\r\n\r\n" or "HTTP/1.1 200\r\n\r\n". */
export const MIN_HEADER_LEN = 16

/** `frameHeader` results other than a length. */
export const NEED_MORE = 0
export const NOT_HTTP = -1
export const TOO_LARGE = -2

const SP = 0x20
const HT = 0x09
const CR = 0x0d
const LF = 0x0a
const COLON = 0x3a
/** CR and LF bytes skipped before a start line: two empty lines' worth. */
const MAX_LEADING_EMPTY_BYTES = 4

/** RFC 9110 §5.6.2 tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. */
const TCHAR = (() => {
  const t = new Uint8Array(256)
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1
  for (let c = 0x41; c <= 0x5a; c++) { t[c] = 1; t[c + 0x20] = 1 }
  return t
})()

export type TargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk' | 'other'

/** A request or response head as a plain description: what `encode` writes. */
export interface Fields {
  isResponse: boolean
  /** Request only. */
  method: string
  target: string
  /** "HTTP/1.1". */
  version: string
  /** Response only. */
  status: number
  reason: string
  /** Header fields in order, written "name: value". */
  headers: Array<[string, string]>
}

/** A decoded head. Strings are built here (not offsets) because the stream buffer they come from is reused. */
export interface Header {
  isResponse: boolean
  /** Request method ('' for a response). */
  method: string
  /** Request target ('' for a response). */
  target: string
  targetForm: TargetForm
  /** The version text, "HTTP/1.1". */
  version: string
  /** Response status code and reason phrase (0 and '' for a request). */
  status: number
  reason: string
  /** The first Host field's value (OWS trimmed), or null. */
  host: string | null
  /** Host fields seen (RFC 9112 §3.2: a request with more than one is invalid). */
  hostCount: number
  proxyAuthorization: boolean
  proxyConnection: boolean
  /** Content-Length, or -1 when absent or not a plain number. */
  contentLength: number
  /** Transfer-Encoding ends in "chunked". */
  chunked: boolean
  /** Header fields read (at most MAX_HTTP_HEADERS). */
  headerCount: number
  /** Header fields past MAX_HTTP_HEADERS, skipped unread. */
  headersSkipped: number
  /** True when the blank line ending the head was found. */
  complete: boolean
  /** First body byte (after the blank line), or where reading stopped when not complete. */
  payloadOffset: number
  payloadEnd: number
}

/** An empty head to decode into. Allocate once, reuse. */
export function create(): Header {
  return {
    isResponse: false, method: '', target: '', targetForm: 'other', version: '', status: 0, reason: '', host: null,
    hostCount: 0, proxyAuthorization: false, proxyConnection: false, contentLength: -1, chunked: false,
    headerCount: 0, headersSkipped: 0, complete: false, payloadOffset: 0, payloadEnd: 0,
  }
}

/** Offset of the next LF in [from, to), or -1. */
function findLf(bytes: Uint8Array, from: number, to: number): number {
  const i = bytes.subarray(from, to).indexOf(LF)
  return i < 0 ? -1 : from + i
}

/** "HTTP/" DIGIT "." DIGIT at [o, o + 8). */
function isVersion(bytes: Uint8Array, o: number, end: number): boolean {
  return end - o >= 8 && bytes[o] === 0x48 && bytes[o + 1] === 0x54 && bytes[o + 2] === 0x54 && bytes[o + 3] === 0x50 &&
    bytes[o + 4] === 0x2f && isDigit(bytes[o + 5]!) && bytes[o + 6] === 0x2e && isDigit(bytes[o + 7]!)
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** The end of a line's content: before a CR that precedes the LF. */
function lineEnd(bytes: Uint8Array, start: number, lf: number): number {
  return lf > start && bytes[lf - 1] === CR ? lf - 1 : lf
}

/**
 * What the first bytes say: 1 = an HTTP start line, 0 = could still be one
 * (too few bytes to tell), -1 = not HTTP.
 */
function startVerdict(bytes: Uint8Array, offset: number, end: number): number {
  const stop = Math.min(end, bytes.length, offset + MAX_HTTP_HEADER_BYTES)
  if (stop <= offset) return 0
  const prefix = 'HTTP/'
  let matches = 0
  while (matches < prefix.length && offset + matches < stop && bytes[offset + matches] === prefix.charCodeAt(matches)) matches++
  if (matches === prefix.length || offset + matches === stop) {
    // A status line (or the start of one). "HTTP" is also a token, so a request method could start so too.
    if (stop - offset < 9) return 0
    if (!isVersion(bytes, offset, stop) || bytes[offset + 8] !== SP) return matches === prefix.length ? -1 : 0
    const lf = findLf(bytes, offset, stop)
    if (lf < 0) return stop - offset >= MAX_HTTP_HEADER_BYTES ? -1 : 0
    return readStatusLine(bytes, offset, lineEnd(bytes, offset, lf), null, offset).ok ? 1 : -1
  }
  // A request line: token SP target SP HTTP/d.d
  let p = offset
  while (p < stop && TCHAR[bytes[p]!]) p++
  const methodLength = p - offset
  if (methodLength > MAX_HTTP_METHOD_LEN) return -1
  if (p === stop) return 0
  if (bytes[p] !== SP || methodLength === 0) return -1
  if (p + 1 === stop) return 0
  const c = bytes[p + 1]!
  if (c === SP || c === CR || c === LF) return -1
  const lf = findLf(bytes, p + 1, stop)
  if (lf < 0) return stop - offset >= MAX_HTTP_HEADER_BYTES ? -1 : 0
  return readRequestLine(bytes, offset, lineEnd(bytes, offset, lf), null, offset).ok ? 1 : -1
}

/**
 * A plausible request start: a token method (at most MAX_HTTP_METHOD_LEN
 * characters), a space and a target byte; when the line end is there, the
 * line ends in " HTTP/d.d".
 */
export function looksLikeHttpRequest(bytes: Uint8Array, offset: number, end: number): boolean {
  end = Math.min(end, bytes.length)
  offset = skipEmptyLines(bytes, offset, end)
  if (offset < 0 || end - offset < 3) return false
  if (startVerdict(bytes, offset, end) < 0) return false
  let p = offset
  while (p < end && TCHAR[bytes[p]!]) p++
  return p > offset && p + 1 < end && bytes[p] === SP
}

/** A plausible request start (see looksLikeHttpRequest) or status line start ("HTTP/d.d " then a digit). */
export function looksLikeHttp(bytes: Uint8Array, offset: number, end: number): boolean {
  end = Math.min(end, bytes.length)
  offset = skipEmptyLines(bytes, offset, end)
  if (offset < 0) return false
  if (end - offset >= 10 && isVersion(bytes, offset, end) && bytes[offset + 8] === SP && isDigit(bytes[offset + 9]!)) return true
  return looksLikeHttpRequest(bytes, offset, end)
}

/**
 * Frame the head at `offset` of an in-order byte stream: its length up to and
 * including the blank line when it is complete; NEED_MORE (0) when more bytes
 * are needed; NOT_HTTP (-1) when the start line cannot be HTTP; TOO_LARGE (-2)
 * when no blank line comes within MAX_HTTP_HEADER_BYTES (`decode` of the first
 * MAX_HTTP_HEADER_BYTES still gives the start line and the fields before the bound).
 */
export function frameHeader(bytes: Uint8Array, offset: number, end: number): number {
  end = Math.min(end, bytes.length)
  const start = skipEmptyLines(bytes, offset, end)
  const verdict = startVerdict(bytes, start, end)
  if (verdict < 0) return NOT_HTTP
  const stop = Math.min(end, start + MAX_HTTP_HEADER_BYTES)
  const blank = findBlankLine(bytes, start, stop)
  if (blank > 0) return verdict > 0 ? blank - offset : NOT_HTTP
  return stop - start >= MAX_HTTP_HEADER_BYTES ? TOO_LARGE : NEED_MORE
}

/**
 * RFC 9112 §2.2: a server "SHOULD ignore at least one empty line (CRLF) received
 * prior to the request-line" (clients send one after a POST body). Skips up to
 * MAX_LEADING_EMPTY_BYTES bytes of CR and LF.
 */
function skipEmptyLines(bytes: Uint8Array, offset: number, end: number): number {
  let p = offset
  while (p < end && p - offset < MAX_LEADING_EMPTY_BYTES && (bytes[p] === CR || bytes[p] === LF)) p++
  return p
}

/** One past the empty line that ends a head in [offset, stop) ("\n\r\n" or "\n\n"), or -1. */
function findBlankLine(bytes: Uint8Array, offset: number, stop: number): number {
  for (let p = findLf(bytes, offset, stop); p >= 0; p = findLf(bytes, p + 1, stop)) {
    if (p + 1 < stop && bytes[p + 1] === LF) return p + 2
    if (p + 2 < stop && bytes[p + 1] === CR && bytes[p + 2] === LF) return p + 3
  }
  return -1
}

/**
 * Decode the head at `offset` into `out`, reading at most MAX_HTTP_HEADER_BYTES.
 *
 * 'header' truncation: the start line is not complete. 'payload' truncation: the
 * start line and the fields before `end` (or before the bound, when `have` is
 * MAX_HTTP_HEADER_BYTES) are read but the blank line was not found; `complete` is
 * false. Malformed: the start line is not HTTP (`out` must not be used).
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  endSource: LenSource = 'reassembly',
): Decoded {
  end = Math.min(end, bytes.length)
  const start = skipEmptyLines(bytes, offset, end)
  const stop = Math.min(end, start + MAX_HTTP_HEADER_BYTES)
  const have = stop - offset
  const lf = findLf(bytes, start, stop)
  if (lf < 0) {
    if (stop - start >= MAX_HTTP_HEADER_BYTES) return malformed('http', 'startLine', have, `a line end within ${MAX_HTTP_HEADER_BYTES} bytes`, offset)
    return truncated('http', 'header', have + 1, have, offset, endSource)
  }
  const le = lineEnd(bytes, start, lf)
  const r = startsWithHttpSlash(bytes, start, le)
    ? readStatusLine(bytes, start, le, out, offset)
    : readRequestLine(bytes, start, le, out, offset)
  if (!r.ok) return r
  out.host = null
  out.hostCount = 0
  out.proxyAuthorization = false
  out.proxyConnection = false
  out.contentLength = -1
  out.chunked = false
  out.headerCount = 0
  out.headersSkipped = 0
  out.complete = false
  out.payloadEnd = end

  for (let p = lf + 1; ;) {
    const next = findLf(bytes, p, stop)
    if (next < 0) {
      out.payloadOffset = p
      return truncated('http', 'payload', have + 1, have, offset, endSource)
    }
    const e = lineEnd(bytes, p, next)
    if (e === p) {
      out.complete = true
      out.payloadOffset = next + 1
      return OK
    }
    readField(bytes, p, e, out)
    p = next + 1
  }
}

function startsWithHttpSlash(bytes: Uint8Array, o: number, end: number): boolean {
  return end - o >= 5 && bytes[o] === 0x48 && bytes[o + 1] === 0x54 && bytes[o + 2] === 0x54 && bytes[o + 3] === 0x50 && bytes[o + 4] === 0x2f
}

/** The request line [offset, le) into `out` (only checked when null); issues name `at`, where the head starts. */
function readRequestLine(bytes: Uint8Array, offset: number, le: number, out: Header | null, at: number): Decoded {
  let p = offset
  while (p < le && TCHAR[bytes[p]!]) p++
  const methodLength = p - offset
  // RFC 9112 §3.1: method = token. Anything else is not an HTTP request.
  if (methodLength === 0 || p === le || bytes[p] !== SP) {
    return malformed('http', 'method', p < le ? bytes[p]! : -1, 'a token followed by a space (RFC 9110 §5.6.2)', at)
  }
  if (methodLength > MAX_HTTP_METHOD_LEN) return malformed('http', 'method', methodLength, `<= ${MAX_HTTP_METHOD_LEN} characters`, at)
  const targetStart = p + 1
  const lastSp = bytes.subarray(targetStart, le).lastIndexOf(SP)
  const versionAt = lastSp < 0 ? -1 : targetStart + lastSp + 1
  if (versionAt < 0 || le - versionAt !== 8 || !isVersion(bytes, versionAt, le)) {
    return malformed('http', 'version', le - offset, 'a request line ending in " HTTP/d.d"', at)
  }
  const targetEnd = versionAt - 1
  if (targetEnd <= targetStart) return malformed('http', 'target', 0, 'a request target', at)
  if (out === null) return OK
  out.isResponse = false
  out.method = latin1(bytes, offset, offset + methodLength)
  out.target = latin1(bytes, targetStart, targetEnd)
  out.targetForm = targetForm(out.method, out.target)
  out.version = latin1(bytes, versionAt, le)
  out.status = 0
  out.reason = ''
  return OK
}

/** The status line [offset, le) into `out` (only checked when null); issues name `at`, where the head starts. */
function readStatusLine(bytes: Uint8Array, offset: number, le: number, out: Header | null, at: number): Decoded {
  if (!isVersion(bytes, offset, le) || (le > offset + 8 && bytes[offset + 8] !== SP)) {
    return malformed('http', 'version', le - offset, 'a status line starting "HTTP/d.d "', at)
  }
  const c = offset + 9
  // RFC 9112 §4: status-code = 3DIGIT, then SP and an optional reason (some servers omit the SP).
  if (le - c < 3 || !isDigit(bytes[c]!) || !isDigit(bytes[c + 1]!) || !isDigit(bytes[c + 2]!) || (le > c + 3 && bytes[c + 3] !== SP)) {
    return malformed('http', 'status', le - c, 'three digits (RFC 9112 §4)', at)
  }
  if (out === null) return OK
  out.isResponse = true
  out.method = ''
  out.target = ''
  out.targetForm = 'other'
  out.version = latin1(bytes, offset, offset + 8)
  out.status = (bytes[c]! - 0x30) * 100 + (bytes[c + 1]! - 0x30) * 10 + (bytes[c + 2]! - 0x30)
  out.reason = le > c + 4 ? latin1(bytes, c + 4, le) : ''
  return OK
}

/** One header field line [p, e). Lines without a colon and obs-fold continuations are skipped. */
function readField(bytes: Uint8Array, p: number, e: number, out: Header): void {
  const first = bytes[p]!
  if (first === SP || first === HT) return
  const colon = bytes.subarray(p, e).indexOf(COLON)
  if (colon <= 0) return
  if (out.headerCount === MAX_HTTP_HEADERS) { out.headersSkipped++; return }
  out.headerCount++
  const nameEnd = p + colon
  let v = nameEnd + 1
  let ve = e
  while (v < ve && (bytes[v] === SP || bytes[v] === HT)) v++
  while (ve > v && (bytes[ve - 1] === SP || bytes[ve - 1] === HT)) ve--
  if (nameIs(bytes, p, nameEnd, 'host')) {
    if (out.hostCount++ === 0) out.host = latin1(bytes, v, ve)
  } else if (nameIs(bytes, p, nameEnd, 'proxy-authorization')) {
    out.proxyAuthorization = true
  } else if (nameIs(bytes, p, nameEnd, 'proxy-connection')) {
    out.proxyConnection = true
  } else if (nameIs(bytes, p, nameEnd, 'content-length')) {
    let n = 0
    let ok = ve > v && ve - v <= 15
    for (let q = v; ok && q < ve; q++) {
      const c = bytes[q]!
      if (!isDigit(c)) ok = false
      else n = n * 10 + (c - 0x30)
    }
    out.contentLength = ok ? n : -1
  } else if (nameIs(bytes, p, nameEnd, 'transfer-encoding')) {
    // RFC 9112 §6.3: chunked must be the final coding.
    out.chunked = ve - v >= 7 && nameIs(bytes, ve - 7, ve, 'chunked')
  }
}

/** Case-insensitive compare of [p, e) with a lowercase ASCII name. */
function nameIs(bytes: Uint8Array, p: number, e: number, name: string): boolean {
  if (e - p !== name.length) return false
  for (let i = 0; i < name.length; i++) {
    const c = bytes[p + i]!
    if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== name.charCodeAt(i)) return false
  }
  return true
}

/** RFC 9112 §3.2: which of the four forms the target has. */
export function targetForm(method: string, target: string): TargetForm {
  if (target === '*') return 'asterisk'
  if (target.startsWith('/')) return 'origin'
  if (method === 'CONNECT') return 'authority'
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target)) return 'absolute'
  if (/^[^/?#@\s]+:\d+$/.test(target)) return 'authority'
  return 'other'
}

/** A description with every field present: "GET / HTTP/1.1" with no fields, changed by `overrides`. */
export function fields(overrides: Partial<Fields> = {}): Fields {
  return { isResponse: false, method: 'GET', target: '/', version: 'HTTP/1.1', status: 200, reason: 'OK', headers: [], ...overrides }
}

function startLine(f: Fields): string {
  return f.isResponse ? `${f.version} ${String(f.status).padStart(3, '0')} ${f.reason}` : `${f.method} ${f.target} ${f.version}`
}

/** Bytes `encode` writes (each character is one byte). */
export function encodingLength(f: Fields): number {
  let n = startLine(f).length + 2
  for (const [name, value] of f.headers) n += name.length + 2 + value.length + 2
  return n + 2
}

/**
 * Write the head `f` at `offset`: start line, "name: value" lines, blank line,
 * CRLF line ends, one byte per character (the low 8 bits, so any byte can be
 * written). Nothing is checked or fixed. Returns the offset just past it.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  let o = offset
  const put = (s: string) => {
    for (let i = 0; i < s.length; i++) bytes[o++] = s.charCodeAt(i) & 0xff
  }
  put(startLine(f))
  put('\r\n')
  for (const [name, value] of f.headers) put(`${name}: ${value}\r\n`)
  put('\r\n')
  return o
}

/** The head `f` as a new array (tests and sample recipes). */
export function build(f: Fields): Uint8Array {
  const out = new Uint8Array(encodingLength(f))
  encode(f, out, 0)
  return out
}

/** One line for debug output: "HTTP GET /x HTTP/1.1 host=example.com" or "HTTP/1.1 200 OK". */
export function describe(h: Header): string {
  if (h.isResponse) return `${h.version} ${h.status} ${h.reason}`.trimEnd()
  return `HTTP ${h.method} ${h.target} ${h.version} host=${h.host ?? '-'}`
}

/**
 * The `http` layer of a decode record. Requests: the contract's method, target
 * and host (null without a Host field) first, then version, targetForm,
 * proxyAuthorization, proxyConnection (presence, for recognising an explicit
 * proxy) and `response: null`. Responses use the same keys: method, target,
 * host, targetForm, proxyAuthorization and proxyConnection are null and
 * `response` is `{status, reason}`.
 */
export interface HttpRecord {
  type: 'http'
  method: string | null
  target: string | null
  host: string | null
  version: string
  targetForm: TargetForm | null
  proxyAuthorization: boolean | null
  proxyConnection: boolean | null
  response: { status: number; reason: string } | null
}

export function toRecord(h: Header): HttpRecord {
  if (h.isResponse) {
    return {
      type: 'http', method: null, target: null, host: null, version: h.version, targetForm: null,
      proxyAuthorization: null, proxyConnection: null, response: { status: h.status, reason: h.reason },
    }
  }
  return {
    type: 'http', method: h.method, target: h.target, host: h.host, version: h.version, targetForm: h.targetForm,
    proxyAuthorization: h.proxyAuthorization, proxyConnection: h.proxyConnection, response: null,
  }
}
