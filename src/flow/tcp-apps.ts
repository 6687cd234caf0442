/**
 * Applications over TCP: BGP (179), DNS over TCP (53), TLS handshakes and HTTP
 * requests. Their messages are framed over a byte stream, so each connection
 * that carries one of them gets a StreamReassembler per direction; the parsers
 * below eat the in-order bytes and report each message in the frame where its
 * last byte arrived (the current frame: messages are parsed as soon as they
 * complete), as Wireshark does.
 *
 *   segment ─► connection table (bounded, oldest evicted) ─► reassembler[dir]
 *           ─► readable bytes ─► app parser (frames messages, resyncs after gaps)
 *           ─► records + issues for this frame
 *
 * Connections of no interest (other ports, not TLS/HTTP by their first bytes)
 * are never buffered. Every buffer is bounded per direction and by one budget
 * shared by all connections (limits.ts).
 */
import * as bgp from '../decode/bgp.js'
import * as dns from '../decode/dns.js'
import * as http from '../decode/http.js'
import { malformed, type DecodeIssue } from '../decode/issue.js'
import { MAX_TCP_CONNECTIONS, MAX_TCP_REASSEMBLY_BYTES } from '../decode/limits.js'
import type { LayerRecord } from '../decode/record.js'
import * as tls from '../decode/tls.js'
import { StreamReassembler, createStreamBudget, type StreamBudget, type StreamView } from './reassembly.js'

/** What one frame's segment produced: application layers and issues, appended in order. */
export interface AppOutput {
  records: LayerRecord[]
  issues: DecodeIssue[]
}

/**
 * A connection's identity without direction (both directions give the same): its two endpoints in a fixed
 * order (`lo`, `loPort`, `hi`, `hiPort`) and the VNI around it. IPv4 addresses are the numbers and `key` is
 * ''; an IPv6 connection's identity is the text `key` (its address fields 0).
 */
export interface ConnectionIdentity {
  lo: number
  loPort: number
  hi: number
  hiPort: number
  vni: number
  key: string
}

/** A TCP segment as the frame loop hands it over. */
export interface Segment extends ConnectionIdentity {
  /** A 32-bit hash of the same identity (`connectionHash`): finds the connection, and lets `skips` answer at once. */
  hash: number
  /** 0 or 1: which side sent it (the same side always gets the same number). */
  dir: 0 | 1
  srcPort: number
  dstPort: number
  seq: number
  flags: number
  bytes: Uint8Array
  payloadOffset: number
  payloadEnd: number
  frame: number
}

/** One application's parser for one connection: consumes readable bytes of one direction. */
interface AppParser {
  /** Parse what is readable; return the bytes consumed (0 = wait for more). */
  parse(view: StreamView, dir: 0 | 1, out: AppOutput): number
  /** Bytes were lost before view.offset: drop partial state. */
  gap(dir: 0 | 1): void
  /**
   * True when these bytes begin a message of this protocol. A segment that arrives after a hole and
   * begins a message is decoded at once (the hole is skipped as missed bytes), as Wireshark does with
   * out-of-order reassembly off: a lost segment must not hold back every later message.
   */
  startsMessage(bytes: Uint8Array, offset: number, end: number): boolean
  /** Called once after the segment's bytes were parsed, to emit per-frame layers (TLS summary). */
  endOfSegment?(out: AppOutput): void
  /**
   * 'active' while there is more to read; 'finished' when nothing more of interest can come
   * (both directions encrypted); 'invalid' when the bytes are not this protocol. Either ends buffering.
   */
  state: 'active' | 'finished' | 'invalid'
}

/**
 * A followed connection. Its parser and each direction's reassembler are built when that direction's first
 * segment other than a bare SYN arrives: a SYN flood to a followed port then costs a table entry and a
 * sequence number per connection, not a parser and two reassemblers (~2.8 KB each, measured).
 */
