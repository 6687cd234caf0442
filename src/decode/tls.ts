/**
 * TLS: the record layer (RFC 5246 §6.2, RFC 8446 §5.1), handshake framing, and
 * the cleartext handshake messages an observer can read: ClientHello and
 * ServerHello (RFC 5246 §7.4.1, RFC 8446 §4.1) and the TLS 1.2 Certificate
 * (RFC 5246 §7.4.2), of which the first certificate's subject and issuer
 * commonName are read from its X.509 DER (RFC 5280 §4.1).
 *
 *   Record:                               Handshake message (in records of type 22):
 *   +------+---------+---------+-------   +------+----------------+-------------
 *   | type | version | length  | fragment  | type | length (24 bit)| body ...
 *   +------+---------+---------+-------   +------+----------------+-------------
 *     1 B     2 B       2 B                  1 B        3 B
 *
 * Handshake messages are framed independently of records: one record may carry
 * several messages and one message may span several records. TLS runs over TCP,
 * so this module works on an in-order byte stream that the caller reassembles:
 *
 *   stream bytes --frameRecord--> one record --decode--> Header
 *                                      | type 22 (until ChangeCipherSpec / TLS 1.3 ServerHello)
 *                                      v
 *                   TlsHandshakeCollector.push --> complete messages --decodeHandshake--> Handshake
 *                                                                                |
 *                              Summary (addRecord / addHandshake) --toRecord--> the `tls` layer
 *
 * Supported: record header checks (content type 20-24, version 3.x, length up
 * to 2^14 + 2048); ClientHello legacy version, cipher suite count, SNI
 * (host_name), ALPN, supported_versions; ServerHello legacy version, cipher
 * suite, ALPN, supported_versions (the TLS 1.3 selected version); Certificate:
 * certificate count, subject and issuer commonName (2.5.4.3) of the first one.
 * Not supported: SSL 2.0 (and its compatible ClientHello), decryption, every
 * message after the handshake turns encrypted (the caller stops feeding type 22
 * records after ChangeCipherSpec, and in TLS 1.3 after the ServerHello), the TLS
 * 1.3 Certificate layout (always encrypted), DTLS, certificate validation.
 */
import { latin1, put16, put24, u16, u24, u8 } from './bytes.js'
import { Tag, createTlv, oidBytes, readTlv, tlv, utf8String, valueEquals, type Tlv } from './der.js'
import { OK, malformed, truncated, type Decoded, type LenSource } from './issue.js'
import {
  MAX_TLS_ALPN_PROTOCOLS, MAX_TLS_EXTENSIONS, MAX_TLS_HANDSHAKE_BYTES, MAX_TLS_RECORD_BYTES, MAX_X509_NAME_ATTRIBUTES,
} from './limits.js'

/** Byte offset of each field from the start of a record. */
export const Field = {
  CONTENT_TYPE: 0,
  VERSION: 1,
  LENGTH: 3,
  FRAGMENT: 5,
} as const

/** Record header size in bytes. */
export const HEADER_LEN = 5

/** Handshake message header size in bytes: type and 24-bit length. */
export const HANDSHAKE_HEADER_LEN = 4

/** The empty buffer every collector starts with (none writes to it: append grows first). */
const NO_BYTES = new Uint8Array(0)

/** Record content types (RFC 8446 §5.1, RFC 6520). */
export const ContentType = {
  ChangeCipherSpec: 20,
  Alert: 21,
  Handshake: 22,
  ApplicationData: 23,
  Heartbeat: 24,
} as const

/** Handshake message types (RFC 8446 §4, RFC 5246 §7.4). */
export const HandshakeType = {
  HelloRequest: 0,
  ClientHello: 1,
  ServerHello: 2,
  NewSessionTicket: 4,
  EndOfEarlyData: 5,
  EncryptedExtensions: 8,
  Certificate: 11,
  ServerKeyExchange: 12,
  CertificateRequest: 13,
  ServerHelloDone: 14,
  CertificateVerify: 15,
  ClientKeyExchange: 16,
  Finished: 20,
  CertificateStatus: 22,
  KeyUpdate: 24,
} as const

/** The extensions this module reads. */
export const ExtensionType = {
  ServerName: 0,
  Alpn: 16,
  SupportedVersions: 43,
} as const

/** The record header as on the wire. */
export interface Fields {
  contentType: number
  /** Record version: 0x0301 for TLS 1.0 ... 0x0303 for TLS 1.2 and 1.3. */
  version: number
  /** Fragment bytes after the header. */
  length: number
}

/** A decoded record header and where its fragment lies. */
export interface Header extends Fields {
  payloadOffset: number
  /** One past the last fragment byte present (never past `offset + 5 + length`). */
  payloadEnd: number
}

/** A zeroed record header to decode into. Allocate once, reuse. */
export function create(): Header {
  return { contentType: 0, version: 0, length: 0, payloadOffset: 0, payloadEnd: 0 }
}

