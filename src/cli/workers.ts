/** `--workers`: the count a command line asks for, and the default (one per core, as the contract says). */
import { availableParallelism } from 'node:os'
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
