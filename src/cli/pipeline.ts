/**
 * What `flows` and `analyze` share: one pipeline run with the progress line on stderr (TTY only,
 * --no-progress). The worker count is workers.ts's.
 */
import { runPipeline, type PipelineResult } from '../engine/run.js'
import { createProgress, type Progress } from './progress.js'
import { UsageError } from './errors.js'

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
