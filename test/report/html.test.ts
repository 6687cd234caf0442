/**
 * `analyze --format html` on real reports (scenario captures through analyzeCaptures): the
 * sections of the Markdown report, every rule row, the findings with frames and filters, the SVG
 * timeline drawn from the model (phase boundary where completeAt is, DNS/NTP sources with DVM and
 * VIP told apart, VIP withdrawals, findings linked to their entries), hostile text escaped and never
 * markup, the same bytes for the same report, and nothing that points outside the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forHtml } from '../../src/report/escape.js'
import { msOf, TIMELINE_LIMITS } from '../../src/report/html-timeline.js'
import { HTML_LIMITS, reportHtml } from '../../src/report/html.js'
import type { Finding, Report } from '../../src/report/model.js'
import { validateReport } from '../../src/report/validate.js'
import { HOSTILE, hostileReport, scenarioReports } from './html-fixtures.js'

const NAMES = ['vip-withdrawn', 'healthy', 'dns-ntp-from-dvm-after-completion', 'bgp-notification-and-flap', 'explicit-proxy']
const DVM = '10.10.0.29'
const VIP_SOURCE = '203.0.113.5'

let reports: Map<string, Report>
let noPolicy: Report
let cleanup = () => {}

beforeAll(async () => {
  ;({ reports, noPolicy, cleanup } = await scenarioReports(NAMES))
}, 60_000)
afterAll(() => cleanup())

const get = (name: string) => { const r = reports.get(name)!; return { r, doc: reportHtml(r) } }

/** Every start tag: its name and its attributes (values unescaped of nothing: they are checked as written). */
function tags(doc: string): Array<{ name: string; attrs: Array<[string, string]> }> {
  return [...doc.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attrs: [...m[2]!.matchAll(/\s+([\w:-]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!.toLowerCase(), a[2] ?? ''] as [string, string]),
  }))
}

const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'strong', 'span', 'dl', 'dt', 'dd', 'code', 'nav', 'ul',
  'li', 'a', 'main', 'section', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'time', 'article', 'figure', 'figcaption', 'footer',
  'svg', 'g', 'rect', 'line', 'path', 'text',
])

/** The rows of the table under `<section id=...>` whose header starts with `firstHeader`, as raw cell HTML. */
function tableRows(doc: string, sectionId: string, firstHeader: string): string[][] {
  const section = doc.slice(doc.indexOf(`<section id="${sectionId}">`), doc.indexOf('</section>', doc.indexOf(`<section id="${sectionId}">`)))
  const table = section.split('<table').find((t) => t.includes(`<thead><tr><th scope="col">${firstHeader}</th>`))
  if (!table) throw new Error(`no table "${firstHeader}" in ${sectionId}`)
  const body = table.slice(table.indexOf('<tbody>'), table.indexOf('</tbody>'))
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td data-label="[^"]*"(?: class="num")?>(.*?)<\/td>/g)].map((c) => c[1]!))
}

/** The timeline's SVG source. */
const svgOf = (doc: string): string => doc.slice(doc.indexOf('<svg class="timeline-svg"'), doc.indexOf('</svg>') + 6)

