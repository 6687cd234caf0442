/**
 * The picture at the top of the HTML report: one inline SVG on one time axis (UTC) with the
 * capture spans, the deployment phase (during, grace, after; the completion time as a line across
 * every lane), DNS and NTP sources over time (each client to each server, DVM and VIP told apart
 * by colour and by label), BGP routes per prefix and peer (expected VIPs first; announced as a bar,
 * withdrawn as a cross), BGP sessions with their notifications, and the findings by severity, each
 * marker a link to the finding below it.
 *
 * Drawn from the report model alone, pure and deterministic: coordinates are rounded to a tenth,
 * labels are UTC from the timestamps, nothing depends on the locale or the clock. Every string
 * from the report goes through forHtml; long labels are cut and kept whole in a <title>.
 */
import { forHtml as h } from './escape.js'
import type { Report, Severity } from './model.js'

/** Rows drawn per lane; the tables below the picture have the rest. */
export const TIMELINE_LIMITS = { sources: 24, routes: 40, sessions: 12, guides: 50, numberedPerRow: 40 } as const

const W = 1000
const LABEL_RIGHT = 248
const X0 = 262
const X1 = 984
const ROW = 20
const HEADER = 22
const AXIS = 38
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info']

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})Z$/

/** A report timestamp (nine fractional digits) as milliseconds since the epoch; null when absent or not one. */
export function msOf(t: string | null | undefined): number | null {
  if (!t) return null
  const m = ISO.exec(t)
  if (!m) return null
  const base = Date.parse(`${m[1]!}Z`)
  return Number.isNaN(base) ? null : base + Number(m[2]!) / 1e6
}

const f = (x: number): string => String(Math.round(x * 10) / 10)

/** At most `max` characters (code points), with an ellipsis when cut. */
function clip(s: string, max: number): string {
  const cps = [...s]
  return cps.length > max ? `${cps.slice(0, max - 1).join('')}…` : s
}

/** 'DVM', 'VIP', another policy role as it is, or null. */
export function roleLabel(role: string | null | undefined): string | null {
  if (!role) return null
  if (role === 'dvm') return 'DVM'
  if (role === 'expected-vip' || role === 'infra-vip' || role === 'public-vip') return 'VIP'
  return role
}

const roleClass = (role: string | null | undefined): string => {
  const label = roleLabel(role)
  return label === 'DVM' ? 'src-dvm' : label === 'VIP' ? 'src-vip' : 'src-other'
}

interface Segment { from: number; to: number; title: string; cls: string }
interface Row { label: string; cls?: string; segments: Segment[]; points?: Point[]; note?: string }
interface Point { at: number; to: number; title: string; cls: string; href?: string; number?: number }
interface Lane { title: string; rows: Row[]; more: number }

/** The span the axis covers: the captures', else every time the report holds; null when it holds none. */
function domain(r: Report): [number, number] | null {
  let times = r.captures.flatMap((c) => [msOf(c.firstTs), msOf(c.lastTs)]).filter((t): t is number => t !== null)
  if (times.length === 0) {
    times = [
      ...r.dns.resolvers.flatMap((x) => [msOf(x.firstTs), msOf(x.lastTs)]),
      ...r.ntp.servers.flatMap((x) => [msOf(x.firstTs), msOf(x.lastTs)]),
      ...r.bgp.routes.flatMap((x) => [msOf(x.announcedTs), msOf(x.withdrawnTs)]),
      ...r.findings.flatMap((x) => [msOf(x.firstTs), msOf(x.lastTs)]),
    ].filter((t): t is number => t !== null)
  }
  if (times.length === 0) return null
  // A loop, not Math.min(...times): the fallback list can hold tens of thousands of times.
  let t0 = Infinity
  let t1 = -Infinity
  for (const t of times) { if (t < t0) t0 = t; if (t > t1) t1 = t }
  if (t1 - t0 < 1000) { const mid = (t0 + t1) / 2; t0 = mid - 500; t1 = mid + 500 }
  const pad = (t1 - t0) * 0.01
  return [t0 - pad, t1 + pad]
}

const STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3,
  3600e3, 7200e3, 10800e3, 21600e3, 43200e3, 86400e3, 2 * 86400e3, 7 * 86400e3, 30 * 86400e3, 365 * 86400e3,
]

function tickLabel(t: number, step: number, span: number): string {
  const iso = new Date(Math.floor(t)).toISOString()
  if (span > 2 * 86400e3) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
  if (step < 1000) return iso.slice(11, 23)
  return iso.slice(11, 19)
}

