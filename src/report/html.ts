/**
 * `analyze --format html`: the audit report (the Markdown report's content) as one self-contained
 * HTML file with a picture on top: the timeline of the capture with the deployment phase, DNS/NTP
 * sources over time (DVM vs VIP), BGP routes per VIP and the findings marked on it (html-timeline.ts).
 *
 * Self-contained and inert: inline CSS and inline SVG, no script, no external URL, and a
 * Content-Security-Policy that would block any that slipped in. Readable printed (print media
 * query: no navigation, nothing cut by a scroll box, rows kept whole) and on a phone (tables turn
 * into labelled blocks, the picture scrolls sideways).
 *
 * Pure and deterministic: the same report gives the same bytes. Every string from the report goes
 * through forHtml (text and attribute values alike); ids and classes come from indices, rule ids
 * and the renderer's own names, never from captured text. Long lists are cut as in the Markdown report.
 */
import { linkTypeName } from '../capture/link-type.js'
import type { FlowEndpoint, FlowRecord } from '../flow/flow-record.js'
import { forHtml as h } from './escape.js'
import { roleLabel, timelineSvg } from './html-timeline.js'
import { MD_LIMITS } from './markdown.js'
import type { Finding, Report, Severity } from './model.js'

/** Rows shown per list: the Markdown report's; the JSON report keeps the rest. */
export const HTML_LIMITS = MD_LIMITS

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info']
const STATUSES = ['pass', 'fail', 'not-evaluable', 'disabled']

/** 1234567 -> "1,234,567" without the host's locale. */
const n = (x: number): string => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const ts = (t: string | null): string => (t === null ? '-' : `<time>${h(t)}</time>`)
const list = (xs: Array<string | number>): string => (xs.length ? xs.map((x) => h(String(x))).join(', ') : '-')
const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)
/** A class name from a closed set, so captured text never becomes one. */
const sevClass = (s: string): string => (SEVERITY_ORDER.includes(s as Severity) ? s : 'unknown')
const statusClass = (s: string): string => (STATUSES.includes(s) ? s : 'unknown')

/** A table whose cells are already HTML; on a narrow screen each row becomes a block labelled by its header. */
function table(head: string[], rows: string[][], cls = ''): string {
  const th = head.map((x) => `<th scope="col">${x}</th>`).join('')
  // Counts keep their digits on one line however narrow the column gets.
  const td = (c: string, i: number) => `<td data-label="${head[i] ?? ''}"${/^[\d,]+$/.test(c) ? ' class="num"' : ''}>${c === '' ? '&nbsp;' : c}</td>`
  const body = rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n')
  return `<div class="scroll"><table class="stack${cls ? ` ${cls}` : ''}"><thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`
}

/** "… and N more (see the JSON report)." when a list was cut at `shown` of `total`. */
function more(shown: number, total: number, what: string): string {
  return total > shown ? `<p class="more">… and ${n(total - shown)} more ${what} (see the JSON report).</p>` : ''
}

const SECTIONS: Array<[string, string]> = [
  ['timeline', 'Timeline'], ['captures', 'Captures'], ['phase', 'Deployment phase'], ['rules', 'Rules'], ['findings', 'Findings'],
  ['dns', 'DNS'], ['ntp', 'NTP'], ['bgp', 'BGP'], ['vxlan', 'VXLAN'], ['endpoints', 'Required endpoints'], ['flows', 'Top flows'],
]