interface Connection extends ConnectionIdentity {
  /** The next live connection with the same hash. */
  sameHash: Connection | null
  kind: ParserKind
  parser: AppParser | null
  streams: [StreamReassembler | null, StreamReassembler | null]
  /** Per direction: the sequence number of its SYN while its reassembler is not built (-1: none seen). */
  synSeq: [number, number]
  hash: number
}

const NO_BYTES = new Uint8Array(0)
const FIN = 0x01
const SYN = 0x02
const RST = 0x04

/** The application a new connection is parsed as, by port, or by its first payload bytes. */
export type AppKind = 'tls' | 'http'

const BGP_PORT = 179
const DNS_PORT = 53
const TLS_PORTS = new Set([443, 8443, 636, 993, 995, 465, 5986, 6443])
const HTTP_PORTS = new Set([80, 8080, 3128, 8000, 8888, 5985])

export class TcpApplications {
  /**
   * Live connections, oldest first (eviction order). They are found through `byHash`: Segment.hash to
   * the connections of that hash, chained by `sameHash`; no entry means no connection of that identity.
   * Numbers, not a Map keyed by identity text: building two address strings and a key per segment and
   * hashing it took more time than the rest of the lookup.
   */
  private readonly connections = new Set<Connection>()
  private readonly byHash = new Map<number, Connection>()
  private readonly budget: StreamBudget
  /** Ports worth building a connection key for: the applications' own, and those of connections found by content. */
  private readonly ports = new Uint8Array(65536)
  /** Connections dropped from the table because it was full (oldest first). */
  evicted = 0
  /** Connections whose bytes did not hold the protocol their port or first bytes suggested. */
  abandoned = 0
  /** Stream reassemblers built and not yet closed (a connection builds one per direction that sends more than a SYN). */
  reassemblers = 0

  /** Stop following a connection once it produced a record (`firstRecordOnly`). */
  private readonly firstRecordOnly: boolean

  /**
   * `firstRecordOnly`: for consumers that only name a connection's application (hubcap flows): a
   * connection is closed after the segment that completed its first record, so nothing is buffered
   * or parsed past it (a later segment that opens it again by port or bytes is followed anew).
   */
  constructor(budgetBytes = MAX_TCP_REASSEMBLY_BYTES, opts: { firstRecordOnly?: boolean } = {}) {
    this.firstRecordOnly = opts.firstRecordOnly === true
    this.budget = createStreamBudget(budgetBytes)
    for (const p of [BGP_PORT, DNS_PORT, ...TLS_PORTS, ...HTTP_PORTS]) this.ports[p] = 1
  }

