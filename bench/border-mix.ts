/**
 * The benchmark capture: what a border switch of an Azure Stack Hub stamp sees, at any size.
 *
 *   ensureBorderMix({ sizeMiB: 1024 })                   // ~1.5 M packets, 50 000 flows
 *   ensureBorderMix({ sizeMiB: 1024, flows: 2_000_000 })  // the flow-table stress variant
 *   node dist/bench/border-mix.js [--size-mb N] [--flows N] [--out FILE] [--quick]
 *
 * A classic µs pcap (Ethernet), written deterministically from a fixed seed under os.tmpdir()
 * and reused when it is there with the right size (a sidecar FILE.json records what was asked
 * and what was written). Flows, interleaved as in a real capture (a few thousand active at once,
 * each next packet taken from a random one; timestamps strictly increasing):
 *
 *   tls    TCP 443 from the public VIPs to Azure endpoints: SYN, SYN-ACK, ACK, a TLS 1.3 ClientHello
 *          with the endpoint's SNI, the server's flight and application data records (segments of
 *          60-1514 byte frames, ACK every second segment), client requests, FIN/ACK both ways
 *          (a share closed by the server or by RST; 2 % rejected with RST, 1 % unanswered SYNs)
 *   dns    UDP 53 to the forwarders: A / AAAA queries and answers with CNAME chains (compressed
 *          names), NXDOMAIN with an SOA
 *   ntp    UDP 123 client (mode 3) / server (mode 4) exchanges, timestamps of the packet's time
 *   bgp    the policy's two TOR-border sessions on TCP 179: handshake, OPEN, KEEPALIVE, the TOR's
 *          UPDATEs announcing the public VIPs as /32s, then keepalives and VIP churn
 *   vxlan  UDP 4789 between HNV provider addresses, VNIs 5001-5008, carrying tenant TLS sessions to
 *          their web front ends (inner MSS 1410, so outer frames stay within 1514 bytes)
 *
 * 30 % of the flows carry an 802.1Q tag (VLAN 100 or 200) on every frame. The byte budget goes to
 * the TCP payloads: `flows` is met exactly, and the data per TCP session (exponential around the
 * mean that fills `sizeMiB`) makes the size; with more flows than the size can hold (2 M flows in
 * 1 GiB) sessions carry no data and the file ends up larger. About 1.5 M packets per GiB at the
 * default flow count.
 *
 * Speed: every packet kind is built once with our encoders (packet(), dns.encode, ntp.encode,
 * bgp.build, tls.clientHello/records) as a template; a packet is a copy of its template with the
 * per-flow fields patched (addresses, ports, ids, seq/ack, timestamps) and the checksums recomputed,
 * TCP payloads copied from prebuilt TLS / data streams, and records written through an 8 MiB buffer.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as bgp from '../src/decode/bgp.js'
import * as dns from '../src/decode/dns.js'
import * as ntp from '../src/decode/ntp.js'
import * as tls from '../src/decode/tls.js'
import type { TcpOptionsRecord } from '../src/decode/record.js'
import { ipv4Number, macBytes, packet } from '../src/samples/packet.js'

/** Bump when the output changes, so files of an older generator are not reused. */
export const GENERATOR_VERSION = 1
const SEED = 0x5eed_b0d3
const MiB = 1024 * 1024
/** Default flows per GiB (50 000 for the 1 GiB file). */
export const DEFAULT_FLOWS_PER_GIB = 50_000
/** 2026-11-20T14:00:00Z, the example policy's completeAt. */
const T0_SEC = 1795183200
/** Mean gap between packets (µs): ~12 500 packets/s. */
const MEAN_GAP_US = 80

export interface BorderMixOptions {
  sizeMiB: number
  /** Flows to write (default DEFAULT_FLOWS_PER_GIB per GiB, at least 100). */
  flows?: number
  /** Default os.tmpdir()/hubcap-border-mix-<size>mib-<flows>f.pcap. */
  path?: string
  /** Write even when a matching file is there. */
  force?: boolean
}

export interface BorderMix {
  path: string
  sizeMiB: number
  fileSize: number
  packets: number
  /** Sum of captured lengths. */
  bytes: number
  flows: number
  /** Flows per kind (tls includes the rejected and unanswered sessions; bgp the two sessions). */
  flowsByKind: Record<string, number>
  /** Frames per kind; `tagged` counts 802.1Q-tagged frames. */
  framesByKind: Record<string, number>
  firstTs: string
  lastTs: string
  generator: number
  /** True when this call wrote the file, with the time it took. */
  wrote: boolean
  seconds: number
}

export function defaultFlows(sizeMiB: number): number {
  return Math.max(100, Math.round((DEFAULT_FLOWS_PER_GIB * sizeMiB) / 1024))
}

export function defaultPath(sizeMiB: number, flows: number): string {
  return join(tmpdir(), `hubcap-border-mix-${sizeMiB}mib-${flows}f.pcap`)
}

/** Writes the capture unless a file written by this generator version with these options is there. */
export function ensureBorderMix(opts: BorderMixOptions): BorderMix {
  const sizeMiB = opts.sizeMiB
  if (!(sizeMiB > 0)) throw new RangeError('sizeMiB: expected a positive number')
  const flows = opts.flows ?? defaultFlows(sizeMiB)
  if (!Number.isInteger(flows) || flows < 10) throw new RangeError('flows: expected an integer >= 10')
  const path = opts.path ?? defaultPath(sizeMiB, flows)
  const sidecar = `${path}.json`
  if (!opts.force && existsSync(path) && existsSync(sidecar)) {
    try {
      const m = JSON.parse(readFileSync(sidecar, 'utf8')) as BorderMix
      if (m.generator === GENERATOR_VERSION && m.sizeMiB === sizeMiB && m.flows === flows && statSync(path).size === m.fileSize) {
        return { ...m, path, wrote: false, seconds: 0 }
      }
    } catch {
      // an unreadable sidecar: write the file again
    }
  }
  const t0 = process.hrtime.bigint()
  const tmp = `${path}.${process.pid}.tmp`
  const result = generate(tmp, sizeMiB, flows)
  renameSync(tmp, path)
  const mix: BorderMix = { ...result, path, wrote: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }
  writeFileSync(sidecar, `${JSON.stringify({ ...mix, wrote: undefined, seconds: undefined }, null, 2)}\n`)
  return mix
}

