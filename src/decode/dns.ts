/**
 * DNS: Domain Name System messages, RFC 1035 §4.1, with the header bits of RFC 2535/4035
 * (AD, CD), EDNS(0) (RFC 6891), SRV (RFC 2782), NAPTR (RFC 3403), DNS UPDATE's reuse of
 * the four sections (RFC 2136) and mDNS (RFC 6762, same wire format on UDP 5353).
 *
 *                                   1  1  1  1  1  1
 *     0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 *   |                    QDCOUNT                    |
 *   |                    ANCOUNT                    |
 *   |                    NSCOUNT                    |
 *   |                    ARCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   | Question: QNAME | QTYPE (16) | QCLASS (16)     |  x QDCOUNT
 *   | RR: NAME | TYPE | CLASS | TTL (32) | RDLENGTH | RDATA |  x (AN + NS + AR)COUNT
 *
 * A name is a sequence of labels (length byte 1-63, then the bytes) ended by a zero byte,
 * or ended by a compression pointer (two bytes, top bits 11, 14-bit offset from the start
 * of the message) to "a prior occurrence of the same name" (§4.1.4).
 *
 * Pointers: we accept a pointer only when it points strictly before the start of the label
 * sequence it ends (the name being read, or after a jump the place jumped to). Every jump
 * then lands strictly lower than the last one, so no name can loop, and MAX_DNS_POINTER_JUMPS
 * bounds the chains of pointer-to-pointer that are still possible. tshark 4.0 instead
 * follows any pointer, forward ones too, and gives up ("<Name contains a pointer that
 * loops>") once it has read as many bytes as the message holds. On the shared captures the
 * two agree except in how a loop is reported: the depth-6 chain of
 * dns-max-compression-depth-7-answers.pcap decodes for both; the self-pointer of
 * dns-malformed-pointer-loop-invalid-names.pcap is dns.malformed.pointer for us and a
 * placeholder name, not flagged Malformed, for tshark. On crafted messages (checked with
 * tshark 4.0.17) tshark also reads forward pointers, chains longer than our bound and names
 * over 255 octets ("<Name too long>") without flagging Malformed; we report each as malformed.
 *
 * How a partial decode is exposed: `decode` fills `out` as it goes and returns the first
 * issue. On any issue after the 12-byte header, `out` holds the header and every question
 * and record decoded before the issue (the arrays hold exactly those; the wire counts stay
 * in qdcount/ancount/nscount/arcount), so a caller can print the layer AND a malformed
 * entry. A record whose RDATA is bad inside a sound RDLENGTH (an A record of 5 bytes, an
 * EDNS option running past the OPT RDATA) does not stop the walk: the record is kept with
 * `rdataOk` false (its `data` is then hex), the records after it are decoded, and that
 * first issue is returned at the end. A bad owner name, an RDLENGTH past the end, or a
 * count promising records that are not there stops the walk.
 *
 * Running out of bytes: if `endSource` is 'capture' (the snap length cut the datagram) or
 * 'quoted' (an ICMP error quotes only its start), that is a 'payload' truncation (the header
 * alone: 'header'). Otherwise the message is complete and lies: the count, RDLENGTH or name
 * that overruns it is reported malformed.
 *
 * Text forms (the contract's, built only by toRecord/describe): names without the trailing
 * dot, the root as ""; inside a label `.` is `\.`, `\` is `\\`, and any byte outside
 * 0x21-0x7e is `\DDD` (three decimal digits: RFC 1035 §5.1's master-file escape, as dig
 * prints it; RFC 4343 §2.1). TXT character-strings are joined with no separator, `\` as `\\`
 * and bytes outside 0x20-0x7e as `\DDD`. So the text is always printable ASCII, a dot always
 * separates labels, and `encode` parses the same escapes back. (tshark 4.0 leaves dots inside
 * labels and bytes above 0x7e as they are, and ends TXT at a NUL byte.) A, AAAA (RFC 5952),
 * CNAME/NS/PTR, MX "pref name", TXT and SRV "prio weight port target" have text forms; every
 * other type's `data` is hex, SOA and NAPTR with their fields beside it (`soa`, `naptr`).
 *
 * Issue offsets: a truncation names the message start (as every layer does); a malformed
 * issue the offending byte (the count field, the RDLENGTH, the pointer, the length byte), as
 * an offset in the buffer decoded.
 *
 * Supported: every header field; questions; all records with A, AAAA, CNAME, NS, PTR, MX,
 * TXT, SRV, SOA, NAPTR and OPT decoded and checked, other types kept as hex; EDNS(0) from
 * the first OPT record of the additional section (UDP size, extended RCODE, version, DO,
 * options as code + hex).
 * Not supported: DNSSEC RDATA (RRSIG, DNSKEY, NSEC...) beyond hex; TSIG/SIG(0) checks;
 * the mDNS cache-flush / unicast-response bit is left in `class` (the raw 16 bits); the
 * obsolete extended label types (0x40 binary labels, RFC 6891 §5 deprecates them) are
 * malformed; DNS over TCP framing (the 2-byte length) is the caller's, see tcpMessageLength.
 */
import { latin1, put16, put32, put8, u16, u32, u8 } from './bytes.js'
import { hex, ipv4BytesToString, ipv6ToString } from './format.js'
import { OK, malformed, truncated, type DecodeIssue, type Decoded, type LenSource } from './issue.js'
import { MAX_DNS_EDNS_OPTIONS, MAX_DNS_POINTER_JUMPS, MAX_DNS_QUESTIONS, MAX_DNS_RECORDS_PER_SECTION } from './limits.js'

/** Byte offset of each header field from the start of the message. */
export const Field = {
  ID: 0,
  /** QR, Opcode, AA, TC, RD, RA, Z, AD, CD, RCODE. */
  FLAGS: 2,
  QDCOUNT: 4,
  ANCOUNT: 6,
  NSCOUNT: 8,
  ARCOUNT: 10,
} as const

/** Header size in bytes; the shortest message. */
export const HEADER_LEN = 12

/** Bits of the flags field. */
export const Flag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  Z: 0x0040,
  AD: 0x0020,
  CD: 0x0010,
} as const

/** The RR types this module decodes beyond hex (IANA "Resource Record (RR) TYPEs"). */
export const Type = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  OPT: 41,
} as const

export const Opcode = { Query: 0, IQuery: 1, Status: 2, Notify: 4, Update: 5, Dso: 6 } as const