  segment(s: Segment, out: AppOutput): void {
    let c = this.find(s)
    if (!c) {
      const kind = openingKind(s.flags, s.srcPort, s.dstPort, s.bytes, s.payloadOffset, s.payloadEnd)
      if (kind === null) return
      // Its later segments (maybe without recognisable bytes) must pass mayFollow: remember its ports.
      this.ports[s.srcPort] = 1
      this.ports[s.dstPort] = 1
      if (this.connections.size >= MAX_TCP_CONNECTIONS) this.evictOldest()
      c = {
        lo: s.lo, loPort: s.loPort, hi: s.hi, hiPort: s.hiPort, vni: s.vni, key: s.key, sameHash: this.byHash.get(s.hash) ?? null,
        kind, parser: null, streams: [null, null], synSeq: [-1, -1], hash: s.hash,
      }
      this.connections.add(c)
      this.byHash.set(s.hash, c)
    }
    if (c.streams[s.dir] === null && s.payloadEnd <= s.payloadOffset && (s.flags & (SYN | FIN | RST)) === SYN) {
      // A bare SYN (or SYN-ACK) only fixes where the stream starts: keep its number (the first one,
      // as the reassembler would) and build nothing yet.
      if (c.synSeq[s.dir] < 0) c.synSeq[s.dir] = s.seq >>> 0
      return
    }
    const stream = this.streamOf(c, s.dir, s.frame)
    const parser = (c.parser ??= newParser(c.kind))
    // Segment bytes are read in place; what the parser leaves is copied by release() below.
    stream.addBorrowing(s.seq, s.flags, s.bytes, s.payloadOffset, s.payloadEnd, s.frame)
    // A segment after a hole that begins a message is read now; a partial message before the hole is
    // dropped (Wireshark, with out-of-order reassembly off, does the same: "previous segment not captured").
    if (stream.stats.outOfOrderBytes > 0 && s.payloadEnd > s.payloadOffset && parser.startsMessage(s.bytes, s.payloadOffset, s.payloadEnd)) {
      stream.flush()
    }
    for (let guard = 0; guard < 1_000_000 && parser.state === 'active'; guard++) {
      const view = stream.readable()
      if (view.afterGap) parser.gap(s.dir)
      if (view.end <= view.offset) break
      const n = parser.parse(view, s.dir, out)
      if (n <= 0) {
        // A partial message stands before a gap: it can never complete. Drop it and read on after the gap.
        if (view.gapAhead) { stream.consume(view.end - view.offset); continue }
        break
      }
      stream.consume(n)
    }
    stream.release()
    parser.endOfSegment?.(out)
    if (parser.state !== 'active') {
      if (parser.state === 'invalid') this.abandoned++
      this.close(c)
    } else if (this.firstRecordOnly && out.records.length > 0) {
      this.close(c)
    } else if ((s.flags & RST) !== 0 || (c.streams[0]?.ended === true && c.streams[1]?.ended === true) || ((s.flags & FIN) !== 0 && c.streams[1 - s.dir]?.ended === true)) {
      this.close(c)
    }
  }

  /**
   * Cheap test, before any key is built: could this segment belong to a followed connection or
   * start one? True for the applications' ports, for ports of connections recognised by their
   * bytes (TLS or HTTP elsewhere), and for a payload that looks like a TLS record or HTTP.
   */
  mayFollow(srcPort: number, dstPort: number, bytes: Uint8Array, offset: number, end: number): boolean {
    if (this.ports[srcPort] !== 0 || this.ports[dstPort] !== 0) return true
    return end > offset && (tls.looksLikeTls(bytes, offset, end) || http.looksLikeHttp(bytes, offset, end))
  }

  /**
   * True when `segment` would do nothing with this segment, decided without its connection's hash: a
   * bare ACK, or ports and first bytes of no application (`mayFollow`). When false, `skips` (with the
   * hash) decides the rest. The frame loop asks both before it builds a key; the analyzers' fast paths
   * before they skip the decoder.
   */
  passesOver(flags: number, srcPort: number, dstPort: number, bytes: Uint8Array, offset: number, end: number): boolean {
    return (end <= offset && (flags & (SYN | FIN | RST)) === 0) || !this.mayFollow(srcPort, dstPort, bytes, offset, end)
  }

  /** Connections being followed now. */
  get size(): number {
    return this.connections.size
  }

  /**
   * True when `segment` would do nothing with this segment: no connection of its identity is followed
   * (by `hash`; a hash shared with another connection only means the caller builds the key) and it
   * opens none. Lets the frame loop skip building the key for the many segments of connections no
   * application follows (encrypted TLS after the handshake, ports of interest without a parser).
   */
  skips(hash: number, flags: number, srcPort: number, dstPort: number, bytes: Uint8Array, offset: number, end: number): boolean {
    return !this.byHash.has(hash) && openingKind(flags, srcPort, dstPort, bytes, offset, end) === null
  }

  /** The reassembler of one direction, built on first use (starting at the SYN kept for it, if any). */
  private streamOf(c: Connection, dir: 0 | 1, frame: number): StreamReassembler {
    let stream = c.streams[dir]
    if (stream === null) {
      stream = c.streams[dir] = new StreamReassembler(this.budget)
      this.reassemblers++
      const syn = c.synSeq[dir]
      if (syn >= 0) stream.add(syn, SYN, NO_BYTES, 0, 0, frame)
    }
    return stream
  }

