/**
 * Corpus agreement: `hubcap decode` on every capture in ../shared/pcaps against the
 * tshark 4.0.17 oracle (expected/<capture>.tsv). Any disagreement fails unless ALLOWED
 * lists it with its reason. Skipped, saying so, when ../shared/pcaps is absent.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { CaptureError } from '../../src/capture/errors.js'
import { openCapture } from '../../src/capture/open.js'
import { toDecodeRecord } from '../../src/decode/decode-record.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import type { DecodeRecord, LayerRecord } from '../../src/decode/record.js'
import {
  HAVE_PCAPS, PCAPS_DIR, readOracle, sharedCaptures, type HeaderColumn, type Oracle, type PktLine, type VxlanLine,
} from '../support/oracle.js'

/** Known, explained disagreements: capture -> field ('*' = whole file) -> reason. */
const ALLOWED: Record<string, Record<string, string>> = {
  'corrupt-fuzzed-nsec-record-longer-than-file.pcap':
    { '*': 'its only record claims 524501 bytes, beyond MAX_RECORD_BYTES and the file: tshark shows the 197 bytes that are there, we reject the record as impossible (warning at byte 24, exit 2)' },
  'corrupt-pcapng-truncated-shb.pcapng':
    { '*': 'tshark 4.0 does not recognise a 16-byte pcapng and shows it as one MIME "frame"; we report the cut SHB (exit 2)' },
  'bgp-malformed-fuzzed-as-path-jumbo-frame.pcap':
    { bgp: 'fuzzed streams: after a broken marker tshark stops the segment (or trusts the length behind it), we resynchronise on the next valid header and decode what follows (frame 1: 8 vs 6, frame 4: 318 vs 5), and frame 3 is an out-of-order segment tshark does not reassemble; message details are compared in bgp-corpus.test.ts' },
  'trunc-ipv4-header-cut.pcap':
    { protocols: 'only 6 bytes of the IPv4 header were captured: tshark shows the fields it could read, we report a truncated header (need 20, have 6) and no ipv4 layer',
      l3: 'as protocols', ip_id: 'as protocols', ip_ttl: 'as protocols', ip_df: 'as protocols', ip_mf: 'as protocols', ip_off: 'as protocols', src: 'as protocols', dst: 'as protocols', l4num: 'as protocols', frag: 'as protocols' },
  'trunc-snaplen1-ethernet-only-8-bytes.pcap':
    { protocols: 'only 8 bytes of the Ethernet header were captured: tshark shows a partial eth layer, we report a truncated header (need 14, have 8) and no layer',
      eth_src: 'as protocols', eth_dst: 'as protocols', eth_type: 'as protocols' },
  'pcap-nsec-invalid-fraction-sll.pcap':
    { epoch: 'nanosecond fields >= 10^9: the contract carries them into the seconds, tshark prints them as they are' },
}

/** Applications compared by count or presence, not as part of the chain (one tshark token per message or record). */
const APP_TOKENS = new Set(['tls', 'http', 'bgp', 'dns'])

/** The tshark protocol tokens of the layers hubcap decodes so far (issue 2: L2-L4). */
const DECODED_TOKENS = new Set(['eth', 'vlan', 'ieee8021ad', 'sll', 'null', 'arp', 'chdlc', 'mpls', 'vxlan', 'gre', 'geneve', 'erspan', 'ntp', 'ip', 'ipv6', 'icmp', 'icmpv6', 'tcp', 'udp'])

function token(l: LayerRecord): string {
  switch (l.type) {
    case 'ipv4': return 'ip'
    case 'sll2': return 'sll'
    case 'vlan': return l.tpid === 0x88a8 ? 'ieee8021ad' : 'vlan'
    default: return l.type
  }
}

/** tshark's chain up to the first protocol hubcap does not decode yet. */
function expectedTokens(p: PktLine): string[] {
  const out: string[] = []
  for (const t of p.protocols) {
    if (t === 'ethertype' || t.startsWith('ipv6.') || t === 'raw') continue
    if (!DECODED_TOKENS.has(t)) break
    out.push(t)
  }
  return out
}

type Ours = Record<HeaderColumn, string[]>

