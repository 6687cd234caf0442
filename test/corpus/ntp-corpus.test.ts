/**
 * NTP corpus agreement: every NTP line of the tshark 4.0.17 oracle
 * (../shared/pcaps/expected/<capture>.tsv, format in ../shared/pcaps/README.md)
 * against src/decode/ntp.ts, run on the UDP payloads the frame loop leaves on
 * port 123. Every field the oracle prints is compared: version, mode, li, stratum,
 * poll, precision (raw byte), root delay/dispersion and refid (raw hex), the four
 * timestamps (raw, and tshark's rendering against our ISO text), refid_ascii,
 * keyid/mac, and the mode 6/7 header fields. A disagreement fails unless ALLOWED
 * lists it with its reason. Skipped, saying so, when ../shared/pcaps is absent.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openCapture } from '../../src/capture/open.js'
import { Layer } from '../../src/decode/dispatch.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import * as ntp from '../../src/decode/ntp.js'
import { HAVE_PCAPS, PCAPS_DIR, sharedCaptures } from '../support/oracle.js'

/**
 * Known, explained disagreements: capture -> "frame field" (or "* field" for every
 * frame of the capture) -> reason.
 */
const ALLOWED: Record<string, Record<string, string>> = {
  'ntp-mode7-private-xntpd.pcap': {
    '8 stratum': 'tshark fills ntp.stratum from the first PEER_LIST_SUM item (mode 7 data), not from a header field: mode 7 has none',
    '8 poll': 'tshark fills ntp.ppoll from the first PEER_LIST_SUM item (mode 7 data), not from a header field: mode 7 has none',
  },
}

/** The NTP line's columns (../shared/pcaps/README.md, "NTP"). */
interface NtpLine {
  frame: number
  idx: number
  version: string
  mode: string
  li: string
  stratum: string
  poll: string
  precision: string
  rootdelay: string
  rootdisp: string
  refid: string
  reftime: string
  org: string
  rec: string
  xmt: string
  extra: Record<string, string>
}