function plausibleHeader(bytes: Uint8Array, offset: number, have: number): boolean {
  const type = u8(bytes, offset)
  if (type < ContentType.ChangeCipherSpec || type > ContentType.Heartbeat) return false
  if (have >= 2 && u8(bytes, offset + 1) !== 3) return false
  if (have >= 3 && u8(bytes, offset + 2) > 4) return false
  if (have >= 5 && u16(bytes, offset + Field.LENGTH) > MAX_TLS_RECORD_BYTES) return false
  return true
}

/**
 * Frame the next record of an in-order byte stream: the record's total length
 * (header included) when it is complete in [offset, end); 0 when more bytes are
 * needed (the bytes so far could start a record); -1 when they cannot be a TLS
 * record (bad type, version not 3.x, or length above MAX_TLS_RECORD_BYTES).
 */
export function frameRecord(bytes: Uint8Array, offset: number, end: number): number {
  const have = Math.min(end, bytes.length) - offset
  if (have <= 0) return 0
  if (!plausibleHeader(bytes, offset, have)) return -1
  if (have < HEADER_LEN) return 0
  const total = HEADER_LEN + u16(bytes, offset + Field.LENGTH)
  return total <= have ? total : 0
}

/**
 * A plausible TLS record header at `offset` (five bytes needed), for port-based
 * dispatch and for recognising TLS on other ports: content type 20-24, version
 * 3.0-3.4, a length of 1 to MAX_TLS_RECORD_BYTES.
 */
export function looksLikeTls(bytes: Uint8Array, offset: number, end: number): boolean {
  const have = Math.min(end, bytes.length) - offset
  if (offset < 0 || have < HEADER_LEN) return false
  return plausibleHeader(bytes, offset, have) && u16(bytes, offset + Field.LENGTH) > 0
}

/**
 * Decode the record header at `offset` into `out`. A 'payload' issue keeps the
 * header and cuts the fragment at `end`; after any other issue `out` must not be used.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  endSource: LenSource = 'reassembly',
): Decoded {
  const have = end - offset
  if (have < HEADER_LEN) return truncated('tls', 'header', HEADER_LEN, have, offset, endSource)
  const type = u8(bytes, offset + Field.CONTENT_TYPE)
  if (type < ContentType.ChangeCipherSpec || type > ContentType.Heartbeat) {
    return malformed('tls', 'contentType', type, '20-24', offset)
  }
  const version = u16(bytes, offset + Field.VERSION)
  // Every TLS version and SSL 3.0 put 3 in the major byte; TLS 1.3 records say 3.3.
  if (version >> 8 !== 3 || (version & 0xff) > 4) return malformed('tls', 'version', version, '0x0300-0x0304', offset)
  const length = u16(bytes, offset + Field.LENGTH)
  // RFC 5246 §6.2.3: "The length MUST NOT exceed 2^14 + 2048."
  if (length > MAX_TLS_RECORD_BYTES) return malformed('tls', 'length', length, `<= ${MAX_TLS_RECORD_BYTES}`, offset)
  out.contentType = type
  out.version = version
  out.length = length
  out.payloadOffset = offset + HEADER_LEN
  if (HEADER_LEN + length <= have) {
    out.payloadEnd = offset + HEADER_LEN + length
    return OK
  }
  out.payloadEnd = end
  return truncated('tls', 'payload', HEADER_LEN + length, have, offset, endSource)
}

/** Bytes `encode` writes: the record header. */
export function encodingLength(): number {
  return HEADER_LEN
}

/** Write the record header `f` at `offset`, as given. Returns the offset just past it. */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  bytes[offset] = f.contentType & 0xff
  put16(bytes, offset + Field.VERSION, f.version)
  put16(bytes, offset + Field.LENGTH, f.length)
  return offset + HEADER_LEN
}

/** One line for debug output: "TLS handshake 0x0301 len=309". */
export function describe(h: Header): string {
  const names: Record<number, string> = { 20: 'change-cipher-spec', 21: 'alert', 22: 'handshake', 23: 'application-data', 24: 'heartbeat' }
  return `TLS ${names[h.contentType] ?? h.contentType} 0x${h.version.toString(16).padStart(4, '0')} len=${h.length}`
}

// ---- handshake messages ----

/** A decoded handshake message. Fields of other message types keep their reset values. */
export interface Handshake {
  msgType: number
  /** Body bytes, as the message header claims. */
  length: number
  bodyOffset: number
  bodyEnd: number
  /** ClientHello client_version / ServerHello server_version (the legacy field). */
  legacyVersion: number
  /** ClientHello: versions offered in supported_versions; ServerHello: the selected one. Empty without the extension. */
  supportedVersions: number[]
  /** ClientHello: cipher suites offered. */
  cipherCount: number
  /** ServerHello: the cipher suite chosen (-1 otherwise). */
  cipherSuite: number
  /** ClientHello: the first host_name of server_name, bytes as Latin-1 characters (nothing lost). */
  sni: string | null
  /** ClientHello: protocols offered (at most MAX_TLS_ALPN_PROTOCOLS); ServerHello: the one selected. */
  alpn: string[]
  /** Whether the hello had an ALPN extension. */
  hasAlpn: boolean
  /** Hello extension types in wire order (at most MAX_TLS_EXTENSIONS). */
  extensionTypes: number[]
  /** Certificate: entries in certificate_list. */
  certificateCount: number
  /** Certificate: commonName of the first certificate's subject and issuer (the last CN of each Name). */
  certSubjectCn: string | null
  certIssuerCn: string | null
}