/** A short time for titles: HH:MM:SS.mmm (UTC), or '?' when absent. */
const clock = (t: string | null): string => (t && ISO.test(t) ? h(t.slice(11, 23)) : '?')

export function timelineSvg(r: Report, findingNumbers: ReadonlyMap<number, number>): string {
  const span = domain(r)
  if (!span) return '<p class="note">No timeline: no packet in the capture had a timestamp.</p>'
  const [t0, t1] = span
  const x = (t: number): number => X0 + ((t - t0) / (t1 - t0)) * (X1 - X0)
  const xc = (t: number): number => Math.min(X1, Math.max(X0, x(t)))

  const lanes = [captureLane(r), ...sourceLanes(r), ...bgpLanes(r), findingLane(r, findingNumbers)].filter((l) => l.rows.length > 0)
  const rowsHeight = lanes.reduce((a, l) => a + HEADER + (l.rows.length + (l.more ? 1 : 0)) * ROW, 0)
  const height = AXIS + ROW + rowsHeight + 8
  const top = AXIS
  const bottom = height - 8
  const out: string[] = []

  // Phase bands behind everything, then the axis, then the lanes.
  const done = msOf(r.phase.deploymentComplete)
  const graceEnd = done === null ? null : done + r.phase.graceSeconds * 1000
  if (done !== null && graceEnd !== null) {
    const bands: Array<[string, string, string, number, number]> = [
      ['ph-during', 'during deployment', 'during', t0, done], ['ph-grace', 'grace period', 'grace', done, graceEnd], ['ph-after', 'after deployment', 'after', graceEnd, t1],
    ]
    for (const [cls, name, short, a, b] of bands) {
      if (b <= t0 || a >= t1 || b <= a) continue
      const xa = xc(a)
      const xb = xc(b)
      out.push(`<rect class="${cls}" x="${f(xa)}" y="${top}" width="${f(xb - xa)}" height="${f(bottom - top)}"/>`)
      const text = xb - xa >= 110 ? name : xb - xa >= 36 ? short : null
      if (text) out.push(`<text class="ph-label" x="${f((xa + xb) / 2)}" y="${top + 14}" text-anchor="middle">${text}</text>`)
    }
  }
  out.push(`<text class="lane-title" x="${LABEL_RIGHT}" y="${top + 14}" text-anchor="end">Deployment phase</text>`)

  // Axis: ticks every "nice" step, about eight of them.
  const step = STEPS_MS.find((s) => (t1 - t0) / s <= 8) ?? STEPS_MS[STEPS_MS.length - 1]!
  out.push(`<line class="axis" x1="${X0}" y1="${AXIS - 8}" x2="${X1}" y2="${AXIS - 8}"/>`)
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    out.push(`<line class="tick" x1="${f(x(t))}" y1="${AXIS - 12}" x2="${f(x(t))}" y2="${f(bottom)}"/>`)
    out.push(`<text class="tick-label" x="${f(x(t))}" y="${AXIS - 16}" text-anchor="middle">${tickLabel(t, step, t1 - t0)}</text>`)
  }
  out.push(`<text class="tick-label" x="8" y="${AXIS - 16}">UTC, ${h(new Date(Math.floor(t0)).toISOString().slice(0, 10))}</text>`)

  let y = AXIS + ROW
  for (const lane of lanes) {
    out.push(`<g class="lane">`)
    out.push(`<line class="lane-rule" x1="8" y1="${f(y + 2)}" x2="${X1}" y2="${f(y + 2)}"/>`)
    out.push(`<text class="lane-title" x="8" y="${f(y + 16)}">${h(lane.title)}</text>`)
    y += HEADER
    for (const row of lane.rows) {
      out.push(drawRow(row, y, xc))
      y += ROW
    }
    if (lane.more) {
      out.push(`<text class="row-label more" x="${LABEL_RIGHT}" y="${f(y + 14)}" text-anchor="end">… and ${lane.more} more (see the tables)</text>`)
      y += ROW
    }
    out.push(`</g>`)
  }

  // Lines across every lane: the completion time, the end of the grace period, and the serious findings.
  if (done !== null && graceEnd !== null) {
    if (done >= t0 && done <= t1) {
      out.push(`<line class="boundary" x1="${f(x(done))}" y1="${top}" x2="${f(x(done))}" y2="${f(bottom)}"/>`)
    }
    if (r.phase.graceSeconds > 0 && graceEnd >= t0 && graceEnd <= t1) {
      out.push(`<line class="grace-end" x1="${f(x(graceEnd))}" y1="${top}" x2="${f(x(graceEnd))}" y2="${f(bottom)}"/>`)
    }
  }
  let guides = 0
  r.findings.forEach((fi, i) => {
    const at = msOf(fi.firstTs)
    const number = findingNumbers.get(i)
    if (at === null || number === undefined || (fi.severity !== 'critical' && fi.severity !== 'high') || guides >= TIMELINE_LIMITS.guides) return
    guides++
    out.push(`<line class="guide sev-${fi.severity}" x1="${f(xc(at))}" y1="${top}" x2="${f(xc(at))}" y2="${f(bottom)}"/>`)
  })

  const boundaryNote = done === null
    ? 'Deployment completion unknown: no phase boundary.'
    : done < t0 ? `Deployment complete at ${h(r.phase.deploymentComplete!)}, before this window: all of it is after deployment${graceEnd !== null && graceEnd > t0 ? ' (the start within the grace period)' : ''}.`
      : done > t1 ? `Deployment complete at ${h(r.phase.deploymentComplete!)}, after this window: all of it is during deployment.`
        : `The solid line is deployment completion (${h(r.phase.deploymentComplete!)}, ${h(r.phase.source)}), the dashed one the end of the ${r.phase.graceSeconds} s grace period.`

  const untimed = [...findingNumbers.keys()].filter((i) => msOf(r.findings[i]?.firstTs) === null).length
  const untimedNote = untimed ? ` ${untimed} finding${untimed === 1 ? ' has' : 's have'} no time and ${untimed === 1 ? 'is' : 'are'} not drawn.` : ''
  return [
    `<figure class="timeline" id="timeline-figure">`,
    `<div class="figure-scroll">`,
    `<svg class="timeline-svg" viewBox="0 0 ${W} ${f(height)}" width="${W}" height="${f(height)}" role="img" aria-labelledby="timeline-caption" font-family="system-ui, sans-serif">`,
    ...out,
    `</svg>`,
    `</div>`,
    `<figcaption id="timeline-caption">Timeline of the capture (UTC). ${boundaryNote} ` +
      `DNS and NTP sources: <span class="key src-dvm">DVM</span> <span class="key src-vip">VIP</span> <span class="key src-other">other</span>. ` +
      `Routes: a bar while announced, a cross where withdrawn. Findings: numbered as in the list below.${untimedNote}</figcaption>`,
    `</figure>`,
  ].join('\n')
}

