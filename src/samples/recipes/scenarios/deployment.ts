/**
 * The deployment every scenario capture is cut from: the address plan of
 * ../shared/contract/policy.example.yaml (documentation ranges), a timed capture
 * builder that numbers frames the way Wireshark does and remembers where the
 * packets a scenario is about ended up, traffic helpers (DNS, NTP, TCP, TLS, BGP
 * sessions) built from our own encoders, the healthy border traffic each
 * scenario starts from, and the scenario policy as YAML text.
 *
 * Time line (2026-11-20, UTC): deployment completes at 14:00:00 (policy
 * completeAt) with graceSeconds 60, so "during" is before 14:00:00 and "after"
 * from 14:01:00. The healthy capture runs 13:50:00 - 14:02:00:
 *
 *   13:50:00  BGP: each TOR opens a session to its border (OPEN, KEEPALIVE), announces the
 *             expected VIPs as /32 and the infrastructure /24; the border sends a default route
 *   13:50:01  IPv6 neighbour solicitation (link-local, allowed)
 *   13:51:00  the DVM: NTP (client mode, stratum 2 reply) to the time server
 *   13:51:10  the DVM: for every required endpoint, DNS to a forwarder and a TLS handshake (SNI)
 *   13:52:00  a datacenter client opens the portal (203.0.113.10:443, a published port)
 *   13:55:00  KEEPALIVEs
 *   14:01:30  the infrastructure VIP 203.0.113.5: NTP, then DNS + TLS to every required endpoint
 *   14:02:00  KEEPALIVEs (capture end)
 */
import { PcapngBuilder, pcapFile } from '../../../capture/writer.js'
import * as bgp from '../../../decode/bgp-encode.js'
import * as dns from '../../../decode/dns.js'
import * as ntp from '../../../decode/ntp.js'
import * as tls from '../../../decode/tls.js'
import type { TcpOptionsRecord } from '../../../decode/record.js'
import { packet, type PacketBuilder } from '../../packet.js'

// ---- the address plan ---------------------------------------------------------------------

export const DVM = '10.10.0.29'
export const HLH = '10.10.0.30'
export const NODE_BMC = '10.10.0.3'
export const FORWARDERS = ['192.0.2.53', '192.0.2.54'] as const
export const NTP_SERVER = '192.0.2.123'
/** The infrastructure VIP that sources DNS, NTP and Azure traffic after deployment. */
export const INFRA_VIP = '203.0.113.5'
export const PORTAL_VIP = '203.0.113.10'
export const EXPECTED_VIPS = ['203.0.113.10', '203.0.113.11', '203.0.113.74'] as const
export const INFRASTRUCTURE = '10.20.0.0/24'
/** A datacenter client outside `permitted` (192.0.2.0/25). */
export const DATACENTER_CLIENT = '192.0.2.200'
export const PEERS = [
  { border: '10.10.1.1', tor: '10.10.1.2' },
  { border: '10.10.1.5', tor: '10.10.1.6' },
] as const
export const BORDER_ASN = 64512
export const AZS_ASN = 64651
export const SLB_ASN = 64652

/**
 * Every required endpoint of the AzureCloud table with Entra identity (src/policy/endpoints.ts:
 * the Identity row, a name for each wildcard) plus the policy's own endpoint, with the address
 * the forwarders give for it.
 */
export const REQUIRED_ENDPOINTS: ReadonlyArray<{ name: string; address: string }> = [
  { name: 'login.windows.net', address: '198.51.100.10' },
  { name: 'login.microsoftonline.com', address: '198.51.100.11' },
  { name: 'graph.windows.net', address: '198.51.100.12' },
  { name: 'secure.aadcdn.microsoftonline-p.com', address: '198.51.100.13' },
  { name: 'www.office.com', address: '198.51.100.14' },
  { name: 'management.core.windows.net', address: '198.51.100.15' },
  { name: 'management.azure.com', address: '198.51.100.16' },
  { name: 'aadcdn.msftauth.net', address: '198.51.100.17' },
  { name: 'logincdn.msauth.net', address: '198.51.100.18' },
  { name: 'res.msocdn.com', address: '198.51.100.19' },
  { name: 'portal.contoso.example', address: '198.51.100.20' },
]

export function endpointAddress(name: string): string {
  const e = REQUIRED_ENDPOINTS.find((x) => x.name === name)
  if (!e) throw new Error(`not a required endpoint of the plan: ${name}`)
  return e.address
}

