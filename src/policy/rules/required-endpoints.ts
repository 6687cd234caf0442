/**
 * required-endpoints [2.3, 3.1]: the endpoints of the built-in table for `cloud`
 * (src/policy/endpoints.ts) and the policy's `endpoints` are reached from the
 * DVM during deployment and from the infrastructure VIPs.
 *
 * An endpoint is observed when a source resolves its name (DNS), names it (TLS
 * SNI, HTTP Host), or opens a connection to an address DNS gave for it (or to the
 * address itself, for LDAP to `adForestDcs` and for policy endpoints written as
 * an address). Failures: NXDOMAIN/SERVFAIL for the name (the responses are
 * cited), a SYN without SYN-ACK (S0, RSTOS0), a reset (REJ, RSTR: the RST is
 * cited), a UDP request without a reply, an ICMP unreachable quoting the
 * connection, and more than 60 s from the first connection attempt to the first
 * completed handshake. A required endpoint never observed is one info finding.
 *
 * Choices: VIP-sourced traffic counts at any time (components use the public VIPs
 * during deployment too), DVM traffic only during deployment. Endpoints that are
 * not required are judged the same way, but their failures are info findings, and
 * an unobserved one says nothing. A connection counts once, under the first
 * endpoint that claims it (required endpoints first). The DNS and NTP rows are
 * left to dns-forwarder-answers and ntp-to-configured-server; the CRL row's names
 * come from the stamp's certificates, which the policy does not hold.
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import type { Where } from '../../observe/model.js'
import { endpointRows, isAddressName, isRequiredRow, nameMatches, type EndpointRow } from '../endpoints.js'
import { and, dstIs, or, port, srcIs, literal } from '../filter.js'
import type { Cloud } from '../model.js'
import { evaluated, isDuring, notEvaluable, type FindingDraft, type RuleContext, type RuleDefinition } from '../rule.js'
import { addressIn, framesOf, namePattern } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { flowStart, flowWhere } from './flow-evidence.js'
import { missingAllOf, missingInputs, plural } from './policy-inputs.js'

/** The longest supported time to reach an endpoint (domain notes: identity timeout). */
export const FIRST_ANSWER_SECONDS = 60
/** A UDP request may wait this long for a reply before it counts as unanswered. */
const UDP_REPLY_SECONDS = 5
const NO_SYN_ACK = new Set(['S0', 'RSTOS0'])
const RESET = new Set(['REJ', 'RSTR'])
const RCODE_FAILURES: Record<number, string> = { 2: 'SERVFAIL', 3: 'NXDOMAIN' }

/** One endpoint: a name (or address) with every row that lists it. */
export interface EndpointTarget {
  name: string
  purpose: string
  required: boolean
  proto: 'tcp' | 'udp' | 'both'
  ports: number[]
}

export type EndpointState = 'reached' | 'failing' | 'attempted' | 'not-observed'

export interface EndpointAssessment extends EndpointTarget {
  state: EndpointState
  /** Addresses the endpoint resolved to or was reached at, in first-seen order. */
  addresses: string[]
  /** DNS queries, TLS/HTTP requests naming it, and connections to it, from the sources. */
  queries: number
  named: number
  connections: number
}

export interface EndpointsResult {
  cloud: Cloud
  endpoints: EndpointAssessment[]
  findings: FindingDraft[]
  /** Rows this rule does not check, with why. */
  unchecked: string[]
  /** Whether any required endpoint uses a DVM-sourced view and/or a VIP-sourced one. */
  sources: string
}

