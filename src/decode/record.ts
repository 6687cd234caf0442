/**
 * The decode records of `hubcap decode`, exactly as the contract fixes them
 * (../shared/contract/README.md, "Decode records"). Each protocol module's
 * `toRecord(header)` builds its layer object with the keys in this order, so
 * JSON output is byte-stable. Fields beyond the contract are additions users
 * asked for (ARP, IPv6 extension headers, TCP options); none is renamed.
 */
import type { BgpRecord } from './bgp.js'
import type { DnsRecord } from './dns.js'
import type { HttpRecord } from './http.js'
import type { NtpRecord } from './ntp.js'
import type { TlsRecord } from './tls.js'

export interface EthRecord { type: 'eth'; src: string; dst: string; etherType: number }
export interface VlanRecord { type: 'vlan'; id: number; pcp: number; dei: boolean; tpid: number; etherType: number }
export interface SllRecord { type: 'sll'; packetType: number; protocol: number; src: string; arphrd: number }
export interface Sll2Record {
  type: 'sll2'; packetType: number; protocol: number; src: string; arphrd: number; ifIndex: number
}
/** Cisco HDLC framing (link type 104). */
export interface ChdlcRecord { type: 'chdlc'; address: number; protocol: number }
/** An MPLS label stack, outermost label first. */
export interface MplsRecord { type: 'mpls'; labels: Array<{ label: number; tc: number; ttl: number }> }
/** BSD loopback / DLT_NULL: the address family in host byte order. */
export interface NullRecord { type: 'null'; family: number }
export interface ArpRecord {
  type: 'arp'; hardwareType: number; protocolType: number; operation: number
  senderMac: string; senderIp: string; targetMac: string; targetIp: string
}
export interface Ipv4Record {
  type: 'ipv4'; src: string; dst: string; proto: number; ttl: number; id: number
  df: boolean; mf: boolean; fragmentOffset: number
  /** Header length in bytes (20 without options). */
  headerLength: number
  totalLength: number
  /** Option type numbers in wire order (EOL and NOP omitted). */
  options: number[]
  reassembled?: true
  quoted?: true
}
export interface Ipv6Record {
  type: 'ipv6'; src: string; dst: string; nextHeader: number; hopLimit: number; flowLabel: number
  trafficClass: number; payloadLength: number
  /** Extension header protocol numbers in wire order (0 hop-by-hop, 43 routing, 44 fragment, 60 destination, 51 AH). */
  extensions: number[]
  /** The fragment header, when there is one. `offset` in bytes. */
  fragment?: { id: number; offset: number; mf: boolean }
  reassembled?: true
  quoted?: true
}
export interface IcmpRecord { type: 'icmp' | 'icmpv6'; icmpType: number; code: number; quoted?: true }
export interface TcpOptionsRecord {
  mss?: number; windowScale?: number; sackPermitted?: true; sack?: Array<[number, number]>
  timestamp?: [number, number]; md5?: true
}
export interface TcpRecord {
  type: 'tcp'; srcPort: number; dstPort: number; seq: number; ack: number; flags: number
  window: number; payloadLength: number
  /** Header length in bytes (data offset x 4). */
  headerLength: number
  options: TcpOptionsRecord
  quoted?: true
}
export interface VxlanRecord { type: 'vxlan'; vni: number; flags: number }
/** GRE: `key` null when absent; NVGRE adds `vsid` and `flowId` (the key's two parts). */
export interface GreRecord {
  type: 'gre'; protocol: number; key: number | null; version: number; sequence: number | null
  vsid?: number; flowId?: number
}
export interface GeneveRecord { type: 'geneve'; vni: number; protocol: number; optionsLength: number }
/** ERSPAN: `version` 0 type I (no header), 1 type II, 2 type III. */
export interface ErspanRecord { type: 'erspan'; version: number; vlan: number; sessionId: number }
export interface UdpRecord { type: 'udp'; srcPort: number; dstPort: number; length: number; quoted?: true }

export type LayerRecord =
  | EthRecord | VlanRecord | SllRecord | Sll2Record | NullRecord | ArpRecord | ChdlcRecord | MplsRecord
  | Ipv4Record | Ipv6Record | IcmpRecord | TcpRecord | UdpRecord
  | VxlanRecord | GreRecord | GeneveRecord | ErspanRecord | NtpRecord | TlsRecord | HttpRecord | BgpRecord | DnsRecord

export interface MalformedEntry { layer: string; offset: number; reason: string }

export interface DecodeRecord {
  frame: number
  /** ISO 8601 UTC with 9 fractional digits; null for a record with no timestamp (pcapng SPB). */
  ts: string | null
  interface: number
  linkType: number
  captureLength: number
  originalLength: number
  layers: LayerRecord[]
  malformed: MalformedEntry[]
}