export function createHandshake(): Handshake {
  return {
    msgType: 0, length: 0, bodyOffset: 0, bodyEnd: 0, legacyVersion: 0, supportedVersions: [], cipherCount: 0,
    cipherSuite: -1, sni: null, alpn: [], hasAlpn: false, extensionTypes: [], certificateCount: 0,
    certSubjectCn: null, certIssuerCn: null,
  }
}

function resetHandshake(m: Handshake): void {
  m.legacyVersion = 0
  m.supportedVersions.length = 0
  m.cipherCount = 0
  m.cipherSuite = -1
  m.sni = null
  m.alpn.length = 0
  m.hasAlpn = false
  m.extensionTypes.length = 0
  m.certificateCount = 0
  m.certSubjectCn = null
  m.certIssuerCn = null
}

/**
 * Decode the handshake message at `offset` (its 4-byte header) into `out`.
 *
 * 'header' truncation: fewer than 4 bytes. 'payload' truncation: the body is not
 * all there; `msgType` and `length` are set, the body is not read. A malformed
 * body (an inner length that runs out of the message) keeps `msgType`, `length`
 * and whatever was read before the bad field. Issue offsets are the message start.
 */
export function decodeHandshake(bytes: Uint8Array, offset: number, end: number, out: Handshake): Decoded {
  const have = end - offset
  if (have < HANDSHAKE_HEADER_LEN) return truncated('tls', 'header', HANDSHAKE_HEADER_LEN, have, offset, 'reassembly')
  resetHandshake(out)
  out.msgType = u8(bytes, offset)
  out.length = u24(bytes, offset + 1)
  out.bodyOffset = offset + HANDSHAKE_HEADER_LEN
  if (HANDSHAKE_HEADER_LEN + out.length > have) {
    out.bodyEnd = end
    return truncated('tls', 'payload', HANDSHAKE_HEADER_LEN + out.length, have, offset, 'reassembly')
  }
  out.bodyEnd = out.bodyOffset + out.length
  switch (out.msgType) {
    case HandshakeType.ClientHello: return readHello(bytes, offset, out, true)
    case HandshakeType.ServerHello: return readHello(bytes, offset, out, false)
    case HandshakeType.Certificate: return readCertificateList(bytes, offset, out)
    default: return OK
  }
}

/** A body field that runs past its enclosing length. */
function overrun(field: string, value: number, offset: number): Decoded {
  return malformed('tls', field, value, 'inside the enclosing length', offset)
}

function readHello(bytes: Uint8Array, offset: number, m: Handshake, client: boolean): Decoded {
  const kind = client ? 'clientHello' : 'serverHello'
  const end = m.bodyEnd
  let p = m.bodyOffset
  // legacy_version (2), random (32), legacy_session_id length (1)
  if (end - p < 35) return overrun(`${kind}.length`, m.length, offset)
  m.legacyVersion = u16(bytes, p)
  p += 34
  const sessionIdLength = u8(bytes, p++)
  // RFC 8446 §4.1.2: legacy_session_id<0..32>.
  if (sessionIdLength > 32) return malformed('tls', `${kind}.sessionIdLength`, sessionIdLength, '<= 32', offset)
  if (end - p < sessionIdLength) return overrun(`${kind}.sessionIdLength`, sessionIdLength, offset)
  p += sessionIdLength
  if (client) {
    if (end - p < 2) return overrun('clientHello.length', m.length, offset)
    const suites = u16(bytes, p)
    if (suites % 2 !== 0) return malformed('tls', 'clientHello.cipherSuitesLength', suites, 'even', offset)
    if (end - p - 2 < suites) return overrun('clientHello.cipherSuitesLength', suites, offset)
    m.cipherCount = suites / 2
    p += 2 + suites
    if (end - p < 1) return overrun('clientHello.length', m.length, offset)
    const methods = u8(bytes, p)
    if (end - p - 1 < methods) return overrun('clientHello.compressionMethodsLength', methods, offset)
    p += 1 + methods
  } else {
    if (end - p < 3) return overrun('serverHello.length', m.length, offset)
    m.cipherSuite = u16(bytes, p)
    p += 3
  }
  // Extensions are optional (SSL 3.0 and early TLS hellos end here).
  if (p === end) return OK
  if (end - p < 2) return overrun(`${kind}.extensionsLength`, end - p, offset)
  const extEnd = p + 2 + u16(bytes, p)
  if (extEnd > end) return overrun(`${kind}.extensionsLength`, u16(bytes, p), offset)
  p += 2
  for (let count = 0; p < extEnd; count++) {
    if (count === MAX_TLS_EXTENSIONS) return malformed('tls', `${kind}.extensions`, count + 1, `<= ${MAX_TLS_EXTENSIONS}`, offset)
    if (extEnd - p < 4) return overrun(`${kind}.extension`, extEnd - p, offset)
    const type = u16(bytes, p)
    const len = u16(bytes, p + 2)
    const data = p + 4
    if (extEnd - data < len) return overrun(`${kind}.extension.length`, len, offset)
    m.extensionTypes.push(type)
    const r = readExtension(bytes, data, data + len, type, m, client, offset)
    if (!r.ok) return r
    p = data + len
  }
  return OK
}