/** The endpoints to check: one per name, required when any of its rows is; required ones first. */
export function endpointTargets(rows: readonly EndpointRow[], identity: 'entra' | 'adfs' | undefined, adForestDcs: readonly string[]): {
  targets: EndpointTarget[]; unchecked: string[]
} {
  const byName = new Map<string, EndpointTarget>()
  const unchecked = new Set<string>()
  const add = (name: string, row: EndpointRow, required: boolean) => {
    const key = name.toLowerCase()
    const t = byName.get(key)
    if (!t) {
      byName.set(key, { name, purpose: row.purpose, required, proto: row.proto, ports: [...row.ports] })
      return
    }
    if (required && !t.required) { t.required = true; t.purpose = row.purpose }
    for (const p of row.ports) if (!t.ports.includes(p)) t.ports.push(p)
    if (t.proto !== row.proto) t.proto = 'both'
  }
  for (const row of rows) {
    const required = isRequiredRow(row, identity)
    if (row.judgedBy) { unchecked.add(`${row.purpose} (judged by ${row.judgedBy})`); continue }
    if (row.destination === 'adForestDcs') {
      if (!required) continue
      if (adForestDcs.length === 0) unchecked.add(`${row.purpose} (hosts.adForestDcs is not set)`)
      for (const dc of adForestDcs) add(dc, row, required)
      continue
    }
    if (row.destination) {
      if (required) unchecked.add(`${row.purpose} (its destination comes from ${row.destination === 'certificateCdps' ? "the stamp's certificates" : row.destination})`)
      continue
    }
    for (const n of row.names) add(n, row, required)
  }
  const targets = [...byName.values()].sort((a, b) => Number(b.required) - Number(a.required))
  return { targets, unchecked: [...unchecked] }
}

const protoOk = (t: EndpointTarget, proto: string) =>
  proto === 'tcp' ? t.proto !== 'udp' : proto === 'udp' ? t.proto !== 'tcp' : false

/** Host header without its port. */
const hostOnly = (host: string) => host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')

/** Assessments by context: the rule and the report's endpoint summary ask for the same one. */
const assessed = new WeakMap<RuleContext, EndpointsResult | null>()

/**
 * Judges every endpoint; the rule's findings plus each endpoint's state (for the report's summary).
 * Once per context (a context is not changed once built): the report's call repeated the rule's
 * (the two took 270 ms of a 1 GiB `analyze` in a CPU profile).
 */
export function assessEndpoints(ctx: RuleContext): EndpointsResult | null {
  let r = assessed.get(ctx)
  if (r === undefined) {
    r = assessOnce(ctx)
    assessed.set(ctx, r)
  }
  return r
}