export function reportHtml(r: Report): string {
  const title = `Network audit: ${r.policy?.name ? h(r.policy.name) : r.policy ? h(r.policy.file) : 'no policy'}`
  const numbers = shownFindings(r)
  const body: Record<string, string> = {
    timeline: timelineSvg(r, numbers),
    captures: captures(r),
    phase: phase(r),
    rules: rules(r),
    findings: findings(r, numbers),
    dns: dns(r),
    ntp: ntp(r),
    bgp: bgp(r),
    vxlan: r.vxlan.pairs.length ? vxlan(r) : '',
    endpoints: endpoints(r),
    flows: flows(r),
  }
  const present = SECTIONS.filter(([id]) => body[id] !== '')
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${h(r.tool.name)} ${h(r.tool.version)}">`,
    `<title>${title}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${title}</h1>`,
    verdict(r),
    `<dl class="meta">`,
    `<dt>Policy</dt><dd>${r.policy ? `${h(r.policy.file)}${r.policy.name ? ` (${h(r.policy.name)})` : ''}, sha256 <code class="hash">${h(r.policy.sha256)}</code>` : 'none (rules that need policy inputs are not-evaluable)'}</dd>`,
    `<dt>Tool</dt><dd>${h(r.tool.name)} ${h(r.tool.version)}, report ${h(r.schema)}</dd>`,
    ...(r.generatedAt ? [`<dt>Generated</dt><dd>${ts(r.generatedAt)}</dd>`] : []),
    `</dl>`,
    '</header>',
    `<nav aria-label="Sections"><ul>${present.map(([id, name]) => `<li><a href="#${id}">${name}</a></li>`).join('')}</ul></nav>`,
    '<main>',
    ...present.map(([id, name]) => `<section id="${id}">\n<h2>${name}</h2>\n${body[id]}\n</section>`),
    '</main>',
    `<footer>${h(r.tool.name)} ${h(r.tool.version)} · ${h(r.schema)} · one self-contained file: no script, no external resource.</footer>`,
    '</body>',
    '</html>',
  ].join('\n') + '\n'
}

/** Finding index -> its number in the document (index + 1), for the findings the list shows. */
function shownFindings(r: Report): Map<number, number> {
  const out = new Map<number, number>()
  let room = HTML_LIMITS.findings
  for (const severity of SEVERITY_ORDER) {
    let shown = 0
    r.findings.forEach((f, i) => { if (f.severity === severity && shown < room) { out.set(i, i + 1); shown++ } })
    room -= shown
  }
  return out
}

function verdict(r: Report): string {
  const v = r.verdict
  const counts = SEVERITY_ORDER.map((s) => `<span class="count sev-${s}${v.counts[s] ? '' : ' zero'}">${n(v.counts[s])} ${s}</span>`).join(' ')
  const suppressed = r.suppressed.length ? `; ${n(r.suppressed.length)} suppressed by allow entries` : ''
  const status = v.status === 'pass' ? 'pass' : 'fail'
  return `<p class="verdict verdict-${status}" id="verdict"><strong>Verdict: ${h(v.status.toUpperCase())}</strong> <span class="counts">${counts}</span> <span class="fails-on">(fails on ${h(v.failOn)} or above${suppressed})</span></p>`
}

function captures(r: Report): string {
  const rows = r.captures.map((c) => [
    h(c.file), `${h(c.format)}${c.compressed ? ' (gzip)' : ''}`, list(c.linkTypes.map(linkTypeName)),
    n(c.packets), n(c.bytes), ts(c.firstTs), ts(c.lastTs), n(c.warnings.length),
  ])
  const out = [table(['File', 'Format', 'Link types', 'Packets', 'Bytes', 'First', 'Last', 'Warnings'], rows)]
  const firsts = r.captures.map((c) => c.firstTs).filter((t): t is string => t !== null).sort()
  const lasts = r.captures.map((c) => c.lastTs).filter((t): t is string => t !== null).sort()
  const first = firsts[0]
  const last = lasts[lasts.length - 1]
  out.push(`<p>${first && last ? `Time span: ${ts(first)} to ${ts(last)} (${spanSeconds(first, last)}).` : 'Time span: unknown (no packet had a timestamp).'}</p>`)
  const malformed = Object.entries(r.decode.malformed).map(([k, x]) => `${h(k)} ${n(x)}`)
  out.push(`<p>Decoded ${n(r.decode.packets)} packets (${n(r.decode.bytes)} bytes) into ${n(r.flows.count)} flows` +
    `${malformed.length ? `; malformed: ${malformed.join(', ')}` : '; none malformed'}` +
    `${r.decode.undecoded ? `; ${n(r.decode.undecoded)} not decoded` : ''}.</p>`)
  const dropped = Object.entries(r.observationsDropped)
  if (dropped.length || r.flows.evicted) {
    const parts = [...dropped.map(([k, x]) => `${h(k)} ${n(x)}`), ...(r.flows.evicted ? [`flows evicted early ${n(r.flows.evicted)}`] : [])]
    out.push(`<p class="warning"><strong>Partial analysis</strong>: observations past their bounds were not kept: ${parts.join(', ')}.</p>`)
  }
  const warnings = r.captures.flatMap((c) => c.warnings.map((w) => ({ file: c.file, ...w })))
  if (warnings.length) {
    out.push('<h3>Warnings</h3>', '<ul>', ...warnings.slice(0, HTML_LIMITS.warnings).map((w) => `<li>${h(w.file)}, byte ${n(w.offset)}: ${h(w.message)}</li>`), '</ul>')
    out.push(more(HTML_LIMITS.warnings, warnings.length, 'warnings'))
  }
  return out.join('\n')
}