function ourColumns(layers: LayerRecord[]): Partial<Ours> {
  const c: Partial<Ours> = {}
  const add = (k: HeaderColumn, v: string | number | boolean) => { (c[k] ??= []).push(String(v)) }
  for (const l of layers) {
    switch (l.type) {
      case 'eth': add('eth_src', l.src); add('eth_dst', l.dst); add('eth_type', l.etherType); break
      case 'vlan': add('vlan_pcp', l.pcp); add('vlan_etype', l.etherType); break
      case 'sll': case 'sll2': add('sll_pkttype', l.packetType); add('sll_proto', l.protocol); add('sll_src', l.src || '(empty)'); break
      case 'ipv4': add('ip_ttl', l.ttl); add('ip_id', l.id); add('ip_df', l.df); add('ip_mf', l.mf); add('ip_off', l.fragmentOffset); break
      case 'ipv6': add('ip6_hlim', l.hopLimit); add('ip6_flow', l.flowLabel); break
      case 'icmp': case 'icmpv6': add('icmp_type', l.icmpType); add('icmp_code', l.code); break
      case 'tcp': add('tcp_seq', l.seq); add('tcp_ack', l.ack); add('tcp_flags', l.flags); add('tcp_win', l.window); add('tcp_len', l.payloadLength); break
      case 'udp': add('udp_len', l.length); break
      case 'gre': add('gre_proto', l.protocol); add('gre_key', l.key === null ? '-' : l.key); break
    }
  }
  return c
}

/** Which token each per-header column belongs to (the k-th item is the k-th such header). */
const COLUMN_TOKENS: Partial<Record<HeaderColumn, string[]>> = {
  eth_src: ['eth'], eth_dst: ['eth'], eth_type: ['eth'], vlan_pcp: ['vlan', 'ieee8021ad'], vlan_etype: ['vlan', 'ieee8021ad'],
  sll_pkttype: ['sll'], sll_proto: ['sll'], sll_src: ['sll'],
  ip_ttl: ['ip'], ip_id: ['ip'], ip_df: ['ip'], ip_mf: ['ip'], ip_off: ['ip'], ip6_hlim: ['ipv6'], ip6_flow: ['ipv6'],
  icmp_type: ['icmp', 'icmpv6'], icmp_code: ['icmp', 'icmpv6'],
  tcp_seq: ['tcp'], tcp_ack: ['tcp'], tcp_flags: ['tcp'], tcp_win: ['tcp'], tcp_len: ['tcp'], udp_len: ['udp'], gre_proto: ['gre'], gre_key: ['gre'],
}

function epochOf(r: DecodeRecord): string {
  if (r.ts === null) return '-'
  const ms = Date.parse(r.ts.slice(0, 19) + 'Z') / 1000
  return `${ms}.${r.ts.slice(20, 29)}`
}