/** RFC 1035 §2.3.4: "names - 255 octets or less" (length bytes and the root's zero byte included). */
export const MAX_NAME_OCTETS = 255

/** Bytes of a question after its name (QTYPE, QCLASS) and of an RR after its name (TYPE .. RDLENGTH). */
const QUESTION_FIXED = 4
const RR_FIXED = 10

// ---- decoded structures -------------------------------------------------------------------

/** A question; the name stays in the message, read by `nameAt`/toRecord. */
export interface Question {
  /** Offset of the name's first byte in the buffer decoded. */
  nameOffset: number
  type: number
  class: number
}

/** A resource record; name and RDATA stay in the message. */
export interface ResourceRecord {
  nameOffset: number
  type: number
  /** The raw 16 bits (OPT: the UDP payload size; mDNS: cache-flush bit included). */
  class: number
  /** Unsigned 32 bits as on the wire (OPT: extended RCODE, version, DO, Z). */
  ttl: number
  rdOffset: number
  rdLength: number
  /** False when the RDATA broke its type's rules (then it is shown as hex). */
  rdataOk: boolean
}

export interface EdnsOption {
  code: number
  dataOffset: number
  dataLength: number
}

/** EDNS(0) from the first OPT record of the additional section. */
export interface Edns {
  present: boolean
  udpSize: number
  /** The upper 8 bits of the 12-bit RCODE, raw (the full value is extendedRcode << 4 | rcode). */
  extendedRcode: number
  version: number
  do: boolean
  /** The 15 bits after DO (must be zero). */
  z: number
  /** Options in wire order (those wholly inside the RDATA). */
  options: EdnsOption[]
}

/** A decoded message: the header fields, what was decoded of the sections, and where it lies. */
export interface Header {
  id: number
  /** The 16-bit flags word as on the wire. */
  flags: number
  qr: boolean
  opcode: number
  aa: boolean
  tc: boolean
  rd: boolean
  ra: boolean
  z: boolean
  ad: boolean
  cd: boolean
  /** The 4-bit header RCODE. */
  rcode: number
  /** The counts as the header claims them. */
  qdcount: number
  ancount: number
  nscount: number
  arcount: number
  /** What was decoded, in wire order: all of it on OK, the part before the issue otherwise. */
  questions: Question[]
  answers: ResourceRecord[]
  authorities: ResourceRecord[]
  additionals: ResourceRecord[]
  edns: Edns
  /** The buffer decoded; names and RDATA are read from it at toRecord time (valid as long as it is). */
  bytes: Uint8Array
  /** Where the message starts (compression pointers count from here) and ends. */
  messageOffset: number
  messageEnd: number
  /** DNS is the last layer: one past the last byte of the last record decoded, and the message end. */
  payloadOffset: number
  payloadEnd: number
  /** Reused objects (internal): questions and records are taken from here for every message. */
  pool: { questions: Question[]; records: ResourceRecord[]; options: EdnsOption[] }
}

/** A zeroed header to decode into. Allocate once, reuse for every message. */
export function create(): Header {
  return {
    id: 0, flags: 0, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false,
    rcode: 0, qdcount: 0, ancount: 0, nscount: 0, arcount: 0,
    questions: [], answers: [], authorities: [], additionals: [],
    edns: { present: false, udpSize: 0, extendedRcode: 0, version: 0, do: false, z: 0, options: [] },
    bytes: new Uint8Array(0), messageOffset: 0, messageEnd: 0, payloadOffset: 0, payloadEnd: 0,
    pool: { questions: [], records: [], options: [] },
  }
}

// ---- names ----------------------------------------------------------------------------------

/** Why a name walk failed (the walk returns one of these, negative; else the offset after the name). */
const NAME_END = -1       // ran past `limit` (or `end` after a jump)
const NAME_LABEL = -2     // length byte 0x40-0xbf: a label type not in use
const NAME_LOOP = -3      // pointer back into bytes this walk has read
const NAME_FORWARD = -4   // pointer at or after the start of the label sequence it ends
const NAME_JUMPS = -5     // more than MAX_DNS_POINTER_JUMPS pointers
const NAME_LONG = -6      // more than 255 octets

/** Details of the last failed walk (module scratch: one decode runs at a time per thread). */
let failAt = 0
let failValue = 0
let failSegStart = 0
/** Start and end (inclusive) of every label sequence a walk has read, to tell loops from forward pointers. */
const visited = new Int32Array(2 * (MAX_DNS_POINTER_JUMPS + 1))
/** The text a walk with `text` set builds. */
let nameText = ''

/**
 * Walk the name at `at`: labels must lie before `limit` (an RDATA's end, or the message's);
 * after a jump, before `end`. Returns the offset just past the name where it was written
 * (past the first pointer, if any), or a NAME_* code with failAt/failValue set. With `text`
 * set it also builds the presentation form in `nameText`.
 */
function walkName(b: Uint8Array, msg: number, limit: number, end: number, at: number, text: boolean): number {
  let pos = at
  let segStart = at
  let segLimit = limit
  let jumps = 0
  let octets = 1            // the root's zero byte
  let after = -1
  if (text) nameText = ''
  for (;;) {
    if (pos >= segLimit) { failAt = pos; failValue = 0; return NAME_END }
    const len = b[pos]!
    if (len === 0) return after < 0 ? pos + 1 : after
    const kind = len & 0xc0
    if (kind === 0xc0) {
      if (pos + 1 >= segLimit) { failAt = pos + 1; failValue = 0; return NAME_END }
      const ptr = ((len & 0x3f) << 8) | b[pos + 1]!
      const target = msg + ptr
      if (after < 0) after = pos + 2
      visited[2 * jumps] = segStart
      visited[2 * jumps + 1] = pos + 1
      if (target >= segStart) {
        failAt = pos; failValue = ptr; failSegStart = segStart
        for (let k = 0; k <= jumps; k++) {
          if (target >= visited[2 * k]! && target <= visited[2 * k + 1]!) return NAME_LOOP
        }
        return NAME_FORWARD
      }
      if (++jumps > MAX_DNS_POINTER_JUMPS) { failAt = pos; failValue = jumps; return NAME_JUMPS }
      segStart = pos = target
      segLimit = end
      continue
    }
    if (kind !== 0) { failAt = pos; failValue = len; return NAME_LABEL }
    octets += 1 + len
    if (octets > MAX_NAME_OCTETS) { failAt = pos; failValue = octets; return NAME_LONG }
    if (pos + 1 + len > segLimit) { failAt = segLimit; failValue = 0; return NAME_END }
    if (text) nameText += (nameText === '' ? '' : '.') + labelText(b, pos + 1, pos + 1 + len)
    pos += 1 + len
  }
}

