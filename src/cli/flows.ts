/**
 * `hubcap flows <capture...>`: the flow table of one observation window (several captures are
 * one window), from the same worker pipeline as `analyze`. The table shows the top flows by bytes
 * (20 unless --top says otherwise); json, ndjson and csv write every flow (at most
 * limits.MAX_KEPT_FLOWS; the JSON says when more existed) unless --top caps them.
 */
import type { FlowSummary } from '../flow/tracker.js'
import { DEFAULT_TABLE_ROWS, MAX_KEPT_FLOWS } from '../decode/limits.js'
import { flowsCsvChunks, flowsJsonChunks, flowsNdjsonChunks, flowsTable, type FlowsSummary } from '../report/flows-format.js'
import { forTerminal } from '../report/escape.js'
import { ExitCode, UsageError } from './errors.js'
import { openOutput } from './output.js'
import { FLOW_FORMATS, type FlowFormat } from './formats.js'
import { runWithProgress } from './pipeline.js'
import { parseWorkers } from './workers.js'

export interface FlowsOptions {
  format?: string
  output?: string
  workers?: string
  top?: string
  progress?: boolean
  vxlanPort?: number[]
}

function parseTop(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text)) throw new UsageError(`--top: "${text}" is not a number of flows`)
  return Math.min(Number(text), MAX_KEPT_FLOWS)
}

export async function runFlows(files: string[], opts: FlowsOptions): Promise<number> {
  const format = (opts.format ?? 'table') as FlowFormat
  if (!FLOW_FORMATS.includes(format)) throw new UsageError(`--format: "${opts.format}" is not one of ${FLOW_FORMATS.join(', ')}`)
  const top = parseTop(opts.top)
  const workers = parseWorkers(opts.workers)
  const out = openOutput(opts.output)
  const keepAll = format !== 'table' && top === undefined
  const topN = top ?? (format === 'table' ? DEFAULT_TABLE_ROWS : 0)
  const run = await runWithProgress({
    files, workers, analyzer: 'flows', config: { topN, keepAll, ...(opts.vxlanPort?.length ? { vxlanPorts: opts.vxlanPort } : {}) },
    progress: opts.progress !== false, ...(opts.vxlanPort ? { vxlanPorts: opts.vxlanPort } : {}),
  })
  const s = run.result as FlowSummary
  const summary: FlowsSummary = {
    count: s.count,
    top: keepAll ? (s.all ?? []) : s.top,
    byProto: s.byProto,
    byState: s.byState,
    // The window's totals (captured bytes), not just the listed flows'.
    packets: run.captures.reduce((n, c) => n + c.packets, 0),
    bytes: run.captures.reduce((n, c) => n + c.bytes, 0),
  }
  if (format === 'table') await out.write(flowsTable(summary, { top: topN }))
  else {
    const chunks = format === 'json' ? flowsJsonChunks(summary) : format === 'ndjson' ? flowsNdjsonChunks(summary) : flowsCsvChunks(summary)
    let buffered = ''
    for (const c of chunks) {
      buffered += c
      if (buffered.length >= 1 << 20) { await out.write(buffered); buffered = '' }
    }
    if (buffered) await out.write(buffered)
  }
  await out.close()
  for (const c of run.captures) {
    for (const w of c.warnings) process.stderr.write(forTerminal(`hubcap: warning: ${c.file}: byte ${w.offset}: ${w.message}`) + '\n')
  }
  if (keepAll && s.allComplete === false) {
    process.stderr.write(`hubcap: warning: ${s.count} flows; only the first ${MAX_KEPT_FLOWS} in output order were written\n`)
  }
  if (s.evicted > 0) process.stderr.write(`hubcap: warning: ${s.evicted} flows were evicted from a full flow table (their records were written early)\n`)
  return ExitCode.Ok
}
