/**
 * `analyze --format md`: the audit report as a GitHub-flavoured Markdown document a person reads
 * and signs off. The verdict, what was read, the deployment phase, every rule with its status and
 * reason, the findings by severity with their frames and display filters, DNS resolvers and NTP
 * servers by phase, BGP (sessions, expected VIPs, the route table), required endpoints, top flows.
 *
 * Pure and deterministic: the same report gives the same bytes (no locale, no clock). Every string
 * from the report passes through forMarkdown (table cells, prose) or forMarkdownCode (display
 * filters, kept pasteable); numbers and the model's own enums are printed as they are. Long lists
 * are cut with a line pointing at the JSON report, which has everything.
 */
import { linkTypeName } from '../capture/link-type.js'
import type { FlowEndpoint, FlowRecord } from '../flow/flow-record.js'
import { forMarkdown as md, forMarkdownCode as code } from './escape.js'
import type { Finding, Report, Severity } from './model.js'

/** Rows shown per list; the JSON report keeps the rest. */
export const MD_LIMITS = {
  findings: 200,
  suppressed: 50,
  warnings: 20,
  resolvers: 50,
  ntpServers: 50,
  bindings: 50,
  sessions: 50,
  notifications: 50,
  routes: 100,
  vxlanPairs: 20,
  endpoints: 200,
} as const

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info']

/** 1234567 -> "1,234,567" without the host's locale. */
const n = (x: number): string => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const ts = (t: string | null): string => (t === null ? '-' : md(t))
const list = (xs: Array<string | number>): string => (xs.length ? xs.map((x) => md(String(x))).join(', ') : '-')
const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** A GFM table; cells are already escaped (no raw `|`, no newline). */
function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`),
  ]
}

/** "… and N more (see the JSON report)." when a list was cut at `shown` of `total`. */
function more(shown: number, total: number, what: string): string[] {
  return total > shown ? ['', `… and ${n(total - shown)} more ${what} (see the JSON report).`] : []
}

export function reportMarkdown(r: Report): string {
  const out: string[] = []
  const section = (title: string, ...body: string[]) => out.push('', `## ${title}`, '', ...body)

  out.push(`# Network audit: ${r.policy?.name ? md(r.policy.name) : r.policy ? md(r.policy.file) : 'no policy'}`, '')
  out.push(verdictLine(r))
  out.push('', `- **Policy**: ${r.policy ? `${md(r.policy.file)}${r.policy.name ? ` (${md(r.policy.name)})` : ''}, sha256 ${md(r.policy.sha256)}` : 'none (rules that need policy inputs are not-evaluable)'}`)
  out.push(`- **Tool**: ${md(r.tool.name)} ${md(r.tool.version)}, report ${md(r.schema)}`)
  if (r.generatedAt) out.push(`- **Generated**: ${md(r.generatedAt)}`)

  section('Captures', ...captures(r))
  section('Deployment phase', ...phase(r))
  section('Rules', ...rules(r))
  section('Findings', ...findings(r))
  section('DNS', ...dns(r))
  section('NTP', ...ntp(r))
  section('BGP', ...bgp(r))
  if (r.vxlan.pairs.length) section('VXLAN', ...vxlan(r))
  section('Required endpoints', ...endpoints(r))
  section('Top flows', ...flows(r))
  return out.join('\n') + '\n'
}

function verdictLine(r: Report): string {
  const v = r.verdict
  const counts = SEVERITY_ORDER.map((s) => `${n(v.counts[s])} ${s}`).join(', ')
  const suppressed = r.suppressed.length ? `; ${n(r.suppressed.length)} suppressed by allow entries` : ''
  return `**Verdict: ${v.status.toUpperCase()}**: ${counts} (fails on ${v.failOn} or above${suppressed}).`
}

