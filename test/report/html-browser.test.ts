/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium`, or the one named by
 * PLAYWRIGHT_CHROMIUM_PATH) driven by playwright-core, loading report files written from real
 * scenario reports. The page must show the verdict and every rule, draw the timeline with the phase
 * boundary, make no request but the document itself and log no error (a CSP violation would show
 * there), stay inert with hostile text (no script or img element, no dialog), fit a phone's width
 * and hide the navigation in print. Screenshots for review go to test/artifacts/ (not committed).
 *
 * Skips, saying so, only when no Chromium is installed (.ci/run installs it when it can).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportHtml } from '../../src/report/html.js'
import type { Report } from '../../src/report/model.js'
import { hostileReport, scenarioReports } from './html-fixtures.js'

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url))

/** PLAYWRIGHT_CHROMIUM_PATH, else /usr/bin/chromium, else chromium or chromium-browser on PATH; null when none. */
function findChromium(): string | null {
  const named = process.env.PLAYWRIGHT_CHROMIUM_PATH
  if (named) return existsSync(named) ? named : null
  for (const path of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(path)) return path
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim()
      if (path) return path
    } catch { /* not on PATH */ }
  }
  return null
}

const CHROMIUM = findChromium()
const SKIP_REASON = process.env.PLAYWRIGHT_CHROMIUM_PATH
  ? `skipped: PLAYWRIGHT_CHROMIUM_PATH names ${process.env.PLAYWRIGHT_CHROMIUM_PATH}, which does not exist`
  : 'skipped: no Chromium found (/usr/bin/chromium, chromium-browser on PATH, or PLAYWRIGHT_CHROMIUM_PATH); `apt-get install chromium` to run it'
if (!CHROMIUM) console.warn(`html-browser.test.ts: ${SKIP_REASON}`)

describe.skipIf(!CHROMIUM)(`the HTML report in headless Chromium${CHROMIUM ? '' : ` (${SKIP_REASON})`}`, () => {
  let browser: Browser
  let reports: Map<string, Report>
  let cleanup = () => {}
  let dir = ''
  const files = new Map<string, string>()

  beforeAll(async () => {
    const [launched, built] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM!, headless: true }),
      scenarioReports(['vip-withdrawn', 'healthy', 'bgp-notification-and-flap']),
    ])
    browser = launched
    dir = mkdtempSync(join(tmpdir(), 'hubcap-html-browser-'))
    reports = built.reports
    cleanup = built.cleanup
    const pages: Array<[string, Report]> = [...reports, ['hostile', hostileReport(reports.get('bgp-notification-and-flap')!)]]
    for (const [name, r] of pages) {
      const file = join(dir, `${name}.html`)
      writeFileSync(file, reportHtml(r))
      files.set(name, file)
    }
    mkdirSync(ARTIFACTS, { recursive: true })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    cleanup()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** Opens a report file and records what the page asked for, logged as an error, and raised as a dialog. */
  async function open(name: string, viewport = { width: 1280, height: 900 }) {
    const url = pathToFileURL(files.get(name)!).href
    const context = await browser.newContext({ viewport })
    context.setDefaultTimeout(5000)
    const page = await context.newPage()
    const requests: string[] = []
    const errors: string[] = []
    const dialogs: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()) })
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss() })
    await page.goto(url, { waitUntil: 'load' })
    return { page, url, requests, errors, dialogs, close: () => context.close() }
  }

  const visible = (page: Page, selector: string) => page.locator(selector).isVisible()
  // Code that runs in the page is passed as a string: the project compiles without the DOM library.

  it('shows the verdict, every rule and the timeline with the phase boundary; asks for nothing but the file', async () => {
    const r = reports.get('vip-withdrawn')!
    const { page, url, requests, errors, dialogs, close } = await open('vip-withdrawn')
    expect(requests).toEqual([url])
    expect(errors).toEqual([])
    expect(dialogs).toEqual([])
    expect(await visible(page, '#verdict')).toBe(true)
    expect(await page.locator('#verdict strong').innerText()).toBe('Verdict: FAIL')
    for (const rule of r.rules) {
      const cell = page.locator(`[id="rule-${rule.id}"]`)
      expect(await cell.isVisible(), rule.id).toBe(true)
      expect(await cell.innerText()).toBe(rule.id)
    }
    expect(await visible(page, 'svg.timeline-svg')).toBe(true)
    const boundary = page.locator('svg.timeline-svg line.boundary')
    expect(await boundary.count()).toBe(1)
    const box = (await boundary.boundingBox())!
    expect(box.height).toBeGreaterThan(200) // across every lane
    expect(await page.locator('svg.timeline-svg path.mark.withdrawn').count()).toBe(r.bgp.routes.filter((e) => e.withdrawnFrame !== null).length)
    // A finding marker is a link that lands on its entry.
    await page.locator('svg.timeline-svg a[href="#finding-1"] rect').click()
    expect(await page.evaluate('location.hash')).toBe('#finding-1')
    expect(await visible(page, '#finding-1')).toBe(true)
    expect(requests).toEqual([url])
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true })
    await close()
  })

  it('shows PASS for the healthy capture with every rule', async () => {
    const r = reports.get('healthy')!
    const { page, url, requests, errors, close } = await open('healthy')
    expect(await page.locator('#verdict strong').innerText()).toBe('Verdict: PASS')
    for (const rule of r.rules) expect(await page.locator(`[id="rule-${rule.id}"]`).isVisible(), rule.id).toBe(true)
    expect(requests).toEqual([url])
    expect(errors).toEqual([])
    await close()
  })

  it('fits a phone: nothing wider than the screen but the picture\'s own scroll box; tables as labelled blocks', async () => {
    const { page, requests, url, close } = await open('vip-withdrawn', { width: 390, height: 844 })
    const widths = await page.evaluate('({ page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth })') as { page: number; screen: number }
    expect(widths.page).toBeLessThanOrEqual(widths.screen)
    expect(await visible(page, '#verdict')).toBe(true)
    expect(await visible(page, 'table.rules thead')).toBe(false)
    expect(await page.evaluate(`getComputedStyle(document.querySelector('table.rules td[data-label="Status"]'), '::before').content`)).toBe('"Status: "')
    expect(requests).toEqual([url])
    await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: false })
    await close()
  })

  it('prints without the navigation and with nothing cut by a scroll box', async () => {
    const { page, close } = await open('vip-withdrawn')
    await page.emulateMedia({ media: 'print' })
    expect(await visible(page, 'nav')).toBe(false)
    expect(await visible(page, '#verdict')).toBe(true)
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.figure-scroll')).overflowX`)).toBe('visible')
    await close()
  })

  it('stays inert with hostile text: no script or img element, no handler, no dialog, the payload shown as text', async () => {
    const { page, url, requests, errors, dialogs, close } = await open('hostile')
    await page.locator('svg.timeline-svg').hover()
    await page.mouse.move(10, 10)
    expect(dialogs).toEqual([])
    expect(await page.locator('script, img, iframe, object, embed, link').count()).toBe(0)
    const handlers = await page.evaluate("[...document.querySelectorAll('*')].flatMap((e) => e.getAttributeNames().filter((a) => a.startsWith('on')))")
    expect(handlers).toEqual([])
    expect(await page.title()).toContain('<script>alert(1)</script><img src=x onerror=alert(2)>')
    expect(await page.locator('#verdict').isVisible()).toBe(true)
    expect(await page.locator('code.filter').first().innerText()).toContain('dns.qry.name == "<script>alert(1)</script><img src=x onerror=alert(2)>"')
    expect(requests).toEqual([url])
    expect(errors).toEqual([])
    await page.screenshot({ path: join(ARTIFACTS, 'report-hostile.png'), fullPage: false })
    await close()
  })
})