/** Compare one packet with its PKT line; returns "field: ours != tshark" strings. */
function compare(r: DecodeRecord, p: PktLine, o: Oracle): string[] {
  const diffs: string[] = []
  const eq = (field: string, ours: unknown, theirs: unknown) => {
    if (String(ours) !== String(theirs)) diffs.push(`frame ${p.frame} ${field}: ours ${String(ours)} != tshark ${String(theirs)}`)
  }
  eq('frame', r.frame, p.frame)
  eq('epoch', epochOf(r), p.epoch)
  eq('caplen', r.captureLength, p.caplen)
  eq('len', r.originalLength, p.len)
  const idb = o.idb.find((i) => i.section === String(Number(p.section) - 1) && i.local_if === p.iface)
  if (idb) { eq('interface', r.interface, idb.if); eq('linktype', r.linkType, idb.linktype) } else eq('linktype', r.linkType, o.file.linktype)

  // Stream applications are checked by presence: tshark writes one token per TLS record, we one layer per
  // frame, and we stop following TLS once both directions are encrypted (later frames carry no tls layer).
  const tokens = r.layers.map(token).filter((t) => !APP_TOKENS.has(t))
  const want = expectedTokens(p)
  eq('protocols', tokens.join(':'), want.join(':'))
  if (r.layers.some((l) => l.type === 'tls')) eq('tls', 'tls', p.protocols.includes('tls') ? 'tls' : '-')
  eq('http', r.layers.some((l) => l.type === 'http') ? 'http' : '-', p.protocols.includes('http') ? 'http' : '-')
  // BGP: the messages completed in this frame, against tshark's BGP lines for it (details: bgp-corpus.test.ts).
  const bgpMessages = r.layers.reduce((n, l) => n + (l.type === 'bgp' ? l.messages.length : 0), 0)
  eq('bgp', bgpMessages, o.bgpPerFrame.get(p.frame) ?? 0)
  // DNS: one layer per message (DNS over TCP can complete several in a frame); fields: dns-corpus.test.ts.
  eq('dns', r.layers.filter((l) => l.type === 'dns').length, o.dnsPerFrame.get(p.frame) ?? 0)

  const vlans = r.layers.filter((l) => l.type === 'vlan').map((l) => (l.type === 'vlan' && l.tpid === 0x88a8 ? `ad:${l.id}` : String(l.type === 'vlan' ? l.id : '')))
  eq('vlan', vlans.join(','), p.vlan === '-' ? '' : p.vlan)

  const l3i = r.layers.findIndex((l) => l.type === 'ipv4' || l.type === 'ipv6' || l.type === 'arp')
  const l3 = r.layers[l3i]
  if (p.l3 === '-' || !DECODED_TOKENS.has(p.l3 === 'ipv4' ? 'ip' : p.l3)) {
    eq('l3', l3 ? l3.type : '-', p.l3)
  } else if (l3) {
    eq('l3', l3.type, p.l3)
    if (l3.type === 'arp') { eq('src', l3.senderIp, p.src); eq('dst', l3.targetIp, p.dst) }
    if (l3.type === 'ipv4' || l3.type === 'ipv6') {
      eq('src', l3.src, p.src); eq('dst', l3.dst, p.dst)
      eq('l4num', l3.type === 'ipv4' ? l3.proto : l3.nextHeader, p.l4num)
      const frag = l3.type === 'ipv4'
        ? (l3.mf || l3.fragmentOffset > 0 ? `mf=${l3.mf ? 1 : 0},off=${l3.fragmentOffset / 8}` : '-')
        : (l3.fragment ? `mf=${l3.fragment.mf ? 1 : 0},off=${l3.fragment.offset / 8}` : '-')
      eq('frag', frag, p.frag)
      const l4 = r.layers[l3i + 1]
      if (DECODED_TOKENS.has(p.l4)) {
        eq('l4', l4 ? token(l4) : '-', p.l4)
        if (l4 && (l4.type === 'tcp' || l4.type === 'udp')) { eq('sport', l4.srcPort, p.sport); eq('dport', l4.dstPort, p.dport) }
      } else {
        eq('l4 (not decoded by tshark either)', l4 ? token(l4) : '-', '-')
      }
    }
  } else {
    eq('l3', '-', p.l3)
  }

  const ours = ourColumns(r.layers)
  for (const [col, toks] of Object.entries(COLUMN_TOKENS) as Array<[HeaderColumn, string[]]>) {
    const k = want.filter((t) => toks.includes(t)).length
    // A column that is '-' as a whole means no header of that kind had a value: k items of '-'.
    const theirs = p.cols[col].length === 0 ? new Array<string>(k).fill('-') : p.cols[col].slice(0, k)
    eq(col, (ours[col] ?? []).join(','), theirs.join(','))
  }
  return diffs
}

