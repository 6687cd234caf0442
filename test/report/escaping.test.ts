/**
 * Captured strings are hostile (DNS names, SNI, HTTP targets, BGP shutdown text, file names). One
 * hostile report, a real one with its strings overwritten (html-fixtures.ts hostileReport, with this
 * file's payload), goes through every renderer: the terminal table must carry no raw control or bidi
 * character, the JSON must parse back to the same strings, the Markdown must keep its structure (no
 * raw controls, every table row with its header's cells, no raw `<script>` outside code spans, no
 * injected line), the HTML no raw script or control. Then the same through the real pipeline: a
 * capture whose file name and DNS name carry the payloads.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeCaptures } from '../../src/cli/analyze.js'
import { loadPolicy } from '../../src/policy/load.js'
import { forMarkdown, forMarkdownCode } from '../../src/report/escape.js'
import { reportHtml } from '../../src/report/html.js'
import { reportJson } from '../../src/report/json.js'
import { reportMarkdown } from '../../src/report/markdown.js'
import type { Report } from '../../src/report/model.js'
import { reportTable } from '../../src/report/table.js'
import { examplePolicy, writePcap, wrongResolverFrames } from '../support/analyze-captures.js'
import { hostileReport, scenarioReports } from './html-fixtures.js'
import { codeSpans, table, tables, withoutCodeSpans } from './markdown-reading.js'

/** Every payload at once: HTML, a table pipe, an ANSI clear screen, a bidi override, backticks, a lone surrogate, U+FFFD, a newline. */
const H = '<script>alert(1)</script> a|b \x1b[2J \u202e `tick` ``two`` \ud800 \ufffd\nnext line'
/** H as a code span shows it: controls visible, the lone surrogate replaced, nothing else touched. */
const H_IN_CODE = '<script>alert(1)</script> a|b \\x1b[2J \\u{202e} `tick` ``two`` \ufffd \ufffd\\x0anext line'