// ---- time -----------------------------------------------------------------------------------

/** Microseconds since the epoch of `hh:mm:ss` on 2026-11-20 (UTC), plus `ms` milliseconds. */
export function at(hms: string, ms = 0): number {
  const [h, m, s] = hms.split(':').map(Number) as [number, number, number]
  return (Date.UTC(2026, 10, 20, h, m, s) + ms) * 1000
}

/** 2026-11-20T14:00:00Z: the policies' completeAt. */
export const COMPLETE_AT = at('14:00:00')
export const GRACE_SECONDS = 60

// ---- the capture builder --------------------------------------------------------------------

/** A packet's place in the capture: its frame number, known once the capture is built. */
export interface Handle {
  frame: number
}

interface Item { t: number; data: Uint8Array; handle: Handle; seq: number; iface: number }

/** What a scenario's recipe produces: the file, and the frame numbers of the packets it names. */
export interface ScenarioCapture {
  bytes: Uint8Array
  /** Named packets (the evidence a scenario is about), each list in frame order. */
  frames: Record<string, number[]>
}

/**
 * Packets added with their time, in any order; `finish` sorts them by time (ties keep the
 * order they were added in), numbers them from 1 and writes the file.
 */
export class Capture {
  private readonly items: Item[] = []
  private readonly marks = new Map<string, Handle[]>()
  private ipId = 0x100
  /** pcapng interface names; packets go to `current` (see `via`). */
  private readonly interfaces: readonly string[]
  private current = 0

  /** `interfaces` names the pcapng interfaces (uplinks) packets can be seen on; default one. */
  constructor(o: { interfaces?: readonly string[] } = {}) {
    this.interfaces = o.interfaces && o.interfaces.length > 0 ? o.interfaces : ['border-uplink']
  }

  /**
   * Runs `fn` with every packet it adds seen on interface `iface` (modulo the interface count,
   * so a recipe written for two uplinks still builds a one-interface capture unchanged).
   */
  via<T>(iface: number, fn: () => T): T {
    const before = this.current
    this.current = iface % this.interfaces.length
    try {
      return fn()
    } finally {
      this.current = before
    }
  }

  /** Adds a frame at `t` (µs since the epoch); `mark` names it as evidence. */
  add(t: number, data: Uint8Array, mark?: string): Handle {
    const handle: Handle = { frame: 0 }
    this.items.push({ t, data, handle, seq: this.items.length, iface: this.current })
    if (mark) this.mark(mark, handle)
    return handle
  }

  mark(name: string, ...handles: Handle[]): void {
    const list = this.marks.get(name) ?? []
    list.push(...handles)
    this.marks.set(name, list)
  }

  /** The next IPv4 identification (so no two datagrams share one). */
  nextIpId(): number {
    this.ipId = (this.ipId + 1) & 0xffff
    return this.ipId
  }

  /**
   * The packets in frame order (by time; ties keep the order they were added in), numbered from 1,
   * and the named frames: what `finish` writes, for a recipe that writes the file itself.
   */
  packets(): { packets: Array<{ t: number; data: Uint8Array; iface: number }>; frames: Record<string, number[]> } {
    const sorted = [...this.items].sort((a, b) => a.t - b.t || a.seq - b.seq)
    sorted.forEach((it, i) => { it.handle.frame = i + 1 })
    const frames: Record<string, number[]> = {}
    for (const [name, handles] of this.marks) frames[name] = handles.map((h) => h.frame).sort((a, b) => a - b)
    return { packets: sorted.map(({ t, data, iface }) => ({ t, data, iface })), frames }
  }

  finish(format: 'pcap' | 'pcapng' = 'pcapng'): ScenarioCapture {
    const { packets: sorted, frames } = this.packets()
    if (format === 'pcap') {
      if (this.interfaces.length > 1) throw new Error('a pcap file has one interface; use pcapng for several')
      const records = sorted.map((it) => ({ data: it.data, tsSec: Math.floor(it.t / 1e6), tsFrac: it.t % 1e6 }))
      return { bytes: pcapFile(records), frames }
    }
    const ng = new PcapngBuilder('le').shb({ options: [{ code: 4, value: 'hubcap scenario recipes' }] })
    for (const name of this.interfaces) ng.idb({ linkType: 1, snaplen: 262144, tsresol: 6, options: [{ code: 2, value: name }] })
    for (const it of sorted) ng.epb({ interfaceId: it.iface, ts: BigInt(it.t), data: it.data })
    return { bytes: ng.build(), frames }
  }
}