/** Each VXLAN header of the frame against the oracle's VXLAN lines: VNI, flags, inner Ethernet, L3 and L4. */
function compareVxlan(r: DecodeRecord, lines: VxlanLine[]): string[] {
  const diffs: string[] = []
  const eq = (idx: number, field: string, ours: unknown, theirs: unknown) => {
    if (String(ours) !== String(theirs)) diffs.push(`frame ${r.frame} vxlan${idx}.${field}: ours ${String(ours)} != tshark ${String(theirs)}`)
  }
  const at = r.layers.flatMap((l, i) => (l.type === 'vxlan' ? [i] : []))
  if (at.length !== lines.length) diffs.push(`frame ${r.frame} vxlan: ours ${at.length} headers != tshark ${lines.length}`)
  lines.forEach((v, k) => {
    const i = at[k]
    if (i === undefined) return
    const x = r.layers[i]!
    if (x.type !== 'vxlan') return
    eq(v.idx, 'vni', x.vni, v.vni)
    eq(v.idx, 'flags', `0x${x.flags.toString(16).padStart(2, '0')}`, v.flags.slice(0, 4))
    const rest = r.layers.slice(i + 1)
    const stop = rest.findIndex((l) => l.type === 'vxlan')
    const inner = stop < 0 ? rest : rest.slice(0, stop)
    const eth = inner[0]?.type === 'eth' ? inner[0] : undefined
    eq(v.idx, 'inner_eth_src', eth?.src ?? '-', v.innerEthSrc)
    eq(v.idx, 'inner_eth_dst', eth?.dst ?? '-', v.innerEthDst)
    const l3i = inner.findIndex((l) => l.type === 'ipv4' || l.type === 'ipv6' || l.type === 'arp')
    const vlans = inner.slice(0, l3i < 0 ? inner.length : l3i).filter((l) => l.type === 'vlan').map((l) => (l.type === 'vlan' ? l.id : ''))
    eq(v.idx, 'inner_vlans', vlans.join(',') || '-', v.innerVlans)
    const l3 = inner[l3i]
    eq(v.idx, 'inner_l3', l3?.type ?? '-', v.innerL3)
    if (l3 && (l3.type === 'ipv4' || l3.type === 'ipv6')) {
      eq(v.idx, 'inner_src', l3.src, v.innerSrc)
      eq(v.idx, 'inner_dst', l3.dst, v.innerDst)
      const l4 = inner[l3i + 1]
      if (v.innerL4 !== '-' && DECODED_TOKENS.has(v.innerL4)) eq(v.idx, 'inner_l4', l4 ? token(l4) : '-', v.innerL4)
      if (l4 && (l4.type === 'tcp' || l4.type === 'udp')) { eq(v.idx, 'inner_sport', l4.srcPort, v.innerSport); eq(v.idx, 'inner_dport', l4.dstPort, v.innerDport) }
    }
  })
  return diffs
}

async function decodeAll(path: string): Promise<{ records: DecodeRecord[]; warnings: Array<{ offset: number; message: string }> }> {
  const reader = await openCapture(path)
  const decoder = new FrameDecoder()
  const records: DecodeRecord[] = []
  for await (const batch of reader.batches()) {
    for (const f of batch) records.push(toDecodeRecord(f, decoder.decode(f)))
  }
  return { records, warnings: reader.info.warnings }
}

describe.skipIf(!HAVE_PCAPS)('hubcap decode agrees with tshark on ../shared/pcaps', () => {
  for (const capture of sharedCaptures()) {
    it(capture, async () => {
      const o = readOracle(capture)
      const allowed = ALLOWED[capture] ?? {}
      let result
      try {
        result = await decodeAll(join(PCAPS_DIR, capture))
      } catch (e) {
        // The file header is unusable: tshark refuses it too (or allowed says why it differs).
        expect(e).toBeInstanceOf(CaptureError)
        const readable = o.tsharkExit === 0 && o.pkts.length > 0
        if (readable) expect(allowed['*'], `we refuse ${capture} (${(e as Error).message}) but tshark reads it`).toBeDefined()
        return
      }
      const packets = o.pkts.filter((p) => p.rec === 'packet')
      if (allowed['*']) return
      // tshark numbers pcapng custom blocks as frames; so do we (frame numbers are Wireshark's).
      expect(result.records.length, 'packet count').toBe(packets.length)
      const diffs: string[] = []
      result.records.forEach((r, i) => {
        const vx = o.vxlan.filter((v) => v.frame === r.frame)
        for (const d of [...compare(r, packets[i]!, o), ...compareVxlan(r, vx)]) {
          const field = d.split(' ')[2]!.replace(':', '')
          if (!allowed[field]) diffs.push(d)
        }
      })
      expect(diffs.slice(0, 30)).toEqual([])
      // A damaged file: the oracle's own walk names where, and so must our warning.
      for (const err of o.fileErrors.filter((e) => /truncated record/.test(e.message))) {
        expect(result.warnings.map((w) => w.offset)).toContain(err.offset)
      }
    })
  }
})

describe.runIf(!HAVE_PCAPS)('corpus agreement', () => {
  it.skip(`skipped: ${PCAPS_DIR} is absent (the shared captures live beside the repository)`, () => {})
})
