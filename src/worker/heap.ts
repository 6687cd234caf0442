/**
 * The flags and heap limit a worker thread starts with.
 *
 * A worker started without `execArgv` inherits the process's options as node parsed them, V8 flags
 * included (they are the process's anyway). An explicit list is parsed again and refused when it holds
 * a V8 or per-process option (ERR_WORKER_INVALID_EXEC_ARGV): `node --max-old-space-size=2048 hubcap ...`
 * failed to start its workers, and so, after a filter for heap sizes, did any other V8 flag
 * (`node --heap-growing-percent=50 hubcap ...`). So workers inherit, except under --input-type, which a
 * worker would apply to its own entry file and fail (ERR_INPUT_TYPE_NOT_ALLOWED: a pool started from
 * `node --input-type=module -e ...`); then they get a list without it. A heap size the user set with
 * --max-old-space-size (flag or NODE_OPTIONS) becomes each worker's resource limit; without one, every
 * worker gets limits.WORKER_HEAP_MB.
 */
import type { ResourceLimits } from 'node:worker_threads'
import { WORKER_HEAP_MB } from '../decode/limits.js'

/** Options a worker refuses in its execArgv (V8 heap and stack sizes: set per isolate by resourceLimits). */
const PROCESS_ONLY = /^--(max-old-space-size|max-semi-space-size|max-young-generation-size|min-semi-space-size|stack-size|initial-heap-size|max-heap-size|input-type)(=|$)/

/**
 * The execArgv to start a worker with: undefined (inherit) unless node was given --input-type; then
 * node's options less --input-type, heap and stack sizes, and whatever NODE_OPTIONS would not take
 * (`allowed`: V8 flags and per-process options, which a list may not hold).
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv, allowed: ReadonlySet<string> = process.allowedNodeEnvironmentFlags): string[] | undefined {
  const dashed = (a: string) => a.replace(/_/g, '-')
  if (!execArgv.some((a) => /^--input-type(=|$)/.test(dashed(a)))) return undefined
  const out: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!
    const value = !a.includes('=') && i + 1 < execArgv.length && !execArgv[i + 1]!.startsWith('-') ? execArgv[i + 1]! : null
    if (!PROCESS_ONLY.test(dashed(a)) && allowed.has(a)) {
      out.push(a)
      if (value !== null) out.push(value)
    }
    // `--max-old-space-size 2048`, `--conditions dev`: the value goes with its flag.
    if (value !== null) i++
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