const RAW_CONTROL_OR_BIDI = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const root = mkdtempSync(join(tmpdir(), 'hubcap-escaping-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let hostile: Report
let cleanup = (): void => {}
afterAll(() => cleanup())

beforeAll(async () => {
  const made = await scenarioReports(['bgp-notification-and-flap'])
  cleanup = made.cleanup
  hostile = hostileReport(made.reports.get('bgp-notification-and-flap')!, H)
})

describe('forMarkdown', () => {
  it('backslash-escapes what would open Markdown structure', () => {
    expect(forMarkdown('<script>alert(1)</script>')).toBe('\\<script\\>alert(1)\\</script\\>')
    expect(forMarkdown('a|b')).toBe('a\\|b')
    expect(forMarkdown('*_[x](y)#`~&\\')).toBe('\\*\\_\\[x\\](y)\\#\\`\\~\\&\\\\')
  })

  it('shows control characters, newlines and bidi overrides as escapes, so a value stays on its line', () => {
    expect(forMarkdown('x\x1b[2J\r\ny')).toBe('x\\x1b\\[2J\\x0d\\x0ay')
    expect(forMarkdown('a\u202eb\u2028c\x9b')).toBe('a\\u{202e}b\\u{2028}c\\x9b')
  })

  it('replaces lone surrogates with U+FFFD and keeps real Unicode', () => {
    expect(forMarkdown('\ud800x\udc00\ufffd')).toBe('\ufffdx\ufffd\ufffd')
    expect(forMarkdown('münchen 😀')).toBe('münchen 😀')
  })

  it('escapes a list or setext marker at the start, and only a real one', () => {
    expect(forMarkdown('- item')).toBe('\\- item')
    expect(forMarkdown('+ item')).toBe('\\+ item')
    expect(forMarkdown('=')).toBe('\\=')
    expect(forMarkdown('1. item')).toBe('1\\. item')
    expect(forMarkdown('2)')).toBe('2\\)')
    expect(forMarkdown('192.0.2.1')).toBe('192.0.2.1')
    expect(forMarkdown('-x a-b')).toBe('-x a-b')
  })
})

describe('forMarkdownCode', () => {
  it('keeps a display filter as it is, pipes included', () => {
    expect(forMarkdownCode('ip.src == 10.0.0.1 || tcp.port == 443')).toBe('`ip.src == 10.0.0.1 || tcp.port == 443`')
  })

  it('fences with one backtick more than the longest run inside, padding a backtick at an end', () => {
    expect(forMarkdownCode('x`y')).toBe('``x`y``')
    expect(forMarkdownCode('a``b')).toBe('```a``b```')
    expect(forMarkdownCode('`a`')).toBe('`` `a` ``')
    expect(forMarkdownCode(' a ')).toBe('`  a  `')
    expect(forMarkdownCode('')).toBe('` `')
  })

  it('shows controls and newlines as escapes and replaces lone surrogates', () => {
    expect(forMarkdownCode('q\x1b[2J\n\u202e')).toBe('`q\\x1b[2J\\x0a\\u{202e}`')
    expect(forMarkdownCode('\ud800')).toBe('`\ufffd`')
  })
})

describe('one hostile report through every renderer', () => {
  it('table: no raw control, C1 or bidi character; the payloads shown escaped', () => {
    const out = reportTable(hostile)
    expect(out).not.toMatch(RAW_CONTROL_OR_BIDI)
    expect(out).toContain('\\x1b[2J')
    expect(out).toContain('\\u{202e}')
    expect(out).not.toMatch(/^next line/m)
  })

  it('json: parses back to the same strings, with no raw escape or bidi character', () => {
    const out = reportJson(hostile)
    expect(out).not.toMatch(RAW_CONTROL_OR_BIDI)
    expect(out).not.toMatch(LONE_SURROGATE)
    const back = JSON.parse(out) as Report
    expect(back).toEqual(hostile)
    expect(back.findings[0]!.message).toBe(H)
    expect(back.bgp.sessions.flatMap((x) => x.notifications)[0]!.text).toBe(H)
  })

  it('markdown: no raw controls, bidi or lone surrogates', () => {
    const out = reportMarkdown(hostile)
    expect(out).not.toMatch(RAW_CONTROL_OR_BIDI)
    expect(out).not.toMatch(LONE_SURROGATE)
    expect(out).not.toMatch(/^next line/m) // the payload's newline made no line of its own
  })

  it('markdown: every table row has its header\'s cell count, the pipe kept inside its cell', () => {
    const out = reportMarkdown(hostile)
    const all = tables(out)
    expect(all.length).toBeGreaterThanOrEqual(8)
    for (const t of all) for (const row of t.rows) expect(row.length, t.lines.join('\n')).toBe(t.head.length)
    const names = table(out, 'Name').rows[0]!
    expect(names[0]).toBe(forMarkdown(H))
    expect(names[0]).toContain('a\\|b')
    expect(table(out, 'Session').rows[0]![3]).toBe(forMarkdown(H)) // the BGP notification text
    expect(table(out, 'Endpoint').rows[0]![0]).toBe(forMarkdown(H))
  })

  it('markdown: no raw <script> outside code spans; each filter is one code span that reads back as the filter', () => {
    const out = reportMarkdown(hostile)
    expect(withoutCodeSpans(out)).not.toContain('<script>')
    expect(out).toContain('\\<script\\>alert(1)\\</script\\>')
    const filterLines = out.split('\n').filter((l) => l.startsWith('  - Filter: '))
    expect(filterLines).toHaveLength(hostile.findings.length)
    for (const line of filterLines) {
      expect(line.startsWith('  - Filter: ```')).toBe(true) // the payload holds a run of two backticks
      expect(codeSpans(line)).toEqual([`dns.qry.name == "${H_IN_CODE}"`])
    }
    expect(out.split('\n')[0]).toBe(`# Network audit: ${forMarkdown(H)}`)
  })

  it('html: no raw <script>, no raw control character', () => {
    const out = reportHtml(hostile)
    expect(out).not.toMatch(RAW_CONTROL_OR_BIDI)
    expect(out).not.toContain('<script>alert(1)')
    expect(out).not.toMatch(LONE_SURROGATE)
  })
})

describe('hostile text from a real capture', () => {
  it('a file name and a DNS name carrying the payloads keep the Markdown whole', async () => {
    const dir = join(root, 'evil\x1b[2Jdir|x')
    mkdirSync(dir)
    const policy = join(root, 'policy.yaml')
    writeFileSync(policy, examplePolicy())
    const name = 'x\x1b[2J<script>alert(1)</script>|a`b.example.com'
    const capture = writePcap(dir, 'c\x1b]0;owned\x07.pcap', wrongResolverFrames(name))
    const report = await analyzeCaptures([capture], { policy: loadPolicy(policy), workers: 1, failOn: 'high', progress: false })
    const finding = report.findings.find((f) => f.rule === 'dvm-dns-to-forwarder')!
    expect(finding.message).toContain('<script>')
    const out = reportMarkdown(report)
    expect(out).not.toMatch(RAW_CONTROL_OR_BIDI)
    expect(withoutCodeSpans(out)).not.toContain('<script>')
    for (const t of tables(out)) for (const row of t.rows) expect(row.length, t.lines.join('\n')).toBe(t.head.length)
    expect(table(out, 'File').rows[0]![0]).toBe(forMarkdown(capture))
    expect(table(out, 'File').rows[0]![0]).toContain('evil\\x1b\\[2Jdir\\|x/c\\x1b\\]0;owned\\x07.pcap')
    const filters = out.split('\n').filter((l) => l.startsWith('  - Filter: ')).flatMap(codeSpans)
    expect(filters).toEqual(report.findings.map((f) => f.filter))
  })
})