  /** The live connection of the segment's identity. */
  private find(s: Segment): Connection | undefined {
    for (let c = this.byHash.get(s.hash) ?? null; c !== null; c = c.sameHash) {
      if (c.lo === s.lo && c.hi === s.hi && c.loPort === s.loPort && c.hiPort === s.hiPort && c.vni === s.vni && c.key === s.key) return c
    }
    return undefined
  }

  private evictOldest(): void {
    const first = this.connections.values().next()
    if (first.done) return
    this.close(first.value)
    this.evicted++
  }

  private close(c: Connection): void {
    if (!this.connections.delete(c)) return // closed already
    for (const stream of c.streams) {
      if (stream === null) continue
      stream.close()
      this.reassemblers--
    }
    // Out of its hash chain.
    const head = this.byHash.get(c.hash)!
    if (head === c) {
      if (c.sameHash === null) this.byHash.delete(c.hash)
      else this.byHash.set(c.hash, c.sameHash)
    } else {
      let p = head
      while (p.sameHash !== c) p = p.sameHash!
      p.sameHash = c.sameHash
    }
    c.sameHash = null
  }
}

type ParserKind = 'bgp' | 'dns' | 'tls' | 'http'

/**
 * The application a segment of an unknown connection opens, or null. A SYN on an application's port
 * opens the connection (its sequence number starts the stream); otherwise the first payload decides,
 * by port or by what the bytes look like.
 */
function openingKind(flags: number, srcPort: number, dstPort: number, bytes: Uint8Array, o: number, e: number): ParserKind | null {
  if ((flags & SYN) !== 0) return kindForPort(srcPort, dstPort)
  if (e <= o) return null
  return chooseKind(srcPort, dstPort, bytes, o, e)
}

/** By port, confirmed by the first bytes; or by the first bytes alone (TLS and HTTP on any port). */
function chooseKind(srcPort: number, dstPort: number, bytes: Uint8Array, o: number, e: number): ParserKind | null {
  // BGP by port: a session picked up mid-stream starts anywhere, and the parser resynchronises on a marker.
  if (dstPort === BGP_PORT || srcPort === BGP_PORT) return 'bgp'
  // DNS over TCP by port; a 2-byte length prefix gives nothing to recognise mid-stream.
  if (dstPort === DNS_PORT || srcPort === DNS_PORT) return 'dns'
  if (tls.looksLikeTls(bytes, o, e)) return 'tls'
  if (http.looksLikeHttp(bytes, o, e)) return 'http'
  return null
}

function newParser(kind: ParserKind): AppParser {
  switch (kind) {
    case 'bgp': return new BgpParser()
    case 'dns': return new DnsParser()
    case 'tls': return new TlsParser()
    case 'http': return new HttpParser()
  }
}

/**
 * A 32-bit hash of a connection's identity, the same for both directions (endpoint hashes added):
 * `a` and `b` are the addresses folded to 32 bits (IPv4 as is).
 */
export function connectionHash(a: number, aPort: number, b: number, bPort: number, vni: number): number {
  return (endpointHash(a, aPort) + endpointHash(b, bPort) + Math.imul(vni + 1, 0x9e3779b1)) | 0
}

function endpointHash(addr: number, port: number): number {
  let h = Math.imul(addr ^ (port << 16) ^ port, 0xcc9e2d51)
  h ^= h >>> 15
  h = Math.imul(h, 0x85ebca6b)
  return h ^ (h >>> 13)
}

/** The application a port promises (a SYN has no bytes to look at yet). */
function kindForPort(srcPort: number, dstPort: number): ParserKind | null {
  if (dstPort === BGP_PORT || srcPort === BGP_PORT) return 'bgp'
  if (dstPort === DNS_PORT || srcPort === DNS_PORT) return 'dns'
  if (TLS_PORTS.has(dstPort) || TLS_PORTS.has(srcPort)) return 'tls'
  if (HTTP_PORTS.has(dstPort) || HTTP_PORTS.has(srcPort)) return 'http'
  return null
}