/** Seconds between two report timestamps (nine fractional digits), to the millisecond. */
function spanSeconds(first: string, last: string): string {
  const at = (t: string) => BigInt(Date.parse(`${t.slice(0, 19)}Z`)) * 1_000_000n + BigInt((t.slice(20, 29) + '000000000').slice(0, 9))
  try {
    const ms = Number((at(last) - at(first)) / 1_000_000n)
    return `${n(Math.floor(ms / 1000))}.${String(ms % 1000).padStart(3, '0')} s`
  } catch {
    return 'unknown length' // not a report timestamp (a hand-edited report): BigInt of NaN throws
  }
}

function phase(r: Report): string {
  const p = r.phase
  const out = [p.deploymentComplete
    ? `<p>Deployment complete at ${ts(p.deploymentComplete)} (source: ${h(p.source)}; grace ${n(p.graceSeconds)} s). Traffic before it is judged as during deployment; after it and the grace period, as the running stamp.</p>`
    : `<p>Deployment completion: unknown (${p.source === 'none' ? 'no completeAt in the policy and none detected' : h(p.source)}); phase-dependent rules judge the whole capture.</p>`]
  if (p.evidence.length) out.push('<p>Evidence:</p>', '<ul>', ...p.evidence.map((e) => `<li>${h(e)}</li>`), '</ul>')
  return out.join('\n')
}

function rules(r: Report): string {
  const rows = r.rules.map((x) => [
    `<code class="rule-id" id="rule-${h(x.id)}">${h(x.id)}</code>`, h(x.title), `<span class="badge sev-${sevClass(x.severity)}">${h(x.severity)}</span>`,
    `<span class="status status-${statusClass(x.status)}">${h(x.status)}</span>`,
    `${n(x.findings)}${x.suppressed ? ` (+${n(x.suppressed)} suppressed)` : ''}${x.truncated ? ` (+${n(x.truncated)} past the cap)` : ''}`,
    h(x.reason),
  ])
  const counts = STATUSES.map((s) => `${n(r.rules.filter((x) => x.status === s).length)} ${s}`).join(', ')
  return `<p>${n(r.rules.length)} rules: ${counts}.</p>\n${table(['Rule', 'Title', 'Severity', 'Status', 'Findings', 'Reason'], rows, 'rules')}`
}

function findings(r: Report, numbers: ReadonlyMap<number, number>): string {
  if (r.findings.length === 0) return `<p>None.</p>${suppressed(r)}`
  const out: string[] = []
  for (const severity of SEVERITY_ORDER) {
    const group = r.findings.map((f, i) => ({ f, i })).filter((x) => x.f.severity === severity)
    if (group.length === 0) continue
    const shown = group.filter((x) => numbers.has(x.i))
    out.push(`<h3 class="sev-heading sev-${severity}">${capitalised(severity)} (${n(group.length)})</h3>`)
    for (const { f, i } of shown) out.push(finding(f, numbers.get(i)!))
    out.push(more(shown.length, group.length, `${severity} findings`))
  }
  return out.join('\n') + suppressed(r)
}