/** A label's bytes in presentation form; the usual all-plain label in one call. */
function labelText(b: Uint8Array, from: number, to: number): string {
  let plain = true
  for (let i = from; i < to && plain; i++) {
    const c = b[i]!
    plain = c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c
  }
  if (plain) return latin1(b, from, to)
  let s = ''
  for (let i = from; i < to; i++) s += labelChar(b[i]!)
  return s
}

/** One label byte in presentation form: `\.`, `\\`, `\DDD` outside 0x21-0x7e. */
function labelChar(c: number): string {
  if (c === 0x2e) return '\\.'
  if (c === 0x5c) return '\\\\'
  if (c < 0x21 || c > 0x7e) return `\\${c < 10 ? '00' : c < 100 ? '0' : ''}${c}`
  return String.fromCharCode(c)
}

/** One character-string byte in text form: `\\`, `\DDD` outside 0x20-0x7e. */
function textChar(c: number): string {
  if (c === 0x5c) return '\\\\'
  if (c < 0x20 || c > 0x7e) return `\\${c < 10 ? '00' : c < 100 ? '0' : ''}${c}`
  return String.fromCharCode(c)
}

/**
 * The text of the name at `at` in the message `h` decoded ("" for the root). The name was
 * checked by decode; for any other offset a bad name gives "" (never throws).
 */
export function nameAt(h: Header, at: number): string {
  const r = walkName(h.bytes, h.messageOffset, h.messageEnd, h.messageEnd, at, true)
  return r < 0 ? '' : nameText
}

/** Offset just past the name at `at` (as written, pointer included), or -1 if it is bad. */
function skipName(h: Header, at: number, limit: number): number {
  const r = walkName(h.bytes, h.messageOffset, limit, h.messageEnd, at, false)
  return r < 0 ? -1 : r
}

// ---- decode -----------------------------------------------------------------------------------

/**
 * A plausible DNS message at `offset`, for port-based dispatch (so a UDP/53 flow that is not
 * DNS does not flood the report with malformed entries). Cheap: reads the header and walks
 * at most the first name. True when: at least the 12-byte header; an opcode in use (0 QUERY,
 * 1 IQUERY, 2 STATUS, 4 NOTIFY, 5 UPDATE, 6 DSO); the counts' smallest possible size fits
 * in 65535 bytes; and the first question's (or, with none, the first record's) name is
 * well formed as far as the bytes go (a name cut by the end still passes: snap lengths cut
 * real DNS), or is the only question and ends in a bad pointer (a crafted query is DNS).
 * A message shorter than the header is false, though tshark calls it malformed DNS.
 */
export function looksLikeDns(bytes: Uint8Array, offset: number, end: number): boolean {
  if (offset < 0 || end > bytes.length || end - offset < HEADER_LEN) return false
  const opcode = (u8(bytes, offset + Field.FLAGS) >> 3) & 0xf
  if (opcode === 3 || opcode > Opcode.Dso) return false
  const qd = u16(bytes, offset + Field.QDCOUNT)
  const rrs = u16(bytes, offset + Field.ANCOUNT) + u16(bytes, offset + Field.NSCOUNT) + u16(bytes, offset + Field.ARCOUNT)
  if (HEADER_LEN + qd * (1 + QUESTION_FIXED) + rrs * (1 + RR_FIXED) > 65535) return false
  if (qd + rrs === 0) return true
  const r = walkName(bytes, offset, end, end, offset + HEADER_LEN, false)
  if (r >= 0 || r === NAME_END) return true
  // A crafted name (a pointer that loops or points forward) in an otherwise ordinary query is
  // still DNS, worth its malformed entry; random bytes have QDCOUNT 1 once in 65536.
  return qd === 1 && (r === NAME_LOOP || r === NAME_FORWARD || r === NAME_JUMPS)
}

/** The 2-byte length that prefixes a DNS message over TCP (RFC 1035 §4.2.2), or -1 with fewer than 2 bytes. */
export function tcpMessageLength(bytes: Uint8Array, offset: number, end: number): number {
  if (offset < 0 || end - offset < 2 || offset + 2 > bytes.length) return -1
  return u16(bytes, offset)
}

/** What one decode call needs besides `out`. */
interface Ctx {
  b: Uint8Array
  msg: number
  end: number
  endSource: LenSource
  /** The first issue inside a record's RDATA (the walk goes on after it). */
  rdataIssue: DecodeIssue | null
  /** The RDATA being checked starts here. */
  rdStart: number
}

/** Reused for every decode (one runs at a time per thread). */
const ctx: Ctx = { b: new Uint8Array(0), msg: 0, end: 0, endSource: 'capture', rdataIssue: null, rdStart: 0 }

const COUNT_FIELDS = ['qdcount', 'ancount', 'nscount', 'arcount'] as const
const COUNT_OFFSETS = [Field.QDCOUNT, Field.ANCOUNT, Field.NSCOUNT, Field.ARCOUNT] as const

/**
 * Decode the DNS message from `offset` to `end` (a UDP payload, or one TCP message after its
 * length prefix) into `out`. See the module comment for partial decodes and issue kinds.
 * `endSource` says what set `end`: 'capture' when the snap length cut the message. An `end`
 * past the buffer is taken as the buffer's end. On a 'header' truncation `out` is all zeros.
 */