describe('reportHtml: the document', () => {
  it('is one HTML document with the CSP, a title from the policy name and the verdict with every count', () => {
    const { doc } = get('vip-withdrawn')
    expect(doc.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true)
    expect(doc).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`)
    expect(doc).toContain('<title>Network audit: scenario-vip-withdrawn</title>')
    expect(doc).toContain('<strong>Verdict: FAIL</strong>')
    expect(doc).toMatch(/<span class="count sev-critical">1 critical<\/span> <span class="count sev-high">1 high<\/span> <span class="count sev-medium zero">0 medium<\/span>/)
    expect(doc).toContain('(fails on high or above)')
    expect(get('healthy').doc).toContain('<p class="verdict verdict-pass" id="verdict"><strong>Verdict: PASS</strong>')
    expect(doc.endsWith('</html>\n')).toBe(true)
  })

  it('has the Markdown report\'s sections in its order, after the timeline, each in the navigation', () => {
    for (const name of NAMES) {
      const { doc } = get(name)
      const ids = [...doc.matchAll(/<section id="([a-z]+)">\n<h2>/g)].map((m) => m[1])
      expect(ids.filter((s) => s !== 'vxlan'), name).toEqual(['timeline', 'captures', 'phase', 'rules', 'findings', 'dns', 'ntp', 'bgp', 'endpoints', 'flows'])
      for (const id of ids) expect(doc).toContain(`<li><a href="#${id}">`)
    }
  })

  it('lists every rule with its status, severity, finding count and reason', () => {
    for (const name of NAMES) {
      const { r, doc } = get(name)
      const rows = tableRows(doc, 'rules', 'Rule')
      expect(rows).toHaveLength(r.rules.length)
      r.rules.forEach((rule, i) => {
        const row = rows[i]!
        expect(row[0]).toBe(`<code class="rule-id" id="rule-${rule.id}">${rule.id}</code>`)
        expect(row[2]).toBe(`<span class="badge sev-${rule.severity}">${rule.severity}</span>`)
        expect(row[3]).toBe(`<span class="status status-${rule.status}">${rule.status}</span>`)
        expect(row[4]!.startsWith(String(rule.findings))).toBe(true)
        expect(row[5]).toBe(forHtml(rule.reason))
      })
    }
    const { r, doc } = get('vip-withdrawn')
    expect(r.rules.find((x) => x.id === 'slb-vip-advertised')!.status).toBe('fail')
    expect(doc).toContain(`${r.rules.filter((x) => x.status === 'fail').length} fail`)
  })

  it('gives every finding its entry: number, severity, rule link, message, frames with the file, time, flow and the filter as one code block', () => {
    for (const name of ['vip-withdrawn', 'dns-ntp-from-dvm-after-completion', 'explicit-proxy']) {
      const { r, doc } = get(name)
      expect(r.findings.length, name).toBeGreaterThan(0)
      r.findings.forEach((f: Finding, i) => {
        const start = doc.indexOf(`<article class="finding sev-${f.severity}" id="finding-${i + 1}">`)
        expect(start, `${name} #${i + 1}`).toBeGreaterThan(0)
        const entry = doc.slice(start, doc.indexOf('</article>', start))
        expect(entry).toContain(`<span class="number">#${i + 1}</span> <span class="badge sev-${f.severity}">${f.severity}</span> <a class="rule" href="#rule-${f.rule}">${f.rule}</a>: ${forHtml(f.message)}`)
        expect(entry).toContain(`<dt>Frames</dt><dd>${forHtml(f.file!)}: ${f.frames.join(', ')}</dd>`)
        expect(entry).toContain(`<dt>Filter</dt><dd><code class="filter">${forHtml(f.filter)}</code></dd>`)
        if (f.firstTs) expect(entry).toContain(`<dt>Time</dt><dd><time>${f.firstTs}</time>`)
        if (f.flow) expect(entry).toContain(`<dt>Flow</dt><dd>${f.flow.proto} `)
        // The rule link lands on the rule's row.
        expect(doc).toContain(`id="rule-${f.rule}"`)
      })
      const headings = [...doc.matchAll(/<h3 class="sev-heading sev-(\w+)">\w+ \((\d+)\)<\/h3>/g)].map((m) => [m[1], Number(m[2])])
      const expected = (['critical', 'high', 'medium', 'low', 'info'] as const).map((s) => [s, r.findings.filter((f) => f.severity === s).length]).filter(([, c]) => c)
      expect(headings, name).toEqual(expected)
    }
    expect(get('healthy').doc).toContain('<h2>Findings</h2>\n<p>None.</p>')
  })

  it('shows DNS and NTP by phase with each client\'s role, the VIP states and the route table', () => {
    const { r, doc } = get('dns-ntp-from-dvm-after-completion')
    const resolvers = tableRows(doc, 'dns', 'Phase')
    expect(resolvers.map((x) => [x[0], x[1], x[3]])).toEqual(r.dns.resolvers.map((x) => [x.phase, x.server, String(x.queries)]))
    const after = resolvers.find((x) => x[0] === 'after' && x[1] === '192.0.2.53')!
    expect(after[2]).toBe(`${DVM} <span class="role">(DVM)</span>, ${VIP_SOURCE} <span class="role">(VIP)</span>`)
    expect(tableRows(doc, 'ntp', 'Phase').map((x) => x[0])).toEqual(['during', 'after'])
    const w = get('vip-withdrawn')
    expect(tableRows(w.doc, 'bgp', 'VIP')).toEqual([
      ['203.0.113.10', '<strong class="bad">withdrawn</strong>', '203.0.113.10/32'],
      ['203.0.113.11', 'announced', '203.0.113.11/32'],
      ['203.0.113.74', 'announced', '203.0.113.74/32'],
    ])
    const routes = tableRows(w.doc, 'bgp', 'Prefix')
    expect(routes).toHaveLength(w.r.bgp.routes.length)
    expect(routes[0]!.slice(0, 2)).toEqual(['203.0.113.10/32', '10.10.1.2'])
    expect(routes[0]![5]).toBe('<time>2026-11-20T13:54:00.000000000Z</time> (frame 104)')
  })

  it('says what is missing without a policy', () => {
    const doc = reportHtml(noPolicy)
    expect(doc).toContain('<title>Network audit: no policy</title>')
    expect(doc).toContain('<dt>Policy</dt><dd>none (rules that need policy inputs are not-evaluable)</dd>')
    expect(doc).toContain('<p>Not assessed (no policy).</p>')
    expect(tableRows(doc, 'rules', 'Rule')).toHaveLength(noPolicy.rules.length)
    // No policy, no roles: the sources are drawn, none of them called DVM or VIP.
    expect(svgOf(doc)).toContain(`>${DVM} → 192.0.2.53</text>`)
    expect(svgOf(doc)).not.toContain('(DVM)')
  })
})