function readExtension(bytes: Uint8Array, p: number, end: number, type: number, m: Handshake, client: boolean, offset: number): Decoded {
  switch (type) {
    case ExtensionType.ServerName: {
      // RFC 6066 §3. A ServerHello echoes it with empty data.
      if (!client || end === p) return OK
      if (end - p < 2 || p + 2 + u16(bytes, p) > end) return overrun('serverName.listLength', end - p, offset)
      const listEnd = p + 2 + u16(bytes, p)
      for (let q = p + 2; q < listEnd;) {
        if (listEnd - q < 3) return overrun('serverName.entry', listEnd - q, offset)
        const nameType = u8(bytes, q)
        const len = u16(bytes, q + 1)
        if (listEnd - q - 3 < len) return overrun('serverName.length', len, offset)
        if (nameType === 0 && m.sni === null) m.sni = latin1(bytes, q + 3, q + 3 + len)
        q += 3 + len
      }
      return OK
    }
    case ExtensionType.Alpn: {
      // RFC 7301 §3.1: ProtocolNameList protocol_name_list, each ProtocolName<1..2^8-1>.
      m.hasAlpn = true
      if (end - p < 2 || p + 2 + u16(bytes, p) > end) return overrun('alpn.listLength', end - p, offset)
      const listEnd = p + 2 + u16(bytes, p)
      for (let q = p + 2; q < listEnd;) {
        const len = u8(bytes, q)
        if (len === 0) return malformed('tls', 'alpn.nameLength', 0, '>= 1', offset)
        if (listEnd - q - 1 < len) return overrun('alpn.nameLength', len, offset)
        if (m.alpn.length < MAX_TLS_ALPN_PROTOCOLS) m.alpn.push(latin1(bytes, q + 1, q + 1 + len))
        q += 1 + len
      }
      return OK
    }
    case ExtensionType.SupportedVersions: {
      // RFC 8446 §4.2.1: the ClientHello lists versions<2..254>; the ServerHello holds one.
      if (!client) {
        if (end - p < 2) return overrun('supportedVersions', end - p, offset)
        m.supportedVersions.push(u16(bytes, p))
        return OK
      }
      if (end - p < 1) return overrun('supportedVersions.length', 0, offset)
      const len = u8(bytes, p)
      if (len % 2 !== 0) return malformed('tls', 'supportedVersions.length', len, 'even', offset)
      if (end - p - 1 < len) return overrun('supportedVersions.length', len, offset)
      for (let q = p + 1; q < p + 1 + len; q += 2) m.supportedVersions.push(u16(bytes, q))
      return OK
    }
    default:
      return OK
  }
}

/** TLS 1.2 Certificate: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. */
function readCertificateList(bytes: Uint8Array, offset: number, m: Handshake): Decoded {
  const end = m.bodyEnd
  let p = m.bodyOffset
  if (end - p < 3) return overrun('certificate.listLength', end - p, offset)
  const listEnd = p + 3 + u24(bytes, p)
  if (listEnd > end) return overrun('certificate.listLength', u24(bytes, p), offset)
  p += 3
  let firstOffset = -1
  let firstEnd = -1
  while (p < listEnd) {
    if (listEnd - p < 3) return overrun('certificate.length', listEnd - p, offset)
    const len = u24(bytes, p)
    if (listEnd - p - 3 < len) return overrun('certificate.length', len, offset)
    if (firstOffset < 0) { firstOffset = p + 3; firstEnd = p + 3 + len }
    m.certificateCount++
    p += 3 + len
  }
  if (firstOffset < 0) return OK
  return readCertificateNames(bytes, firstOffset, firstEnd, m, offset)
}

const OID_COMMON_NAME = oidBytes('2.5.4.3')
// Reused elements of the certificate walk (no allocation per element; the walk never nests calls).
const certEl: Tlv = createTlv()
const tbsEl: Tlv = createTlv()
const fieldEl: Tlv = createTlv()
const rdnEl: Tlv = createTlv()
const atvEl: Tlv = createTlv()
const oidEl: Tlv = createTlv()
const valueEl: Tlv = createTlv()

/**
 * The subject and issuer commonName of one X.509 certificate (RFC 5280 §4.1):
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 *   TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER,
 *       signature AlgorithmIdentifier, issuer Name, validity, subject Name, ... }
 *
 * A fixed walk down to the two Names, no recursion.
 */