const SOUTH_MAC = '00:15:5d:0a:00:02'
const NORTH_MAC = '00:1b:21:0a:0b:01'

/** An Ethernet + IPv4 packet from `src` to `dst` (the rest is the caller's). */
export function ip4(cap: Capture, src: string, dst: string, f: { ttl?: number; df?: boolean } = {}): PacketBuilder {
  return packet().eth(SOUTH_MAC, NORTH_MAC).ipv4(src, dst, { id: cap.nextIpId(), ttl: f.ttl ?? 64, df: f.df ?? false })
}

// ---- DNS ------------------------------------------------------------------------------------

export interface DnsOptions {
  /** Client source port; default 50000 + id % 10000. */
  sport?: number
  /** Response code; default 0 with an A record for `address`. */
  rcode?: number
  /** The A record of a NOERROR answer. */
  address?: string
  /** No response at all. */
  unanswered?: boolean
  /** Milliseconds to the response; default 20. */
  latencyMs?: number
  qtype?: number
}

export function dnsMessage(f: Partial<dns.Fields>): Uint8Array {
  const fields = dns.fields(f)
  const out = new Uint8Array(dns.encodingLength(fields))
  dns.encode(fields, out, 0)
  return out
}

/** A DNS query over UDP and (unless unanswered) its response; returns both handles. */
export function dnsExchange(cap: Capture, t: number, client: string, server: string, id: number, name: string, o: DnsOptions = {}):
{ query: Handle; response: Handle | null } {
  const sport = o.sport ?? 50000 + (id % 10000)
  const qtype = o.qtype ?? dns.Type.A
  const questions = [{ name, type: qtype }]
  const query = cap.add(t, ip4(cap, client, server).udp(sport, 53).payload(dnsMessage({ id, questions })).build())
  if (o.unanswered) return { query, response: null }
  const rcode = o.rcode ?? 0
  const answers = rcode === 0 && o.address ? [{ name, type: dns.Type.A, ttl: 300, data: o.address }] : []
  const body = dnsMessage({ id, qr: true, ra: true, rcode, questions, answers })
  const response = cap.add(t + (o.latencyMs ?? 20) * 1000, ip4(cap, server, client).udp(53, sport).payload(body).build())
  return { query, response }
}

// ---- NTP ------------------------------------------------------------------------------------

export interface NtpOptions {
  /** Request mode: 3 client (default) or 1 symmetric active. */
  mode?: 1 | 3
  sport?: number
  stratum?: number
  leap?: number
  unanswered?: boolean
}

function ntpMessage(f: Partial<ntp.Fields>): Uint8Array {
  const fields = ntp.fields(f)
  const out = new Uint8Array(ntp.encodingLength(fields))
  ntp.encode(fields, out, 0)
  return out
}

/** An NTP request and (unless unanswered) the server's reply (mode 4, or 2 to a symmetric peer). */
export function ntpExchange(cap: Capture, t: number, client: string, server: string, o: NtpOptions = {}): { request: Handle; reply: Handle | null } {
  const mode = o.mode ?? 3
  const sport = o.sport ?? (mode === 1 ? 123 : 50123)
  const sec = Math.floor(t / 1e6)
  const request = cap.add(t, ip4(cap, client, server).udp(sport, 123)
    .payload(ntpMessage({ mode, poll: 6, precision: -23, transmitTime: ntp.timestamp(sec) })).build())
  if (o.unanswered) return { request, reply: null }
  const stratum = o.stratum ?? 2
  const reply = cap.add(t + 15_000, ip4(cap, server, client).udp(123, sport).payload(ntpMessage({
    mode: mode === 1 ? 2 : 4, stratum, leap: o.leap ?? 0, poll: 6, precision: -23, refId: stratum > 1 ? 0xc0000201 : 0,
    referenceTime: ntp.timestamp(sec - 30), originTime: ntp.timestamp(sec), receiveTime: ntp.timestamp(sec), transmitTime: ntp.timestamp(sec),
  })).build())
  return { request, reply }
}

// ---- TCP ------------------------------------------------------------------------------------

/** One TCP connection, sequence numbers kept; every method adds one segment and returns it. */
export class TcpConnection {
  private readonly cap: Capture
  readonly client: string
  readonly server: string
  readonly cport: number
  readonly sport: number
  private cseq: number
  private sseq: number
  private readonly options: TcpOptionsRecord

