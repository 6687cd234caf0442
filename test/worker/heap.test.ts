/**
 * Worker flags and heap limits (src/worker/heap.ts): what a worker refuses is not passed on, and the
 * user's heap size, or WORKER_HEAP_MB, becomes each worker's limit, which the worker really gets.
 */
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { WORKER_HEAP_MB } from '../../src/decode/limits.js'
import { userHeapMb, workerExecArgv, workerResourceLimits } from '../../src/worker/heap.js'

describe('workerExecArgv', () => {
  it('drops heap and stack sizes (with a separate value too) and --input-type, keeps the rest in order', () => {
    expect(workerExecArgv([
      '--max-old-space-size=2048', '--enable-source-maps', '--max_semi_space_size=8', '--stack-size', '900',
      '--input-type=module', '--conditions=dev', '--max-old-space-size', '512', '--no-warnings',
    ])).toEqual(['--enable-source-maps', '--conditions=dev', '--no-warnings'])
    expect(workerExecArgv([])).toEqual([])
  })

  it('gives a list a worker accepts (the unfiltered one is refused)', async () => {
    const start = (execArgv: string[]) => new Promise<string>((resolve) => {
      try {
        const w = new Worker('require("node:worker_threads").parentPort.postMessage("up")', { eval: true, execArgv })
        w.once('message', (m: string) => { void w.terminate(); resolve(m) })
        w.once('error', (e) => resolve(String((e as { code?: string }).code)))
      } catch (e) {
        resolve(String((e as { code?: string }).code))
      }
    })
    const flags = ['--max-old-space-size=300', '--no-warnings']
    expect(await start(flags)).toBe('ERR_WORKER_INVALID_EXEC_ARGV')
    expect(await start(workerExecArgv(flags))).toBe('up')
  })
})

describe('worker heap limit', () => {
  it("takes the caller's limits, else the last --max-old-space-size of NODE_OPTIONS and the flags, else WORKER_HEAP_MB", () => {
    expect(workerResourceLimits({ maxOldGenerationSizeMb: 48 }, ['--max-old-space-size=9000'])).toEqual({ maxOldGenerationSizeMb: 48 })
    expect(workerResourceLimits(undefined, ['--max-old-space-size=3000'], '--max-old-space-size=700')).toEqual({ maxOldGenerationSizeMb: 3000 })
    expect(workerResourceLimits(undefined, [], '--max_old_space_size=700 --trace-warnings')).toEqual({ maxOldGenerationSizeMb: 700 })
    expect(workerResourceLimits(undefined, ['--max-old-space-size', '640'], '')).toEqual({ maxOldGenerationSizeMb: 640 })
    expect(workerResourceLimits(undefined, ['--enable-source-maps'], '')).toEqual({ maxOldGenerationSizeMb: WORKER_HEAP_MB })
    expect(userHeapMb(['--max-old-space-size=abc'], '')).toBeNull()
  })

  it('is the heap a worker started with it gets', async () => {
    const limit = await new Promise<number>((resolve, reject) => {
      const w = new Worker('const v8 = require("node:v8"); require("node:worker_threads").parentPort.postMessage(v8.getHeapStatistics().heap_size_limit)', {
        eval: true, resourceLimits: workerResourceLimits(undefined, [], ''),
      })
      w.once('message', (m: number) => { void w.terminate(); resolve(m) })
      w.once('error', reject)
    })
    // heap_size_limit is the old generation plus the young one (a few tens of MB).
    expect(limit / 2 ** 20).toBeGreaterThanOrEqual(WORKER_HEAP_MB)
    expect(limit / 2 ** 20).toBeLessThan(WORKER_HEAP_MB + 128)
  })
})
