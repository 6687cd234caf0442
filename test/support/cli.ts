/** Run the built `hubcap` executable (npm test builds dist/ first) and collect what it printed. */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function runCli(args: string[], input?: Uint8Array): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does it first)`)
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
