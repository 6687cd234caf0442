/**
 * DNS corpus agreement: every DNS line of the tshark 4.0.17 oracle
 * (../shared/pcaps/expected/<capture>.tsv, format in ../shared/pcaps/README.md) against
 * src/decode/dns.ts, run on what the frame loop leaves after the innermost UDP header on port
 * 53/5353 (and after a TCP header on port 53 when the segment holds whole length-prefixed
 * messages: TCP reassembly is not ours). Compared: id, qr, opcode, rcode (responses), flags,
 * the four counts, every question (name, type, class), and for every answer, authority and
 * additional record its name, type, class, TTL and the contract's `data` text for A, AAAA,
 * CNAME, NS, PTR, MX, TXT and SRV, the SOA fields, and the EDNS fields of the OPT record; the
 * malformed column against our issue. A disagreement fails unless ALLOWED lists it with its
 * reason. Skipped, saying so, when ../shared/pcaps is absent.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { openCapture } from '../../src/capture/open.js'
import { Layer } from '../../src/decode/dispatch.js'
import * as dns from '../../src/decode/dns.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import type { Decoded, LenSource } from '../../src/decode/issue.js'
import { HAVE_PCAPS, PCAPS_DIR, readOracle, sharedCaptures } from '../support/oracle.js'
import {
  dnsLines, oracleData, oracleEdns, oracleName, oracleSoa, type DnsLine, type OracleRecord,
} from '../support/dns-oracle.js'

/** Known, explained disagreements: capture -> "frame field" -> reason. */
const ALLOWED: Record<string, Record<string, string>> = {
  'dns-malformed-pointer-loop-invalid-names.pcap': {
    '2 malformed': 'the question name is a pointer to itself (c0 0c at offset 12): tshark prints "<Name contains a pointer that loops>" as the name but does not flag the packet Malformed; we report dns.malformed.pointer',
    '2 QD.length': 'as "2 malformed": tshark lists the question with its placeholder name, we keep no question whose name is bad',
  },
  'dns-malformed-edns-option-bad-length.pcap': {
    '1 AR.length': 'the OPT record has RDLENGTH 1, and the second additional record (an A record for example.com) follows it: tshark reads an option header past the RDATA, throws, and lists only the OPT; we keep RDLENGTH framing, flag the OPT RDATA (dns.malformed.optionLength) and decode the A record after it',
    '1 edns.options': 'as "1 AR.length": tshark shows option 192 with length 3072 read from the bytes after the 1-byte RDATA; we list no option, the one byte cannot hold an option header',
  },
}

const DNS_PORTS = new Set([53, 5353])
const hex4 = (v: number) => `0x${v.toString(16).padStart(4, '0')}`

/** One DNS message the frame loop left for us. */
interface Message {
  bytes: Uint8Array
  offset: number
  end: number
  endSource: LenSource
  transport: 'udp' | 'tcp'
}

interface Found {
  messages: Map<number, Message[]>
  /** TCP/53 segments whose payload is not whole messages (they need reassembly). */
  unchecked: string[]
}

/** The DNS messages of a capture, by frame. */
async function dnsMessages(path: string): Promise<Found> {
  const reader = await openCapture(path)
  const decoder = new FrameDecoder()
  const messages = new Map<number, Message[]>()
  const unchecked: string[] = []
  for await (const batch of reader.batches()) {
    for (const f of batch) {
      const d = decoder.decode(f)
      // The innermost transport header; tshark decodes DNS quoted inside ICMP errors too.
      let t = null
      for (let i = d.layers.length - 1; i >= 0 && !t; i--) {
        const l = d.layers[i]!
        if (l.kind === Layer.Udp || l.kind === Layer.Tcp) t = l
      }
      if (!t || (!DNS_PORTS.has(t.h.srcPort) && !DNS_PORTS.has(t.h.dstPort))) continue
      // Copy: the frame loop reuses its buffers.
      const bytes = d.bytes.slice()
      if (t.kind === Layer.Udp) {
        const h = t.h
        const cut = h.payloadEnd - h.payloadOffset < h.length - 8
        const endSource: LenSource = cut ? (t.quoted ? 'quoted' : 'capture') : 'udp.length'
        messages.set(f.frameNumber, [{ bytes, offset: h.payloadOffset, end: h.payloadEnd, endSource, transport: 'udp' }])
        continue
      }
      const h = t.h
      if (t.h.srcPort !== 53 && t.h.dstPort !== 53) continue
      const list: Message[] = []
      let p = h.payloadOffset
      while (p < h.payloadEnd) {
        const len = dns.tcpMessageLength(bytes, p, h.payloadEnd)
        if (len < 0 || p + 2 + len > h.payloadEnd) {
          unchecked.push(`frame ${f.frameNumber}: ${h.payloadEnd - p} TCP payload bytes that are not a whole length-prefixed message`)
          break
        }
        list.push({ bytes, offset: p + 2, end: p + 2 + len, endSource: 'reassembly', transport: 'tcp' })
        p += 2 + len
      }
      if (list.length > 0) messages.set(f.frameNumber, list)
    }
  }
  return { messages, unchecked }
}