export function decode(
  bytes: Uint8Array,
  offset: number,
  end: number,
  out: Header,
  endSource: LenSource = 'udp.length',
): Decoded {
  // A caller's `end` past the buffer would make reads return undefined; never walk there.
  if (end > bytes.length) end = bytes.length
  out.bytes = bytes
  out.messageOffset = offset
  out.messageEnd = end
  out.payloadOffset = out.payloadEnd = end
  // A non-empty list is replaced, not truncated: V8's length setter trims the backing store, which
  // costs more than a young-generation allocation (measured for the BGP decoder, ~100 ns each).
  if (out.questions.length !== 0) out.questions = []
  if (out.answers.length !== 0) out.answers = []
  if (out.authorities.length !== 0) out.authorities = []
  if (out.additionals.length !== 0) out.additionals = []
  const e = out.edns
  e.present = false
  e.udpSize = e.extendedRcode = e.version = e.z = 0
  e.do = false
  if (e.options.length !== 0) e.options = []
  out.qdcount = out.ancount = out.nscount = out.arcount = 0
  out.id = out.flags = out.opcode = out.rcode = 0
  out.qr = out.aa = out.tc = out.rd = out.ra = out.z = out.ad = out.cd = false

  const have = end - offset
  if (have < HEADER_LEN) return truncated('dns', 'header', HEADER_LEN, have, offset, endSource)
  out.id = u16(bytes, offset + Field.ID)
  const flags = u16(bytes, offset + Field.FLAGS)
  out.flags = flags
  out.qr = (flags & Flag.QR) !== 0
  out.opcode = (flags >> 11) & 0xf
  out.aa = (flags & Flag.AA) !== 0
  out.tc = (flags & Flag.TC) !== 0
  out.rd = (flags & Flag.RD) !== 0
  out.ra = (flags & Flag.RA) !== 0
  out.z = (flags & Flag.Z) !== 0
  out.ad = (flags & Flag.AD) !== 0
  out.cd = (flags & Flag.CD) !== 0
  out.rcode = flags & 0xf
  out.qdcount = u16(bytes, offset + Field.QDCOUNT)
  out.ancount = u16(bytes, offset + Field.ANCOUNT)
  out.nscount = u16(bytes, offset + Field.NSCOUNT)
  out.arcount = u16(bytes, offset + Field.ARCOUNT)

  ctx.b = bytes
  ctx.msg = offset
  ctx.end = end
  ctx.endSource = endSource
  ctx.rdataIssue = null
  let p = offset + HEADER_LEN
  out.payloadOffset = p

  // Questions.
  const qPool = out.pool.questions
  const nq = Math.min(out.qdcount, MAX_DNS_QUESTIONS)
  for (let i = 0; i < nq; i++) {
    const after = walkName(bytes, offset, end, end, p, false)
    if (after < 0) return nameIssue(ctx, after, 0, i, out.qdcount)
    if (end - after < QUESTION_FIXED) return ranOut(ctx, 0, out.qdcount, i, after + QUESTION_FIXED)
    const q = qPool[i] ?? (qPool[i] = { nameOffset: 0, type: 0, class: 0 })
    q.nameOffset = p
    q.type = u16(bytes, after)
    q.class = u16(bytes, after + 2)
    out.questions.push(q)
    p = after + QUESTION_FIXED
    out.payloadOffset = p
  }
  if (out.qdcount > MAX_DNS_QUESTIONS) {
    return malformed('dns', 'qdcount', out.qdcount, `<= ${MAX_DNS_QUESTIONS} questions (hubcap's bound)`, offset + Field.QDCOUNT)
  }

  // Answer, authority and additional records.
  let used = 0
  for (let s = 0; s < 3; s++) {
    const list = s === 0 ? out.answers : s === 1 ? out.authorities : out.additionals
    const count = s === 0 ? out.ancount : s === 1 ? out.nscount : out.arcount
    const n = Math.min(count, MAX_DNS_RECORDS_PER_SECTION)
    for (let i = 0; i < n; i++) {
      const after = walkName(bytes, offset, end, end, p, false)
      if (after < 0) return nameIssue(ctx, after, s + 1, i, count)
      if (end - after < RR_FIXED) return ranOut(ctx, s + 1, count, i, after + RR_FIXED)
      const rdLength = u16(bytes, after + 8)
      const rdOffset = after + RR_FIXED
      if (rdLength > end - rdOffset) {
        if (cutShort(endSource)) return truncated('dns', 'payload', rdOffset + rdLength - offset, end - offset, offset, endSource)
        return malformed('dns', 'rdlength', rdLength, `<= ${end - rdOffset} (the bytes left in the message)`, after + 8)
      }
      const pool = out.pool.records
      const rr = pool[used] ?? (pool[used] = { nameOffset: 0, type: 0, class: 0, ttl: 0, rdOffset: 0, rdLength: 0, rdataOk: true })
      used++
      rr.nameOffset = p
      rr.type = u16(bytes, after)
      rr.class = u16(bytes, after + 2)
      rr.ttl = u32(bytes, after + 4)
      rr.rdOffset = rdOffset
      rr.rdLength = rdLength
      list.push(rr)
      rr.rdataOk = checkRdata(ctx, out, rr, s === 2 && !e.present)
      p = rdOffset + rdLength
      out.payloadOffset = p
    }
    if (count > MAX_DNS_RECORDS_PER_SECTION) {
      return malformed('dns', COUNT_FIELDS[s + 1]!, count, `<= ${MAX_DNS_RECORDS_PER_SECTION} records per section (hubcap's bound)`,
        offset + COUNT_OFFSETS[s + 1]!)
    }
  }
  return ctx.rdataIssue ?? OK
}

/** The end is where the capture (or an ICMP error's quote) stopped, not where the message ends. */
function cutShort(endSource: LenSource): boolean {
  return endSource === 'capture' || endSource === 'quoted'
}

/** The message ended inside question/record `index` of section `s` (0 questions .. 3 additional). */
function ranOut(ctx: Ctx, s: number, count: number, index: number, need: number): Decoded {
  if (cutShort(ctx.endSource)) return truncated('dns', 'payload', need - ctx.msg, ctx.end - ctx.msg, ctx.msg, ctx.endSource)
  const what = s === 0 ? 'question' : 'record'
  return malformed('dns', COUNT_FIELDS[s]!, count, `<= ${index} (the message ends inside ${what} ${index + 1})`, ctx.msg + COUNT_OFFSETS[s]!)
}

/** The issue for a failed walk of an owner name (question or record `index` of section `s`, which claims `count`). */
function nameIssue(ctx: Ctx, code: number, s: number, index: number, count: number): Decoded {
  if (code === NAME_END) return ranOut(ctx, s, count, index, failAt + 1)
  return badName(ctx, code)
}