  constructor(cap: Capture, c: { client: string; cport: number; server: string; sport: number; isn?: number; md5?: boolean }) {
    this.cap = cap
    this.client = c.client
    this.server = c.server
    this.cport = c.cport
    this.sport = c.sport
    this.cseq = c.isn ?? 0x1000 * (c.cport % 1000 + 1)
    this.sseq = 0x80000 + c.cport
    this.options = c.md5 ? { md5: true } : {}
  }

  private segment(t: number, fromClient: boolean, flags: number, data: Uint8Array | null, extra: TcpOptionsRecord = {}): Handle {
    const [src, dst, sp, dp] = fromClient ? [this.client, this.server, this.cport, this.sport] : [this.server, this.client, this.sport, this.cport]
    const seq = fromClient ? this.cseq : this.sseq
    const ack = flags & 0x10 ? (fromClient ? this.sseq : this.cseq) : 0
    let b = ip4(this.cap, src, dst, { df: true }).tcp(sp, dp, { seq, ack, flags, window: 64240 }, { ...extra, ...this.options })
    if (data) b = b.payload(data)
    const h = this.cap.add(t, b.build())
    const advance = (data?.length ?? 0) + (flags & 0x03 ? 1 : 0) // SYN and FIN take a sequence number
    if (fromClient) this.cseq = (this.cseq + advance) >>> 0
    else this.sseq = (this.sseq + advance) >>> 0
    return h
  }

  syn(t: number): Handle { return this.segment(t, true, 0x02, null, { mss: 1460 }) }
  synAck(t: number): Handle { return this.segment(t, false, 0x12, null, { mss: 1460 }) }
  ack(t: number): Handle { return this.segment(t, true, 0x10, null) }
  /** SYN, SYN-ACK, ACK at t, t + 12 ms, t + 13 ms; returns the SYN. */
  handshake(t: number): Handle {
    const syn = this.syn(t)
    this.synAck(t + 12_000)
    this.ack(t + 13_000)
    return syn
  }
  send(t: number, fromClient: boolean, data: Uint8Array): Handle { return this.segment(t, fromClient, 0x18, data) }
  /** A bare ACK from one side. */
  ackFrom(t: number, fromClient: boolean): Handle { return this.segment(t, fromClient, 0x10, null) }
  /** RST (with ACK when the other side had sent something: a refused SYN gets RST-ACK). */
  rst(t: number, fromClient: boolean): Handle { return this.segment(t, fromClient, 0x14, null) }
}

// ---- TLS ------------------------------------------------------------------------------------

/** A ClientHello record naming `sni`. */
export function clientHelloRecord(sni: string): Uint8Array {
  const hello = tls.clientHello({ version: 0x0303, cipherSuites: [0x1301, 0xc02f], sni, alpn: ['h2', 'http/1.1'], supportedVersions: [0x0304, 0x0303] })
  return tls.records(22, 0x0301, hello)
}

/** A TCP handshake to `server`:443 and a ClientHello naming `sni`, acknowledged; returns the SYN and the hello. */
export function tlsConnect(cap: Capture, t: number, client: string, cport: number, server: string, sni: string): { syn: Handle; hello: Handle } {
  const c = new TcpConnection(cap, { client, cport, server, sport: 443 })
  const syn = c.handshake(t)
  const hello = c.send(t + 14_000, true, clientHelloRecord(sni))
  c.ackFrom(t + 40_000, false)
  return { syn, hello }
}

// ---- BGP ------------------------------------------------------------------------------------

export interface Established { syn: Handle; open: Handle; keepalive: Handle }

/** A BGP session over one TCP connection: `tor` opened it to `border`:179. */
export class BgpSession {
  readonly tcp: TcpConnection
  readonly tor: string
  readonly border: string

  constructor(cap: Capture, o: { tor: string; border: string; cport?: number; md5?: boolean }) {
    this.tor = o.tor
    this.border = o.border
    this.tcp = new TcpConnection(cap, { client: o.tor, cport: o.cport ?? 50179, server: o.border, sport: 179, ...(o.md5 ? { md5: true } : {}) })
  }

  /** A message from the TOR side (true) or the border side (false). */
  send(t: number, fromTor: boolean, message: bgp.Fields): Handle {
    return this.tcp.send(t, fromTor, bgp.build(message))
  }

