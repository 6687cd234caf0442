/**
 * What `flows` and `analyze` share: the worker count (default: one per core, as the contract
 * says), and one pipeline run with the progress line on stderr (TTY only, --no-progress).
 */
import { availableParallelism } from 'node:os'
import { runPipeline, type PipelineResult } from '../engine/run.js'
import { createProgress, type Progress } from './progress.js'
import { UsageError } from './errors.js'

/** `--workers` text -> count; undefined -> the machine's cores. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return defaultWorkers()
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 256) throw new UsageError(`--workers: "${text}" is not a worker count (1-256)`)
  return Number(text)
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism())
}

export interface RunOptions {
  files: string[]
  workers: number
  analyzer: string
  config: unknown
  progress: boolean
  vxlanPorts?: number[]
}

export async function runWithProgress(o: RunOptions): Promise<PipelineResult> {
  if (o.files.filter((f) => f === '-').length > 1) throw new UsageError("standard input ('-') can be read only once")
  const bar: { progress: Progress | null } = { progress: null }
  try {
    return await runPipeline({
      files: o.files,
      workers: o.workers,
      analyzer: o.analyzer,
      config: o.config,
      ...(o.vxlanPorts && o.vxlanPorts.length > 0 ? { vxlanPorts: o.vxlanPorts } : {}),
      onProgress: (p) => {
        bar.progress ??= createProgress({ enabled: o.progress, totalBytes: p.bytesTotal })
        if (p.done) bar.progress.stop()
        else bar.progress.update(p.bytesRead, p.packets, p.flows ?? -1)
      },
    })
  } finally {
    bar.progress?.stop()
  }
}