/** The malformed issue of a failed walk other than running out of bytes. */
function badName(ctx: Ctx, code: number): DecodeIssue {
  switch (code) {
    case NAME_LABEL:
      return malformed('dns', 'labelLength', failValue, '<= 63 (0xc0 starts a pointer; label types 0x40 and 0x80 are not in use)', failAt)
    case NAME_LOOP:
      return malformed('dns', 'pointer', failValue, 'a prior occurrence of the name (this pointer loops)', failAt)
    case NAME_FORWARD:
      return malformed('dns', 'pointer', failValue,
        `< ${failSegStart - ctx.msg}, a prior occurrence of the name (RFC 1035 4.1.4; this pointer points forward)`, failAt)
    case NAME_JUMPS:
      return malformed('dns', 'pointers', failValue, `<= ${MAX_DNS_POINTER_JUMPS} compression pointers per name`, failAt)
    default:
      return malformed('dns', 'nameLength', failValue, `<= ${MAX_NAME_OCTETS} octets (RFC 1035 2.3.4)`, failAt)
  }
}

/** Note the first RDATA issue; returns false so the record is shown as hex. */
function badRdata(ctx: Ctx, issue: DecodeIssue): false {
  ctx.rdataIssue ??= issue
  return false
}

/** A name inside RDATA from `at` that must end by `rdEnd`: the offset after it, or -1 (issue noted). */
function rdataName(ctx: Ctx, at: number, rdEnd: number): number {
  const r = walkName(ctx.b, ctx.msg, rdEnd, ctx.end, at, false)
  if (r >= 0) return r
  // The RDATA is all there (RDLENGTH fitted the message), so a name running out is the record's fault.
  badRdata(ctx, r === NAME_END
    ? malformed('dns', 'rdlength', rdEnd - ctx.rdStart, 'room for the names of the RDATA (a name runs past it)', ctx.rdStart - 2)
    : badName(ctx, r))
  return -1
}

/** The end of `n` character-strings from `at` (n < 0: as many as fill the RDATA), or -1 (issue noted). */
function charStrings(ctx: Ctx, at: number, rdEnd: number, n: number): number {
  let p = at
  for (let k = 0; n < 0 ? p < rdEnd : k < n; k++) {
    if (p >= rdEnd) {
      badRdata(ctx, malformed('dns', 'rdlength', rdEnd - ctx.rdStart, `room for the ${n} character-strings of the RDATA`, ctx.rdStart - 2))
      return -1
    }
    const len = ctx.b[p]!
    if (len > rdEnd - p - 1) {
      badRdata(ctx, malformed('dns', 'stringLength', len, `<= ${rdEnd - p - 1} (the bytes left in the RDATA)`, p))
      return -1
    }
    p += 1 + len
  }
  return p
}

/** True when the RDATA's last field ends at `after`, exactly where RDLENGTH says (-1: an issue already noted). */
function fills(ctx: Ctx, rr: ResourceRecord, after: number, what: string): boolean {
  if (after < 0) return false
  if (after === rr.rdOffset + rr.rdLength) return true
  return badRdata(ctx, malformed('dns', 'rdlength', rr.rdLength, `${after - rr.rdOffset} for this ${what} RDATA`, rr.rdOffset - 2))
}

/**
 * Check a record's RDATA against its type (empty RDATA is always fine: UPDATE uses it).
 * `edns`: this is the first OPT of the additional section, whose fields fill out.edns.
 */
function checkRdata(ctx: Ctx, out: Header, rr: ResourceRecord, edns: boolean): boolean {
  const at = rr.rdOffset
  const len = rr.rdLength
  const rdEnd = at + len
  const lenField = at - 2
  ctx.rdStart = at
  if (rr.type === Type.OPT && edns) return checkOpt(ctx, out, rr)
  if (len === 0) return true
  switch (rr.type) {
    case Type.A:
      return len === 4 || badRdata(ctx, malformed('dns', 'rdlength', len, '4 for A', lenField))
    case Type.AAAA:
      return len === 16 || badRdata(ctx, malformed('dns', 'rdlength', len, '16 for AAAA', lenField))
    case Type.CNAME: case Type.NS: case Type.PTR:
      return fills(ctx, rr, rdataName(ctx, at, rdEnd), 'name')
    case Type.MX:
      if (len < 3) return badRdata(ctx, malformed('dns', 'rdlength', len, '>= 3 for MX', lenField))
      return fills(ctx, rr, rdataName(ctx, at + 2, rdEnd), 'MX')
    case Type.SRV:
      if (len < 7) return badRdata(ctx, malformed('dns', 'rdlength', len, '>= 7 for SRV', lenField))
      return fills(ctx, rr, rdataName(ctx, at + 6, rdEnd), 'SRV')
    case Type.SOA: {
      const m = rdataName(ctx, at, rdEnd)
      if (m < 0) return false
      const r = rdataName(ctx, m, rdEnd)
      if (r < 0) return false
      if (rdEnd - r < 20) return badRdata(ctx, malformed('dns', 'rdlength', len, `${r + 20 - at} for this SOA RDATA`, lenField))
      return fills(ctx, rr, r + 20, 'SOA')
    }
    case Type.TXT:
      return charStrings(ctx, at, rdEnd, -1) === rdEnd
    case Type.NAPTR: {
      if (len < 7) return badRdata(ctx, malformed('dns', 'rdlength', len, '>= 7 for NAPTR', lenField))
      const s = charStrings(ctx, at + 4, rdEnd, 3)
      if (s < 0) return false
      return fills(ctx, rr, rdataName(ctx, s, rdEnd), 'NAPTR')
    }
    default:
      return true
  }
}

/** The OPT pseudo-record (RFC 6891 §6.1.2): EDNS fields from CLASS and TTL, options from the RDATA. */
function checkOpt(ctx: Ctx, out: Header, rr: ResourceRecord): boolean {
  const e = out.edns
  e.present = true
  e.udpSize = rr.class
  e.extendedRcode = rr.ttl >>> 24
  e.version = (rr.ttl >>> 16) & 0xff
  e.do = (rr.ttl & 0x8000) !== 0
  e.z = rr.ttl & 0x7fff
  const pool = out.pool.options
  const rdEnd = rr.rdOffset + rr.rdLength
  let p = rr.rdOffset
  while (p < rdEnd) {
    if (rdEnd - p < 4) {
      return badRdata(ctx, malformed('dns', 'optionLength', rdEnd - p, '>= 4 bytes of option code and length', p))
    }
    const length = u16(ctx.b, p + 2)
    if (length > rdEnd - p - 4) {
      return badRdata(ctx, malformed('dns', 'optionLength', length, `<= ${rdEnd - p - 4} (the bytes left in the OPT RDATA)`, p + 2))
    }
    if (e.options.length === MAX_DNS_EDNS_OPTIONS) {
      return badRdata(ctx, malformed('dns', 'options', MAX_DNS_EDNS_OPTIONS + 1, `<= ${MAX_DNS_EDNS_OPTIONS} EDNS options (hubcap's bound)`, p))
    }
    const k = e.options.length
    const o = pool[k] ?? (pool[k] = { code: 0, dataOffset: 0, dataLength: 0 })
    o.code = u16(ctx.b, p)
    o.dataOffset = p + 4
    o.dataLength = length
    e.options.push(o)
    p += 4 + length
  }
  return true
}

