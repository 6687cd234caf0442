/**
 * Reads ../shared/pcaps/expected/<capture>.tsv, the tshark 4.0.17 oracle's view of each
 * shared capture (format: ../shared/pcaps/README.md, "Oracle output format").
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
/** The shared captures live beside the repository, never inside it. */
export const PCAPS_DIR = resolve(here, '../../../shared/pcaps')
export const HAVE_PCAPS = existsSync(join(PCAPS_DIR, 'expected'))

export function sharedCaptures(): string[] {
  if (!HAVE_PCAPS) return []
  return readdirSync(PCAPS_DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()
}

/** One PKT line: the first 20 columns by name, then the 25 per-header columns as lists. */
export interface PktLine {
  frame: number
  rec: string
  section: string
  iface: string
  encap: string
  epoch: string
  caplen: number
  len: number
  protocols: string[]
  vlan: string
  l3: string
  src: string
  dst: string
  l4: string
  l4num: string
  sport: string
  dport: string
  frag: string
  short: boolean
  malformed: boolean
  cols: Record<HeaderColumn, string[]>
}

export const HEADER_COLUMNS = [
  'eth_src', 'eth_dst', 'eth_type', 'vlan_pcp', 'vlan_etype', 'sll_pkttype', 'sll_proto', 'sll_src',
  'ip_ttl', 'ip_id', 'ip_df', 'ip_mf', 'ip_off', 'ip6_hlim', 'ip6_flow', 'icmp_type', 'icmp_code',
  'tcp_seq', 'tcp_ack', 'tcp_flags', 'tcp_win', 'tcp_len', 'udp_len', 'gre_proto', 'gre_key',
] as const
export type HeaderColumn = (typeof HEADER_COLUMNS)[number]

/** One VXLAN line: a VXLAN header and what it carries up to the next one. */
export interface VxlanLine {
  frame: number; idx: number; vni: string; flags: string; innerEthSrc: string; innerEthDst: string; innerEthertype: string
  innerVlans: string; innerL3: string; innerSrc: string; innerDst: string; innerL4: string; innerSport: string; innerDport: string
  innerChain: string
}

export interface Oracle {
  file: Record<string, string>
  idb: Array<Record<string, string>>
  fileErrors: Array<{ offset: number; message: string }>
  tsharkExit: number
  pkts: PktLine[]
  vxlan: VxlanLine[]
  /** BGP lines per frame: how many messages tshark reported completing in that frame. */
  bgpPerFrame: Map<number, number>
  /** DNS lines per frame. */
  dnsPerFrame: Map<number, number>
}

export function readOracle(capture: string): Oracle {
  const text = readFileSync(join(PCAPS_DIR, 'expected', `${capture}.tsv`), 'utf8')
  const o: Oracle = { file: {}, idb: [], fileErrors: [], tsharkExit: 0, pkts: [], vxlan: [], bgpPerFrame: new Map(), dnsPerFrame: new Map() }
  for (const line of text.split('\n')) {
    const f = line.split('\t')
    switch (f[0]) {
      case 'FILE': o.file = keyValues(f.slice(1)); break
      case 'IDB': o.idb.push(keyValues(f.slice(1))); break
      case 'FILEERR': o.fileErrors.push({ offset: Number(f[1]), message: f.slice(2).join('\t') }); break
      case 'TSHARK': if (f[1] === 'exit') o.tsharkExit = Number(f[2]); break
      case 'PKT': o.pkts.push(pktLine(f)); break
      case 'BGP': o.bgpPerFrame.set(Number(f[1]), (o.bgpPerFrame.get(Number(f[1])) ?? 0) + 1); break
      case 'DNS': o.dnsPerFrame.set(Number(f[1]), (o.dnsPerFrame.get(Number(f[1])) ?? 0) + 1); break
      case 'VXLAN': {
        const c = (i: number) => f[i] ?? '-'
        o.vxlan.push({
          frame: Number(c(1)), idx: Number(c(2)), vni: c(3), flags: c(4), innerEthSrc: c(5), innerEthDst: c(6), innerEthertype: c(7),
          innerVlans: c(8), innerL3: c(9), innerSrc: c(10), innerDst: c(11), innerL4: c(12), innerSport: c(13), innerDport: c(14), innerChain: c(15),
        })
        break
      }
    }
  }
  return o
}

function keyValues(fields: string[]): Record<string, string> {
  const r: Record<string, string> = {}
  for (const kv of fields) {
    const i = kv.indexOf('=')
    if (i > 0) r[kv.slice(0, i)] = kv.slice(i + 1)
  }
  return r
}

function pktLine(f: string[]): PktLine {
  const c = (i: number) => f[i] ?? '-'
  const cols = {} as Record<HeaderColumn, string[]>
  HEADER_COLUMNS.forEach((name, k) => {
    const v = c(21 + k)
    cols[name] = v === '-' ? [] : v.split(',')
  })
  return {
    frame: Number(c(1)), rec: c(2), section: c(3), iface: c(4), encap: c(5), epoch: c(6),
    caplen: Number(c(7)), len: Number(c(8)), protocols: c(9).split(':'), vlan: c(10), l3: c(11),
    src: c(12), dst: c(13), l4: c(14), l4num: c(15), sport: c(16), dport: c(17), frag: c(18),
    short: c(19) === '1', malformed: c(20) === '1', cols,
  }
}