/** Fields compared over the whole corpus, for the summary. */
const stats = {
  captures: 0, messages: 0, fields: 0, records: 0, allowed: 0, uncheckedTcp: [] as string[],
  /** RR types whose RDATA is hex for us and decoded fields for tshark: their data is not compared. */
  hexOnly: new Map<number, number>(),
}

/** One message: the oracle's line against our decode; "frame field: ours != tshark" strings. */
function compare(line: DnsLine, h: dns.Header, result: Decoded, short: boolean): string[] {
  const diffs: string[] = []
  const eq = (field: string, ours: unknown, theirs: unknown) => {
    stats.fields++
    const a = JSON.stringify(ours)
    const b = JSON.stringify(theirs)
    if (a !== b) diffs.push(`${line.frame} ${field}: ours ${a} != tshark ${b}`)
  }
  eq('transport', line.transport, line.transport)
  eq('id', hex4(h.id), line.id)
  eq('qr', h.qr ? '1' : '0', line.qr)
  eq('opcode', String(h.opcode), line.opcode)
  eq('rcode', h.qr ? String(h.rcode) : '-', line.rcode)
  eq('flags', hex4(h.flags), line.flags)
  eq('qdcount', String(h.qdcount), line.qdcount)
  eq('ancount', String(h.ancount), line.ancount)
  eq('nscount', String(h.nscount), line.nscount)
  eq('arcount', String(h.arcount), line.arcount)

  // Malformed: tshark's flag against a malformed issue (or the message lying about its length);
  // a snap-length cut is tshark's `short`, not malformed, and our 'capture' truncation.
  const ours = result.ok ? 'ok' : result.kind === 'truncated' && (result.lenSource === 'capture' || result.lenSource === 'quoted') ? 'cut' : 'malformed'
  eq('malformed', ours, line.malformed ? 'malformed' : short ? 'cut' : 'ok')

  const r = dns.toRecord(h)
  eq('QD.length', r.questions.length, line.qd.length)
  line.qd.forEach(([name, type, cls], i) => {
    const q = r.questions[i]
    if (!q) return
    eq(`QD[${i}].name`, q.name, oracleName(name))
    eq(`QD[${i}].type`, String(q.type), type)
    eq(`QD[${i}].class`, String(q.class), cls)
  })
  const sections: Array<[string, dns.DnsResourceRecord[], OracleRecord[]]> =
    [['AN', r.answers, line.an], ['NS', r.authorities, line.ns], ['AR', r.additionals, line.ar]]
  for (const [sec, list, theirs] of sections) {
    eq(`${sec}.length`, list.length, theirs.length)
    theirs.forEach(([name, type, cls, ttl, fields], i) => {
      const rr = list[i]
      if (!rr) return
      stats.records++
      const at = `${sec}[${i}]`
      eq(`${at}.name`, rr.name, oracleName(name))
      eq(`${at}.type`, String(rr.type), type)
      if (cls !== null) eq(`${at}.class`, String(rr.class), cls)
      if (ttl !== null) eq(`${at}.ttl`, String(rr.ttl), ttl)
      const data = oracleData(rr.type, fields)
      if (data !== null) eq(`${at}.data`, rr.data, data)
      else if (rr.type !== dns.Type.SOA && rr.type !== dns.Type.OPT) stats.hexOnly.set(rr.type, (stats.hexOnly.get(rr.type) ?? 0) + 1)
      const soa = rr.type === dns.Type.SOA ? oracleSoa(fields) : null
      if (soa) {
        const s = rr.soa
        eq(`${at}.soa`, s && { ...s, serial: String(s.serial), refresh: String(s.refresh), retry: String(s.retry), expire: String(s.expire), minimum: String(s.minimum) }, soa)
      }
    })
  }
  // EDNS: the first OPT of the additional section.
  const opt = line.ar.find((x) => x[1] === '41')
  eq('edns.present', r.edns !== undefined, opt !== undefined)
  if (opt && r.edns) {
    const e = oracleEdns(opt[4])
    eq('edns.udpSize', String(r.edns.udpSize), e.udpSize)
    eq('edns.extendedRcode', String(r.edns.extendedRcode), e.extendedRcode)
    eq('edns.version', String(r.edns.version), e.version)
    eq('edns.do', r.edns.do, e.do)
    const theirs = e.options as Array<{ code: string; data: string | null }>
    eq('edns.options', r.edns.options.map((o, i) => ({ code: String(o.code), data: theirs[i]?.data === null ? null : o.data })), theirs)
  }
  return diffs
}