// ---- text forms -------------------------------------------------------------------------------

export interface SoaData { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
export interface NaptrData { order: number; preference: number; flags: string; services: string; regexp: string; replacement: string }

/** The contract's text of a record's RDATA (see the module comment); hex when the type has no text form or the RDATA is bad. */
export function rdataText(h: Header, rr: ResourceRecord): string {
  const b = h.bytes
  const at = rr.rdOffset
  if (rr.rdLength === 0) return ''
  if (!rr.rdataOk) return hex(b, at, at + rr.rdLength)
  switch (rr.type) {
    case Type.A: return ipv4BytesToString(b, at)
    case Type.AAAA: return ipv6ToString(b, at)
    case Type.CNAME: case Type.NS: case Type.PTR: return nameAt(h, at)
    case Type.MX: return `${u16(b, at)} ${nameAt(h, at + 2)}`
    case Type.SRV: return `${u16(b, at)} ${u16(b, at + 2)} ${u16(b, at + 4)} ${nameAt(h, at + 6)}`
    case Type.TXT: {
      let s = ''
      const rdEnd = at + rr.rdLength
      for (let p = at; p < rdEnd; p += 1 + b[p]!) s += charString(b, p)
      return s
    }
    default: return hex(b, at, at + rr.rdLength)
  }
}

/** The character-string at `p` (length byte first) as text. */
function charString(b: Uint8Array, p: number): string {
  let s = ''
  const len = b[p]!
  for (let i = p + 1; i <= p + len; i++) s += textChar(b[i]!)
  return s
}

/** SOA fields of a checked SOA record, else null. */
export function soaOf(h: Header, rr: ResourceRecord): SoaData | null {
  if (rr.type !== Type.SOA || !rr.rdataOk || rr.rdLength === 0) return null
  const rdEnd = rr.rdOffset + rr.rdLength
  const m = skipName(h, rr.rdOffset, rdEnd)
  const r = skipName(h, m, rdEnd)
  const b = h.bytes
  return {
    mname: nameAt(h, rr.rdOffset), rname: nameAt(h, m), serial: u32(b, r), refresh: u32(b, r + 4), retry: u32(b, r + 8),
    expire: u32(b, r + 12), minimum: u32(b, r + 16),
  }
}

/** NAPTR fields of a checked NAPTR record, else null. */
export function naptrOf(h: Header, rr: ResourceRecord): NaptrData | null {
  if (rr.type !== Type.NAPTR || !rr.rdataOk || rr.rdLength === 0) return null
  const b = h.bytes
  let p = rr.rdOffset + 4
  const flags = charString(b, p); p += 1 + b[p]!
  const services = charString(b, p); p += 1 + b[p]!
  const regexp = charString(b, p); p += 1 + b[p]!
  return { order: u16(b, rr.rdOffset), preference: u16(b, rr.rdOffset + 2), flags, services, regexp, replacement: nameAt(h, p) }
}

/** One line for debug output: "DNS response 0x1234 op 0 rcode 3 www.example.com/1 qd 1 an 0 ns 1 ar 1". */
export function describe(h: Header): string {
  const q = h.questions[0]
  const first = q ? ` ${nameAt(h, q.nameOffset) || '.'}/${q.type}` : ''
  return `DNS ${h.qr ? 'response' : 'query'} 0x${h.id.toString(16).padStart(4, '0')} op ${h.opcode} rcode ${h.rcode}${first}` +
    ` qd ${h.qdcount} an ${h.ancount} ns ${h.nscount} ar ${h.arcount}`
}

export interface DnsQuestionRecord { name: string; type: number; class: number }

/** A record in a decode record: the contract's keys, then `soa`/`naptr` for those types (whose `data` is hex). */
export interface DnsResourceRecord {
  name: string
  type: number
  class: number
  ttl: number
  data: string
  soa?: SoaData
  naptr?: NaptrData
}

export interface DnsEdnsRecord {
  udpSize: number
  extendedRcode: number
  version: number
  do: boolean
  options: Array<{ code: number; data: string }>
}

/**
 * The `dns` layer of a decode record: the contract's keys in its order, then additions.
 * `questions`/`answers`/`authorities`/`additionals` hold what was decoded; the counts are the
 * header's (so a partial decode shows as fewer entries than its count).
 */
export interface DnsRecord {
  type: 'dns'
  id: number
  qr: boolean
  opcode: number
  rcode: number
  aa: boolean
  tc: boolean
  rd: boolean
  ra: boolean
  questions: DnsQuestionRecord[]
  answers: DnsResourceRecord[]
  authorityCount: number
  additionalCount: number
  ad: boolean
  cd: boolean
  questionCount: number
  answerCount: number
  authorities: DnsResourceRecord[]
  additionals: DnsResourceRecord[]
  /** Absent when the message has no OPT record in its additional section. */
  edns?: DnsEdnsRecord
}

function rrRecord(h: Header, rr: ResourceRecord): DnsResourceRecord {
  const r: DnsResourceRecord = { name: nameAt(h, rr.nameOffset), type: rr.type, class: rr.class, ttl: rr.ttl, data: rdataText(h, rr) }
  const soa = soaOf(h, rr)
  if (soa) r.soa = soa
  const naptr = naptrOf(h, rr)
  if (naptr) r.naptr = naptr
  return r
}

/** The `dns` layer of a decode record (call before the buffer decoded is reused). */
export function toRecord(h: Header): DnsRecord {
  const r: DnsRecord = {
    type: 'dns', id: h.id, qr: h.qr, opcode: h.opcode, rcode: h.rcode, aa: h.aa, tc: h.tc, rd: h.rd, ra: h.ra,
    questions: h.questions.map((q) => ({ name: nameAt(h, q.nameOffset), type: q.type, class: q.class })),
    answers: h.answers.map((rr) => rrRecord(h, rr)),
    authorityCount: h.nscount, additionalCount: h.arcount,
    ad: h.ad, cd: h.cd, questionCount: h.qdcount, answerCount: h.ancount,
    authorities: h.authorities.map((rr) => rrRecord(h, rr)),
    additionals: h.additionals.map((rr) => rrRecord(h, rr)),
  }
  const e = h.edns
  if (e.present) {
    r.edns = {
      udpSize: e.udpSize, extendedRcode: e.extendedRcode, version: e.version, do: e.do,
      options: e.options.map((o) => ({ code: o.code, data: hex(h.bytes, o.dataOffset, o.dataOffset + o.dataLength) })),
    }
  }
  return r
}

// ---- encode -----------------------------------------------------------------------------------

/**
 * A name to write: text in presentation form ("www.example.com", escapes `\.` `\\` `\DDD`;
 * "" or "." is the root), compressed when the message compresses; or exact wire labels,
 * then a pointer to `pointer` (an offset from the message start) or the root byte. The
 * exact form writes what it is given (a 64-byte label, a loop) so tests can build bad names.
 */
export type NameSpec = string | { labels: Array<string | Uint8Array>; pointer?: number }

export interface QuestionFields {
  name: NameSpec
  type: number
  /** Default 1 (IN). */
  class?: number
}

export interface SoaFields { mname: NameSpec; rname: NameSpec; serial: number; refresh: number; retry: number; expire: number; minimum: number }
export interface NaptrFields {
  order: number; preference: number; flags: string; services: string; regexp: string; replacement: NameSpec
}
export interface EdnsOptionFields { code: number; data: Uint8Array; /** The length field; default data.length. */ length?: number }

/**
 * RDATA to write: raw bytes; text as toRecord prints it for A, AAAA, CNAME, NS, PTR, MX, SRV
 * (one character-string for TXT, hex for other types); TXT character-strings; SOA; NAPTR;
 * OPT options.
 */
export type RDataFields =
  | Uint8Array
  | string
  | { strings: Array<string | Uint8Array> }
  | SoaFields
  | NaptrFields
  | { options: EdnsOptionFields[] }

export interface RecordFields {
  name: NameSpec
  type: number
  /** Default 1 (IN); for OPT the UDP payload size. */
  class?: number
  /** Default 0; for OPT extended RCODE, version, DO and Z. */
  ttl?: number
  /** Default empty. */
  data?: RDataFields
  /** The RDLENGTH written instead of the RDATA's real length (to build overruns). */
  rdlength?: number
}

/** A whole message as a plain description: what `encode` writes. */
export interface Fields {
  id: number
  qr: boolean
  opcode: number
  aa: boolean
  tc: boolean
  rd: boolean
  ra: boolean
  z: boolean
  ad: boolean
  cd: boolean
  /** The 4-bit header RCODE. */
  rcode: number
  questions: QuestionFields[]
  answers: RecordFields[]
  authorities: RecordFields[]
  additionals: RecordFields[]
  /** Counts written instead of the list lengths (to build lying headers). */
  counts?: { qd?: number; an?: number; ns?: number; ar?: number }
  /** Compress names as servers do (RFC 1035 4.1.4); default true. Only text names are compressed. */
  compress?: boolean
}

/** A description with every field present: a recursive query with no questions, changed by `overrides`. */
export function fields(overrides: Partial<Fields> = {}): Fields {
  return {
    id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [], answers: [], authorities: [], additionals: [], ...overrides,
  }
}

/** The OPT pseudo-record for the additional section (RFC 6891 §6.1.2). */
export function optRecord(o: {
  udpSize?: number; extendedRcode?: number; version?: number; do?: boolean; z?: number; options?: EdnsOptionFields[]
} = {}): RecordFields {
  const ttl = (((o.extendedRcode ?? 0) & 0xff) * 0x1000000) + (((o.version ?? 0) & 0xff) << 16) + (o.do ? 0x8000 : 0) + ((o.z ?? 0) & 0x7fff)
  return { name: '', type: Type.OPT, class: o.udpSize ?? 1232, ttl, data: { options: o.options ?? [] } }
}

/** Writes into `buf`, or only counts when `buf` is null; compression offsets are kept per message. */
class Writer {
  pos: number
  readonly dict = new Map<string, number>()
  readonly buf: Uint8Array | null
  readonly base: number
  readonly compress: boolean
  constructor(buf: Uint8Array | null, base: number, compress: boolean) {
    this.buf = buf
    this.base = base
    this.pos = base
    this.compress = compress
  }
  u8(v: number): void { if (this.buf) put8(this.buf, this.pos, v); this.pos += 1 }
  u16(v: number): void { if (this.buf) put16(this.buf, this.pos, v); this.pos += 2 }
  u32(v: number): void { if (this.buf) put32(this.buf, this.pos, v); this.pos += 4 }
  bytes(v: ArrayLike<number>): void { if (this.buf) this.buf.set(v, this.pos); this.pos += v.length }
}

const utf8 = new TextEncoder()

/** Bytes of text with `\DDD`, `\X` escapes; other characters as UTF-8. */
function unescape(text: string): number[] {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\' && i + 1 < text.length) {
      const d = /^\d{3}/.exec(text.slice(i + 1, i + 4))
      if (d) { out.push(Number(d[0]) & 0xff); i += 3 } else { out.push(text.charCodeAt(i + 1) & 0xff); i += 1 }
      continue
    }
    const code = text.charCodeAt(i)
    if (code < 0x80) out.push(code)
    else for (const b of utf8.encode(c)) out.push(b)
  }
  return out
}

