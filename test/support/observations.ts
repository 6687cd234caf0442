/**
 * Hand-built observations for rule tests (no pcap): small constructors with
 * sensible defaults, and a context builder with a policy and a phase.
 *
 *   const obs = observations({ flows: [flow({ initiator: ['198.51.100.7', 50000], responder: ['10.10.0.29', 3389], at: 5 })] })
 *   const out = rule.evaluate(context(obs, { hosts: { dvm: '10.10.0.29' }, networks: { bmc: '10.10.0.0/26' } }))
 */
import type { FlowRecord } from '../../src/flow/flow-record.js'
import type { Policy } from '../../src/policy/model.js'
import type { PhaseInfo, RuleContext } from '../../src/policy/rule.js'
import { PolicyView } from '../../src/policy/view.js'
import {
  emptyObservations, type DnsTransaction, type Endpoint, type NtpExchange, type Observations, type Where,
} from '../../src/observe/model.js'

/** Base time of the hand-built captures: 2026-11-20T12:00:00Z. */
export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0) / 1000

/** A Where at `T0 + seconds`, frame `frame`, in capture file `file` (index 0). */
export function at(seconds: number, frame = 1, file = 'test.pcapng', fileIndex = 0): Where {
  const t = T0 + seconds
  const ms = Math.floor(t * 1000)
  const ns = Math.round((t - Math.floor(t)) * 1e9)
  const ts = `${new Date(ms).toISOString().slice(0, 19)}.${String(ns).padStart(9, '0')}Z`
  return { fileIndex, file, frame, t, ts }
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