export function readCertificateNames(bytes: Uint8Array, offset: number, end: number, m: Handshake, issueOffset = offset): Decoded {
  const cert = certEl
  const tbs = tbsEl
  const el = fieldEl
  const bad = (field: string, tag: number, expected: string) => malformed('tls', `certificate.${field}`, tag, expected, issueOffset)
  if (!readTlv(bytes, offset, end, cert) || cert.tag !== Tag.Sequence) return bad('der', bytes[offset] ?? -1, 'a DER SEQUENCE (X.509 Certificate)')
  if (!readTlv(bytes, cert.valueOffset, cert.valueEnd, tbs) || tbs.tag !== Tag.Sequence) {
    return bad('tbsCertificate', bytes[cert.valueOffset] ?? -1, 'a SEQUENCE')
  }
  let p = tbs.valueOffset
  const next = (field: string, tag: number): Decoded => {
    if (!readTlv(bytes, p, tbs.valueEnd, el)) return bad(field, bytes[p] ?? -1, 'a DER element inside tbsCertificate')
    if (el.tag !== tag) return bad(field, el.tag, `tag 0x${tag.toString(16)}`)
    p = el.valueEnd
    return OK
  }
  if (p < tbs.valueEnd && bytes[p] === Tag.Context0) {
    const r = next('version', Tag.Context0)
    if (!r.ok) return r
  }
  for (const [field, tag] of [['serialNumber', Tag.Integer], ['signature', Tag.Sequence]] as const) {
    const r = next(field, tag)
    if (!r.ok) return r
  }
  let r = next('issuer', Tag.Sequence)
  if (!r.ok) return r
  const issuerOffset = el.valueOffset
  const issuerEnd = el.valueEnd
  r = next('validity', Tag.Sequence)
  if (!r.ok) return r
  r = next('subject', Tag.Sequence)
  if (!r.ok) return r
  const subject = commonName(bytes, el.valueOffset, el.valueEnd)
  const issuer = commonName(bytes, issuerOffset, issuerEnd)
  if (issuer !== null && typeof issuer === 'object') return issuer
  if (subject !== null && typeof subject === 'object') return subject
  m.certIssuerCn = issuer
  m.certSubjectCn = subject
  return OK
}

/**
 * The last commonName of a Name (RDNSequence: SEQUENCE OF SET OF SEQUENCE { type OID,
 * value }), or null when it has none. The last is the most specific (RFC 6125 §6.4.4;
 * Go's crypto/x509 keeps the last too). A malformed Name gives its issue.
 */
function commonName(bytes: Uint8Array, offset: number, end: number): string | null | Decoded {
  const rdn = rdnEl
  const atv = atvEl
  const oid = oidEl
  let cn: string | null = null
  let attributes = 0
  for (let p = offset; p < end; p = rdn.valueEnd) {
    if (!readTlv(bytes, p, end, rdn) || rdn.tag !== Tag.Set) return malformed('tls', 'certificate.name', bytes[p] ?? -1, 'a SET (RelativeDistinguishedName)', offset)
    for (let q = rdn.valueOffset; q < rdn.valueEnd; q = atv.valueEnd) {
      if (++attributes > MAX_X509_NAME_ATTRIBUTES) {
        return malformed('tls', 'certificate.nameAttributes', attributes, `<= ${MAX_X509_NAME_ATTRIBUTES}`, offset)
      }
      if (!readTlv(bytes, q, rdn.valueEnd, atv) || atv.tag !== Tag.Sequence) {
        return malformed('tls', 'certificate.nameAttribute', bytes[q] ?? -1, 'a SEQUENCE (AttributeTypeAndValue)', offset)
      }
      if (!readTlv(bytes, atv.valueOffset, atv.valueEnd, oid) || oid.tag !== Tag.Oid) {
        return malformed('tls', 'certificate.attributeType', bytes[atv.valueOffset] ?? -1, 'an OBJECT IDENTIFIER', offset)
      }
      if (!valueEquals(bytes, oid.valueOffset, oid.valueEnd, OID_COMMON_NAME)) continue
      const valueAt = oid.valueEnd
      const value = valueEl
      if (!readTlv(bytes, valueAt, atv.valueEnd, value)) {
        return malformed('tls', 'certificate.commonName', bytes[valueAt] ?? -1, 'a DER string', offset)
      }
      cn = directoryString(bytes, value.tag, value.valueOffset, value.valueEnd)
    }
  }
  return cn
}

const utf8 = new TextDecoder('utf-8')