/** The labels of a presentation-form name (split at dots that are not escaped). */
export function parseName(text: string): Uint8Array[] {
  if (text === '' || text === '.') return []
  const labels: string[] = []
  let cur = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\' && i + 1 < text.length) { cur += c + text[i + 1]; i++; continue }
    if (c === '.') { labels.push(cur); cur = ''; continue }
    cur += c
  }
  if (cur !== '' || !text.endsWith('.')) labels.push(cur)
  return labels.map((l) => Uint8Array.from(unescape(l)))
}

function writeName(w: Writer, spec: NameSpec, compress: boolean): void {
  if (typeof spec !== 'string') {
    for (const l of spec.labels) {
      const bytes = typeof l === 'string' ? Uint8Array.from(unescape(l)) : l
      w.u8(bytes.length)
      w.bytes(bytes)
    }
    if (spec.pointer === undefined) w.u8(0)
    else w.u16(0xc000 | (spec.pointer & 0x3fff))
    return
  }
  const labels = parseName(spec)
  for (let i = 0; i < labels.length; i++) {
    let key = ''
    for (let k = i; k < labels.length; k++) key += String.fromCharCode(labels[k]!.length) + latin1(labels[k]!, 0, labels[k]!.length)
    const at = w.dict.get(key)
    if (compress && w.compress && at !== undefined) { w.u16(0xc000 | at); return }
    const here = w.pos - w.base
    if (here < 0x4000 && at === undefined) w.dict.set(key, here)
    w.u8(labels[i]!.length)
    w.bytes(labels[i]!)
  }
  w.u8(0)
}

