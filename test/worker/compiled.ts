/**
 * Worker code has to run compiled in tests: Node 20 cannot load .ts in a worker thread, and
 * vitest transforms only what the test's own thread imports. `compiledTree()` compiles the
 * worker entry and the run module (tsc, the project's own tsconfig, only what they import) into
 * os.tmpdir()/hubcap-worker-<hash of src/ and tsconfig.json>/ once, and reuses it while the
 * sources are unchanged: the first test file to need it pays a few seconds, the rest nothing.
 * Concurrent test files each build into a private directory and rename it into place.
 *
 * The tree gets a package.json ("type": "module", as the repo's) and a node_modules link to the
 * repo's, so the compiled files resolve exactly as dist/ does.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const ENTRIES = ['src/worker/worker.ts', 'src/engine/run.ts']

export interface CompiledTree {
  /** The compiled tree's root (holds src/...). */
  root: string
  /** dist-like src/worker/worker.js, to pass as `workerUrl`. */
  workerUrl: URL
  /** src/engine/run.js of the compiled tree, for a run with the default worker location. */
  runUrl: URL
}

function sourcesHash(): string {
  const h = createHash('sha256')
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(REPO, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = `${dir}/${e.name}`
      if (e.isDirectory()) walk(rel)
      else if (e.name.endsWith('.ts')) h.update(rel).update('\0').update(readFileSync(join(REPO, rel))).update('\0')
    }
  }
  walk('src')
  h.update(readFileSync(join(REPO, 'tsconfig.json')))
  return h.digest('hex').slice(0, 16)
}

let cached: CompiledTree | null = null

export function compiledTree(): CompiledTree {
  if (cached) return cached
  const final = join(tmpdir(), `hubcap-worker-${sourcesHash()}`)
  if (!existsSync(join(final, 'src/worker/worker.js'))) {
    const work = `${final}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
    mkdirSync(work, { recursive: true })
    const config = {
      extends: join(REPO, 'tsconfig.json'),
      compilerOptions: { outDir: work, rootDir: REPO, sourceMap: false, declaration: false },
      files: ENTRIES.map((e) => join(REPO, e)),
      include: [],
    }
    const configPath = join(work, 'tsconfig.json')
    writeFileSync(configPath, JSON.stringify(config))
    try {
      execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', configPath], { stdio: 'pipe' })
    } catch (e) {
      // Type errors still emit; a missing output is the failure that matters.
      if (!existsSync(join(work, 'src/worker/worker.js'))) throw e
    }
    rmSync(configPath)
    writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n')
    symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'), 'dir')
    try {
      renameSync(work, final)
    } catch {
      rmSync(work, { recursive: true, force: true }) // another test file won the race: same sources, same output
    }
  }
  cached = {
    root: final,
    workerUrl: pathToFileURL(join(final, 'src/worker/worker.js')),
    runUrl: pathToFileURL(join(final, 'src/engine/run.js')),
  }
  return cached
}