function finding(f: Finding, number: number): string {
  const rows: string[] = []
  rows.push(`<dt>Frames</dt><dd>${f.frames.length ? `${f.file === null ? '' : `${h(f.file)}: `}${f.frames.join(', ')}` : 'none (the finding is about something never seen)'}</dd>`)
  if (f.firstTs !== null) rows.push(`<dt>Time</dt><dd>${ts(f.firstTs)}${f.lastTs !== null && f.lastTs !== f.firstTs ? ` to ${ts(f.lastTs)}` : ''}</dd>`)
  if (f.flow) rows.push(`<dt>Flow</dt><dd>${flowText(f.flow)}</dd>`)
  rows.push(`<dt>Filter</dt><dd><code class="filter">${h(f.filter)}</code></dd>`)
  return [
    `<article class="finding sev-${sevClass(f.severity)}" id="finding-${number}">`,
    `<p class="finding-head"><span class="number">#${number}</span> <span class="badge sev-${sevClass(f.severity)}">${h(f.severity)}</span> ` +
      `<a class="rule" href="#rule-${h(f.rule)}">${h(f.rule)}</a>: ${h(f.message)}${f.count > 1 ? ` <span class="times">(${n(f.count)} times)</span>` : ''}</p>`,
    `<dl>${rows.join('')}</dl>`,
    `</article>`,
  ].join('\n')
}

function suppressed(r: Report): string {
  if (r.suppressed.length === 0) return ''
  const rows = r.suppressed.slice(0, HTML_LIMITS.suppressed).map((s) => [h(s.rule), h(s.severity), h(s.message), n(s.count), h(s.why)])
  return `\n<h3>Suppressed by allow entries</h3>\n${table(['Rule', 'Severity', 'Message', 'Count', 'Why allowed'], rows)}\n${more(HTML_LIMITS.suppressed, r.suppressed.length, 'suppressed findings')}`
}

/** ip:port, [v6]:port, or the address alone for a flow without ports (ICMP). */
const endpoint = (e: FlowEndpoint): string => (e.port === null ? h(e.ip) : e.ip.includes(':') ? `[${h(e.ip)}]:${e.port}` : `${h(e.ip)}:${e.port}`)

function flowText(f: FlowRecord): string {
  return `${h(f.proto)} ${endpoint(f.initiator)} → ${endpoint(f.responder)}${f.app ? ` (${h(f.app)})` : ''}, ${h(f.state)}`
}

/** Clients with their role where the report knows it: "10.10.0.29 (DVM)". */
function clients(xs: string[], byClient: Array<{ client: string; role: string | null }> | undefined): string {
  if (xs.length === 0) return '-'
  const roles = new Map((byClient ?? []).map((c) => [c.client, roleLabel(c.role)]))
  return xs.map((c) => { const role = roles.get(c); return `${h(c)}${role ? ` <span class="role">(${h(role)})</span>` : ''}` }).join(', ')
}

function dns(r: Report): string {
  const d = r.dns
  const out = [`<p>${n(d.queries)} queries, ${n(d.answered)} answered, ${n(d.unanswered)} unanswered.</p>`]
  if (d.resolvers.length === 0) out.push('<p>No resolver seen.</p>')
  else {
    out.push('<h3>Resolvers by phase</h3>')
    const rows = d.resolvers.slice(0, HTML_LIMITS.resolvers).map((x) => [
      h(x.phase), h(x.server), clients(x.clients, x.byClient), n(x.queries), n(x.answered), n(x.unanswered),
      Object.entries(x.rcodes).map(([k, c]) => `${h(k)}: ${n(c)}`).join(', ') || '-', ts(x.firstTs), ts(x.lastTs),
    ])
    out.push(table(['Phase', 'Resolver', 'Clients', 'Queries', 'Answered', 'Unanswered', 'Rcodes', 'First', 'Last'], rows))
    out.push(more(HTML_LIMITS.resolvers, d.resolvers.length, 'resolvers'))
  }
  if (d.bindings.length) {
    out.push('<h3>Names resolved</h3>')
    const rows = d.bindings.slice(0, HTML_LIMITS.bindings).map((b) => [h(b.name), list(b.addresses), ts(b.firstTs), `${h(b.file)}: ${b.frame}`])
    out.push(table(['Name', 'Addresses', 'First answer', 'Frame'], rows))
    out.push(more(Math.min(HTML_LIMITS.bindings, d.bindings.length), d.bindingsTotal, 'names'))
  }
  return out.join('\n')
}

function ntp(r: Report): string {
  const x = r.ntp
  if (x.servers.length === 0) return '<p>No NTP exchange seen.</p>'
  const rows = x.servers.slice(0, HTML_LIMITS.ntpServers).map((s) => [
    h(s.phase), h(s.server), clients(s.clients, s.byClient), n(s.requests), n(s.replies), list(s.modes), list(s.strata), ts(s.firstTs), ts(s.lastTs),
  ])
  return [`<p>${n(x.exchanges)} exchanges.</p>`, '<h3>Servers by phase</h3>',
    table(['Phase', 'Server', 'Clients', 'Requests', 'Replies', 'Modes', 'Strata', 'First', 'Last'], rows),
    more(HTML_LIMITS.ntpServers, x.servers.length, 'servers')].join('\n')
}