function drawRow(row: Row, y: number, xc: (t: number) => number): string {
  const out: string[] = []
  const label = clip(row.label, row.cls === 'vip' ? 33 : 36) // what fits left of the plot at 12px (bold is wider)
  out.push(`<text class="row-label${row.cls ? ` ${row.cls}` : ''}" x="${LABEL_RIGHT}" y="${f(y + 14)}" text-anchor="end">${h(label)}${label !== row.label ? `<title>${h(row.label)}</title>` : ''}</text>`)
  for (const s of row.segments) {
    const a = xc(s.from)
    const b = Math.max(xc(s.to), a + 3)
    out.push(`<rect class="bar ${s.cls}" x="${f(a)}" y="${f(y + 5)}" width="${f(b - a)}" height="11" rx="2"><title>${s.title}</title></rect>`)
  }
  for (const p of row.points ?? []) {
    const a = xc(p.at)
    const b = Math.max(xc(p.to), a)
    let mark: string
    if (p.cls === 'withdrawn') mark = `<path class="mark ${p.cls}" d="M${f(a - 5)} ${f(y + 5)}l10 10m0 -10l-10 10"><title>${p.title}</title></path>`
    else if (p.cls === 'notification') mark = `<path class="mark ${p.cls}" d="M${f(a)} ${f(y + 3)}l6 7l-6 7l-6 -7z"><title>${p.title}</title></path>`
    else if (b - a <= 8) mark = `<rect class="mark ${p.cls}" x="${f(a - 3)}" y="${f(y + 4)}" width="${f(b - a + 6)}" height="13" rx="3"><title>${p.title}</title></rect>`
    // A long one: a marker where it starts and a thin bar to its end, so it hides no marker behind it.
    else mark = `<rect class="mark ${p.cls}" x="${f(a - 3)}" y="${f(y + 4)}" width="6" height="13" rx="3"><title>${p.title}</title></rect>` +
      `<rect class="mark ${p.cls}" x="${f(a)}" y="${f(y + 9)}" width="${f(b - a)}" height="3"><title>${p.title}</title></rect>`
    out.push(p.href ? `<a href="${p.href}">${mark}</a>` : mark)
  }
  // Numbers of markers that would overlap the label so far share it ("2,3"); ~6.5 px a character at 10 px bold.
  const numbered = (row.points ?? []).filter((p) => p.number !== undefined).map((p) => ({ x: xc(p.at), number: p.number! }))
    .sort((p, q) => p.x - q.x || p.number - q.number)
  for (let i = 0; i < numbered.length;) {
    const start = numbered[i]!.x
    const group: number[] = []
    while (i < numbered.length && (group.length === 0 || numbered[i]!.x - start < 2 + 6.5 * group.join(',').length)) group.push(numbered[i++]!.number)
    out.push(`<text class="mark-number" x="${f(start + 5)}" y="${f(y + 3)}">${group.join(',')}</text>`)
  }
  if (row.note) out.push(`<text class="row-note" x="${X0 + 4}" y="${f(y + 14)}">${h(row.note)}</text>`)
  return out.join('')
}