// ---- randomness ---------------------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence everywhere. */
class Rng {
  private s: number
  constructor(seed: number) { this.s = seed >>> 0 }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(n: number): number { return Math.floor(this.next() * n) }
  u32(): number { return Math.floor(this.next() * 4294967296) >>> 0 }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]! }
  bytes(n: number): Buffer { const b = Buffer.allocUnsafe(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b }
}

// ---- the stamp ------------------------------------------------------------------------------------

/** Azure endpoints the stamp talks to: SNI / query name, CNAME chain, addresses. */
interface Endpoint { name: string; cnames: string[]; v4: string[]; v6: string[] }
const ENDPOINTS: Endpoint[] = [
  { name: 'login.microsoftonline.com', cnames: ['login.mso.msidentity.com', 'ak.privatelink.msidentity.com', 'www.tm.ak.prd.aadg.trafficmanager.net'], v4: ['20.190.151.68', '20.190.151.70', '20.190.151.131', '40.126.23.96'], v6: ['2603:1037:1:c8::9', '2603:1037:1:c8::b'] },
  { name: 'login.windows.net', cnames: ['login.mso.msidentity.com', 'ak.privatelink.msidentity.com', 'www.tm.ak.prd.aadg.trafficmanager.net'], v4: ['20.190.151.69', '40.126.23.97'], v6: ['2603:1037:1:c8::a'] },
  { name: 'management.azure.com', cnames: ['management.privatelink.azure.com', 'arm-frontdoor-prod.trafficmanager.net'], v4: ['20.37.158.0', '4.150.240.10'], v6: [] },
  { name: 'management.core.windows.net', cnames: ['rdfepirv2bl2prod.cloudapp.net'], v4: ['13.71.6.83'], v6: [] },
  { name: 'graph.windows.net', cnames: ['aadg.windows.net.nsatc.net'], v4: ['20.190.151.7', '20.190.151.9'], v6: [] },
  { name: 'graph.microsoft.com', cnames: ['ags.privatelink.msidentity.com', 'www.tm.ags.prd.aadg.trafficmanager.net'], v4: ['20.190.151.133', '20.190.151.134'], v6: ['2603:1037:1:c8::12'] },
  { name: 'azstrp.blob.core.windows.net', cnames: ['blob.bl2prdstr14a.store.core.windows.net'], v4: ['52.239.220.32'], v6: [] },
  { name: 'azurestackhub.azureedge.net', cnames: ['azurestackhub.afd.azureedge.net', 'azureedge-t-prod.trafficmanager.net', 'shed.dual-low.part-0017.t-0009.t-msedge.net'], v4: ['13.107.213.45', '13.107.246.45'], v6: ['2620:1ec:46::45'] },
  { name: 'aka.ms', cnames: ['aka.ms.edgekey.net', 'e1050.dscx.akamaiedge.net'], v4: ['23.196.33.140'], v6: [] },
  { name: 'go.microsoft.com', cnames: ['go.microsoft.com.edgekey.net', 'e11290.dspg.akamaiedge.net'], v4: ['23.59.144.19'], v6: [] },
  { name: 'crl.microsoft.com', cnames: ['crl.www.ms.akadns.net', 'a1363.dscg.akamai.net'], v4: ['23.33.40.144', '23.33.40.152'], v6: [] },
  { name: 'dc.services.visualstudio.com', cnames: ['dc.trafficmanager.net', 'global.in.ai.monitor.azure.com'], v4: ['20.42.65.85'], v6: [] },
  { name: 'settings-win.data.microsoft.com', cnames: ['atm-settingsfe-prod-geo2.trafficmanager.net'], v4: ['51.104.136.2'], v6: [] },
  { name: 'v10.events.data.microsoft.com', cnames: ['global.asimov.events.data.trafficmanager.net', 'onedsc-prdeus17.eastus.cloudapp.azure.com'], v4: ['20.42.73.26'], v6: [] },
  { name: 'azurestack.azureedge.net', cnames: ['azurestack.afd.azureedge.net', 'azureedge-t-prod.trafficmanager.net'], v4: ['13.107.246.60'], v6: [] },
  { name: 'portal.contoso.example', cnames: [], v4: ['192.0.2.80'], v6: [] },
]
const NXDOMAIN_NAMES = ['wpad.contoso.example', 'azurestack.local.contoso.example', 'isatap.contoso.example']
const FORWARDERS = ['192.0.2.53', '192.0.2.54'].map(ipv4Number)
const NTP_SERVERS = ['192.0.2.123'].map(ipv4Number)
/** Clients seen at the border: the public VIP pool 203.0.113.0/24 (the stamp's traffic leaves NATed to it). */
const CLIENTS = Array.from({ length: 254 }, (_, i) => ipv4Number(`203.0.113.${i + 1}`))
/** Ephemeral ports per client: 254 x 16 384 distinct (client, port) per protocol before one repeats. */
const EPHEMERAL = 16384
const VLANS = [100, 200]
const BORDER_MAC = macBytes('00:1b:21:0a:0b:01')
const PA_HOSTS = Array.from({ length: 16 }, (_, i) => ipv4Number(`10.30.0.${i + 10}`))
const PA_GATEWAYS = Array.from({ length: 4 }, (_, i) => ipv4Number(`10.30.1.${i + 1}`))
/** Tenant web front ends behind the overlay (their sessions are TLS on 443 too). */
const TENANT_NAMES = ['shop.contoso.example', 'api.contoso.example', 'portal.fabrikam.example', 'files.fabrikam.example']

/** A host's MAC, from its address (Hyper-V prefix). */
function macOf(ip: number): Uint8Array {
  return Uint8Array.of(0x00, 0x15, 0x5d, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff)
}

// ---- output -------------------------------------------------------------------------------------

const BUF_SIZE = 8 * MiB
/** Room kept free at the end of the buffer: more than the largest frame plus its record header. */
const SLACK = 4096