function assessOnce(ctx: RuleContext): EndpointsResult | null {
  const p = ctx.policy
  if (!p || !p.policy.cloud) return null
  const cloud = p.policy.cloud
  const identity = p.policy.identity
  const { targets, unchecked } = endpointTargets(endpointRows(p.policy, cloud), identity, p.policy.hosts?.adForestDcs ?? [])
  const isSource = (ip: string, t: number) => (p.dvm.has(ip) && isDuring(ctx.phase, t)) || p.infraVip.has(ip)
  const groups = new FindingGroups()
  const claimed = new Set<FlowRecord | Where>()
  const endpoints: EndpointAssessment[] = []
  const obs = ctx.obs
  // Indexes of the flows a target can use, by responder address: a target then reads its own
  // addresses' flows instead of every flow (targets x flows was most of this rule's time).
  const byResponder = new Map<string, number[]>()
  obs.flows.forEach((f, i) => {
    if (f.responder.port === null || f.initiatorInferred) return
    const list = byResponder.get(f.responder.ip)
    if (list) list.push(i)
    else byResponder.set(f.responder.ip, [i])
  })

  // What the sources asked and named: the same for every target, so filtered once.
  const sourceDns = obs.dns.filter((q) => isSource(q.client.ip, q.query.t))
  const sourceTls = obs.tls.filter((s) => s.sni && isSource(s.client.ip, s.at.t))
  const sourceHttp = obs.http.filter((h) => h.host && isSource(h.client.ip, h.at.t))

  for (const target of targets) {
    const n = target.name
    const literalAddress = isAddressName(n)
    const severity = target.required ? undefined : ('info' as const)
    const label = `${n} (${target.purpose})`
    const addresses = new Set<string>()
    if (literalAddress) addresses.add(n)

    const queries = literalAddress ? [] : sourceDns.filter((q) => nameMatches(n, q.name))
    let named = 0
    if (!literalAddress) {
      for (const b of obs.dnsBindings) if (nameMatches(n, b.name)) addresses.add(b.address)
      for (const s of sourceTls) if (nameMatches(n, s.sni!)) { named++; addresses.add(s.server.ip) }
      for (const h of sourceHttp) if (nameMatches(n, hostOnly(h.host!))) { named++; addresses.add(h.server.ip) }
    }

    let failing = false
    // Name failures: the responses carry them.
    for (const q of queries) {
      const r = q.response
      const labelRcode = r ? RCODE_FAILURES[r.rcode] : undefined
      if (!r || !labelRcode || claimed.has(r.at)) continue
      claimed.add(r.at)
      failing = true
      groups.add(`${labelRcode.toLowerCase()} ${q.name.toLowerCase()}`, () => ({
        severity,
        message: `${q.name} resolved to ${labelRcode} for ${q.client.ip}: ${label} cannot be reached`,
        filter: and(`dns.qry.name == ${literal(q.name)}`, `dns.flags.rcode == ${r.rcode}`),
        traffic: { src: q.client.ip, dst: q.server.ip, proto: q.proto, dstPort: q.server.port },
      }), r.at)
    }

    // In observation order, as a filter over obs.flows would give them.
    const picked: number[] = []
    for (const a of addresses) for (const i of byResponder.get(a) ?? []) picked.push(i)
    const flows = picked.sort((x, y) => x - y).map((i) => obs.flows[i]!).filter((f) =>
      target.ports.includes(f.responder.port!) && protoOk(target, f.proto) && isSource(f.initiator.ip, flowStart(f)))
    const answered = (f: FlowRecord) => (f.proto === 'tcp' ? f.history.includes('h') : f.packets.rev > 0)
    let reached = false
    for (const f of flows) {
      if (answered(f)) reached = true
      if (claimed.has(f)) continue
      const s = f.initiator.ip
      const d = f.responder.ip
      const dp = f.responder.port!
      const traffic = { src: s, dst: d, proto: f.proto as 'tcp' | 'udp', dstPort: dp }
      if (f.proto === 'tcp' && NO_SYN_ACK.has(f.state) && f.icmpErrors === 0) {
        claimed.add(f); failing = true
        groups.add(`no-syn-ack ${s}>${d}:${dp}`, () => ({
          severity,
          message: `TCP SYNs from ${s} to ${d} port ${dp}, ${label}, got no SYN-ACK`,
          filter: and(srcIs(s), dstIs(d), port('tcp', 'dst', dp), 'tcp.flags.syn == 1', 'tcp.flags.ack == 0'),
          flow: f, traffic,
        }), flowWhere(obs, f))
      } else if (f.proto === 'tcp' && RESET.has(f.state)) {
        claimed.add(f); failing = true
        groups.add(`reset ${s}>${d}:${dp}`, () => ({
          severity,
          message: `TCP connections from ${s} to ${d} port ${dp}, ${label}, were reset by the other side or the path`,
          filter: and(srcIs(d), dstIs(s), port('tcp', 'src', dp), 'tcp.flags.reset == 1'),
          flow: f, traffic,
        }), flowWhere(obs, f, 'last'))
      } else if (f.proto === 'udp' && f.packets.rev === 0 && f.icmpErrors === 0 &&
        flowStart(f) + UDP_REPLY_SECONDS <= ctx.phase.captureEnd) {
        claimed.add(f); failing = true
        groups.add(`no-reply ${s}>${d}:${dp}`, () => ({
          severity,
          message: `UDP requests from ${s} to ${d} port ${dp}, ${label}, got no reply`,
          filter: and(srcIs(s), dstIs(d), port('udp', 'dst', dp)),
          flow: f, traffic,
        }), flowWhere(obs, f))
      }
    }

    for (const e of obs.icmpErrors) {
      const unreachable = e.family === 4 ? e.icmpType === 3 : e.icmpType === 1
      const qd = e.quoted
      if (!unreachable || !qd || qd.dstPort === null || claimed.has(e.at)) continue
      const proto = qd.proto === 6 ? 'tcp' : qd.proto === 17 ? 'udp' : null
      if (!proto || !protoOk(target, proto) || !addresses.has(qd.dst) || !target.ports.includes(qd.dstPort)) continue
      if (!isSource(qd.src, e.at.t)) continue
      claimed.add(e.at); failing = true
      const dp = qd.dstPort
      groups.add(`unreachable ${qd.src}>${qd.dst}:${dp}`, () => ({
        severity,
        message: `${e.from} answered ${qd.src}'s ${proto} packets to ${qd.dst} port ${dp}, ${label}, with ICMP unreachable (code ${e.code})`,
        filter: and(dstIs(qd.src), e.family === 4 ? 'icmp.type == 3' : 'icmpv6.type == 1', addressIn('addr', [qd.dst]), port(proto, 'dst', dp)),
        traffic: { src: qd.src, dst: qd.dst, proto, dstPort: dp },
      }), e.at)
    }

    // Slow: the first completed handshake came more than 60 s after the first attempt.
    const attempts = flows.filter((f) => f.proto === 'tcp').sort((a, b) => flowStart(a) - flowStart(b))
    const firstOk = attempts.find(answered)
    const first = attempts[0]
    if (first && firstOk && flowStart(firstOk) - flowStart(first) > FIRST_ANSWER_SECONDS) {
      failing = true
      const before = attempts.filter((f) => flowStart(f) < flowStart(firstOk))
      const wait = Math.round(flowStart(firstOk) - flowStart(first))
      const evidence = before.map((f) => flowWhere(obs, f))
      for (const [i, w] of evidence.entries()) {
        groups.add(`slow ${n.toLowerCase()}`, () => ({
          severity,
          message: `${label} answered ${wait} s after the first connection attempt (more than ${FIRST_ANSWER_SECONDS} s)`,
          filter: '',
          flow: before[i] ?? null,
          traffic: { dst: firstOk.responder.ip, proto: 'tcp', dstPort: firstOk.responder.port ?? undefined },
        }), w)
      }
    }

    const observed = queries.length + named + flows.length > 0
    if (!observed && target.required) {
      groups.add(`not-observed ${n.toLowerCase()}`, () => ({
        severity: 'info',
        message: `${label} was not observed: no DNS query, TLS SNI, HTTP Host or connection from the DVM (during deployment) or the infrastructure VIPs`,
        filter: literalAddress
          ? and(dstIs(n), or(...target.ports.map((pt) => port(target.proto === 'udp' ? 'udp' : 'tcp', 'dst', pt))))
          : or(namePattern('dns.qry.name', n), namePattern('tls.handshake.extensions_server_name', n), namePattern('http.host', n)),
      }), null, 0)
    }

    endpoints.push({
      ...target,
      state: failing && !reached ? 'failing' : reached ? 'reached' : observed ? 'attempted' : 'not-observed',
      addresses: [...addresses],
      queries: queries.length,
      named,
      connections: flows.length,
    })
  }

  const findings = groups.list()
  for (const d of findings) if (d.key.startsWith('slow ')) d.filter = framesOf(d.evidence)
  const sources = [
    !p.dvm.empty ? 'the DVM during deployment' : null,
    !p.infraVip.empty ? 'the infrastructure VIPs' : null,
  ].filter(Boolean).join(' and ')
  return { cloud, endpoints, findings, unchecked, sources }
}

