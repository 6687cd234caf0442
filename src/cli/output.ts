/**
 * Where a command's output goes: stdout, or the `-o` file. The file is checked before any work
 * starts, so an unwritable path is a one-line error, not a wasted run. Writes honour
 * backpressure, so a slow pipe never makes memory grow.
 *
 * A regular file is written as FILE.hubcap-<pid>.tmp beside it and renamed to FILE by close():
 * FILE only ever holds a complete output. A run that fails or is interrupted (Ctrl-C) leaves FILE
 * as it was (a previous report stays; none is created) and the temporary file is removed when the
 * process exits. Special files (/dev/null, a FIFO, /dev/stdout) are written in place.
 */
import { accessSync, closeSync, constants, createWriteStream, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { UsageError } from './errors.js'

export interface Output {
  write(text: string): Promise<void>
  /** Ends the output; for a file, moves the finished output to its name. */
  close(): Promise<void>
}

/** Temporary files not yet renamed: removed when the process exits (error, Ctrl-C). */
const pending = new Set<string>()
let cleanupRegistered = false

function removePendingOnExit(): void {
  if (cleanupRegistered) return
  cleanupRegistered = true
  process.on('exit', () => {
    for (const tmp of pending) rmSync(tmp, { force: true })
  })
}

/** The temporary name a file output is written under before close() renames it. */
export function temporaryName(path: string): string {
  return `${path}.hubcap-${process.pid}.tmp`
}

function refuse(path: string, e: unknown): never {
  throw new UsageError(`${path}: cannot write output: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
}

export function openOutput(path: string | undefined): Output {
  let stream: Writable
  let tmp: string | null = null
  if (path === undefined || path === '-') {
    stream = process.stdout
  } else {
    let existing: ReturnType<typeof statSync> | undefined
    try {
      existing = statSync(path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') refuse(path, e)
    }
    if (existing && !existing.isFile()) {
      // /dev/null, a FIFO, a terminal: nothing to replace; write in place (a directory fails here).
      try { closeSync(openSync(path, 'a')) } catch (e) { refuse(path, e) }
      stream = createWriteStream(path, { flags: 'a' })
    } else {
      try {
        if (existing) accessSync(path, constants.W_OK) // a read-only FILE stays refused, as before
        tmp = temporaryName(path)
        closeSync(openSync(tmp, 'w'))
      } catch (e) {
        refuse(path, e)
      }
      pending.add(tmp)
      removePendingOnExit()
      stream = createWriteStream(tmp)
    }
  }
  let failed: Error | undefined
  // One listener each for the stream's life (a listener per write would pile up on long outputs).
  let waiting: Array<(e?: Error) => void> = []
  const wake = (e?: Error): void => {
    const w = waiting
    waiting = []
    for (const f of w) f(e)
  }
  stream.on('error', (e) => { failed = e; wake(e) })
  stream.on('drain', () => wake())
  return {
    async write(text) {
      if (failed) throw failed
      if (!stream.write(text)) {
        await new Promise<void>((resolve, reject) => waiting.push((e) => (e ? reject(e) : resolve())))
      }
    },
    async close() {
      if (stream === process.stdout) return
      stream.end()
      await once(stream, 'finish')
      if (failed) throw failed
      if (tmp !== null && path !== undefined) {
        renameSync(tmp, path)
        pending.delete(tmp)
      }
    },
  }
}