/** A DirectoryString's text: UTF-8, UTF-16BE (BMPString), UTF-32BE (UniversalString), else Latin-1. */
function directoryString(bytes: Uint8Array, tag: number, offset: number, end: number): string {
  switch (tag) {
    case Tag.Utf8String: return utf8.decode(bytes.subarray(offset, end))
    case Tag.BmpString: {
      let s = ''
      for (let p = offset; p + 1 < end; p += 2) s += String.fromCharCode(u16(bytes, p))
      return s
    }
    case Tag.UniversalString: {
      let s = ''
      for (let p = offset; p + 3 < end; p += 4) {
        const cp = bytes[p]! * 0x1000000 + ((bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!)
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd'
      }
      return s
    }
    default: return latin1(bytes, offset, end)
  }
}

/** One line for debug output: "ClientHello sni=example.com ciphers=31". */
export function describeHandshake(m: Handshake): string {
  switch (m.msgType) {
    case HandshakeType.ClientHello:
      return `ClientHello 0x${m.legacyVersion.toString(16)} sni=${m.sni ?? '-'} ciphers=${m.cipherCount}${m.hasAlpn ? ` alpn=${m.alpn.join(',')}` : ''}`
    case HandshakeType.ServerHello:
      return `ServerHello 0x${(m.supportedVersions[0] ?? m.legacyVersion).toString(16)} cipher=0x${m.cipherSuite.toString(16).padStart(4, '0')}`
    case HandshakeType.Certificate:
      return `Certificate x${m.certificateCount} subject CN=${m.certSubjectCn ?? '-'} issuer CN=${m.certIssuerCn ?? '-'}`
    default:
      return `Handshake type ${m.msgType} len=${m.length}`
  }
}

// ---- the stream side ----

/**
 * Joins handshake messages across records: push the fragment of every
 * handshake record (content type 22) of one direction, in order, and get each
 * complete message, decoded, through the callback.
 *
 * Memory is bounded: only an incomplete message is held, at most `maxBytes`
 * (MAX_TLS_HANDSHAKE_BYTES). A message that declares more is skipped by its
 * length and counted in `skipped`, and the ones after it are still found.
 * Messages that lie whole inside one fragment are decoded in place (no copy).
 */
export class TlsHandshakeCollector {
  /** Messages skipped because they were larger than `maxBytes`. */
  skipped = 0
  readonly maxBytes: number
  private buf = NO_BYTES // replaced (never written) by the first append
  private len = 0
  private skip = 0
  private readonly message = createHandshake()

  constructor(maxBytes = MAX_TLS_HANDSHAKE_BYTES) {
    this.maxBytes = Math.max(HANDSHAKE_HEADER_LEN, maxBytes)
  }

  /** Bytes held for an incomplete message. */
  get buffered(): number {
    return this.len
  }

  /**
   * Add one handshake record's fragment. `onMessage` is called for each message
   * it completes, with the decoded message, the decode result and the message's
   * bytes; all three are valid only during the call.
   */
  push(
    bytes: Uint8Array,
    offset: number,
    end: number,
    onMessage: (message: Handshake, result: Decoded, bytes: Uint8Array, offset: number, end: number) => void,
  ): void {
    let p = offset
    end = Math.min(end, bytes.length)
    while (p < end) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - p)
        this.skip -= n
        p += n
        continue
      }
      if (this.len === 0) {
        if (end - p >= HANDSHAKE_HEADER_LEN) {
          const total = HANDSHAKE_HEADER_LEN + u24(bytes, p + 1)
          if (total <= end - p) {
            onMessage(this.message, decodeHandshake(bytes, p, p + total, this.message), bytes, p, p + total)
            p += total
            continue
          }
          if (total > this.maxBytes) { this.skipped++; this.skip = total; continue }
        }
        this.append(bytes, p, end)
        p = end
        continue
      }
      if (this.len < HANDSHAKE_HEADER_LEN) {
        const n = Math.min(HANDSHAKE_HEADER_LEN - this.len, end - p)
        this.append(bytes, p, p + n)
        p += n
        if (this.len < HANDSHAKE_HEADER_LEN) continue
      }
      const total = HANDSHAKE_HEADER_LEN + u24(this.buf, 1)
      if (total > this.maxBytes) {
        this.skipped++
        this.skip = total - this.len
        this.len = 0
        continue
      }
      const n = Math.min(total - this.len, end - p)
      this.append(bytes, p, p + n)
      p += n
      if (this.len === total) {
        this.len = 0
        onMessage(this.message, decodeHandshake(this.buf, 0, total, this.message), this.buf, 0, total)
      }
    }
  }

  /** Forget any partial message (a gap in the stream). */
  reset(): void {
    this.len = 0
    this.skip = 0
  }

  private append(bytes: Uint8Array, from: number, to: number): void {
    const need = this.len + (to - from)
    if (need > this.buf.length) {
      let size = Math.max(1024, this.buf.length)
      while (size < need) size *= 2
      const grown = new Uint8Array(Math.min(size, this.maxBytes))
      grown.set(this.buf.subarray(0, this.len))
      this.buf = grown
    }
    this.buf.set(bytes.subarray(from, to), this.len)
    this.len = need
  }
}

/**
 * What a frame (or a whole connection) showed of TLS, built record by record
 * and message by message: the source of the `tls` layer of a decode record.
 */
export interface Summary {
  /** Version field of the first record seen; -1 before any. */
  recordVersion: number
  /** Handshake message types in the order they completed. */
  handshakeTypes: number[]
  sni: string | null
  alpn: string[] | null
  clientVersion: number | null
  clientSupportedVersions: number[] | null
  serverVersion: number | null
  cipherCount: number | null
  cipherSuite: number | null
  certSubjectCn: string | null
  certIssuerCn: string | null
}

export function createSummary(): Summary {
  return {
    recordVersion: -1, handshakeTypes: [], sni: null, alpn: null, clientVersion: null, clientSupportedVersions: null,
    serverVersion: null, cipherCount: null, cipherSuite: null, certSubjectCn: null, certIssuerCn: null,
  }
}

