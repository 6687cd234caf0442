/**
 * Worker flags and heap limits (src/worker/heap.ts): workers inherit node's flags (an explicit list
 * would be refused), and the user's heap size, or WORKER_HEAP_MB, becomes each worker's limit, which
 * the worker really gets.
 */
import { spawnSync } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { WORKER_HEAP_MB } from '../../src/decode/limits.js'
import { userHeapMb, workerExecArgv, workerResourceLimits } from '../../src/worker/heap.js'

describe('worker flags', () => {
  it('inherits (undefined) unless node was given --input-type; then a list without it, heap sizes and V8 flags', () => {
    expect(workerExecArgv(['--max-old-space-size=2048', '--heap-growing-percent=50', '--enable-source-maps'])).toBeUndefined()
    expect(workerExecArgv([])).toBeUndefined()
    expect(workerExecArgv([
      '--max-old-space-size=2048', '--enable-source-maps', '--max_semi_space_size=8', '--stack-size', '900', '--heap-growing-percent=50',
      '--input-type=module', '--conditions', 'dev', '--max-old-space-size', '512', '--no-warnings', '-e', 'import "x"',
    ])).toEqual(['--enable-source-maps', '--conditions', 'dev', '--no-warnings'])
    expect(workerExecArgv(['--input_type=module', '--trace-gc'])).toEqual([])
  })

  it("a worker started without execArgv (as the pool starts them) runs under node's V8 and heap flags; an explicit list is refused", () => {
    // In a child node given the flags that broke worker start-up: a heap size, V8 flags, --input-type.
    const code = [
      "import { Worker } from 'node:worker_threads'",
      'const start = (opts) => new Promise((resolve) => {',
      '  try {',
      // An ES module file, as worker.js is (code given as text would be read as ESM under --input-type).
      "    const w = new Worker(new URL('data:text/javascript,import { parentPort } from \"node:worker_threads\"; parentPort.postMessage(\"up\")'), opts)",
      "    w.once('message', (m) => { void w.terminate(); resolve(m) })",
      "    w.once('error', (e) => resolve(String(e.code ?? e.message)))",
      '  } catch (e) { resolve(String(e.code)) }',
      '})',
      'console.log(JSON.stringify([await start({}), await start({ execArgv: process.execArgv })]))',
    ].join('\n')
    const flags = ['--max-old-space-size=300', '--heap-growing-percent=40', '--single-threaded-gc', '--no-warnings', '--input-type=module']
    const r = spawnSync(process.execPath, [...flags, '-e', code], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(['up', 'ERR_WORKER_INVALID_EXEC_ARGV'])
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