class Out {
  readonly buf = Buffer.allocUnsafe(BUF_SIZE + SLACK)
  o = 0
  fileSize = 0
  packets = 0
  bytes = 0
  private readonly fd: number
  constructor(path: string) {
    this.fd = openSync(path, 'w')
    // pcap header: µs magic, v2.4, snaplen 262144, Ethernet (little-endian).
    const b = this.buf
    b.writeUInt32LE(0xa1b2c3d4, 0); b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6)
    b.writeUInt32LE(0, 8); b.writeUInt32LE(0, 12); b.writeUInt32LE(262144, 16); b.writeUInt32LE(1, 20)
    this.o = 24
  }
  flush(): void {
    let done = 0
    while (done < this.o) done += writeSync(this.fd, this.buf, done, this.o - done)
    this.fileSize += this.o
    this.o = 0
  }
  close(): void { this.flush(); closeSync(this.fd) }
}

// ---- checksums ----------------------------------------------------------------------------------

function sum16(b: Uint8Array, start: number, end: number): number {
  let s = 0
  let i = start
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!
  if (i < end) s += b[i]! << 8
  return s
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536)
  return ~s & 0xffff
}

function put16(b: Uint8Array, o: number, v: number): void { b[o] = (v >>> 8) & 0xff; b[o + 1] = v & 0xff }
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff
}

/** IPv4 header at `ip` (20 bytes): total length, id, TTL, addresses, checksum. */
function patchIpv4(b: Uint8Array, ip: number, totalLength: number, id: number, ttl: number, src: number, dst: number): void {
  put16(b, ip + 2, totalLength)
  put16(b, ip + 4, id)
  b[ip + 8] = ttl
  put32(b, ip + 12, src)
  put32(b, ip + 16, dst)
  put16(b, ip + 10, 0)
  put16(b, ip + 10, fold(sum16(b, ip, ip + 20)))
}

/** TCP (6) or UDP (17) checksum of the segment at `l4` (`len` bytes) with the IPv4 pseudo-header. */
function transportChecksum(b: Uint8Array, l4: number, len: number, proto: 6 | 17, src: number, dst: number): void {
  const at = l4 + (proto === 6 ? 16 : 6)
  put16(b, at, 0)
  const pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len
  let c = fold(sum16(b, l4, l4 + len) + pseudo)
  if (proto === 17 && c === 0) c = 0xffff
  put16(b, at, c)
}

// ---- templates ----------------------------------------------------------------------------------

const ZERO = '0.0.0.0'

/** An IPv4 + TCP header (no payload) with these flags and options, from our encoders. */
function tcpHeader(flags: number, options: TcpOptionsRecord = {}): Buffer {
  return Buffer.from(packet().ipv4(ZERO, ZERO, { df: true }).tcp(0, 0, { flags }, options).build())
}

/** An IPv4 + UDP datagram carrying `payload`. */
function udpDatagram(payload: Uint8Array): Buffer {
  return Buffer.from(packet().ipv4(ZERO, ZERO).udp(0, 0).payload(payload).build())
}

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const

interface Templates {
  synC: Buffer; synS: Buffer; synInner: Buffer; synAckC: Buffer; synAckInner: Buffer
  ack: Buffer; pshAck: Buffer; finAck: Buffer; rstAck: Buffer; rst: Buffer
  /** outer IPv4 + UDP + VXLAN header (36 bytes). */
  vxlanOuter: Buffer
}

function templates(): Templates {
  return {
    synC: tcpHeader(F.SYN, { mss: 1460, windowScale: 8, sackPermitted: true }),
    synS: tcpHeader(F.SYN, { mss: 1460 }),
    synInner: tcpHeader(F.SYN, { mss: 1410, windowScale: 8, sackPermitted: true }),
    synAckC: tcpHeader(F.SYN | F.ACK, { mss: 1440, windowScale: 9, sackPermitted: true }),
    synAckInner: tcpHeader(F.SYN | F.ACK, { mss: 1410, windowScale: 8, sackPermitted: true }),
    ack: tcpHeader(F.ACK),
    pshAck: tcpHeader(F.PSH | F.ACK),
    finAck: tcpHeader(F.FIN | F.ACK),
    rstAck: tcpHeader(F.RST | F.ACK),
    rst: tcpHeader(F.RST),
    vxlanOuter: Buffer.from(packet().ipv4(ZERO, ZERO).udp(0, 4789).vxlan(0).build()),
  }
}

/** A byte stream: `prefix` once, then `region` repeated; `ends` are the record ends in `region`. */
interface Stream { prefix: Buffer; region: Buffer; ends: number[] | null }

function copyStream(s: Stream, x: number, len: number, dst: Buffer, at: number): void {
  const P = s.prefix.length
  const R = s.region.length
  while (len > 0) {
    let n: number
    if (x < P) {
      n = Math.min(len, P - x)
      s.prefix.copy(dst, at, x, x + n)
    } else {
      const r = (x - P) % R
      n = Math.min(len, R - r)
      s.region.copy(dst, at, r, r + n)
    }
    x += n; at += n; len -= n
  }
}

/** The smallest stream length >= want that ends on a record boundary (the whole prefix at least). */
function recordBoundary(s: Stream, want: number): number {
  const P = s.prefix.length
  if (want <= P || s.ends === null) return Math.max(P, want)
  const R = s.region.length
  const x = want - P
  const k = Math.floor(x / R)
  const r = x - k * R
  if (r === 0) return want
  let lo = 0
  let hi = s.ends.length - 1
  while (lo < hi) { const mid = (lo + hi) >> 1; if (s.ends[mid]! >= r) hi = mid; else lo = mid + 1 }
  return P + k * R + s.ends[lo]!
}

/** Application data records (TLS 1.2 framing, as TLS 1.3 sends them) of pseudo-random "ciphertext". */
function appDataRegion(rng: Rng, records: number): { region: Buffer; ends: number[] } {
  const parts: Buffer[] = []
  const ends: number[] = []
  let end = 0
  for (let i = 0; i < records; i++) {
    // Record sizes as servers send them: small ones first (dynamic record sizing), some full 16 KiB.
    const r = rng.next()
    const len = r < 0.5 ? 100 + rng.int(1300) : r < 0.8 ? 1400 + rng.int(2700) : 16384
    const body = rng.bytes(len)
    const rec = Buffer.from(tls.records(tls.ContentType.ApplicationData, 0x0303, body))
    parts.push(rec)
    end += rec.length
    ends.push(end)
  }
  return { region: Buffer.concat(parts), ends }
}