/** Note a record header (its version, if it is the first). */
export function addRecord(s: Summary, h: Fields): void {
  if (s.recordVersion < 0) s.recordVersion = h.version
}

/** Note a decoded handshake message: its type, and what hellos and certificates say. */
export function addHandshake(s: Summary, m: Handshake): void {
  s.handshakeTypes.push(m.msgType)
  if (m.msgType === HandshakeType.ClientHello) {
    s.sni = m.sni
    s.alpn = m.hasAlpn ? m.alpn.slice() : null
    s.clientVersion = m.legacyVersion
    s.clientSupportedVersions = m.supportedVersions.length > 0 ? m.supportedVersions.slice() : null
    s.cipherCount = m.cipherCount
  } else if (m.msgType === HandshakeType.ServerHello) {
    // RFC 8446 §4.2.1: the selected version is in supported_versions; legacy_version says 1.2.
    s.serverVersion = m.supportedVersions[0] ?? m.legacyVersion
    s.cipherSuite = m.cipherSuite
    if (m.hasAlpn) s.alpn = m.alpn.slice()
  } else if (m.msgType === HandshakeType.Certificate && s.certSubjectCn === null && s.certIssuerCn === null) {
    s.certSubjectCn = m.certSubjectCn
    s.certIssuerCn = m.certIssuerCn
  }
}

/**
 * The `tls` layer of a decode record. Contract keys first (handshake, version =
 * the record version, sni), additions after; a key is null when this frame (or
 * connection, for a per-connection summary) did not show it.
 */
export interface TlsRecord {
  type: 'tls'
  handshake: number[]
  version: number
  sni: string | null
  /** ALPN protocols offered (ClientHello) or selected (ServerHello). */
  alpn: string[] | null
  /** ClientHello legacy_version. */
  clientVersion: number | null
  /** ClientHello supported_versions, when present. */
  clientSupportedVersions: number[] | null
  /** The version the server chose: supported_versions in a TLS 1.3 ServerHello, else its legacy version. */
  serverVersion: number | null
  cipherCount: number | null
  cipherSuite: number | null
  certSubjectCn: string | null
  certIssuerCn: string | null
}

export function toRecord(s: Summary): TlsRecord {
  return {
    type: 'tls', handshake: s.handshakeTypes.slice(), version: s.recordVersion, sni: s.sni,
    alpn: s.alpn === null ? null : s.alpn.slice(), clientVersion: s.clientVersion,
    clientSupportedVersions: s.clientSupportedVersions === null ? null : s.clientSupportedVersions.slice(),
    serverVersion: s.serverVersion, cipherCount: s.cipherCount, cipherSuite: s.cipherSuite,
    certSubjectCn: s.certSubjectCn, certIssuerCn: s.certIssuerCn,
  }
}

// ---- builders for tests and sample recipes (allocate) ----

/** A ClientHello as a plain description. */
export interface ClientHelloFields {
  /** legacy_version; 0x0303 for TLS 1.2 and 1.3. */
  version: number
  random?: Uint8Array
  sessionId?: Uint8Array
  cipherSuites: number[]
  compressionMethods?: number[]
  /** server_name with one host_name (written as Latin-1 bytes). */
  sni?: string | null
  alpn?: string[] | null
  supportedVersions?: number[] | null
  /** Written after the ones above, as given. */
  extensions?: Array<{ type: number; data: Uint8Array }>
}

/** A ServerHello as a plain description. */
export interface ServerHelloFields {
  version: number
  random?: Uint8Array
  sessionId?: Uint8Array
  cipherSuite: number
  compressionMethod?: number
  alpn?: string | null
  /** The selected version (TLS 1.3). */
  supportedVersion?: number | null
  extensions?: Array<{ type: number; data: Uint8Array }>
}

function bytesOf(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0) & 0xff)
}

function u16b(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff]
}

function extensionBytes(type: number, data: ArrayLike<number>): number[] {
  return [...u16b(type), ...u16b(data.length), ...Array.from(data)]
}

function alpnList(names: string[]): number[] {
  const list = names.flatMap((n) => [n.length & 0xff, ...bytesOf(n)])
  return [...u16b(list.length), ...list]
}

/** A handshake message: type, 24-bit body length, body. */
export function handshakeMessage(type: number, body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_HEADER_LEN + body.length)
  out[0] = type
  put24(out, 1, body.length)
  out.set(body, HANDSHAKE_HEADER_LEN)
  return out
}

/** A ClientHello handshake message (header included). Without any extension the extensions block is left out. */
export function clientHello(f: ClientHelloFields): Uint8Array {
  const ext: number[] = []
  if (f.sni != null) {
    const name = bytesOf(f.sni)
    const entry = [0, ...u16b(name.length), ...name]
    ext.push(...extensionBytes(ExtensionType.ServerName, [...u16b(entry.length), ...entry]))
  }
  if (f.alpn != null) ext.push(...extensionBytes(ExtensionType.Alpn, alpnList(f.alpn)))
  if (f.supportedVersions != null) {
    ext.push(...extensionBytes(ExtensionType.SupportedVersions, [f.supportedVersions.length * 2, ...f.supportedVersions.flatMap(u16b)]))
  }
  for (const e of f.extensions ?? []) ext.push(...extensionBytes(e.type, e.data))
  const sessionId = Array.from(f.sessionId ?? [])
  const methods = f.compressionMethods ?? [0]
  const body = [
    ...u16b(f.version), ...Array.from(f.random ?? new Uint8Array(32)), sessionId.length, ...sessionId,
    ...u16b(f.cipherSuites.length * 2), ...f.cipherSuites.flatMap(u16b), methods.length, ...methods,
    ...(ext.length > 0 ? [...u16b(ext.length), ...ext] : []),
  ]
  return handshakeMessage(HandshakeType.ClientHello, body)
}