/**
 * BGP: messages framed by marker and length; one `bgp` layer per frame with every
 * message completed in it. The session context (4-octet ASNs, extended messages,
 * add-path) comes from the two OPENs. Bytes that are not a header are reported once,
 * then skipped up to the next marker (RFC 4271 gives no other way back in).
 */
class BgpParser implements AppParser {
  state: AppParser['state'] = 'active'
  private readonly session = bgp.createSession()
  private readonly header = bgp.create()
  private readonly messages: bgp.BgpMessageRecord[] = []
  /** Per direction: resynchronising (after a gap or a bad header), so the next bad bytes are expected. */
  private readonly lost = [false, false]

  parse(view: StreamView, dir: 0 | 1, out: AppOutput): number {
    const n = bgp.frameMessage(view.bytes, view.offset, view.end, this.session)
    if (n === 0) return 0
    if (n < 0) {
      if (!this.lost[dir]) out.issues.push(bgp.headerIssue(view.bytes, view.offset, view.end, this.session))
      this.lost[dir] = true
      // Skip to the next plausible header; keep a possible marker cut at the end of what is readable.
      const next = bgp.resync(view.bytes, view.offset + 1, view.end, this.session)
      const stop = next < view.end ? next : Math.max(view.offset + 1, view.end - bgp.HEADER_LEN)
      return stop - view.offset
    }
    this.lost[dir] = false
    const h = this.header
    bgp.decode(view.bytes, view.offset, view.offset + n, h, this.session, dir)
    if (h.type === bgp.MessageType.OPEN) bgp.observeOpen(this.session, h, dir)
    this.messages.push(bgp.toRecord(h))
    for (const issue of h.issues) out.issues.push(issue)
    return n
  }

  gap(dir: 0 | 1): void {
    this.lost[dir] = true
  }

  startsMessage(bytes: Uint8Array, offset: number, end: number): boolean {
    return bgp.frameMessage(bytes, offset, end, this.session) > 0
  }

  endOfSegment(out: AppOutput): void {
    if (this.messages.length === 0) return
    out.records.push(bgp.toLayerRecord(this.messages.splice(0)))
  }
}

/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message behind a 2-byte length; one
 * `dns` layer per message, in the frame where the message's last byte arrived.
 */
class DnsParser implements AppParser {
  state: AppParser['state'] = 'active'
  private readonly header = dns.create()

  parse(view: StreamView, _dir: 0 | 1, out: AppOutput): number {
    const len = dns.tcpMessageLength(view.bytes, view.offset, view.end)
    if (len < 0 || view.end - view.offset < 2 + len) return 0
    if (len >= dns.HEADER_LEN) {
      const r = dns.decode(view.bytes, view.offset + 2, view.offset + 2 + len, this.header, 'reassembly')
      out.records.push(dns.toRecord(this.header))
      if (!r.ok) out.issues.push(r)
    } else {
      out.issues.push(malformed('dns', 'length', len, `>= ${dns.HEADER_LEN} (a DNS header)`, view.offset))
    }
    return 2 + len
  }

  gap(): void {
    // The partial message before the gap is dropped by the caller; after the gap the next length prefix is unknown,
    // so the rest of this direction cannot be framed. Give up on it rather than decode garbage.
    this.state = 'finished'
  }

  startsMessage(): boolean {
    return false
  }
}

/**
 * TLS: records framed over the stream; handshake records go through a collector per
 * direction (messages span records); encrypted traffic after ChangeCipherSpec or
 * application data ends the interest in that direction.
 */
class TlsParser implements AppParser {
  state: AppParser['state'] = 'active'
  /** Per direction, built with its first handshake record (most server sides are never read: `flows` stops at the ClientHello). */
  private readonly collectors: [tls.TlsHandshakeCollector | null, tls.TlsHandshakeCollector | null] = [null, null]
  private readonly encrypted = [false, false]
  private readonly header = tls.create()
  private summary: tls.Summary | null = null