function bgp(r: Report): string {
  const b = r.bgp
  const out: string[] = []
  if (b.sessions.length === 0) out.push('<p>No BGP session seen.</p>')
  else {
    out.push('<h3>Sessions</h3>')
    const rows = b.sessions.slice(0, HTML_LIMITS.sessions).map((s) => [
      h(s.a), h(s.b), list(s.asns), s.established ? 'yes' : '<strong>no</strong>', n(s.opens), n(s.updates), n(s.keepalives),
      n(s.notifications.length), s.reset ? '<strong>yes</strong>' : 'no', ts(s.firstTs), ts(s.lastTs),
    ])
    out.push(table(['Side A', 'Side B', 'ASNs', 'Established', 'OPENs', 'UPDATEs', 'KEEPALIVEs', 'NOTIFICATIONs', 'Reset', 'First', 'Last'], rows))
    out.push(more(HTML_LIMITS.sessions, b.sessions.length, 'sessions'))
    const notes = b.sessions.flatMap((s) => s.notifications.map((x) => ({ s, x })))
    if (notes.length) {
      out.push('<h3>Notifications</h3>')
      const rows = notes.slice(0, HTML_LIMITS.notifications).map(({ s, x }) => [
        `${h(s.a)} / ${h(s.b)}`, h(x.from), `${x.code}/${x.subcode}`, x.text === null ? '-' : h(x.text), ts(x.ts), `${h(s.file)}: ${x.frame}`,
      ])
      out.push(table(['Session', 'From', 'Code/subcode', 'Text', 'Time', 'Frame'], rows))
      out.push(more(HTML_LIMITS.notifications, notes.length, 'notifications'))
    }
  }
  out.push('<h3>Expected VIPs</h3>')
  if (b.vips.length === 0) out.push('<p>No VIPs expected (the policy names none).</p>')
  else {
    out.push(table(['VIP', 'State at the end of the capture', 'Prefix'], b.vips.map((v) => [
      h(v.vip), v.state === 'missing' || v.state === 'withdrawn' ? `<strong class="bad">${h(v.state)}</strong>` : h(v.state), v.prefix === null ? '-' : h(v.prefix),
    ])))
  }
  out.push('<h3>Route table</h3>')
  if (b.routes.length === 0) out.push('<p>No route announced or withdrawn.</p>')
  else {
    const rows = b.routes.slice(0, HTML_LIMITS.routes).map((x) => [
      h(x.prefix), h(x.peer), x.nextHop === null ? '-' : h(x.nextHop), x.asPath.length ? x.asPath.join(' ') : '-',
      x.announcedFrame === null ? '-' : `${ts(x.announcedTs)} (frame ${x.announcedFrame})`,
      x.withdrawnFrame === null ? '-' : `${ts(x.withdrawnTs)} (frame ${x.withdrawnFrame})`,
    ])
    out.push(table(['Prefix', 'Peer', 'Next hop', 'AS path', 'Announced', 'Withdrawn'], rows))
    out.push(more(HTML_LIMITS.routes, b.routes.length, 'routes'))
  }
  return out.join('\n')
}

function vxlan(r: Report): string {
  const v = r.vxlan
  const rows = v.pairs.slice(0, HTML_LIMITS.vxlanPairs).map((p) => [
    h(p.kind), h(p.outerSrc), h(p.outerDst), p.vni === null ? '-' : String(p.vni), n(p.packets), n(p.fragmented), ts(p.firstTs), `${h(p.file)}: ${p.frame}`,
  ])
  return [`<p>VNIs: ${list(v.vnis)}.</p>`, table(['Kind', 'Outer source', 'Outer destination', 'VNI', 'Packets', 'Fragmented', 'First', 'First frame'], rows),
    more(HTML_LIMITS.vxlanPairs, v.pairs.length, 'tunnel pairs')].join('\n')
}

