/**
 * Hand-built observations for rule tests (no pcap): small constructors with
 * sensible defaults, and a context builder with a policy and a phase.
 *
 *   const obs = observations({ flows: [flow({ initiator: ['198.51.100.7', 50000], responder: ['10.10.0.29', 3389], at: 5 })] })
 *   const out = rule.evaluate(context(obs, { hosts: { dvm: '10.10.0.29' }, networks: { bmc: '10.10.0.0/26' } }))
 */
import { isoTimestamp, secondsAndNanos } from '../../src/capture/frame.js'
import type { FlowRecord } from '../../src/flow/flow-record.js'
import type { Policy } from '../../src/policy/model.js'
import type { PhaseInfo, RuleContext } from '../../src/policy/rule.js'
import { PolicyView } from '../../src/policy/view.js'
import {
  emptyObservations, type DnsTransaction, type Endpoint, type HttpRequestObs, type IcmpErrorObs, type NtpExchange,
  type Observations, type TlsObservation, type Where,
} from '../../src/observe/model.js'

/** Base time of the hand-built captures: 2026-11-20T12:00:00Z. */
export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0) / 1000

/** A Where at `T0 + seconds`, frame `frame`, in capture file `file` (index 0). */
export function at(seconds: number, frame = 1, file = 'test.pcapng', fileIndex = 0): Where {
  const t = T0 + seconds
  return { fileIndex, file, frame, t, ts: isoTimestamp(...secondsAndNanos(t)) }
}

export const ep = (ip: string, port: number): Endpoint => ({ ip, port })

export interface FlowSpec {
  proto?: string
  initiator: [string, number | null]
  responder: [string, number | null]
  /** Seconds after T0 of the first packet; the last is `last` (default: at + 1). */
  at?: number
  last?: number
  frame?: number
  lastFrame?: number
  state?: string
  history?: string
  packets?: [number, number]
  bytes?: [number, number]
  app?: string | null
  vni?: number | null
  vlan?: number | null
  file?: string
  initiatorInferred?: boolean
}

/** A flow record as the tracker writes it (TCP SF by default). */
export function flow(s: FlowSpec): FlowRecord {
  const first = at(s.at ?? 0, s.frame ?? 1, s.file)
  const last = at(s.last ?? (s.at ?? 0) + 1, s.lastFrame ?? (s.frame ?? 1) + 3, s.file)
  const proto = s.proto ?? 'tcp'
  const packets = s.packets ?? [3, 2]
  const bytes = s.bytes ?? [packets[0] * 60, packets[1] * 60]
  return {
    proto,
    initiator: { ip: s.initiator[0], port: s.initiator[1] },
    responder: { ip: s.responder[0], port: s.responder[1] },
    vni: s.vni ?? null,
    vlan: s.vlan ?? null,
    firstTs: first.ts,
    lastTs: last.ts,
    packets: { fwd: packets[0], rev: packets[1] },
    bytes: { fwd: bytes[0], rev: bytes[1] },
    state: s.state ?? (proto === 'tcp' ? 'SF' : 'SF'),
    app: s.app ?? null,
    firstFrame: first.frame,
    roles: { initiator: null, responder: null },
    history: s.history ?? (proto === 'tcp' ? 'ShADadFf' : 'Dd'),
    payloadBytes: { fwd: 0, rev: 0 },
    lastFrame: last.frame,
    initiatorInferred: s.initiatorInferred ?? false,
    icmpErrors: 0,
    file: first.file,
  }
}

export interface DnsSpec {
  client: [string, number]
  server: [string, number?]
  name: string
  qtype?: number
  id?: number
  at?: number
  frame?: number
  proto?: 'udp' | 'tcp'
  /** Omit or null: no response. */
  response?: null | { after?: number; rcode?: number; frame?: number; answers?: Array<{ type?: number; data: string; name?: string; ttl?: number }> }
}

