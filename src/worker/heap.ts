/**
 * The flags and heap limit a worker thread starts with.
 *
 * A worker inherits the process's Node options unless given its own `execArgv`; V8 and per-process
 * options (--max-old-space-size, --stack-size, ...) are refused in an explicit list
 * (ERR_WORKER_INVALID_EXEC_ARGV: `node --max-old-space-size=2048 hubcap analyze ...` failed to start
 * its workers). So the list passed on is the process's options less those, and a heap size the user
 * set with --max-old-space-size (flag or NODE_OPTIONS) becomes the worker's resource limit; without
 * one, every worker gets limits.WORKER_HEAP_MB.
 */
import type { ResourceLimits } from 'node:worker_threads'
import { WORKER_HEAP_MB } from '../decode/limits.js'

/** Options a worker refuses in its execArgv (V8 heap and stack sizes: set per isolate by resourceLimits). */
const PROCESS_ONLY = /^--(max-old-space-size|max-semi-space-size|max-young-generation-size|min-semi-space-size|stack-size|initial-heap-size|max-heap-size|input-type)(=|$)/

/** The process's Node options a worker can take (underscores are dashes to Node). */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!
    if (!PROCESS_ONLY.test(a.replace(/_/g, '-'))) { out.push(a); continue }
    // `--max-old-space-size 2048`: skip the value too.
    if (!a.includes('=') && i + 1 < execArgv.length && /^\d/.test(execArgv[i + 1]!)) i++
  }
  return out
}

/** The --max-old-space-size the user gave node (the last one wins, as in V8), MB; null when none. */
export function userHeapMb(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): number | null {
  const words = [...nodeOptions.split(/\s+/).filter((w) => w.length > 0), ...execArgv]
  let mb: number | null = null
  for (let i = 0; i < words.length; i++) {
    const m = /^--max[-_]old[-_]space[-_]size(?:=(\d+))?$/.exec(words[i]!)
    if (!m) continue
    const v = m[1] ?? words[i + 1]
    if (v !== undefined && /^\d+$/.test(v)) mb = Number(v)
  }
  return mb
}

/** Resource limits for a worker: the caller's, else the user's heap size, else WORKER_HEAP_MB. */
export function workerResourceLimits(given?: ResourceLimits, execArgv?: readonly string[], nodeOptions?: string): ResourceLimits {
  if (given) return given
  return { maxOldGenerationSizeMb: userHeapMb(execArgv, nodeOptions) ?? WORKER_HEAP_MB }
}