function endpoints(r: Report): string {
  const e = r.endpoints
  if (e.items.length === 0) return `<p>${r.policy ? 'No endpoint list for this policy.' : 'Not assessed (no policy).'}</p>`
  const rows = e.items.slice(0, HTML_LIMITS.endpoints).map((x) => [
    h(x.name), h(x.purpose), x.required ? 'yes' : 'no', list(x.ports),
    x.state === 'reached' || x.state === 'not-observed' ? h(x.state) : `<strong class="bad">${h(x.state)}</strong>`, list(x.addresses),
  ])
  return [`<p>Cloud: ${e.cloud === null ? 'unknown' : h(e.cloud)}.</p>`, table(['Endpoint', 'Purpose', 'Required', 'Ports', 'State', 'Addresses'], rows),
    more(HTML_LIMITS.endpoints, e.items.length, 'endpoints')].join('\n')
}

function flows(r: Report): string {
  const f = r.flows
  const summary = (rec: Record<string, number>) => Object.entries(rec).map(([k, x]) => `${h(k)} ${n(x)}`).join(', ') || '-'
  const out = [`<p>${n(f.count)} flows; by protocol: ${summary(f.byProto)}; by state: ${summary(f.byState)}.</p>`]
  if (f.top.length === 0) return out.join('\n')
  const rows = f.top.map((x) => [
    h(x.proto), endpoint(x.initiator), endpoint(x.responder), x.app === null ? '-' : h(x.app), h(x.state),
    `${n(x.packets.fwd)} / ${n(x.packets.rev)}`, `${n(x.bytes.fwd)} / ${n(x.bytes.rev)}`, ts(x.firstTs), `${h(x.file)}: ${x.firstFrame}`,
  ])
  out.push(table(['Proto', 'Initiator', 'Responder', 'App', 'State', 'Packets (fwd / rev)', 'Bytes (fwd / rev)', 'First', 'First frame'], rows))
  return out.join('\n')
}

const CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --critical: #a61b1b; --high: #d9480f; --medium: #b7791f; --low: #1864ab; --info: #6c757d;
  --pass: #1a7f37; --fail: #b3261e; --dvm: #e8590c; --vip: #1c7ed6; --other: #868e96; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 76rem; padding: 1rem 1.25rem 3rem; color: var(--fg); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: .5rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