describe('reportHtml: the timeline', () => {
  /** x of a time on the axis, read back from the figure's own ticks (two labelled ticks give the scale). */
  function xOf(svg: string, iso: string): number {
    const ticks = [...svg.matchAll(/<text class="tick-label" x="([\d.]+)" y="\d+" text-anchor="middle">(\d\d:\d\d:\d\d)<\/text>/g)]
    const [a, b] = [ticks[0]!, ticks[1]!]
    const day = iso.slice(0, 11)
    const ta = msOf(`${day}${a[2]}.000000000Z`)!
    const tb = msOf(`${day}${b[2]}.000000000Z`)!
    return Number(a[1]) + ((msOf(iso)! - ta) / (tb - ta)) * (Number(b[1]) - Number(a[1]))
  }

  it('draws the phase bands and the completion line where completeAt is on the axis', () => {
    const { r, doc } = get('vip-withdrawn')
    const svg = svgOf(doc)
    const line = /<line class="boundary" x1="([\d.]+)" y1="\d+" x2="([\d.]+)"/.exec(svg)!
    expect(line[1]).toBe(line[2])
    expect(Math.abs(Number(line[1]) - xOf(svg, r.phase.deploymentComplete!))).toBeLessThan(0.2)
    const graceEnd = /<line class="grace-end" x1="([\d.]+)"/.exec(svg)!
    expect(Math.abs(Number(graceEnd[1]) - xOf(svg, '2026-11-20T14:01:00.000000000Z'))).toBeLessThan(0.2)
    for (const band of ['ph-during', 'ph-grace', 'ph-after']) expect(svg).toContain(`<rect class="${band}"`)
    expect(svg).toContain('>during deployment</text>')
    expect(doc).toContain('The solid line is deployment completion (2026-11-20T14:00:00.000000000Z, policy)')
  })

  it('draws DNS and NTP sources over time per client and server, the DVM and the VIP apart', () => {
    const { r, doc } = get('dns-ntp-from-dvm-after-completion')
    const svg = svgOf(doc)
    expect(svg).toContain(`class="row-label src-dvm" x="248" y="`)
    for (const label of [`${DVM} (DVM) → 192.0.2.53`, `${DVM} (DVM) → 192.0.2.54`, `${VIP_SOURCE} (VIP) → 192.0.2.53`, `${DVM} (DVM) → 192.0.2.123`, `${VIP_SOURCE} (VIP) → 192.0.2.123`]) {
      expect(svg).toContain(`>${label}</text>`)
    }
    // The DVM's DNS to 192.0.2.53 is two bars: during deployment, and once more after it (the finding).
    const dvmBars = [...svg.matchAll(/<rect class="bar src-dvm" x="([\d.]+)"[^>]*><title>10\.10\.0\.29 \(DVM\) → 192\.0\.2\.53, (\w+): (\d+) queries, ([\d:.]+) to ([\d:.]+)<\/title>/g)]
    expect(dvmBars.map((m) => [m[2], m[4]])).toEqual([['during', '13:51:10.000'], ['after', '14:01:10.000']])
    const after = r.dns.resolvers.find((x) => x.phase === 'after' && x.server === '192.0.2.53')!
    expect(Math.abs(Number(dvmBars[1]![1]) - xOf(svg, after.byClient!.find((c) => c.client === DVM)!.firstTs!))).toBeLessThan(0.2)
    expect(svg).toMatch(/<rect class="bar src-vip" [^>]*><title>203\.0\.113\.5 \(VIP\) → 192\.0\.2\.53, after: \d+ queries/)
  })

  it('draws BGP routes per VIP and peer with a cross at each withdrawal, and notifications on their session', () => {
    const { r, doc } = get('vip-withdrawn')
    const svg = svgOf(doc)
    const withdrawn = r.bgp.routes.filter((e) => e.withdrawnFrame !== null)
    expect([...svg.matchAll(/<path class="mark withdrawn"/g)]).toHaveLength(withdrawn.length)
    expect(svg).toContain('<title>203.0.113.10/32 via 10.10.1.2: withdrawn 13:54:00.000 (frame 104)</title>')
    const labels = [...svg.matchAll(/<text class="row-label vip"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1])
    expect(labels.slice(0, 2)).toEqual(['VIP 203.0.113.10/32 via 10.10.1.2', 'VIP 203.0.113.10/32 via 10.10.1.6'])
    const flap = svgOf(get('bgp-notification-and-flap').doc)
    expect(flap).toMatch(/<path class="mark notification" [^>]*><title>NOTIFICATION 4\/0 from 10\.10\.1\.1 at 13:53:00\.000 \(frame 103\)<\/title>/)
  })

  it('marks every finding with a link to its entry, by severity, with lines across the lanes for the serious ones', () => {
    for (const name of ['vip-withdrawn', 'dns-ntp-from-dvm-after-completion', 'bgp-notification-and-flap']) {
      const { r, doc } = get(name)
      const svg = svgOf(doc)
      const links = [...svg.matchAll(/<a href="#finding-(\d+)"><rect class="mark finding sev-(\w+)"/g)].map((m) => [Number(m[1]), m[2]])
      expect(links, name).toEqual(r.findings.map((f, i) => [i + 1, f.severity]))
      for (const [n] of links) expect(doc).toContain(`id="finding-${n}"`)
      const serious = r.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').length
      expect([...svg.matchAll(/<line class="guide sev-/g)]).toHaveLength(Math.min(serious, TIMELINE_LIMITS.guides))
    }
    expect(svgOf(get('healthy').doc)).not.toContain('mark finding')
    // Findings a few milliseconds apart share one number label instead of printing over each other.
    const flap = get('bgp-notification-and-flap')
    const numbers = [...svgOf(flap.doc).matchAll(/<text class="mark-number"[^>]*>([\d,]+)<\/text>/g)].map((m) => m[1])
    expect(numbers.join(',').split(',').map(Number).sort((a, b) => a - b)).toEqual(flap.r.findings.map((_, i) => i + 1))
    expect(numbers).toContain('2,3')
  })

  it('says how many findings it could not place (no time) and draws the others', () => {
    const r = structuredClone(get('vip-withdrawn').r)
    r.findings[0]!.firstTs = null
    r.findings[0]!.lastTs = null
    const doc = reportHtml(r)
    expect(doc).toContain('1 finding has no time and is not drawn.</figcaption>')
    expect([...svgOf(doc).matchAll(/<a href="#finding-(\d+)">/g)].map((m) => m[1])).toEqual(['2'])
    expect(get('vip-withdrawn').doc).not.toContain('not drawn')
  })

  it('says so when the capture has no time at all', () => {
    const r = structuredClone(get('healthy').r)
    for (const c of r.captures) { c.firstTs = null; c.lastTs = null }
    r.dns.resolvers = []; r.ntp.servers = []; r.bgp.routes = []; r.findings = []
    const doc = reportHtml(r)
    expect(doc).toContain('<p class="note">No timeline: no packet in the capture had a timestamp.</p>')
    expect(doc).not.toContain('<svg')
  })

  it('puts a completion outside the capture in words, not on the axis', () => {
    const r = structuredClone(get('healthy').r)
    r.phase.deploymentComplete = '2026-11-19T10:00:00.000000000Z'
    const doc = reportHtml(r)
    expect(doc).not.toContain('class="boundary"')
    expect(doc).toContain('Deployment complete at 2026-11-19T10:00:00.000000000Z, before this window: all of it is after deployment.')
  })
})

describe('reportHtml: long lists', () => {
  it('shows the first findings as the Markdown report does, points at the JSON for the rest, and marks only those shown', () => {
    const r = structuredClone(get('vip-withdrawn').r)
    const one = r.findings[1]!
    r.findings = Array.from({ length: HTML_LIMITS.findings + 30 }, (_, i) => ({ ...one, frames: [1000 + i] }))
    const doc = reportHtml(r)
    expect([...doc.matchAll(/<article class="finding/g)]).toHaveLength(HTML_LIMITS.findings)
    expect(doc).toContain('<p class="more">… and 30 more high findings (see the JSON report).</p>')
    expect([...svgOf(doc).matchAll(/<a href="#finding-/g)]).toHaveLength(HTML_LIMITS.findings)
    expect(svgOf(doc)).not.toContain('class="mark-number"') // too many to number legibly
  })
})

describe('reportHtml: hostile text', () => {
  it('forHtml escapes the five metacharacters and shows controls, newlines, bidi and lone surrogates', () => {
    expect(forHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    expect(forHtml('a\x1b[2J\r\n\tb\x7f\x9b')).toBe('a\\x1b[2J\\x0d\\x0a\\x09b\\x7f\\x9b')
    expect(forHtml('x\u202ey\u2066z\u200f\u2028')).toBe('x\\u{202e}y\\u{2066}z\\u{200f}\\u{2028}')
    expect(forHtml('\ud800 münchen 😀')).toBe('\ufffd münchen 😀')
  })

  it('turns no captured string into markup: only the renderer\'s own tags, no handler attribute, the payload shown escaped', () => {
    const r = hostileReport(get('bgp-notification-and-flap').r)
    const doc = reportHtml(r)
    const all = tags(doc)
    expect(new Set(all.map((t) => t.name))).toEqual(ALLOWED_TAGS) // the reader sees every tag the renderer writes
    for (const t of all) {
      expect(ALLOWED_TAGS.has(t.name), t.name).toBe(true)
      for (const [name, value] of t.attrs) {
        expect(name.startsWith('on'), `${t.name} ${name}`).toBe(false)
        expect(value).not.toMatch(/[<>"]/)
      }
    }
    expect(doc).not.toContain('<script')
    expect(doc).not.toContain('<img')
    expect(doc).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/)
    const shown = forHtml(HOSTILE)
    expect(shown).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39; onmouseover=&quot;alert(3) &amp;amp; \\x1b[2J \\u{202e} \ufffd \\x0anext')
    expect(doc).toContain(`<title>Network audit: ${shown}</title>`)
    expect(doc).toContain(`<code class="filter">dns.qry.name == &quot;${shown}&quot;</code>`)
    expect(doc).toContain(`<td data-label="Text">${shown}</td>`) // the BGP notification's text
    expect(doc).toMatch(new RegExp(`<title>NOTIFICATION 4/0 from 10\\.10\\.1\\.1 at [\\d:.]+ \\(frame 103\\): ${shown.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}</title>`))
    expect(doc).not.toMatch(/^next/m)
  })
})

describe('reportHtml: self-contained and deterministic', () => {
  it('refers to nothing outside the file: links are fragments, no src, no url() or @import in the CSS', () => {
    for (const [name] of reports) {
      const doc = reportHtml(reports.get(name)!)
      for (const t of tags(doc)) {
        for (const [attr, value] of t.attrs) {
          expect(['src', 'srcset', 'xlink:href', 'action', 'formaction', 'poster', 'background'].includes(attr), `${name}: ${t.name} ${attr}`).toBe(false)
          if (attr === 'href') expect(value, name).toMatch(/^#[\w-]+$/)
          expect(value).not.toMatch(/https?:|\/\//)
        }
        expect(['script', 'link', 'img', 'iframe', 'object', 'embed', 'base'].includes(t.name)).toBe(false)
      }
      const css = doc.slice(doc.indexOf('<style>'), doc.indexOf('</style>'))
      expect(css).not.toMatch(/url\(|@import|@font-face|https?:/)
    }
  })

  it('gives the same bytes for the same report', () => {
    for (const [name, r] of reports) expect(reportHtml(structuredClone(r)), name).toBe(reportHtml(r))
  })

  it('rests on a report that its schema accepts, byClient included', () => {
    const { r } = get('dns-ntp-from-dvm-after-completion')
    expect(validateReport(r)).toEqual([])
    const after = r.dns.resolvers.find((x) => x.phase === 'after' && x.server === '192.0.2.53')!
    expect(after.byClient!.map((c) => [c.client, c.role])).toEqual([[DVM, 'dvm'], [VIP_SOURCE, 'infra-vip']])
    expect(after.byClient!.reduce((a, c) => a + c.count, 0)).toBe(after.queries)
    expect(after.byClient!.find((c) => c.client === DVM)!.firstTs).toBe(after.firstTs)
    const ntpAfter = r.ntp.servers.find((x) => x.phase === 'after')!
    expect(ntpAfter.byClient!.map((c) => c.client)).toEqual(ntpAfter.clients)
    expect(noPolicy.dns.resolvers[0]!.byClient![0]!.role).toBeNull()
  })
})
