/**
 * Where a command's output goes: stdout, or the `-o` file, opened before any
 * work starts so an unwritable path is a one-line error, not a wasted run.
 * Writes honour backpressure, so a slow pipe never makes memory grow.
 */
import { createWriteStream, openSync, closeSync } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { UsageError } from './errors.js'

export interface Output {
  write(text: string): Promise<void>
  close(): Promise<void>
}

export function openOutput(path: string | undefined): Output {
  let stream: Writable
  if (path === undefined || path === '-') {
    stream = process.stdout
  } else {
    try {
      closeSync(openSync(path, 'w'))
    } catch (e) {
      throw new UsageError(`${path}: cannot write output: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
    stream = createWriteStream(path)
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
    },
  }
}
