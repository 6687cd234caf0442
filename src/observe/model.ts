/**
 * What the capture showed, as one typed model: the facts the rules judge.
 *
 * Built in each worker from its shard of decoded frames (builder.ts), merged once
 * (merge.ts: concatenation, then every list sorted by where its first evidence is),
 * and handed to the rule evaluators. Plain data only (it crosses threads by
 * structured clone, its flow records packed: engine/transfer.ts). Every observation keeps its file and frame numbers so that a
 * finding can cite them; nothing here judges.
 *
 * Times: `t` is seconds since the epoch as a double (enough for rule arithmetic:
 * sub-microsecond precision up to 2100), `ts` is the ISO 8601 text with nine
 * digits for reports. A frame without a timestamp (pcapng SPB) has t = NaN, ts = ''.
 */
import type { FlowRecord } from '../flow/flow-record.js'

/** Where a fact was seen: capture file (index in the run and name), frame number in that file, time. */
export interface Where {
  fileIndex: number
  file: string
  frame: number
  t: number
  ts: string
}

export interface Endpoint {
  ip: string
  port: number
}

/** One DNS query and what answered it (same ID and question, reversed addresses, any time later). */
export interface DnsTransaction {
  proto: 'udp' | 'tcp'
  client: Endpoint
  server: Endpoint
  id: number
  /** The first question's name (no trailing dot) and type; '' / 0 when the query had none. */
  name: string
  qtype: number
  query: Where
  /** The first matching response, or null when none came before the capture ended. */
  response: DnsResponse | null
  /** VNI of the tunnel carrying it, or null. */
  vni: number | null
}

export interface DnsResponse {
  at: Where
  rcode: number
  /** Seconds from query to response. */
  latency: number
  answers: Array<{ name: string; type: number; ttl: number; data: string }>
}

/** A name -> address fact established by a DNS answer (A/AAAA, following CNAME chains to the question name). */
export interface DnsBinding {
  /** The question name the client asked for. */
  name: string
  address: string
  at: Where
}

/** A DNS response with no query seen (the query went another way, or before the capture). */
export interface DnsOrphanResponse {
  client: Endpoint
  server: Endpoint
  id: number
  name: string
  rcode: number
  at: Where
}

/** One NTP request (mode 1, 3, or 2 from a symmetric peer) and the reply from the queried server. */
export interface NtpExchange {
  client: Endpoint
  server: Endpoint
  mode: number
  version: number
  request: Where
  reply: null | { at: Where; mode: number; stratum: number; leap: number; refId: string; version: number }
}

/** One BGP TCP connection (4-tuple), what each side said. `a` is the side that sent the SYN (or the first packet). */
export interface BgpSession {
  a: Endpoint
  b: Endpoint
  /** First and last packet of the connection. */
  first: Where
  last: Where
  /** A SYN from a was seen; its SYN-ACK from b was seen. */
  syn: boolean
  synAck: boolean
  /** Any segment with the TCP-MD5 option (19), and any segment without it. */
  md5Seen: boolean
  noMd5Seen: boolean
  /** RST seen (first one). */
  reset: Where | null
  /** FIN seen from either side (first one). */
  fin: Where | null
  opens: BgpOpenObs[]
  notifications: BgpNotificationObs[]
  keepalives: number
  firstKeepalive: Where | null
  updates: number
  /** UPDATE messages that carried at least one announced or withdrawn prefix. */
  prefixUpdates: number
}

export interface BgpOpenObs {
  /** Sender address. */
  from: string
  myAs: number
  /** Capability 65's 4-byte ASN, or null. */
  as4: number | null
  holdTime: number
  bgpId: string
  capabilities: number[]
  at: Where
}

export interface BgpNotificationObs {
  from: string
  code: number
  subcode: number
  /** Shutdown communication text (RFC 8203), when there is one. Hostile: escape before printing. */
  text: string | null
  at: Where
}