function captures(r: Report): string[] {
  const rows = r.captures.map((c) => [
    md(c.file), `${c.format}${c.compressed ? ' (gzip)' : ''}`, list(c.linkTypes.map(linkTypeName)),
    n(c.packets), n(c.bytes), ts(c.firstTs), ts(c.lastTs), n(c.warnings.length),
  ])
  const out = table(['File', 'Format', 'Link types', 'Packets', 'Bytes', 'First', 'Last', 'Warnings'], rows)
  const firsts = r.captures.map((c) => c.firstTs).filter((t): t is string => t !== null).sort()
  const lasts = r.captures.map((c) => c.lastTs).filter((t): t is string => t !== null).sort()
  const first = firsts[0]
  const last = lasts[lasts.length - 1]
  out.push('', first && last ? `Time span: ${md(first)} to ${md(last)} (${spanSeconds(first, last)}).` : 'Time span: unknown (no packet had a timestamp).')
  const malformed = Object.entries(r.decode.malformed).map(([k, x]) => `${md(k)} ${n(x)}`)
  out.push('', `Decoded ${n(r.decode.packets)} packets (${n(r.decode.bytes)} bytes) into ${n(r.flows.count)} flows` +
    `${malformed.length ? `; malformed: ${malformed.join(', ')}` : '; none malformed'}` +
    `${r.decode.undecoded ? `; ${n(r.decode.undecoded)} not decoded` : ''}.`)
  const dropped = Object.entries(r.observationsDropped)
  if (dropped.length || r.flows.evicted) {
    const parts = [...dropped.map(([k, x]) => `${md(k)} ${n(x)}`), ...(r.flows.evicted ? [`flows evicted early ${n(r.flows.evicted)}`] : [])]
    out.push('', `**Partial analysis**: observations past their bounds were not kept: ${parts.join(', ')}.`)
  }
  const warnings = r.captures.flatMap((c) => c.warnings.map((w) => ({ file: c.file, ...w })))
  if (warnings.length) {
    out.push('', '### Warnings', '')
    for (const w of warnings.slice(0, MD_LIMITS.warnings)) out.push(`- ${md(w.file)}, byte ${w.offset}: ${md(w.message)}`)
    out.push(...more(MD_LIMITS.warnings, warnings.length, 'warnings'))
  }
  return out
}

/** Seconds between two report timestamps (nine fractional digits), to the millisecond. */
function spanSeconds(first: string, last: string): string {
  // Captured timestamps can be any 64-bit second count: years past 9999 ("+058857-02-01T...") or past
  // what Date can hold; such a span is unknown, never an exception.
  const at = (t: string): bigint | null => {
    const m = /^(.+T\d\d:\d\d:\d\d)\.(\d{1,9})Z$/.exec(t)
    const ms = m ? Date.parse(`${m[1]!}Z`) : Number.NaN
    return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n + BigInt(m![2]!.padEnd(9, '0')) : null
  }
  const a = at(first)
  const b = at(last)
  if (a === null || b === null) return 'span unknown'
  const ns = b - a
  const ms = Number(ns / 1_000_000n)
  return `${n(Math.floor(ms / 1000))}.${String(ms % 1000).padStart(3, '0')} s`
}

function phase(r: Report): string[] {
  const p = r.phase
  const out = [p.deploymentComplete
    ? `Deployment complete at ${md(p.deploymentComplete)} (source: ${p.source}; grace ${n(p.graceSeconds)} s). Traffic before it is judged as during deployment; after it and the grace period, as the running stamp.`
    : `Deployment completion: unknown (${p.source === 'none' ? 'no completeAt in the policy and none detected' : p.source}); phase-dependent rules judge the whole capture.`]
  if (p.evidence.length) out.push('', 'Evidence:', '', ...p.evidence.map((e) => `- ${md(e)}`))
  return out
}

function rules(r: Report): string[] {
  const rows = r.rules.map((x) => [
    md(x.id), md(x.title), x.severity, x.status === 'fail' ? '**fail**' : x.status,
    `${n(x.findings)}${x.suppressed ? ` (+${n(x.suppressed)} suppressed)` : ''}${x.truncated ? ` (+${n(x.truncated)} past the cap)` : ''}`,
    md(x.reason),
  ])
  return table(['Rule', 'Title', 'Severity', 'Status', 'Findings', 'Reason'], rows)
}

function findings(r: Report): string[] {
  if (r.findings.length === 0) return ['None.', ...suppressed(r)]
  const out: string[] = []
  let room = MD_LIMITS.findings
  for (const severity of SEVERITY_ORDER) {
    const group = r.findings.filter((f) => f.severity === severity)
    if (group.length === 0) continue
    const shown = group.slice(0, room)
    room -= shown.length
    if (out.length) out.push('')
    out.push(`### ${capitalised(severity)} (${n(group.length)})`, '')
    for (const f of shown) out.push(...finding(f))
    out.push(...more(shown.length, group.length, `${severity} findings`).slice(shown.length ? 0 : 1))
  }
  return [...out, ...suppressed(r)]
}