interface DnsExchange { query: Buffer; response: Buffer }

function dnsExchanges(): { a: DnsExchange[]; aaaa: DnsExchange[]; nx: DnsExchange[] } {
  const q = (name: string, type: number): dns.Fields => dns.fields({ id: 0, rd: true, questions: [{ name, type }] })
  const answerChain = (e: Endpoint, type: number, addrs: string[]): dns.RecordFields[] => {
    const out: dns.RecordFields[] = []
    let owner = e.name
    for (const c of e.cnames) { out.push({ name: owner, type: dns.Type.CNAME, ttl: 300, data: c }); owner = c }
    for (const a of addrs) out.push({ name: owner, type, ttl: 60, data: a })
    return out
  }
  const soa = (zone: string): dns.RecordFields => ({
    name: zone, type: dns.Type.SOA, ttl: 900,
    data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 2026112001, refresh: 900, retry: 300, expire: 604800, minimum: 60 },
  })
  const exchange = (query: dns.Fields, response: dns.Fields): DnsExchange => {
    const qb = new Uint8Array(dns.encodingLength(query))
    dns.encode(query, qb, 0)
    const rb = new Uint8Array(dns.encodingLength(response))
    dns.encode(response, rb, 0)
    return { query: udpDatagram(qb), response: udpDatagram(rb) }
  }
  const reply = (query: dns.Fields, over: Partial<dns.Fields>): dns.Fields => ({ ...query, qr: true, ra: true, ...over })
  const a = ENDPOINTS.map((e) => { const m = q(e.name, dns.Type.A); return exchange(m, reply(m, { answers: answerChain(e, dns.Type.A, e.v4) })) })
  const aaaa = ENDPOINTS.map((e) => {
    const m = q(e.name, dns.Type.AAAA)
    const last = e.cnames[e.cnames.length - 1] ?? e.name
    const zone = last.split('.').slice(-2).join('.')
    return exchange(m, reply(m, e.v6.length > 0
      ? { answers: answerChain(e, dns.Type.AAAA, e.v6) }
      : { answers: answerChain(e, dns.Type.AAAA, []), authorities: [soa(zone)] }))
  })
  const nx = NXDOMAIN_NAMES.map((name) => {
    const m = q(name, dns.Type.A)
    return exchange(m, reply(m, { rcode: 3, authorities: [soa(name.split('.').slice(-2).join('.'))] }))
  })
  return { a, aaaa, nx }
}

// ---- flows --------------------------------------------------------------------------------------

const KIND_TLS = 0
const KIND_DNS = 1
const KIND_NTP = 2
const KIND_INNER = 3
const KIND_BGP = 4
const KIND_NAMES = ['tls', 'dns', 'ntp', 'vxlan', 'bgp']

/** Share of the flows per kind (tls, dns, ntp, vxlan); BGP is the two fixed sessions. */
const WEIGHTS = [0.45, 0.35, 0.05, 0.15]

interface Vxlan { srcPa: number; dstPa: number; udpPort: number; vni: number; cMac: Uint8Array; sMac: Uint8Array }

interface Flow {
  kind: number
  cIp: number; sIp: number; cPort: number; sPort: number
  cMac: Uint8Array
  /** 802.1Q id, 0 for untagged. */
  vlan: number
  vx: Vxlan | null
  stage: number
  // TCP
  variant: number // 0 normal, 1 rejected, 2 unanswered, 3 server closes, 4 client RST
  cIsn: number; sIsn: number
  cSent: number; sSent: number; cTotal: number; sTotal: number
  cStream: Stream | null; sStream: Stream | null
  unacked: number
  serverOwesAck: boolean
  mss: number
  // DNS / NTP
  exchanges: DnsExchange[]
  step: number
  id: number
  lastTransmit: number
}

function newFlow(kind: number): Flow {
  return {
    kind, cIp: 0, sIp: 0, cPort: 0, sPort: 0, cMac: BORDER_MAC, vlan: 0, vx: null, stage: 0,
    variant: 0, cIsn: 0, sIsn: 0, cSent: 0, sSent: 0, cTotal: 0, sTotal: 0, cStream: null, sStream: null,
    unacked: 0, serverOwesAck: false, mss: 1460, exchanges: [], step: 0, id: 0, lastTransmit: 0,
  }
}

// ---- the generator ----------------------------------------------------------------------------------

interface GenResult {
  sizeMiB: number; fileSize: number; packets: number; bytes: number; flows: number
  flowsByKind: Record<string, number>; framesByKind: Record<string, number>; firstTs: string; lastTs: string; generator: number
}