/** One prefix announced or withdrawn by one speaker. */
export interface RouteEvent {
  kind: 'announce' | 'withdraw'
  /** The speaker (sender's IP) and the receiver. */
  peer: string
  to: string
  /** `a.b.c.d/len` or IPv6 text with /len. */
  prefix: string
  nextHop: string | null
  asPath: number[]
  at: Where
}

export interface TlsObservation {
  client: Endpoint
  server: Endpoint
  /** ClientHello server name; null without one. Hostile text. */
  sni: string | null
  /** Subject and issuer CN of the server's first certificate, when seen (TLS <= 1.2). */
  certSubject: string | null
  certIssuer: string | null
  at: Where
  vni: number | null
}

export interface HttpRequestObs {
  client: Endpoint
  server: Endpoint
  method: string
  /** Request target as sent (origin form, absolute URI, CONNECT authority). Hostile text. */
  target: string
  host: string | null
  /** Proxy-Authorization or Proxy-Connection header present. */
  proxyHeaders: boolean
  at: Where
  vni: number | null
}

/**
 * Tunnel packets aggregated per (kind, outer pair, VNI/VSID, flags, inner pair):
 * one entry per distinct combination with a count and the first frames.
 */
export interface TunnelObservation {
  kind: 'vxlan' | 'nvgre' | 'geneve' | 'gre'
  outerSrc: string
  outerDst: string
  /** VXLAN/Geneve VNI or NVGRE VSID; null for plain GRE. */
  vni: number | null
  /** VXLAN flags byte; 0 for others. */
  flags: number
  /** Innermost IP pair, or null when the inner frame has no IP. */
  innerSrc: string | null
  innerDst: string | null
  packets: number
  /** Outer IP datagrams that arrived fragmented (reassembled). */
  fragmented: number
  first: Where
  last: Where
  /** First frames (at most limits.MAX_EVIDENCE_FRAMES). */
  frames: number[]
  /** First frames of the fragmented ones. */
  fragmentedFrames: number[]
}

/** An ICMP/ICMPv6 error and the datagram it quotes. */
export interface IcmpErrorObs {
  family: 4 | 6
  /** The router or host that sent it, and where it went. */
  from: string
  to: string
  icmpType: number
  code: number
  /** Next-hop MTU of fragmentation-needed (v4 type 3 code 4) or packet-too-big (v6 type 2); else null. */
  mtu: number | null
  quoted: null | { proto: number; src: string; dst: string; srcPort: number | null; dstPort: number | null }
  at: Where
}

/** Per capture file: first/last timestamps and frames analysed. */
export interface CaptureSpan {
  fileIndex: number
  file: string
  first: Where | null
  last: Where | null
}

export interface Observations {
  /** Flow records the rules may need (every flow, or those a policy makes relevant; see builder). */
  flows: FlowRecord[]
  /** Flows seen in total (the list above may hold fewer). */
  flowCount: number
  dns: DnsTransaction[]
  dnsBindings: DnsBinding[]
  dnsOrphanResponses: DnsOrphanResponse[]
  ntp: NtpExchange[]
  bgpSessions: BgpSession[]
  routes: RouteEvent[]
  tls: TlsObservation[]
  http: HttpRequestObs[]
  tunnels: TunnelObservation[]
  icmpErrors: IcmpErrorObs[]
  spans: CaptureSpan[]
  /**
   * Entries not kept because a list reached its limit, per list name (for `tunnels`: the frames of the
   * tunnel aggregates not kept). Reported, never silent.
   */
  dropped: Record<string, number>
}

export function emptyObservations(): Observations {
  return {
    flows: [], flowCount: 0, dns: [], dnsBindings: [], dnsOrphanResponses: [], ntp: [], bgpSessions: [], routes: [],
    tls: [], http: [], tunnels: [], icmpErrors: [], spans: [], dropped: {},
  }
}