function captureLane(r: Report): Lane {
  const rows: Row[] = []
  for (const c of r.captures) {
    const a = msOf(c.firstTs)
    const b = msOf(c.lastTs)
    const name = c.file.split(/[\\/]/).pop() || c.file
    rows.push(a === null || b === null
      ? { label: name, segments: [], note: 'no timestamps' }
      : { label: name, segments: [{ from: a, to: b, cls: 'capture', title: `${h(c.file)}: ${c.packets} packets, ${clock(c.firstTs)} to ${clock(c.lastTs)}` }] })
  }
  return { title: 'Captures', rows, more: 0 }
}

interface Source { client: string; role: string | null; server: string; segments: Segment[]; first: number }

/** One row per client and server: a bar per phase from the first to the last query (request) of that client. */
function sourceLanes(r: Report): Lane[] {
  const dns = r.dns.resolvers.map((x) => ({ server: x.server, phase: x.phase, clients: x.clients, byClient: x.byClient, firstTs: x.firstTs, lastTs: x.lastTs }))
  const ntp = r.ntp.servers.map((x) => ({ server: x.server, phase: x.phase, clients: x.clients, byClient: x.byClient, firstTs: x.firstTs, lastTs: x.lastTs }))
  return [sourceLane('DNS sources → resolver', dns, 'queries'), sourceLane('NTP sources → server', ntp, 'requests')]
}