  parse(view: StreamView, dir: 0 | 1, out: AppOutput): number {
    if (this.encrypted[dir]) return view.end - view.offset // nothing more to read here: let it go
    const n = tls.frameRecord(view.bytes, view.offset, view.end)
    if (n === 0) return 0
    if (n < 0) {
      out.issues.push(malformed('tls', 'record', view.bytes[view.offset] ?? 0, 'a TLS record header (content type 20-24, version 3.x)', view.offset))
      this.state = 'invalid'
      return 0
    }
    const r = tls.decode(view.bytes, view.offset, view.offset + n, this.header)
    if (!r.ok) { out.issues.push(r); return n }
    const summary = (this.summary ??= tls.createSummary())
    tls.addRecord(summary, this.header)
    if (this.header.contentType === tls.ContentType.Handshake) {
      (this.collectors[dir] ??= new tls.TlsHandshakeCollector()).push(view.bytes, this.header.payloadOffset, this.header.payloadEnd, (m, result) => {
        if (result.ok) tls.addHandshake(summary, m)
        else out.issues.push(result)
      })
    } else if (this.header.contentType === tls.ContentType.ChangeCipherSpec || this.header.contentType === tls.ContentType.ApplicationData) {
      this.encrypted[dir] = true
      if (this.encrypted[0] && this.encrypted[1]) this.state = 'finished'
    }
    return n
  }

  gap(dir: 0 | 1): void {
    this.collectors[dir]?.reset()
  }

  startsMessage(bytes: Uint8Array, offset: number, end: number): boolean {
    return tls.looksLikeTls(bytes, offset, end)
  }

  endOfSegment(out: AppOutput): void {
    if (this.summary) out.records.push(tls.toRecord(this.summary))
    this.summary = null
  }
}

/**
 * HTTP/1.x: one head per message. A body announced by Content-Length is skipped by
 * length and the message is reported in the frame where its body ends (as Wireshark
 * does with body desegmentation); a chunked body is not followed: the message is
 * reported with its head and the rest of that direction is skipped.
 */
class HttpParser implements AppParser {
  state: AppParser['state'] = 'active'
  private readonly skip = [0, 0]
  private readonly pending: Array<LayerRecord | null> = [null, null]
  private readonly header = http.create()

  parse(view: StreamView, dir: 0 | 1, out: AppOutput): number {
    const have = view.end - view.offset
    if (this.skip[dir]! > 0) {
      const n = Math.min(this.skip[dir]!, have)
      this.skip[dir]! -= n
      if (this.skip[dir] === 0) this.release(dir, out)
      return n
    }
    const n = http.frameHeader(view.bytes, view.offset, view.end)
    if (n === http.NEED_MORE) return 0
    if (n < 0) {
      out.issues.push(malformed('http', n === http.TOO_LARGE ? 'header' : 'start-line', 0,
        n === http.TOO_LARGE ? 'a header block within the size limit' : 'an HTTP/1.x request or status line', view.offset))
      this.state = 'invalid'
      return 0
    }
    const r = http.decode(view.bytes, view.offset, view.offset + n, this.header)
    if (!r.ok && r.kind === 'malformed') { out.issues.push(r); this.state = 'invalid'; return 0 }
    const record = http.toRecord(this.header)
    if (this.header.chunked) {
      out.records.push(record)
      this.skip[dir] = Number.POSITIVE_INFINITY
    } else if (this.header.contentLength > 0) {
      this.pending[dir] = record
      this.skip[dir] = this.header.contentLength
    } else {
      out.records.push(record)
    }
    return n
  }

  gap(dir: 0 | 1): void {
    // After lost bytes we cannot know where the next head starts: report what is pending, skip the rest.
    this.pending[dir] = null
    this.skip[dir] = Number.POSITIVE_INFINITY
  }

  startsMessage(bytes: Uint8Array, offset: number, end: number): boolean {
    return http.looksLikeHttp(bytes, offset, end)
  }

  private release(dir: 0 | 1, out: AppOutput): void {
    const record = this.pending[dir]
    if (record) out.records.push(record)
    this.pending[dir] = null
  }
}