function finding(f: Finding): string[] {
  const out = [`- **${md(f.rule)}**: ${md(f.message)}${f.count > 1 ? ` (${n(f.count)} times)` : ''}`]
  if (f.frames.length) out.push(`  - Frames: ${f.file === null ? '' : `${md(f.file)}: `}${f.frames.join(', ')}`)
  else out.push('  - Frames: none (the finding is about something never seen)')
  if (f.firstTs !== null) out.push(`  - Time: ${md(f.firstTs)}${f.lastTs !== null && f.lastTs !== f.firstTs ? ` to ${md(f.lastTs)}` : ''}`)
  if (f.flow) out.push(`  - Flow: ${flowText(f.flow)}`)
  out.push(`  - Filter: ${code(f.filter)}`)
  return out
}

function suppressed(r: Report): string[] {
  if (r.suppressed.length === 0) return []
  const rows = r.suppressed.slice(0, MD_LIMITS.suppressed).map((s) => [md(s.rule), s.severity, md(s.message), n(s.count), md(s.why)])
  return ['', '### Suppressed by allow entries', '', ...table(['Rule', 'Severity', 'Message', 'Count', 'Why allowed'], rows),
    ...more(MD_LIMITS.suppressed, r.suppressed.length, 'suppressed findings')]
}

/** ip:port, [v6]:port, or the address alone for a flow without ports (ICMP). */
const endpoint = (e: FlowEndpoint): string => (e.port === null ? md(e.ip) : e.ip.includes(':') ? `\\[${md(e.ip)}\\]:${e.port}` : `${md(e.ip)}:${e.port}`)

function flowText(f: FlowRecord): string {
  return `${md(f.proto)} ${endpoint(f.initiator)} → ${endpoint(f.responder)}${f.app ? ` (${md(f.app)})` : ''}, ${md(f.state)}`
}

function dns(r: Report): string[] {
  const d = r.dns
  const out = [`${n(d.queries)} queries, ${n(d.answered)} answered, ${n(d.unanswered)} unanswered.`, '']
  if (d.resolvers.length === 0) out.push('No resolver seen.')
  else {
    out.push('### Resolvers by phase', '')
    const rows = d.resolvers.slice(0, MD_LIMITS.resolvers).map((x) => [
      md(x.phase), md(x.server), list(x.clients), n(x.queries), n(x.answered), n(x.unanswered),
      Object.entries(x.rcodes).map(([k, c]) => `${md(k)}: ${n(c)}`).join(', ') || '-', ts(x.firstTs), ts(x.lastTs),
    ])
    out.push(...table(['Phase', 'Resolver', 'Clients', 'Queries', 'Answered', 'Unanswered', 'Rcodes', 'First', 'Last'], rows))
    out.push(...more(MD_LIMITS.resolvers, d.resolvers.length, 'resolvers'))
  }
  if (d.bindings.length) {
    out.push('', '### Names resolved', '')
    const rows = d.bindings.slice(0, MD_LIMITS.bindings).map((b) => [md(b.name), list(b.addresses), ts(b.firstTs), `${md(b.file)}: ${b.frame}`])
    out.push(...table(['Name', 'Addresses', 'First answer', 'Frame'], rows))
    out.push(...more(Math.min(MD_LIMITS.bindings, d.bindings.length), d.bindingsTotal, 'names'))
  }
  return out
}

function ntp(r: Report): string[] {
  const x = r.ntp
  if (x.servers.length === 0) return ['No NTP exchange seen.']
  const rows = x.servers.slice(0, MD_LIMITS.ntpServers).map((s) => [
    md(s.phase), md(s.server), list(s.clients), n(s.requests), n(s.replies), list(s.modes), list(s.strata), ts(s.firstTs), ts(s.lastTs),
  ])
  return [`${n(x.exchanges)} exchanges.`, '', '### Servers by phase', '',
    ...table(['Phase', 'Server', 'Clients', 'Requests', 'Replies', 'Modes', 'Strata', 'First', 'Last'], rows),
    ...more(MD_LIMITS.ntpServers, x.servers.length, 'servers')]
}

