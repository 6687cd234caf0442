/**
 * The progress line of `analyze` and `flows`, on cli-progress (contract: "A progress bar goes to
 * stderr when stderr is a TTY and --no-progress is not given; never into stdout").
 *
 *   const progress = createProgress({ enabled: !opts.noProgress, totalBytes: size })
 *   try { for (...) progress.update(bytesRead, packets, flows) } finally { progress.stop() }
 *
 * Shown only when `enabled` and the stream (default stderr) is a TTY, and never on stdout;
 * otherwise every call is a no-op. With a known total (a file's size) it draws a bar, the
 * percentage and an ETA; with none (stdin) bytes read and the rate only. `bytesRead` and
 * `totalBytes` must count the same thing (for a gzip file: compressed bytes read from disk).
 * Redraws are throttled by cli-progress (at most 10 a second; an update between redraws only
 * stores the numbers), so `update` can be called once per batch. Call `stop()` in a `finally`:
 * the bar's redraw timer keeps the event loop alive until then. The line is cleared on stop.
 *
 * Not registered for SIGINT/SIGTERM (cli-progress's gracefulExit would swallow Ctrl-C), and the
 * terminal's cursor and line-wrap settings are left alone, so an interrupted run leaves nothing
 * set; the line is cut to the terminal width instead of relying on disabled wrapping.
 */
import cliProgress from 'cli-progress'

export interface Progress {
  /** Totals so far (not increments). */
  update(bytesRead: number, packets: number, flows: number): void
  /** Clears the line; further calls do nothing. */
  stop(): void
  /** Whether anything is drawn at all. */
  readonly active: boolean
}

export interface ProgressOptions {
  enabled: boolean
  /** Bytes the input will have (a file's size), or null when unknown (stdin). */
  totalBytes: number | null
  /** Default process.stderr. */
  stream?: NodeJS.WriteStream
}

const NOOP: Progress = { update() {}, stop() {}, active: false }

const BAR_WIDTH = 24
const grouped = (n: number): string => Math.round(n).toLocaleString('en-US')
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?'
  if (s < 60) return `${Math.round(s)}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

interface Payload { packets: number; flows: number }

/** The line itself (exported for tests): MB = 10^6 bytes. */
export function progressLine(bytesRead: number, totalBytes: number | null, packets: number, flows: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? bytesRead / 1e6 / (elapsedMs / 1000) : 0
  // A negative flow count (an analyzer that does not count flows) leaves them out.
  const flowText = flows >= 0 ? ` | ${grouped(flows)} flows` : ''
  const counts = `${mb(bytesRead)}${totalBytes !== null ? `/${mb(totalBytes)}` : ''} MB | ${rate.toFixed(1)} MB/s | ${grouped(packets)} packets${flowText}`
  if (totalBytes === null || totalBytes <= 0) return `${counts} | ${seconds(elapsedMs / 1000)}`
  const fraction = Math.min(1, Math.max(0, bytesRead / totalBytes))
  const filled = Math.round(fraction * BAR_WIDTH)
  const bar = `${'='.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`
  const eta = rate > 0 ? seconds((totalBytes - bytesRead) / 1e6 / rate) : '?'
  return `[${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}% | ${counts} | ETA ${eta}`
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr
  if (!opts.enabled || stream.isTTY !== true || stream === process.stdout) return NOOP
  const total = opts.totalBytes
  let started = 0
  const bar = new cliProgress.SingleBar({
    stream,
    fps: 10,
    clearOnComplete: true,
    hideCursor: false,
    linewrap: true,
    gracefulExit: false,
    format: (_options, params, payload) => {
      const p = payload as Payload
      const line = progressLine(params.value, total, p.packets, p.flows, Date.now() - started)
      // One column short of the width: writing into the last column wraps on some terminals.
      const width = Math.max(10, (params.maxWidth || 80) - 1)
      return line.length > width ? line.slice(0, width) : line
    },
  })
  started = Date.now()
  bar.start(total ?? 0, 0, { packets: 0, flows: 0 } satisfies Payload)
  let stopped = false
  const payload: Payload = { packets: 0, flows: 0 }
  return {
    active: true,
    update(bytesRead, packets, flows) {
      if (stopped) return
      payload.packets = packets
      payload.flows = flows
      bar.update(bytesRead, payload)
    },
    stop() {
      if (stopped) return
      stopped = true
      bar.stop()
    },
  }
}