export const requiredEndpoints: RuleDefinition = {
  id: 'required-endpoints',
  title: 'Required outbound endpoints are reached',
  severity: 'critical',
  group: 'deployment',
  inputs: ['cloud', 'identity', 'hosts.dvm', 'networks.infraVip', 'hosts.adForestDcs'],
  requires: [['cloud'], ['identity'], ['hosts.dvm', 'networks.infraVip']],
  description:
    'For each required endpoint (built-in table for cloud plus endpoints): the name is resolved (DNS) or named (TLS SNI, HTTP Host), and a TCP handshake on its port completes from the DVM (during) or the infrastructure VIPs (after). Failures: NXDOMAIN/SERVFAIL, SYN without SYN-ACK, RST, ICMP unreachable, more than 60 s to the first answer. Endpoints never attempted are listed as not observed (info).',
  reference: '2.3, 3.1',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['cloud', 'identity']) ?? missingAllOf(ctx.policy, ['hosts.dvm', 'networks.infraVip'])
    if (missing) return notEvaluable(missing)
    const r = assessEndpoints(ctx)
    if (!r) return notEvaluable('cloud is not set')
    const required = r.endpoints.filter((e) => e.required)
    const count = (s: EndpointState) => required.filter((e) => e.state === s).length
    let reason = `${plural(required.length, 'required endpoint')} for ${r.cloud} (${ctx.policy!.policy.identity} identity) ` +
      `from ${r.sources}: ${count('reached')} reached, ${count('failing')} failing, ${count('attempted')} named without a connection, ` +
      `${count('not-observed')} not observed; ${plural(r.endpoints.length - required.length, 'other endpoint')} reported for information`
    if (r.unchecked.length > 0) reason += `; not checked here: ${r.unchecked.join(', ')}`
    return evaluated(reason, r.findings)
  },
}