function ipv4Text(text: string): number[] {
  const parts = text.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`dns.encode: not an IPv4 address: ${text}`)
  return parts
}

function ipv6Text(text: string): number[] {
  let t = text
  const lastColon = t.lastIndexOf(':')
  if (t.slice(lastColon + 1).includes('.')) {
    const [a, b, c, d] = ipv4Text(t.slice(lastColon + 1))
    t = `${t.slice(0, lastColon + 1)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`
  }
  const halves = t.split('::')
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : [])
  const head = groups(halves[0])
  const tail = groups(halves[1])
  const all = halves.length === 1 ? head : [...head, ...new Array<number>(Math.max(0, 8 - head.length - tail.length)).fill(0), ...tail]
  if (halves.length > 2 || all.length !== 8 || all.some((g) => Number.isNaN(g))) throw new Error(`dns.encode: not an IPv6 address: ${text}`)
  return all.flatMap((g) => [g >> 8, g & 0xff])
}

function hexBytes(text: string): number[] {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new Error(`dns.encode: not hex: ${text}`)
  const out: number[] = []
  for (let i = 0; i < text.length; i += 2) out.push(parseInt(text.slice(i, i + 2), 16))
  return out
}

function charStringBytes(w: Writer, s: string | Uint8Array): void {
  const b = typeof s === 'string' ? unescape(s) : s
  w.u8(b.length)
  w.bytes(b)
}

/** Text RDATA of the types toRecord prints as text. */
function writeTextRdata(w: Writer, type: number, text: string): void {
  const words = text.split(' ')
  switch (type) {
    case Type.A: w.bytes(ipv4Text(text)); return
    case Type.AAAA: w.bytes(ipv6Text(text)); return
    case Type.CNAME: case Type.NS: case Type.PTR: writeName(w, text, true); return
    case Type.MX: w.u16(Number(words[0])); writeName(w, words.slice(1).join(' '), true); return
    case Type.SRV:
      w.u16(Number(words[0])); w.u16(Number(words[1])); w.u16(Number(words[2]))
      writeName(w, words.slice(3).join(' '), false)
      return
    case Type.TXT: {
      // One character-string per 255 bytes: decoding joins them back into the same text.
      const b = unescape(text)
      for (let i = 0; i < b.length || i === 0; i += 255) { const part = b.slice(i, i + 255); w.u8(part.length); w.bytes(part) }
      return
    }
    default: w.bytes(hexBytes(text))
  }
}

function writeRdata(w: Writer, type: number, data: RDataFields): void {
  if (data instanceof Uint8Array) { w.bytes(data); return }
  if (typeof data === 'string') { writeTextRdata(w, type, data); return }
  if ('strings' in data) { for (const s of data.strings) charStringBytes(w, s); return }
  if ('options' in data) {
    for (const o of data.options) { w.u16(o.code); w.u16(o.length ?? o.data.length); w.bytes(o.data) }
    return
  }
  if ('mname' in data) {
    writeName(w, data.mname, true)
    writeName(w, data.rname, true)
    w.u32(data.serial); w.u32(data.refresh); w.u32(data.retry); w.u32(data.expire); w.u32(data.minimum)
    return
  }
  w.u16(data.order); w.u16(data.preference)
  charStringBytes(w, data.flags); charStringBytes(w, data.services); charStringBytes(w, data.regexp)
  writeName(w, data.replacement, false)
}

function writeMessage(f: Fields, w: Writer): void {
  w.u16(f.id)
  w.u16((f.qr ? Flag.QR : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? Flag.AA : 0) | (f.tc ? Flag.TC : 0) | (f.rd ? Flag.RD : 0) |
    (f.ra ? Flag.RA : 0) | (f.z ? Flag.Z : 0) | (f.ad ? Flag.AD : 0) | (f.cd ? Flag.CD : 0) | (f.rcode & 0xf))
  w.u16(f.counts?.qd ?? f.questions.length)
  w.u16(f.counts?.an ?? f.answers.length)
  w.u16(f.counts?.ns ?? f.authorities.length)
  w.u16(f.counts?.ar ?? f.additionals.length)
  for (const q of f.questions) {
    writeName(w, q.name, true)
    w.u16(q.type)
    w.u16(q.class ?? 1)
  }
  for (const list of [f.answers, f.authorities, f.additionals]) {
    for (const r of list) {
      writeName(w, r.name, true)
      w.u16(r.type)
      w.u16(r.class ?? 1)
      w.u32(r.ttl ?? 0)
      const lenAt = w.pos
      w.u16(0)
      if (r.data !== undefined) writeRdata(w, r.type, r.data)
      if (w.buf) put16(w.buf, lenAt, r.rdlength ?? w.pos - lenAt - 2)
    }
  }
}

/** Bytes `encode` writes for `f`. */
export function encodingLength(f: Fields): number {
  const w = new Writer(null, 0, f.compress ?? true)
  writeMessage(f, w)
  return w.pos
}

/**
 * Write the message `f` describes at `offset`, with no fixing up beyond compression: counts,
 * RDLENGTHs and exact names are written as given. Returns the offset just past the message.
 * Throws for a description it cannot write (an address that is not one), never for values.
 */
export function encode(f: Fields, bytes: Uint8Array, offset: number): number {
  const w = new Writer(bytes, offset, f.compress ?? true)
  writeMessage(f, w)
  return w.pos
}