function isoUs(us: number): string {
  const sec = Math.floor(us / 1e6)
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${String(us - sec * 1e6).padStart(6, '0')}000Z`
}

function generate(path: string, sizeMiB: number, totalFlows: number): GenResult {
  const rng = new Rng(SEED)
  const T = templates()
  const out = new Out(path)
  const b = out.buf
  const target = sizeMiB * MiB

  // Streams: TLS client (ClientHello per endpoint + CCS), TLS server (ServerHello + CCS), tenant data.
  const app = appDataRegion(rng, 48)
  const ccs = tls.records(tls.ContentType.ChangeCipherSpec, 0x0303, Uint8Array.of(1))
  const suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030]
  const clientStream = (sni: string): Stream => {
    const hello = tls.clientHello({
      version: 0x0303, random: rng.bytes(32), sessionId: rng.bytes(32), cipherSuites: suites, sni,
      alpn: ['h2', 'http/1.1'], supportedVersions: [0x0304, 0x0303],
    })
    return { prefix: Buffer.concat([tls.records(tls.ContentType.Handshake, 0x0301, hello), ccs]), region: app.region, ends: app.ends }
  }
  const clientStreams = ENDPOINTS.map((e) => clientStream(e.name))
  const tenantStreams = TENANT_NAMES.map(clientStream)
  const serverHello = tls.serverHello({ version: 0x0303, sessionId: rng.bytes(32), cipherSuite: 0x1302, supportedVersion: 0x0304 })
  const serverStream: Stream = { prefix: Buffer.concat([tls.records(tls.ContentType.Handshake, 0x0303, serverHello), ccs]), region: app.region, ends: app.ends }
  const dnsX = dnsExchanges()
  const ntpClient = udpDatagram(encodeNtp(ntp.fields({ mode: ntp.Mode.Client, version: 4, poll: 6, precision: -23 })))
  const ntpServer = udpDatagram(encodeNtp(ntp.fields({
    mode: ntp.Mode.Server, version: 4, stratum: 2, poll: 6, precision: -24, rootDelay: 0x0000_0a3d, rootDispersion: 0x0000_1c28,
    refId: ipv4Number('192.0.2.1'), referenceTime: ntp.timestamp(T0_SEC - 600),
  })))

  let nowUs = T0_SEC * 1e6
  const firstUs = nowUs
  let lastUs = nowUs
  let ipId = rng.int(65536)
  const flowsByKind = [0, 0, 0, 0, 0]
  const framesByKind = [0, 0, 0, 0, 0]
  let tagged = 0

  // ---- one frame: record header, Ethernet (+802.1Q), (+ outer IPv4/UDP/VXLAN + inner Ethernet) ----
  let rec = 0
  let outerAt = -1
  /** Starts a frame of flow `f` in direction `dir` (0 client->server); returns where the IP header goes. */
  const begin = (f: Flow, dir: number): number => {
    if (out.o > BUF_SIZE) out.flush()
    rec = out.o
    let o = rec + 16
    const src = dir === 0 ? f.cMac : BORDER_MAC
    const dst = dir === 0 ? BORDER_MAC : f.cMac
    for (let i = 0; i < 6; i++) { b[o + i] = dst[i]!; b[o + 6 + i] = src[i]! }
    o += 12
    if (f.vlan !== 0) { put16(b, o, 0x8100); put16(b, o + 2, f.vlan); o += 4; tagged++ }
    put16(b, o, 0x0800)
    o += 2
    outerAt = -1
    const vx = f.vx
    if (vx !== null) {
      outerAt = o
      o += 36
      const isrc = dir === 0 ? vx.cMac : vx.sMac
      const idst = dir === 0 ? vx.sMac : vx.cMac
      for (let i = 0; i < 6; i++) { b[o + i] = idst[i]!; b[o + 6 + i] = isrc[i]! }
      put16(b, o + 12, 0x0800)
      o += 14
    }
    return o
  }
  /** Ends the frame whose inner IP packet is `ipLen` bytes at `ip`: outer headers, padding, record header. */
  const end = (f: Flow, dir: number, ip: number, ipLen: number): void => {
    let stop = ip + ipLen
    const vx = f.vx
    if (vx !== null) {
      T.vxlanOuter.copy(b, outerAt)
      const udpLen = 16 + 14 + ipLen
      patchIpv4(b, outerAt, 20 + udpLen, ipId = (ipId + 1) & 0xffff, 64, dir === 0 ? vx.srcPa : vx.dstPa, dir === 0 ? vx.dstPa : vx.srcPa)
      put16(b, outerAt + 20, vx.udpPort)
      put16(b, outerAt + 24, udpLen)
      put16(b, outerAt + 26, 0) // RFC 7348: the outer UDP checksum SHOULD be zero
      b[outerAt + 32] = (vx.vni >>> 16) & 0xff; b[outerAt + 33] = (vx.vni >>> 8) & 0xff; b[outerAt + 34] = vx.vni & 0xff
    }
    // Ethernet minimum frame: a switch port capture shows the padding.
    const minEnd = rec + 16 + 60
    if (stop < minEnd) { b.fill(0, stop, minEnd); stop = minEnd }
    const caplen = stop - rec - 16
    const sec = Math.floor(nowUs / 1e6)
    b.writeUInt32LE(sec, rec)
    b.writeUInt32LE(nowUs - sec * 1e6, rec + 4)
    lastUs = nowUs
    nowUs += 1 + Math.floor(rng.next() * 2 * MEAN_GAP_US)
    b.writeUInt32LE(caplen, rec + 8)
    b.writeUInt32LE(caplen, rec + 12)
    out.o = stop
    out.packets++
    out.bytes += caplen
    framesByKind[f.kind]!++
  }

  // ---- TCP ----
  const tcpSegment = (f: Flow, dir: number, tmpl: Buffer, seq: number, ack: number, stream: Stream | null, from: number, len: number): void => {
    const ip = begin(f, dir)
    tmpl.copy(b, ip)
    const hl = tmpl.length
    if (len > 0) copyStream(stream!, from, len, b, ip + hl)
    const ipLen = hl + len
    const src = dir === 0 ? f.cIp : f.sIp
    const dst = dir === 0 ? f.sIp : f.cIp
    patchIpv4(b, ip, ipLen, ipId = (ipId + 1) & 0xffff, dir === 0 ? 128 : 112, src, dst)
    const l4 = ip + 20
    put16(b, l4, dir === 0 ? f.cPort : f.sPort)
    put16(b, l4 + 2, dir === 0 ? f.sPort : f.cPort)
    put32(b, l4 + 4, seq >>> 0)
    put32(b, l4 + 8, ack >>> 0)
    if ((tmpl[33]! & F.SYN) === 0) put16(b, l4 + 14, dir === 0 ? 1026 : 8212)
    transportChecksum(b, l4, ipLen - 20, 6, src, dst)
    end(f, dir, ip, ipLen)
  }
  const segmentSize = (mss: number): number => (rng.next() < 0.65 ? mss : 6 + rng.int(mss - 5))
  const cSeq = (f: Flow) => f.cIsn + 1 + f.cSent
  const sSeq = (f: Flow) => f.sIsn + 1 + f.sSent

  /** Emits the next packet of a TCP session; true when the session is over. */
  const stepTcp = (f: Flow): boolean => {
    switch (f.stage) {
      case 0:
        tcpSegment(f, 0, f.vx ? T.synInner : T.synC, f.cIsn, 0, null, 0, 0)
        f.stage = f.variant === 1 ? 11 : f.variant === 2 ? 10 : 1
        return false
      case 10: tcpSegment(f, 0, f.vx ? T.synInner : T.synC, f.cIsn, 0, null, 0, 0); return true
      case 11: tcpSegment(f, 1, T.rstAck, 0, f.cIsn + 1, null, 0, 0); return true
      case 1: tcpSegment(f, 1, f.vx ? T.synAckInner : T.synAckC, f.sIsn, f.cIsn + 1, null, 0, 0); f.stage = 2; return false
      case 2: tcpSegment(f, 0, T.ack, f.cIsn + 1, f.sIsn + 1, null, 0, 0); f.stage = 3; return false
      case 3: {
        // The client speaks first (ClientHello, or the tenant's request), whole.
        if (f.cSent === 0) {
          const first = f.cStream!.prefix.length - ccs.length
          tcpSegment(f, 0, T.pshAck, cSeq(f), sSeq(f), f.cStream, 0, first)
          f.cSent = first
          f.serverOwesAck = true
          return false
        }
        const sLeft = f.sTotal - f.sSent
        const cLeft = f.cTotal - f.cSent
        if (f.unacked >= 2 || (sLeft === 0 && cLeft === 0 && f.unacked > 0)) {
          tcpSegment(f, 0, T.ack, cSeq(f), sSeq(f), null, 0, 0)
          f.unacked = 0
          return false
        }
        if (sLeft > 0 && (cLeft === 0 || rng.next() < 0.9)) {
          const len = Math.min(sLeft, segmentSize(f.mss))
          tcpSegment(f, 1, len === sLeft || len < f.mss ? T.pshAck : T.ack, sSeq(f), cSeq(f), f.sStream, f.sSent, len)
          f.sSent += len
          f.unacked++
          f.serverOwesAck = false
          return false
        }
        if (cLeft > 0) {
          const len = Math.min(cLeft, segmentSize(f.mss))
          tcpSegment(f, 0, T.pshAck, cSeq(f), sSeq(f), f.cStream, f.cSent, len)
          f.cSent += len
          f.unacked = 0
          f.serverOwesAck = true
          return false
        }
        if (f.serverOwesAck) {
          tcpSegment(f, 1, T.ack, sSeq(f), cSeq(f), null, 0, 0)
          f.serverOwesAck = false
          return false
        }
        f.stage = 4
        return stepTcp(f)
      }
      case 4: {
        if (f.variant === 4) { tcpSegment(f, 0, T.rstAck, cSeq(f), sSeq(f), null, 0, 0); return true }
        const closer = f.variant === 3 ? 1 : 0
        if (closer === 0) tcpSegment(f, 0, T.finAck, cSeq(f), sSeq(f), null, 0, 0)
        else tcpSegment(f, 1, T.finAck, sSeq(f), cSeq(f), null, 0, 0)
        f.stage = 5
        return false
      }
      case 5:
        if (f.variant === 3) tcpSegment(f, 0, T.finAck, cSeq(f), sSeq(f) + 1, null, 0, 0)
        else tcpSegment(f, 1, T.finAck, sSeq(f), cSeq(f) + 1, null, 0, 0)
        f.stage = 6
        return false
      default:
        if (f.variant === 3) tcpSegment(f, 1, T.ack, sSeq(f) + 1, cSeq(f) + 1, null, 0, 0)
        else tcpSegment(f, 0, T.ack, cSeq(f) + 1, sSeq(f) + 1, null, 0, 0)
        return true
    }
  }

  // ---- UDP ----
  const udpPacket = (f: Flow, dir: number, tmpl: Buffer): number => {
    const ip = begin(f, dir)
    tmpl.copy(b, ip)
    const src = dir === 0 ? f.cIp : f.sIp
    const dst = dir === 0 ? f.sIp : f.cIp
    patchIpv4(b, ip, tmpl.length, ipId = (ipId + 1) & 0xffff, dir === 0 ? 128 : 60, src, dst)
    put16(b, ip + 20, dir === 0 ? f.cPort : f.sPort)
    put16(b, ip + 22, dir === 0 ? f.sPort : f.cPort)
    return ip
  }
  const udpEnd = (f: Flow, dir: number, ip: number, len: number): void => {
    transportChecksum(b, ip + 20, len - 20, 17, dir === 0 ? f.cIp : f.sIp, dir === 0 ? f.sIp : f.cIp)
    end(f, dir, ip, len)
  }
  const stepDns = (f: Flow): boolean => {
    const x = f.exchanges[f.step >> 1]!
    const dir = f.step & 1
    const tmpl = dir === 0 ? x.query : x.response
    const ip = udpPacket(f, dir, tmpl)
    put16(b, ip + 28, f.id)
    udpEnd(f, dir, ip, tmpl.length)
    f.step++
    return f.step === f.exchanges.length * 2
  }
  const putNtpTime = (at: number, us: number): void => {
    const sec = Math.floor(us / 1e6)
    put32(b, at, (sec + ntp.NTP_UNIX_OFFSET) >>> 0)
    put32(b, at + 4, Math.floor(((us - sec * 1e6) / 1e6) * 4294967296) >>> 0)
  }
  const stepNtp = (f: Flow): boolean => {
    const dir = f.step & 1
    const tmpl = dir === 0 ? ntpClient : ntpServer
    const ip = udpPacket(f, dir, tmpl)
    const m = ip + 28
    if (dir === 0) {
      f.lastTransmit = nowUs
      putNtpTime(m + ntp.Field.TRANSMIT_TIME, nowUs)
    } else {
      putNtpTime(m + ntp.Field.ORIGIN_TIME, f.lastTransmit)
      putNtpTime(m + ntp.Field.RECEIVE_TIME, nowUs - 40)
      putNtpTime(m + ntp.Field.TRANSMIT_TIME, nowUs - 20)
    }
    udpEnd(f, dir, ip, tmpl.length)
    f.step++
    return f.step === f.id * 2 // id = number of exchanges
  }

  // ---- BGP: the policy's TOR-border sessions, in the background ----
  const bgpSessions = bgpPlan(rng)
  for (const s of bgpSessions) { flowsByKind[KIND_BGP]!++; s.nextUs = nowUs + 1000 + rng.int(20_000) }
  const stepBgp = (s: BgpSession): void => {
    const f = s.flow
    let m = s.queue.shift()
    if (m === undefined) {
      // Steady state: a KEEPALIVE from either side every ~20 s of capture time, VIP churn every ~15 s.
      if (rng.next() < 0.6) s.queue.push({ dir: rng.int(2), data: s.keepalive }, { dir: -1, data: null })
      else s.queue.push({ dir: 0, data: rng.pick(s.churn) }, { dir: -1, data: null })
      m = s.queue.shift()!
    }
    let dir = m.dir
    if (dir === -1) dir = 1 - s.lastDir // the ACK of the previous message
    const seq = dir === 0 ? f.cIsn + 1 + f.cSent : f.sIsn + 1 + f.sSent
    const ack = dir === 0 ? f.sIsn + 1 + f.sSent : f.cIsn + 1 + f.cSent
    if (m.tcp !== undefined) {
      // Handshake: SYN, SYN-ACK, ACK.
      const tmpl = m.tcp === 0 ? T.synS : m.tcp === 1 ? T.synAckC : T.ack
      tcpSegment(f, dir, tmpl, m.tcp === 0 ? f.cIsn : m.tcp === 1 ? f.sIsn : seq, m.tcp === 0 ? 0 : m.tcp === 1 ? f.cIsn + 1 : ack, null, 0, 0)
    } else if (m.data === null) {
      tcpSegment(f, dir, T.ack, seq, ack, null, 0, 0)
    } else {
      const stream: Stream = { prefix: m.data, region: m.data, ends: null }
      tcpSegment(f, dir, T.pshAck, seq, ack, stream, 0, m.data.length)
      if (dir === 0) f.cSent += m.data.length
      else f.sSent += m.data.length
    }
    s.lastDir = dir
    s.nextUs = s.queue.length > 0 ? nowUs + 200 + rng.int(3000) : nowUs + 5_000_000 + rng.int(10_000_000)
  }

  // ---- the flows ----
  const regular = totalFlows - bgpSessions.length
  const active: Flow[] = []
  const concurrency = Math.min(8192, Math.max(64, Math.round(totalFlows / 25)))
  let started = 0
  let committed = 24
  const counters = [0, 0, 0] // tcp, udp, tenant: distinct (client, port) per protocol
  const elasticShare = (WEIGHTS[KIND_TLS]! * 0.97 + WEIGHTS[KIND_INNER]!)
  const cum = WEIGHTS.map((_, i) => WEIGHTS.slice(0, i + 1).reduce((a, x) => a + x, 0))

  const clientEndpoint = (space: number, f: Flow): void => {
    const n = counters[space]!++
    f.cIp = CLIENTS[n % CLIENTS.length]!
    f.cPort = 49152 + (Math.floor(n / CLIENTS.length) % EPHEMERAL)
    f.cMac = macOf(f.cIp)
    if (rng.next() < 0.3) f.vlan = rng.pick(VLANS)
  }
  /** Frame overhead per packet (record header, L2, outer headers) of a flow. */
  const perPacket = (f: Flow) => 16 + 14 + (f.vlan !== 0 ? 4 : 0) + (f.vx !== null ? 50 : 0)

  const startFlow = (): Flow => {
    const budget = Math.max(0, (target - committed) / (regular - started))
    const r = rng.next()
    const kind = r < cum[0]! ? KIND_TLS : r < cum[1]! ? KIND_DNS : r < cum[2]! ? KIND_NTP : KIND_INNER
    const f = newFlow(kind)
    let planned = 0
    if (kind === KIND_DNS) {
      clientEndpoint(1, f)
      f.sIp = rng.pick(FORWARDERS)
      f.sPort = 53
      f.id = rng.int(65536)
      const e = rng.int(ENDPOINTS.length)
      const t = rng.next()
      f.exchanges = t < 0.05 ? [rng.pick(dnsX.nx)] : t < 0.7 ? [dnsX.a[e]!] : t < 0.85 ? [dnsX.aaaa[e]!] : [dnsX.a[e]!, dnsX.aaaa[e]!]
      for (const x of f.exchanges) planned += 2 * perPacket(f) + Math.max(46, x.query.length) + Math.max(46, x.response.length)
    } else if (kind === KIND_NTP) {
      clientEndpoint(1, f)
      f.sIp = rng.pick(NTP_SERVERS)
      f.sPort = 123
      f.id = 1 + rng.int(3)
      planned = f.id * 2 * (perPacket(f) + ntpClient.length)
    } else {
      f.cIsn = rng.u32()
      f.sIsn = rng.u32()
      let overhead: number
      if (kind === KIND_TLS) {
        clientEndpoint(0, f)
        const e = rng.int(ENDPOINTS.length)
        f.sIp = ipv4Number(rng.pick(ENDPOINTS[e]!.v4))
        f.sPort = 443
        f.cStream = clientStreams[e]!
        f.sStream = serverStream
        const v = rng.next()
        f.variant = v < 0.02 ? 1 : v < 0.03 ? 2 : v < 0.13 ? 3 : v < 0.16 ? 4 : 0
        overhead = 7 * (perPacket(f) + 46) + f.cStream.prefix.length
      } else {
        const n = counters[2]!++
        f.cIp = ipv4Number(`192.168.${(n >>> 8) & 0x3f}.${(n & 0xff)}`) // tenant VMs, 192.168.0.0/18
        f.cPort = 49152 + (Math.floor(n / 16384) % EPHEMERAL)
        const site = rng.int(TENANT_NAMES.length)
        f.sIp = ipv4Number(`192.168.100.${10 + site}`)
        f.sPort = 443
        f.mss = 1410
        f.cStream = tenantStreams[site]!
        f.sStream = serverStream
        const host = rng.pick(PA_HOSTS)
        f.vx = {
          srcPa: host, dstPa: rng.pick(PA_GATEWAYS), vni: 5001 + rng.int(8),
          udpPort: 49152 + ((Math.imul(f.cIp ^ f.cPort, 0x9e3779b1) >>> 18) & 0x3fff),
          cMac: macOf(f.cIp), sMac: macOf(f.sIp),
        }
        f.cMac = macOf(host)
        if (rng.next() < 0.3) f.vlan = rng.pick(VLANS)
        f.variant = rng.next() < 0.1 ? 3 : 0
        overhead = 7 * (perPacket(f) + 46) + f.cStream.prefix.length
      }
      if (f.variant === 1 || f.variant === 2) {
        planned = 2 * (perPacket(f) + 46)
      } else {
        // The data that makes the session's share of the budget: exponential around the mean.
        const mean = Math.max(0, (budget - (1 - elasticShare) * 300) / elasticShare - overhead)
        const data = Math.round(Math.min(256 * MiB, mean * -Math.log(1 - rng.next() * 0.9999)))
        // Segments average 0.825 MSS (65 % full, 35 % uniform); the client ACKs every second one.
        const seg = f.mss * 0.825
        const cWant = Math.round(kind === KIND_TLS ? data * 0.04 : data * 0.1)
        f.cTotal = recordBoundary(f.cStream!, cWant)
        f.sTotal = recordBoundary(f.sStream!, data - cWant)
        planned = overhead + (f.cTotal + f.sTotal) * (1 + (perPacket(f) + 40 + (perPacket(f) + 46) / 2) / seg)
      }
    }
    committed += planned
    started++
    flowsByKind[kind]!++
    return f
  }

  const step = (f: Flow): boolean => {
    switch (f.kind) {
      case KIND_DNS: return stepDns(f)
      case KIND_NTP: return stepNtp(f)
      default: return stepTcp(f)
    }
  }

  while (active.length < concurrency && started < regular) active.push(startFlow())
  let nextBgpUs = Math.min(...bgpSessions.map((s) => s.nextUs))
  while (active.length > 0) {
    if (nowUs >= nextBgpUs) {
      for (const s of bgpSessions) if (s.nextUs <= nowUs) stepBgp(s)
      nextBgpUs = Math.min(...bgpSessions.map((s) => s.nextUs))
      continue
    }
    const i = rng.int(active.length)
    const f = active[i]!
    if (step(f)) {
      if (started < regular) active[i] = startFlow()
      else { active[i] = active[active.length - 1]!; active.pop() }
    }
  }
  out.close()
  const kinds = (xs: number[]) => Object.fromEntries(KIND_NAMES.map((k, i) => [k, xs[i]!]))
  return {
    sizeMiB, fileSize: out.fileSize, packets: out.packets, bytes: out.bytes, flows: totalFlows,
    flowsByKind: kinds(flowsByKind), framesByKind: { ...kinds(framesByKind), tagged },
    firstTs: isoUs(firstUs), lastTs: isoUs(lastUs), generator: GENERATOR_VERSION,
  }
}

function encodeNtp(f: ntp.Fields): Uint8Array {
  const m = new Uint8Array(ntp.encodingLength(f))
  ntp.encode(f, m, 0)
  return m
}

interface BgpMessage { dir: number; data: Buffer | null; tcp?: 0 | 1 | 2 }
interface BgpSession { flow: Flow; queue: BgpMessage[]; keepalive: Buffer; churn: Buffer[]; lastDir: number; nextUs: number }

/** The policy's TOR-border sessions: TOR (AS 64651) connects to the border (AS 64512) and announces the VIPs. */
function bgpPlan(rng: Rng): BgpSession[] {
  const peers = [{ border: '10.10.1.1', tor: '10.10.1.2' }, { border: '10.10.1.5', tor: '10.10.1.6' }]
  const vips = Array.from({ length: 200 }, (_, i) => `203.0.113.${i + 10}/32`)
  const m = (f: bgp.Fields) => Buffer.from(bgp.build(f))
  const keepalive = m({ kind: 'KEEPALIVE' })
  return peers.map((p) => {
    const flow = newFlow(KIND_BGP)
    flow.cIp = ipv4Number(p.tor)
    flow.sIp = ipv4Number(p.border)
    flow.cPort = 49152 + rng.int(16384)
    flow.sPort = 179
    flow.cMac = macOf(flow.cIp)
    flow.cIsn = rng.u32()
    flow.sIsn = rng.u32()
    const open = (asn: number, id: string) => m({
      kind: 'OPEN', myAs: asn, holdTime: 180, bgpId: id,
      capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 2 }, { code: 65, asn }],
    })
    const announce = (nlri: string[]) => m({ kind: 'UPDATE', origin: 0, asPath: [64651, 64652], nextHop: p.tor, nlri })
    const queue: BgpMessage[] = [
      { dir: 0, data: null, tcp: 0 }, { dir: 1, data: null, tcp: 1 }, { dir: 0, data: null, tcp: 2 },
      { dir: 0, data: open(64651, p.tor) }, { dir: 1, data: open(64512, p.border) },
      { dir: 0, data: keepalive }, { dir: 1, data: keepalive },
      { dir: 1, data: m({ kind: 'UPDATE', origin: 0, asPath: [64512], nextHop: p.border, nlri: ['0.0.0.0/0'] }) },
      { dir: -1, data: null },
    ]
    for (let i = 0; i < vips.length; i += 100) queue.push({ dir: 0, data: announce(vips.slice(i, i + 100)) }, { dir: -1, data: null })
    const churn = [
      ...vips.slice(0, 20).map((v) => m({ kind: 'UPDATE', withdrawn: [v] })),
      ...vips.slice(0, 20).map((v) => announce([v])),
    ]
    return { flow, queue, keepalive, churn, lastDir: 0, nextUs: 0 }
  })
}

// ---- command line -----------------------------------------------------------------------------------

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

export function describeMix(m: BorderMix): string {
  const kinds = Object.entries(m.flowsByKind).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')
  return `${m.wrote ? 'wrote' : 'reusing'} ${m.path}: ${m.fileSize.toLocaleString('en-US')} bytes, ` +
    `${m.packets.toLocaleString('en-US')} packets, ${m.flows.toLocaleString('en-US')} flows (${kinds}), ` +
    `${m.framesByKind.tagged!.toLocaleString('en-US')} tagged frames, ${m.firstTs} .. ${m.lastTs}` +
    (m.wrote ? `; ${m.seconds.toFixed(1)} s, ${(m.fileSize / 1e6 / m.seconds).toFixed(0)} MB/s` : '')
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const sizeMiB = Number(argValue('--size-mb') ?? (quick ? 20 : 1024))
  const flowsArg = argValue('--flows')
  const mix = ensureBorderMix({
    sizeMiB,
    ...(flowsArg !== undefined ? { flows: Number(flowsArg) } : {}),
    ...(argValue('--out') !== undefined ? { path: argValue('--out')! } : {}),
    force: process.argv.includes('--force'),
  })
  console.log(describeMix(mix))
  console.log(JSON.stringify({ bench: 'border-mix', ...mix }))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