  /**
   * Handshake, both OPENs (4-byte AS capability, IPv4 unicast) and a KEEPALIVE each way,
   * from `t` on over 100 ms; returns the SYN, the TOR's OPEN and the first KEEPALIVE (the TOR's).
   */
  establish(t: number, torAs: number, borderAs: number): Established {
    const syn = this.tcp.handshake(t)
    const open = this.send(t + 20_000, true, openOf(torAs, this.tor))
    this.send(t + 40_000, false, openOf(borderAs, this.border))
    const keepalive = this.send(t + 60_000, true, { kind: 'KEEPALIVE' })
    this.send(t + 80_000, false, { kind: 'KEEPALIVE' })
    return { syn, open, keepalive }
  }

  keepalives(t: number): Handle {
    const h = this.send(t, true, { kind: 'KEEPALIVE' })
    this.send(t + 5_000, false, { kind: 'KEEPALIVE' })
    return h
  }

  /** An UPDATE from the TOR announcing `nlri` (AS_PATH azsAsn, slbAsn) and/or withdrawing `withdrawn`. */
  torUpdate(t: number, o: { nlri?: string[]; withdrawn?: string[]; asPath?: number[] }): Handle {
    const nlri = o.nlri ?? []
    return this.send(t, true, {
      kind: 'UPDATE',
      ...(o.withdrawn ? { withdrawn: o.withdrawn } : {}),
      ...(nlri.length > 0 ? { nlri, origin: 0, asPath: o.asPath ?? [AZS_ASN, SLB_ASN], nextHop: this.tor } : {}),
    })
  }
}

export function openOf(asn: number, bgpId: string): bgp.OpenSpec {
  return {
    kind: 'OPEN', myAs: asn, holdTime: 180, bgpId,
    capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 65, asn }],
  }
}

// ---- the healthy deployment -----------------------------------------------------------------

export interface HealthyOptions {
  /** Names of REQUIRED_ENDPOINTS the healthy traffic leaves out (a scenario adds their failure). */
  skipEndpoints?: readonly string[]
  /** TOR announcements of the healthy sessions; default the expected VIPs as /32 and the infrastructure /24. */
  announcements?: readonly string[]
  md5?: boolean
  /** Which pairs of PEERS get a healthy session (default both); a scenario builds the others itself. */
  bgpPeers?: readonly number[]
}

export interface HealthyTraffic {
  sessions: BgpSession[]
  /** Per session: its SYN, the TOR's OPEN and the first KEEPALIVE. */
  established: Established[]
}

const ANNOUNCED = [...EXPECTED_VIPS.map((v) => `${v}/32`), INFRASTRUCTURE]

/** Adds the healthy deployment's traffic (see the time line at the top) to `cap`. */
export function healthyDeployment(cap: Capture, o: HealthyOptions = {}): HealthyTraffic {
  const pairs = o.bgpPeers ?? PEERS.map((_, i) => i)
  const sessions = pairs.map((i) => new BgpSession(cap, { tor: PEERS[i]!.tor, border: PEERS[i]!.border, cport: 50179 + i, ...(o.md5 ? { md5: true } : {}) }))
  const announced = o.announcements ?? ANNOUNCED
  // On a two-uplink capture, border i's session and every second endpoint go over uplink i.
  const established = sessions.map((s, k) => cap.via(pairs[k]!, () => {
    const i = pairs[k]!
    const t = at('13:50:00', 500 * i)
    const e = s.establish(t, AZS_ASN, BORDER_ASN)
    if (announced.length > 0) s.torUpdate(t + 100_000, { nlri: [...announced] })
    s.send(t + 120_000, false, { kind: 'UPDATE', nlri: ['0.0.0.0/0'], origin: 0, asPath: [BORDER_ASN], nextHop: s.border })
    s.keepalives(at('13:55:00', 500 * i))
    s.keepalives(at('14:02:00', 500 * i))
    return e
  }))

  // Link-local neighbour discovery from the border (allowed by ipv4-only).
  cap.add(at('13:50:01'), packet().eth(NORTH_MAC, '33:33:ff:0a:00:02').ipv6('fe80::21b:21ff:fe0a:b01', 'ff02::1:ff0a:2', { hopLimit: 255 })
    .icmpv6(135, 0).payload([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x15, 0x5d, 0xff, 0xfe, 0x0a, 0x00, 0x02]).build())

  const skip = new Set(o.skipEndpoints ?? [])
  const endpoints = REQUIRED_ENDPOINTS.filter((e) => !skip.has(e.name))
  ntpExchange(cap, at('13:51:00'), DVM, NTP_SERVER)
  endpoints.forEach((e, i) => cap.via(i % 2, () => reachEndpoint(cap, at('13:51:10', 1000 * i), DVM, 0x2000 + i, FORWARDERS[i % 2]!, e.name, e.address)))

  // A datacenter client opens the portal on a published port.
  cap.via(1, () => tlsConnect(cap, at('13:52:00'), DATACENTER_CLIENT, 51500, PORTAL_VIP, 'portal.east.cloud.fabrikam.com'))

  ntpExchange(cap, at('14:01:30'), INFRA_VIP, NTP_SERVER)
  endpoints.forEach((e, i) => cap.via((i + 1) % 2, () => reachEndpoint(cap, at('14:01:31', 1000 * i), INFRA_VIP, 0x3000 + i, FORWARDERS[(i + 1) % 2]!, e.name, e.address)))
  return { sessions, established }
}