export function dns(s: DnsSpec): DnsTransaction {
  const q = at(s.at ?? 0, s.frame ?? 1)
  const r = s.response
  return {
    proto: s.proto ?? 'udp',
    client: ep(s.client[0], s.client[1]),
    server: ep(s.server[0], s.server[1] ?? 53),
    id: s.id ?? 0x1234,
    name: s.name,
    qtype: s.qtype ?? 1,
    query: q,
    response: r
      ? {
          at: at((s.at ?? 0) + (r.after ?? 0.02), r.frame ?? q.frame + 1),
          rcode: r.rcode ?? 0,
          latency: r.after ?? 0.02,
          answers: (r.answers ?? []).map((a) => ({ name: a.name ?? s.name, type: a.type ?? 1, ttl: a.ttl ?? 300, data: a.data })),
        }
      : null,
    vni: null,
  }
}

export interface NtpSpec {
  client: [string, number?]
  server: [string, number?]
  mode?: number
  version?: number
  at?: number
  frame?: number
  reply?: null | { after?: number; mode?: number; stratum?: number; leap?: number; frame?: number }
}

export function ntp(s: NtpSpec): NtpExchange {
  const q = at(s.at ?? 0, s.frame ?? 1)
  const r = s.reply
  return {
    client: ep(s.client[0], s.client[1] ?? 123),
    server: ep(s.server[0], s.server[1] ?? 123),
    mode: s.mode ?? 3,
    version: s.version ?? 4,
    request: q,
    reply: r
      ? {
          at: at((s.at ?? 0) + (r.after ?? 0.01), r.frame ?? q.frame + 1),
          mode: r.mode ?? 4, stratum: r.stratum ?? 2, leap: r.leap ?? 0, refId: '192.0.2.1', version: s.version ?? 4,
        }
      : null,
  }
}

export function observations(parts: Partial<Observations> = {}): Observations {
  const obs = { ...emptyObservations(), ...parts }
  if (parts.flowCount === undefined) obs.flowCount = obs.flows.length
  return obs
}

/** The policy the rule tests start from: the contract's example, abridged. */
export const EXAMPLE_POLICY: Policy = {
  version: 1,
  name: 'test-stamp',
  vantage: 'border',
  cloud: 'AzureCloud',
  identity: 'entra',
  networks: {
    bmc: '10.10.0.0/26', publicVip: '203.0.113.0/24', infraVip: '203.0.113.0/27', infrastructure: '10.20.0.0/24',
    private: '172.16.0.0/20', switchInfra: '10.10.1.0/26', switchMgmt: '10.10.1.56/29', pa: '10.30.0.0/23',
    permitted: ['192.0.2.0/25'],
  },
  hosts: {
    dvm: '10.10.0.29', hlh: '10.10.0.30', hlhBmc: '10.10.0.2', oemToolVms: ['10.10.0.19'],
    dnsForwarders: ['192.0.2.53', '192.0.2.54'], ntpServers: ['192.0.2.123'], ntpServerIsWindows: false, explicitProxies: [],
  },
  bgp: {
    borderAsn: 64512, azsAsn: 64651, slbAsn: 64652, md5: false,
    peers: [{ border: '10.10.1.1', tor: '10.10.1.2' }, { border: '10.10.1.5', tor: '10.10.1.6' }],
    expectedVips: ['203.0.113.10', '203.0.113.11'],
  },
  deployment: { completeAt: '2026-11-20T14:00:00Z', graceSeconds: 1800 },
}

export interface ContextOptions {
  /** completeAt as seconds after T0 (default: the policy's, or none). */
  completeAt?: number | null
  graceSeconds?: number
  /** Capture range in seconds after T0 (default: from the observations' spans, else 0..7200*2). */
  start?: number
  end?: number
}

/** A RuleContext: `policy` null means "analyze without --policy". */
export function context(obs: Observations, policy: Policy | null = EXAMPLE_POLICY, o: ContextOptions = {}): RuleContext {
  const view = policy ? new PolicyView(policy) : null
  const fromPolicy = policy?.deployment?.completeAt && policy.deployment.completeAt !== 'auto'
    ? Date.parse(policy.deployment.completeAt) / 1000 : null
  const completeAt = o.completeAt === undefined ? fromPolicy : o.completeAt === null ? null : T0 + o.completeAt
  const phase: PhaseInfo = {
    completeAt,
    graceSeconds: o.graceSeconds ?? view?.graceSeconds ?? 1800,
    source: completeAt === null ? 'none' : 'policy',
    evidence: [],
    captureStart: T0 + (o.start ?? 0),
    captureEnd: T0 + (o.end ?? 4 * 3600),
  }
  return { obs, policy: view, phase }
}