/** Captures with DNS lines, and those where tshark saw DNS it could not list (a malformed 3-byte message). */
const withDns = sharedCaptures().filter((c) =>
  dnsLines(c).length > 0 || readOracle(c).pkts.some((p) => p.protocols.includes('dns') || p.protocols.includes('mdns')))
const allowedUsed = new Set<string>()

describe.skipIf(!HAVE_PCAPS)('dns.decode agrees with tshark on every DNS line of ../shared/pcaps', () => {
  it('finds captures with DNS lines', () => {
    expect(withDns.length).toBeGreaterThanOrEqual(26)
  })
  for (const capture of withDns) {
    it(capture, async () => {
      const lines = dnsLines(capture)
      const oracle = readOracle(capture)
      const shortFrames = new Set(oracle.pkts.filter((p) => p.short).map((p) => p.frame))
      const malformedFrames = new Set(oracle.pkts.filter((p) => p.malformed).map((p) => p.frame))
      const { messages, unchecked } = await dnsMessages(join(PCAPS_DIR, capture))
      stats.captures++
      stats.uncheckedTcp.push(...unchecked.map((u) => `${capture} ${u}`))
      const allowed = ALLOWED[capture] ?? {}
      const diffs: string[] = []
      const h = dns.create()
      const seen = new Set<number>()
      for (const line of lines) {
        seen.add(line.frame)
        const m = messages.get(line.frame)?.[line.idx - 1]
        if (!m) { diffs.push(`${line.frame} message ${line.idx}: the frame loop left no DNS payload`); continue }
        const result = dns.decode(m.bytes, m.offset, m.end, h, m.endSource)
        expect(() => JSON.stringify(dns.toRecord(h))).not.toThrow()
        stats.messages++
        for (const d of compare(line, h, result, shortFrames.has(line.frame))) {
          const key = d.split(':')[0]!
          if (allowed[key]) { stats.allowed++; allowedUsed.add(`${capture} ${key}`) } else diffs.push(d)
        }
      }
      // Every message tshark did not show as DNS is one we cannot decode either: tshark
      // calls it malformed DNS (fewer bytes than a header) and so does our decode.
      for (const [frame, list] of messages) {
        if (seen.has(frame)) {
          const n = lines.filter((l) => l.frame === frame).length
          if (n !== list.length) diffs.push(`${frame}: ${list.length} messages for us, ${n} for tshark`)
          continue
        }
        for (const m of list) {
          const result = dns.decode(m.bytes, m.offset, m.end, h, m.endSource)
          const headerIssue = !result.ok && result.kind === 'truncated' && result.part === 'header'
          if (!(headerIssue && malformedFrames.has(frame))) diffs.push(`${frame}: a DNS message tshark does not list (${JSON.stringify(result)})`)
          expect(dns.looksLikeDns(m.bytes, m.offset, m.end)).toBe(false)
        }
      }
      expect(diffs).toEqual([])
    })
  }
  it('every ALLOWED entry is still needed', () => {
    const stale = Object.entries(ALLOWED).flatMap(([c, m]) => Object.keys(m).map((k) => `${c} ${k}`)).filter((k) => !allowedUsed.has(k))
    expect(stale).toEqual([])
  })
  it('summary', () => {
    // eslint-disable-next-line no-console
    console.info(`dns corpus: ${stats.captures} captures, ${stats.messages} messages, ${stats.records} records, ` +
      `${stats.fields} fields compared, ${stats.allowed} allowed differences; ` +
      `RDATA not compared (hex for us), by type: ${JSON.stringify(Object.fromEntries(stats.hexOnly))}; ` +
      `TCP segments not checkable without reassembly: ${stats.uncheckedTcp.length}` +
      stats.uncheckedTcp.map((u) => `\n  ${u}`).join(''))
    expect(stats.messages).toBeGreaterThan(150)
  })
})

describe.runIf(!HAVE_PCAPS)('dns corpus agreement', () => {
  it.skip(`skipped: ${PCAPS_DIR} is absent (the shared captures live beside the repository)`, () => {})
})