/** DNS for `name` through `forwarder`, then a TLS handshake to its address with the name as SNI. */
export function reachEndpoint(cap: Capture, t: number, client: string, id: number, forwarder: string, name: string, address: string): void {
  dnsExchange(cap, t, client, forwarder, id, name, { address })
  tlsConnect(cap, t + 100_000, client, 49000 + (id % 1000), address, name)
}

// ---- the policy -----------------------------------------------------------------------------

export interface PolicyOptions {
  vantage?: 'border' | 'tor' | 'host'
  md5?: boolean
}

/**
 * The contract's example policy for this deployment: every key, graceSeconds 60 so that the
 * short captures reach the "after" phase, no rule overrides (every rule judges).
 */
export function scenarioPolicy(name: string, o: PolicyOptions = {}): string {
  return `# hubcap scenario policy: ${name}
version: 1
name: scenario-${name}

vantage: ${o.vantage ?? 'border'}
cloud: AzureCloud
identity: entra
routing: bgp

networks:
  bmc: 10.10.0.0/26
  publicVip: 203.0.113.0/24
  infraVip: 203.0.113.0/27
  infrastructure: ${INFRASTRUCTURE}
  infraAccessible: 10.20.0.224/27
  private: 172.16.0.0/20
  switchInfra: 10.10.1.0/26
  switchMgmt: 10.10.1.56/29
  pa: 10.30.0.0/23
  permitted: [192.0.2.0/25]

hosts:
  dvm: ${DVM}
  hlh: ${HLH}
  hlhBmc: 10.10.0.2
  oemToolVms: [10.10.0.19, 10.10.0.20]
  dnsForwarders: [${FORWARDERS.join(', ')}]
  ntpServers: [${NTP_SERVER}]
  ntpServerIsWindows: false
  explicitProxies: []
  syslog: null
  adForestDcs: []

bgp:
  borderAsn: ${BORDER_ASN}
  azsAsn: ${AZS_ASN}
  slbAsn: ${SLB_ASN}
  md5: ${o.md5 ? 'true' : 'false'}
  peers:
${PEERS.map((p) => `    - { border: ${p.border}, tor: ${p.tor} }`).join('\n')}
  expectedVips: [${EXPECTED_VIPS.join(', ')}]

deployment:
  completeAt: 2026-11-20T14:00:00Z
  graceSeconds: ${GRACE_SECONDS}

endpoints:
  - { host: portal.contoso.example, ports: [443], requirement: required }

allow:
  - { rule: hlh-restricted, src: ${HLH}, dst: 192.0.2.10, proto: tcp, dstPort: 443, why: "OEM update server" }
`
}

// ---- scenarios ------------------------------------------------------------------------------

export interface Scenario {
  name: string
  description: string
  /** The rule ids this scenario's capture breaks (status fail). */
  breaks: string[]
  build(): Uint8Array
  /** The policy, as YAML text. */
  policy(): string
  /** The capture and the frame numbers of the packets it is about. */
  record(): ScenarioCapture
}

/** A scenario from its recipe (called once per record()). */
export function scenario(s: Omit<Scenario, 'build' | 'policy'> & { policyOptions?: PolicyOptions }): Scenario {
  const { policyOptions, ...rest } = s
  return { ...rest, build: () => s.record().bytes, policy: () => scenarioPolicy(s.name, policyOptions) }
}