// ---- added for the deployment-phase rule tests: TLS, HTTP and ICMP-error observations ----

export interface TlsSpec {
  client: [string, number]
  server: [string, number?]
  sni: string | null
  at?: number
  frame?: number
}

export function tls(s: TlsSpec): TlsObservation {
  return {
    client: ep(s.client[0], s.client[1]),
    server: ep(s.server[0], s.server[1] ?? 443),
    sni: s.sni,
    certSubject: null,
    certIssuer: null,
    at: at(s.at ?? 0, s.frame ?? 1),
    vni: null,
  }
}

export interface HttpSpec {
  client: [string, number]
  server: [string, number?]
  method?: string
  target: string
  host?: string | null
  proxyHeaders?: boolean
  at?: number
  frame?: number
}

export function http(s: HttpSpec): HttpRequestObs {
  return {
    client: ep(s.client[0], s.client[1]),
    server: ep(s.server[0], s.server[1] ?? 80),
    method: s.method ?? 'GET',
    target: s.target,
    host: s.host ?? null,
    proxyHeaders: s.proxyHeaders ?? false,
    at: at(s.at ?? 0, s.frame ?? 1),
    vni: null,
  }
}

export interface IcmpErrorSpec {
  from: string
  to: string
  icmpType?: number
  code?: number
  /** The datagram it quotes: [proto, src, dst, srcPort, dstPort]. */
  quoted: [number, string, string, number | null, number | null]
  at?: number
  frame?: number
}

/** An ICMPv4 error (destination unreachable by default) quoting a datagram. */
export function icmpError(s: IcmpErrorSpec): IcmpErrorObs {
  const [proto, src, dst, srcPort, dstPort] = s.quoted
  return {
    family: s.from.includes(':') ? 6 : 4,
    from: s.from,
    to: s.to,
    icmpType: s.icmpType ?? 3,
    code: s.code ?? 1,
    mtu: null,
    quoted: { proto, src, dst, srcPort, dstPort },
    at: at(s.at ?? 0, s.frame ?? 1),
  }
}

// ---- added for the network rule tests: BGP sessions, OPENs, NOTIFICATIONs, route events, tunnels ----
// (type imports kept with the block so it stays one addition at the end of the file)
import type {
  BgpNotificationObs, BgpOpenObs, BgpSession, RouteEvent, TunnelObservation,
} from '../../src/observe/model.js'

export interface BgpOpenSpec {
  from: string
  myAs: number
  as4?: number | null
  holdTime?: number
  at?: number
  frame?: number
}

export function bgpOpen(s: BgpOpenSpec): BgpOpenObs {
  return {
    from: s.from, myAs: s.myAs, as4: s.as4 ?? null, holdTime: s.holdTime ?? 90, bgpId: s.from,
    capabilities: s.as4 == null ? [1, 2] : [1, 2, 65], at: at(s.at ?? 0, s.frame ?? 1),
  }
}

export interface BgpNotificationSpec {
  from: string
  code: number
  subcode?: number
  text?: string | null
  at?: number
  frame?: number
}

export function bgpNotification(s: BgpNotificationSpec): BgpNotificationObs {
  return { from: s.from, code: s.code, subcode: s.subcode ?? 0, text: s.text ?? null, at: at(s.at ?? 0, s.frame ?? 1) }
}

export interface BgpSessionSpec {
  /** The side that sent the SYN (port default 50000) and the listener (port default 179). */
  a: [string, number?]
  b: [string, number?]
  at?: number
  frame?: number
  last?: number
  lastFrame?: number
  syn?: boolean
  synAck?: boolean
  md5Seen?: boolean
  noMd5Seen?: boolean
  /** [seconds, frame] of the first RST. */
  reset?: [number, number] | null
  fin?: [number, number] | null
  opens?: BgpOpenObs[]
  notifications?: BgpNotificationObs[]
  keepalives?: number
  /** [seconds, frame] of the first KEEPALIVE; default: one second after the start when keepalives > 0. */
  firstKeepalive?: [number, number] | null
  updates?: number
  prefixUpdates?: number
}