code, time { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .88em; }
time { white-space: nowrap; }
code.hash { overflow-wrap: anywhere; }
a { color: #0b5cad; }
.verdict { font-size: 1.35rem; padding: .6rem .9rem; border-radius: .4rem; border-left: .5rem solid; margin: .6rem 0; }
.verdict-pass { background: #e6f4ea; border-color: var(--pass); }
.verdict-fail { background: #fdecea; border-color: var(--fail); }
.verdict .counts { font-size: 1rem; }
.verdict .fails-on { font-size: .9rem; color: var(--muted); }
.count { white-space: nowrap; font-weight: 600; }
.count.zero { font-weight: 400; color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .4rem 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
nav ul { list-style: none; padding: 0; margin: .8rem 0; display: flex; flex-wrap: wrap; gap: .3rem .9rem; font-size: .92rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .4rem 0; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .55rem; border-bottom: 1px solid var(--line); }
th { background: var(--soft); white-space: nowrap; }
td { overflow-wrap: anywhere; }
.badge, code.rule-id, td.num { white-space: nowrap; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .3rem; color: #fff; font-size: .8rem; font-weight: 600; }
.badge.sev-critical { background: var(--critical); } .badge.sev-high { background: var(--high); }
.badge.sev-medium { background: var(--medium); } .badge.sev-low { background: var(--low); }
.badge.sev-info, .badge.sev-unknown { background: var(--info); }
.status { font-weight: 600; white-space: nowrap; }
.status-pass { color: var(--pass); } .status-fail { color: var(--fail); }
.status-not-evaluable, .status-disabled { color: var(--muted); }
.bad { color: var(--fail); }
.role { color: var(--muted); }
.finding { border-left: .3rem solid var(--info); padding: .2rem .8rem; margin: .6rem 0; background: var(--soft); border-radius: .2rem; }
.finding.sev-critical { border-color: var(--critical); } .finding.sev-high { border-color: var(--high); }
.finding.sev-medium { border-color: var(--medium); } .finding.sev-low { border-color: var(--low); }
.finding-head { margin: .3rem 0; overflow-wrap: anywhere; }
.finding .number { color: var(--muted); font-weight: 600; }
.finding .rule { font-weight: 600; }
.finding dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .2rem 0 .4rem; font-size: .9rem; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; overflow-wrap: anywhere; }
code.filter { display: block; white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--line); padding: .2rem .4rem; border-radius: .2rem; user-select: all; }
.more, .note, figcaption, footer { color: var(--muted); font-size: .88rem; }
footer { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: .5rem; }
figure { margin: .5rem 0; }
.figure-scroll { overflow-x: auto; }
svg.timeline-svg { display: block; width: 100%; min-width: 46rem; height: auto; }
.key { display: inline-block; padding: 0 .35rem; border-radius: .2rem; color: #fff; font-weight: 600; }
.key.src-dvm { background: var(--dvm); } .key.src-vip { background: var(--vip); } .key.src-other { background: var(--other); }
.timeline-svg text { font-size: 12px; fill: var(--fg); }
.timeline-svg .tick-label, .timeline-svg .ph-label { font-size: 11px; fill: var(--muted); }
.timeline-svg .lane-title { font-weight: 700; font-size: 12.5px; }
.timeline-svg .row-label.src-dvm { fill: #b8410a; } .timeline-svg .row-label.src-vip { fill: #1864ab; }
.timeline-svg .row-label.vip { font-weight: 600; }
.timeline-svg .row-note { fill: var(--fail); font-style: italic; }
.timeline-svg .more { fill: var(--muted); font-style: italic; }
.timeline-svg .axis { stroke: var(--muted); }
.timeline-svg .tick { stroke: #e3e7eb; }
.timeline-svg .lane-rule { stroke: var(--line); }
/* Backgrounds and lines across the lanes never take a pointer from the marks on top of them. */
.ph-during, .ph-grace, .ph-after, .timeline-svg line { pointer-events: none; }
.ph-during { fill: #eef4ff; } .ph-grace { fill: #fff5d6; } .ph-after { fill: #eaf7ee; }
.timeline-svg .boundary { stroke: #212529; stroke-width: 2; }
.timeline-svg .grace-end { stroke: #212529; stroke-width: 1; stroke-dasharray: 4 3; }
.timeline-svg .guide { stroke-width: 1; stroke-dasharray: 2 3; opacity: .55; }
.timeline-svg .guide.sev-critical { stroke: var(--critical); } .timeline-svg .guide.sev-high { stroke: var(--high); }
.bar.capture { fill: #adb5bd; } .bar.src-dvm { fill: var(--dvm); } .bar.src-vip { fill: var(--vip); } .bar.src-other { fill: var(--other); }
.bar.route { fill: #69db7c; } .bar.session { fill: #a5d8ff; } .bar.session-down { fill: #ffc9c9; }
.mark.withdrawn { stroke: var(--fail); stroke-width: 2.5; fill: none; }
.mark.notification { fill: var(--fail); }
.mark.finding { stroke: #fff; stroke-width: 1; }
.mark.sev-critical { fill: var(--critical); } .mark.sev-high { fill: var(--high); } .mark.sev-medium { fill: var(--medium); }
.mark.sev-low { fill: var(--low); } .mark.sev-info { fill: var(--info); }
.timeline-svg .mark-number { font-size: 10px; font-weight: 700; }
.timeline-svg .sev-label.sev-critical { fill: var(--critical); } .timeline-svg .sev-label.sev-high { fill: var(--high); }
@media (max-width: 40rem) {
  body { padding: .6rem .7rem 2rem; font-size: 14px; }
  h1 { font-size: 1.3rem; }
  .verdict { font-size: 1.15rem; }
  svg.timeline-svg { min-width: 56rem; }
  dl.meta, .finding dl { grid-template-columns: 1fr; }
  .finding dt { margin-top: .2rem; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack thead { display: none; }
  table.stack tr { border-bottom: 2px solid var(--line); padding: .3rem 0; }
  table.stack td { border: 0; padding: .1rem .2rem; }
  table.stack td::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  .scroll, .figure-scroll { overflow: visible; }
  svg.timeline-svg { min-width: 0; }
  table { font-size: 8.5pt; }
  tr, .finding, figure, .verdict { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`