function sourceLane(
  title: string,
  groups: Array<{ server: string; phase: string; clients: string[]; byClient?: Array<{ client: string; role: string | null; count: number; firstTs: string | null; lastTs: string | null }>; firstTs: string | null; lastTs: string | null }>,
  what: string,
): Lane {
  const sources = new Map<string, Source>()
  for (const g of groups) {
    // A report written before byClient existed: each client drawn over the whole group's span.
    const activity = g.byClient ?? g.clients.map((client) => ({ client, role: null, count: NaN, firstTs: g.firstTs, lastTs: g.lastTs }))
    for (const a of activity) {
      const from = msOf(a.firstTs)
      const to = msOf(a.lastTs)
      if (from === null || to === null) continue
      const key = `${a.client}\u0000${g.server}`
      let s = sources.get(key)
      if (!s) { s = { client: a.client, role: a.role, server: g.server, segments: [], first: from }; sources.set(key, s) }
      s.first = Math.min(s.first, from)
      const count = Number.isNaN(a.count) ? '' : `${a.count} ${what}, `
      s.segments.push({
        from, to, cls: roleClass(a.role),
        title: `${h(a.client)}${roleLabel(a.role) ? ` (${h(roleLabel(a.role)!)})` : ''} → ${h(g.server)}, ${h(g.phase)}: ${count}${clock(a.firstTs)} to ${clock(a.lastTs)}`,
      })
    }
  }
  const all = [...sources.values()].sort((a, b) => a.first - b.first || cmp(a.client, b.client) || cmp(a.server, b.server))
  const rows = all.slice(0, TIMELINE_LIMITS.sources).map((s) => {
    const role = roleLabel(s.role)
    return { label: `${s.client}${role ? ` (${role})` : ''} → ${s.server}`, cls: roleClass(s.role), segments: s.segments }
  })
  return { title, rows, more: all.length - rows.length }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Routes per prefix and peer, expected VIPs first (a missing one as a row that says so); then the sessions. */
function bgpLanes(r: Report): Lane[] {
  const rows: Row[] = []
  const routeRows = (prefix: string, vip: string | null): Row[] => {
    const byPeer = new Map<string, Row>()
    for (const e of r.bgp.routes) {
      if (e.prefix !== prefix) continue
      let row = byPeer.get(e.peer)
      if (!row) {
        row = { label: `${vip ? `VIP ${vip === prefix.replace(/\/(32|128)$/, '') ? prefix : `${vip} in ${prefix}`}` : prefix} via ${e.peer}`, cls: vip ? 'vip' : undefined, segments: [], points: [] }
        byPeer.set(e.peer, row)
      }
      const a = msOf(e.announcedTs)
      const w = msOf(e.withdrawnTs)
      const what = `${h(prefix)} via ${h(e.peer)}`
      if (e.announcedFrame !== null) {
        row.segments.push({
          from: a ?? -Infinity, to: w ?? Infinity, cls: 'route',
          title: `${what}: announced ${clock(e.announcedTs)} (frame ${e.announcedFrame})${e.withdrawnFrame !== null ? `, withdrawn ${clock(e.withdrawnTs)} (frame ${e.withdrawnFrame})` : ', still announced at the end'}`,
        })
      }
      if (e.withdrawnFrame !== null && w !== null) row.points!.push({ at: w, to: w, cls: 'withdrawn', title: `${what}: withdrawn ${clock(e.withdrawnTs)} (frame ${e.withdrawnFrame})` })
    }
    return [...byPeer.values()]
  }
  const drawn = new Set<string>()
  for (const v of r.bgp.vips) {
    if (v.prefix === null || v.state === 'missing') { rows.push({ label: `VIP ${v.vip}`, cls: 'vip', segments: [], note: 'missing: never announced' }); continue }
    const vr = routeRows(v.prefix, v.vip)
    if (vr.length === 0) rows.push({ label: `VIP ${v.vip}`, cls: 'vip', segments: [], note: v.state })
    rows.push(...vr)
    drawn.add(v.prefix)
  }
  const others = [...new Set(r.bgp.routes.map((e) => e.prefix))].filter((p) => !drawn.has(p))
  for (const p of others) rows.push(...routeRows(p, null))
  const shown = rows.slice(0, TIMELINE_LIMITS.routes)

  const sessions: Row[] = r.bgp.sessions.slice(0, TIMELINE_LIMITS.sessions).map((s) => {
    const a = msOf(s.firstTs)
    const b = msOf(s.lastTs)
    return {
      label: `${s.a} ↔ ${s.b}`,
      segments: a === null || b === null ? [] : [{ from: a, to: b, cls: s.established ? 'session' : 'session-down', title: `BGP ${h(s.a)} ↔ ${h(s.b)}: ${s.established ? 'established' : 'not established'}${s.reset ? ', reset' : ''}, ${s.updates} UPDATEs` }],
      points: s.notifications.flatMap((n) => {
        const t = msOf(n.ts)
        return t === null ? [] : [{ at: t, to: t, cls: 'notification', title: `NOTIFICATION ${n.code}/${n.subcode} from ${h(n.from)} at ${clock(n.ts)} (frame ${n.frame})${n.text === null ? '' : `: ${h(n.text)}`}` }]
      }),
    }
  })
  return [
    { title: 'BGP routes (expected VIPs first)', rows: shown, more: rows.length - shown.length },
    { title: 'BGP sessions', rows: sessions, more: r.bgp.sessions.length - sessions.length },
  ]
}

/** A row per severity; each finding a marker from its first to its last time, linked to its entry. */
function findingLane(r: Report, numbers: ReadonlyMap<number, number>): Lane {
  const rows: Row[] = []
  for (const sev of SEVERITIES) {
    const points: Point[] = []
    r.findings.forEach((fi, i) => {
      const number = numbers.get(i)
      const a = msOf(fi.firstTs)
      if (fi.severity !== sev || number === undefined || a === null) return
      const b = msOf(fi.lastTs) ?? a
      points.push({
        at: a, to: Math.max(a, b), cls: `finding sev-${sev}`, href: `#finding-${number}`, number,
        title: `#${number} ${h(fi.rule)} (${sev}): ${h(fi.message)}; ${clock(fi.firstTs)}${fi.lastTs !== null && fi.lastTs !== fi.firstTs ? ` to ${clock(fi.lastTs)}` : ''}`,
      })
    })
    if (points.length === 0) continue
    const numbered = points.length <= TIMELINE_LIMITS.numberedPerRow
    rows.push({ label: `${sev} (${points.length})`, cls: `sev-label sev-${sev}`, segments: [], points: numbered ? points : points.map(({ number: _, ...p }) => p) })
  }
  return { title: 'Findings', rows, more: 0 }
}