/** A ServerHello handshake message (header included). */
export function serverHello(f: ServerHelloFields): Uint8Array {
  const ext: number[] = []
  if (f.supportedVersion != null) ext.push(...extensionBytes(ExtensionType.SupportedVersions, u16b(f.supportedVersion)))
  if (f.alpn != null) ext.push(...extensionBytes(ExtensionType.Alpn, alpnList([f.alpn])))
  for (const e of f.extensions ?? []) ext.push(...extensionBytes(e.type, e.data))
  const sessionId = Array.from(f.sessionId ?? [])
  const body = [
    ...u16b(f.version), ...Array.from(f.random ?? new Uint8Array(32)), sessionId.length, ...sessionId,
    ...u16b(f.cipherSuite), f.compressionMethod ?? 0, ...(ext.length > 0 ? [...u16b(ext.length), ...ext] : []),
  ]
  return handshakeMessage(HandshakeType.ServerHello, body)
}

/** A TLS 1.2 Certificate handshake message carrying `certificates` (DER, leaf first). */
export function certificateMessage(certificates: Uint8Array[]): Uint8Array {
  let listLength = 0
  for (const c of certificates) listLength += 3 + c.length
  const body = new Uint8Array(3 + listLength)
  put24(body, 0, listLength)
  let o = 3
  for (const c of certificates) {
    put24(body, o, c.length)
    body.set(c, o + 3)
    o += 3 + c.length
  }
  return handshakeMessage(HandshakeType.Certificate, body)
}

/**
 * `data` (handshake messages, or any content) as records of `contentType`, each
 * fragment at most `maxFragment` bytes: how a message comes to span records.
 */
export function records(contentType: number, version: number, data: Uint8Array, maxFragment = 16384): Uint8Array {
  const n = Math.max(1, Math.ceil(data.length / maxFragment))
  const out = new Uint8Array(n * HEADER_LEN + data.length)
  let o = 0
  for (let i = 0; i < n; i++) {
    const fragment = data.subarray(i * maxFragment, Math.min(data.length, (i + 1) * maxFragment))
    o = encode({ contentType, version, length: fragment.length }, out, o)
    out.set(fragment, o)
    o += fragment.length
  }
  return out
}

/** A minimal X.509 v3 certificate description: names, serial, validity (UTCTime text). */
export interface CertificateFields {
  subjectCn: string | null
  issuerCn: string | null
  /** Other attributes put before the CN in both Names, e.g. [['2.5.4.10', 'Contoso']] (O). */
  extraAttributes?: Array<[string, string]>
  serial?: number
  notBefore?: string
  notAfter?: string
}

/**
 * A structurally valid, self-made X.509 certificate in DER (RFC 5280 §4.1): the
 * TBSCertificate fields in order, a dummy RSA key and signature. Not a working
 * certificate; enough for every parser that walks the structure.
 */
export function certificateDer(f: CertificateFields): Uint8Array {
  const algorithm = tlv(Tag.Sequence, tlv(Tag.Oid, oidBytes('1.2.840.113549.1.1.11')), tlv(Tag.Null))
  const name = (cn: string | null) => tlv(Tag.Sequence,
    ...(f.extraAttributes ?? []).map(([oid, v]) => tlv(Tag.Set, tlv(Tag.Sequence, tlv(Tag.Oid, oidBytes(oid)), utf8String(v)))),
    ...(cn === null ? [] : [tlv(Tag.Set, tlv(Tag.Sequence, tlv(Tag.Oid, OID_COMMON_NAME), utf8String(cn)))]))
  const ascii = (s: string) => bytesOf(s)
  const tbs = tlv(Tag.Sequence,
    tlv(Tag.Context0, tlv(Tag.Integer, [2])),
    tlv(Tag.Integer, u16b(f.serial ?? 1)),
    algorithm,
    name(f.issuerCn),
    tlv(Tag.Sequence, tlv(Tag.UtcTime, ascii(f.notBefore ?? '260101000000Z')), tlv(Tag.UtcTime, ascii(f.notAfter ?? '270101000000Z'))),
    name(f.subjectCn),
    tlv(Tag.Sequence, tlv(Tag.Sequence, tlv(Tag.Oid, oidBytes('1.2.840.113549.1.1.1')), tlv(Tag.Null)), tlv(Tag.BitString, [0, 0x30, 0x00])))
  return tlv(Tag.Sequence, tbs, algorithm, tlv(Tag.BitString, [0, 1, 2, 3]))
}