function bgp(r: Report): string[] {
  const b = r.bgp
  const out: string[] = []
  if (b.sessions.length === 0) out.push('No BGP session seen.')
  else {
    out.push('### Sessions', '')
    const rows = b.sessions.slice(0, MD_LIMITS.sessions).map((s) => [
      md(s.a), md(s.b), list(s.asns), s.established ? 'yes' : 'no', n(s.opens), n(s.updates), n(s.keepalives),
      n(s.notifications.length), s.reset ? 'yes' : 'no', ts(s.firstTs), ts(s.lastTs),
    ])
    out.push(...table(['Side A', 'Side B', 'ASNs', 'Established', 'OPENs', 'UPDATEs', 'KEEPALIVEs', 'NOTIFICATIONs', 'Reset', 'First', 'Last'], rows))
    out.push(...more(MD_LIMITS.sessions, b.sessions.length, 'sessions'))
    const notes = b.sessions.flatMap((s) => s.notifications.map((x) => ({ s, x })))
    if (notes.length) {
      out.push('', '### Notifications', '')
      const rows = notes.slice(0, MD_LIMITS.notifications).map(({ s, x }) => [
        `${md(s.a)} / ${md(s.b)}`, md(x.from), `${x.code}/${x.subcode}`, x.text === null ? '-' : md(x.text), ts(x.ts), `${md(s.file)}: ${x.frame}`,
      ])
      out.push(...table(['Session', 'From', 'Code/subcode', 'Text', 'Time', 'Frame'], rows))
      out.push(...more(MD_LIMITS.notifications, notes.length, 'notifications'))
    }
  }
  out.push('', '### Expected VIPs', '')
  if (b.vips.length === 0) out.push('No VIPs expected (the policy names none).')
  else out.push(...table(['VIP', 'State at the end of the capture', 'Prefix'], b.vips.map((v) => [md(v.vip), v.state === 'missing' || v.state === 'withdrawn' ? `**${v.state}**` : v.state, v.prefix === null ? '-' : md(v.prefix)])))
  out.push('', '### Route table', '')
  if (b.routes.length === 0) out.push('No route announced or withdrawn.')
  else {
    const rows = b.routes.slice(0, MD_LIMITS.routes).map((x) => [
      md(x.prefix), md(x.peer), x.nextHop === null ? '-' : md(x.nextHop), x.asPath.length ? x.asPath.join(' ') : '-',
      x.announcedFrame === null ? '-' : `${ts(x.announcedTs)} (frame ${x.announcedFrame})`,
      x.withdrawnFrame === null ? '-' : `${ts(x.withdrawnTs)} (frame ${x.withdrawnFrame})`,
    ])
    out.push(...table(['Prefix', 'Peer', 'Next hop', 'AS path', 'Announced', 'Withdrawn'], rows))
    out.push(...more(MD_LIMITS.routes, b.routes.length, 'routes'))
  }
  return out
}

function vxlan(r: Report): string[] {
  const v = r.vxlan
  const rows = v.pairs.slice(0, MD_LIMITS.vxlanPairs).map((p) => [
    md(p.kind), md(p.outerSrc), md(p.outerDst), p.vni === null ? '-' : String(p.vni), n(p.packets), n(p.fragmented), ts(p.firstTs), `${md(p.file)}: ${p.frame}`,
  ])
  return [`VNIs: ${list(v.vnis)}.`, '', ...table(['Kind', 'Outer source', 'Outer destination', 'VNI', 'Packets', 'Fragmented', 'First', 'First frame'], rows),
    ...more(MD_LIMITS.vxlanPairs, v.pairs.length, 'tunnel pairs')]
}

function endpoints(r: Report): string[] {
  const e = r.endpoints
  if (e.items.length === 0) return [r.policy ? 'No endpoint list for this policy.' : 'Not assessed (no policy).']
  const rows = e.items.slice(0, MD_LIMITS.endpoints).map((x) => [
    md(x.name), md(x.purpose), x.required ? 'yes' : 'no', list(x.ports), x.state === 'reached' || x.state === 'not-observed' ? md(x.state) : `**${md(x.state)}**`, list(x.addresses),
  ])
  return [`Cloud: ${e.cloud === null ? 'unknown' : md(e.cloud)}.`, '', ...table(['Endpoint', 'Purpose', 'Required', 'Ports', 'State', 'Addresses'], rows),
    ...more(MD_LIMITS.endpoints, e.items.length, 'endpoints')]
}

function flows(r: Report): string[] {
  const f = r.flows
  const summary = (rec: Record<string, number>) => Object.entries(rec).map(([k, x]) => `${md(k)} ${n(x)}`).join(', ') || '-'
  const out = [`${n(f.count)} flows; by protocol: ${summary(f.byProto)}; by state: ${summary(f.byState)}.`]
  if (f.top.length === 0) return out
  const rows = f.top.map((x) => [
    md(x.proto), endpoint(x.initiator), endpoint(x.responder), x.app === null ? '-' : md(x.app), md(x.state),
    `${n(x.packets.fwd)} / ${n(x.packets.rev)}`, `${n(x.bytes.fwd)} / ${n(x.bytes.rev)}`, ts(x.firstTs), `${md(x.file)}: ${x.firstFrame}`,
  ])
  out.push('', ...table(['Proto', 'Initiator', 'Responder', 'App', 'State', 'Packets (fwd / rev)', 'Bytes (fwd / rev)', 'First', 'First frame'], rows))
  return out
}