/** One BGP TCP connection, established (SYN, SYN-ACK) without MD5 by default. */
export function bgpSession(s: BgpSessionSpec): BgpSession {
  const start = s.at ?? 0
  const frame = s.frame ?? 1
  const keepalives = s.keepalives ?? 0
  const firstKa = s.firstKeepalive === undefined ? (keepalives > 0 ? [start + 1, frame + 5] as const : null) : s.firstKeepalive
  return {
    a: ep(s.a[0], s.a[1] ?? 50000),
    b: ep(s.b[0], s.b[1] ?? 179),
    first: at(start, frame),
    last: at(s.last ?? start + 60, s.lastFrame ?? frame + 50),
    syn: s.syn ?? true,
    synAck: s.synAck ?? true,
    md5Seen: s.md5Seen ?? false,
    noMd5Seen: s.noMd5Seen ?? true,
    reset: s.reset ? at(s.reset[0], s.reset[1]) : null,
    fin: s.fin ? at(s.fin[0], s.fin[1]) : null,
    opens: s.opens ?? [],
    notifications: s.notifications ?? [],
    keepalives,
    firstKeepalive: firstKa ? at(firstKa[0], firstKa[1]) : null,
    updates: s.updates ?? 0,
    prefixUpdates: s.prefixUpdates ?? 0,
  }
}

export interface RouteSpec {
  kind?: 'announce' | 'withdraw'
  /** The speaker and the receiver. */
  peer: string
  to: string
  prefix: string
  nextHop?: string | null
  /** Default: [] for a withdraw, [64651, 64652] (azsAsn, slbAsn of EXAMPLE_POLICY) for an announce. */
  asPath?: number[]
  at?: number
  frame?: number
}

export function route(s: RouteSpec): RouteEvent {
  const kind = s.kind ?? 'announce'
  return {
    kind, peer: s.peer, to: s.to, prefix: s.prefix,
    nextHop: s.nextHop !== undefined ? s.nextHop : kind === 'announce' ? s.peer : null,
    asPath: s.asPath ?? (kind === 'announce' ? [64651, 64652] : []),
    at: at(s.at ?? 0, s.frame ?? 1),
  }
}

export interface TunnelSpec {
  kind?: TunnelObservation['kind']
  outer: [string, string]
  vni?: number | null
  /** Default 0x08 for VXLAN (I flag set), 0 for the others. */
  flags?: number
  inner?: [string, string] | null
  packets?: number
  fragmented?: number
  at?: number
  last?: number
  /** Kept frames; default: `frame` .. `frame + min(packets, 20) - 1`. */
  frames?: number[]
  frame?: number
  fragmentedFrames?: number[]
}

/** One aggregated tunnel observation (VXLAN, VNI 5000, I flag set, 10.1.0.4 -> 10.1.0.5 inside by default). */
export function tunnel(s: TunnelSpec): TunnelObservation {
  const kind = s.kind ?? 'vxlan'
  const packets = s.packets ?? 1
  const frame = s.frame ?? 1
  const frames = s.frames ?? Array.from({ length: Math.min(packets, 20) }, (_, i) => frame + i)
  const lastFrame = frames[frames.length - 1] ?? frame
  const inner: [string, string] | null = s.inner === undefined ? ['10.1.0.4', '10.1.0.5'] : s.inner
  return {
    kind, outerSrc: s.outer[0], outerDst: s.outer[1],
    vni: s.vni !== undefined ? s.vni : kind === 'gre' ? null : 5000,
    flags: s.flags ?? (kind === 'vxlan' ? 0x08 : 0),
    innerSrc: inner ? inner[0] : null,
    innerDst: inner ? inner[1] : null,
    packets,
    fragmented: s.fragmented ?? 0,
    first: at(s.at ?? 0, frames[0] ?? frame),
    last: at(s.last ?? (s.at ?? 0) + (packets > 1 ? 1 : 0), lastFrame),
    frames,
    fragmentedFrames: s.fragmentedFrames ?? [],
  }
}