function ntpLines(capture: string): NtpLine[] {
  const text = readFileSync(join(PCAPS_DIR, 'expected', `${capture}.tsv`), 'utf8')
  const out: NtpLine[] = []
  for (const line of text.split('\n')) {
    const f = line.split('\t')
    if (f[0] !== 'NTP') continue
    const c = (i: number) => f[i] ?? '-'
    out.push({
      frame: Number(c(1)), idx: Number(c(2)), version: c(3), mode: c(4), li: c(5), stratum: c(6), poll: c(7),
      precision: c(8), rootdelay: c(9), rootdisp: c(10), refid: c(11), reftime: c(12), org: c(13), rec: c(14),
      xmt: c(15), extra: JSON.parse(c(16)) as Record<string, string>,
    })
  }
  return out
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** tshark's "Jun 11, 2003 00:06:04.850212999 UTC" as ISO 8601; "NULL" as null. */
function tsharkTimeToIso(t: string): string | null {
  if (t === 'NULL') return null
  const m = /^([A-Z][a-z]{2}) +(\d+), (\d{4}) (\d\d:\d\d:\d\d\.\d{9}) UTC$/.exec(t)
  if (!m) return `unparsed: ${t}`
  const month = String(MONTHS.indexOf(m[1]!) + 1).padStart(2, '0')
  return `${m[3]}-${month}-${m[2]!.padStart(2, '0')}T${m[4]}Z`
}

const hex8 = (v: number) => v.toString(16).padStart(8, '0')
const rawTs = (t: ntp.Timestamp) => `${hex8(t.seconds)}.${hex8(t.fraction)}`
const hexByte = (v: number) => `0x${v.toString(16).padStart(2, '0')}`
const bit = (b: boolean) => (b ? '1' : '0')

/** One message: the oracle's line against our header; "field: ours != tshark" strings. */
function compare(line: NtpLine, h: ntp.Header, bytes: Uint8Array, offset: number, end: number): string[] {
  const diffs: string[] = []
  const eq = (field: string, ours: unknown, theirs: unknown) => {
    if (String(ours) !== String(theirs)) diffs.push(`${line.frame} ${field}: ours ${String(ours)} != tshark ${String(theirs)}`)
  }
  /** Compare only where tshark prints a value; '-' means the field is not in this mode. */
  const eqShown = (field: string, ours: unknown, theirs: string) => {
    if (theirs !== '-') eq(field, ours, theirs)
  }
  eq('version', h.version, line.version)
  eq('mode', h.mode, line.mode)
  const x = line.extra
  if (h.mode === ntp.Mode.Control) {
    const c = h.control
    eqShown('li', h.leap, line.li)
    const flags = (c.response ? 0x80 : 0) | (c.error ? 0x40 : 0) | (c.more ? 0x20 : 0) | c.opcode
    eq('ctrl.flags2', hexByte(flags), x['ctrl.flags2'])
    eq('ctrl.flags2.r', bit(c.response), x['ctrl.flags2.r'])
    eq('ctrl.flags2.error', bit(c.error), x['ctrl.flags2.error'])
    eq('ctrl.flags2.more', bit(c.more), x['ctrl.flags2.more'])
    eq('ctrl.flags2.opcode', c.opcode, x['ctrl.flags2.opcode'])
    eq('ctrl.sequence', c.sequence, x['ctrl.sequence'])
    eq('ctrl.status', `0x${c.status.toString(16).padStart(4, '0')}`, x['ctrl.status'])
    eq('ctrl.associd', c.associationId, x['ctrl.associd'])
    eq('ctrl.offset', c.offset, x['ctrl.offset'])
    eq('ctrl.count', c.count, x['ctrl.count'])
    for (const col of ['stratum', 'poll', 'precision', 'rootdelay', 'rootdisp', 'refid', 'reftime', 'org', 'rec', 'xmt'] as const) {
      eq(col, '-', line[col])
    }
    return diffs
  }
  if (h.mode === ntp.Mode.Private) {
    const p = h.private
    eq('li', '-', line.li)
    eq('priv.flags.r', bit(p.response), x['priv.flags.r'])
    eq('priv.flags.more', bit(p.more), x['priv.flags.more'])
    eq('priv.auth_seq', (p.auth ? 0x80 : 0) | p.sequence, x['priv.auth_seq'])
    eq('priv.auth', bit(p.auth), x['priv.auth'])
    eq('priv.seq', p.sequence, x['priv.seq'])
    eq('priv.impl', p.implementation, x['priv.impl'])
    eq('priv.reqcode', p.requestCode, x['priv.reqcode'])
    eq('priv.err', hexByte(p.err), x['priv.err'])
    eq('priv.numitems', p.itemCount, x['priv.numitems'])
    eq('priv.reserved', hexByte(p.mbz), x['priv.reserved'])
    eq('priv.itemsize', p.itemSize, x['priv.itemsize'])
    // Mode 7 has none of the standard fields; tshark fills some from the items (see ALLOWED).
    for (const col of ['stratum', 'poll', 'precision', 'rootdelay', 'rootdisp', 'refid', 'reftime', 'org', 'rec', 'xmt'] as const) {
      eq(col, '-', line[col])
    }
    return diffs
  }
  eq('li', h.leap, line.li)
  eq('stratum', h.stratum, line.stratum)
  eq('poll', h.poll, line.poll)
  eq('precision', h.precision & 0xff, line.precision)
  eq('rootdelay', hex8(h.rootDelay), line.rootdelay)
  eq('rootdisp', hex8(h.rootDispersion), line.rootdisp)
  eq('refid', hex8(h.refId), line.refid)
  eq('reftime', rawTs(h.referenceTime), line.reftime)
  eq('org', rawTs(h.originTime), line.org)
  eq('rec', rawTs(h.receiveTime), line.rec)
  eq('xmt', rawTs(h.transmitTime), line.xmt)
  const r = ntp.toRecord(h)
  eq('reftime_tshark', r.referenceTime, tsharkTimeToIso(x.reftime_tshark ?? '-'))
  eq('org_tshark', r.originTime, tsharkTimeToIso(x.org_tshark ?? '-'))
  eq('rec_tshark', r.receiveTime, tsharkTimeToIso(x.rec_tshark ?? '-'))
  eq('xmt_tshark', r.transmitTime, tsharkTimeToIso(x.xmt_tshark ?? '-'))
  // tshark prints refid_ascii for stratum 0-1 when the bytes are printable.
  if (x.refid_ascii !== undefined) eq('refid_ascii', r.refId, x.refid_ascii)
  const hexOf = (o: number, n: number) => Array.from(bytes.subarray(o, o + n), (b) => b.toString(16).padStart(2, '0')).join('')
  eq('keyid', h.keyId === null ? '-' : hex8(h.keyId), x.keyid ?? '-')
  eq('mac', h.digestLength === 0 ? '-' : hexOf(end - h.digestLength, h.digestLength), x.mac ?? '-')
  void offset
  return diffs
}

/** The NTP messages of a capture: frame number -> [bytes, offset, end] of the UDP/123 payload. */
async function ntpPayloads(path: string): Promise<Map<number, [Uint8Array, number, number]>> {
  const reader = await openCapture(path)
  const decoder = new FrameDecoder()
  const out = new Map<number, [Uint8Array, number, number]>()
  for await (const batch of reader.batches()) {
    for (const f of batch) {
      const d = decoder.decode(f)
      // The frame loop decodes UDP/123 as NTP itself: take the payload of the UDP header in front of that layer.
      const at = d.layers.findIndex((l) => l.kind === Layer.Ntp)
      const udp = d.layers[at - 1]
      if (at < 0 || !udp || udp.kind !== Layer.Udp) continue
      out.set(f.frameNumber, [d.bytes.slice(udp.h.payloadOffset, udp.h.payloadEnd), 0, udp.h.payloadEnd - udp.h.payloadOffset])
    }
  }
  return out
}

const withNtp = sharedCaptures().filter((c) => ntpLines(c).length > 0)

describe.skipIf(!HAVE_PCAPS)('ntp.decode agrees with tshark on every NTP line of ../shared/pcaps', () => {
  it('finds captures with NTP lines', () => {
    expect(withNtp.length).toBeGreaterThanOrEqual(7)
  })
  for (const capture of withNtp) {
    it(capture, async () => {
      const lines = ntpLines(capture)
      const payloads = await ntpPayloads(join(PCAPS_DIR, capture))
      const allowed = ALLOWED[capture] ?? {}
      const diffs: string[] = []
      const h = ntp.create()
      for (const line of lines) {
        const p = payloads.get(line.frame)
        if (!p) { diffs.push(`${line.frame}: no UDP/123 payload from the frame loop`); continue }
        const [bytes, offset, end] = p
        const result = ntp.decode(bytes, offset, end, h)
        if (!result.ok && (result.kind === 'malformed' || result.part === 'header')) {
          diffs.push(`${line.frame}: ${JSON.stringify(result)}`)
          continue
        }
        expect(() => JSON.stringify(ntp.toRecord(h))).not.toThrow()
        for (const d of compare(line, h, bytes, offset, end)) {
          const [frame, field] = d.split(':')[0]!.split(' ')
          if (!allowed[`${frame} ${field}`] && !allowed[`* ${field}`]) diffs.push(d)
        }
      }
      // Every frame we decode as NTP is one tshark decodes as NTP, and the other way round.
      expect([...payloads.keys()].sort((a, b) => a - b)).toEqual(lines.map((l) => l.frame))
      expect(diffs).toEqual([])
    })
  }
})

describe.runIf(!HAVE_PCAPS)('ntp corpus agreement', () => {
  it.skip(`skipped: ${PCAPS_DIR} is absent (the shared captures live beside the repository)`, () => {})
})
