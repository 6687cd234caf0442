/**
 * `hubcap policy init [-o FILE] [--force]` and `hubcap policy check FILE`: the
 * actions, returning exit codes (program.ts wires them to commander).
 *
 * check: exit 0 with the summary of what the policy means on stdout; exit 2
 * with every problem on stderr, one per line, `FILE:LINE: path: message (value)`
 * (`FILE: message` when no line applies), and nothing else: no stack trace.
 * init: the template on stdout, or into FILE; an existing FILE is kept unless
 * --force (exit 2, one line).
 */
import { writeFileSync } from 'node:fs'
import { formatPolicySummary, summarizePolicy, type RuleInputsInfo } from '../policy/check.js'
import { loadPolicy, PolicyError } from '../policy/load.js'
import { policyTemplate } from '../policy/template.js'
import { forTerminal } from '../report/escape.js'
import { ExitCode } from './errors.js'

/** Where a command prints; tests pass their own. */
export interface CommandIo {
  stdout(text: string): void
  stderr(text: string): void
}

export const processIo: CommandIo = {
  stdout: (text) => { process.stdout.write(text) },
  stderr: (text) => { process.stderr.write(text) },
}

export interface PolicyInitOptions {
  /** A file to write; absent or `-`: stdout. */
  output?: string
  /** Overwrite an existing file. */
  force?: boolean
}

export function runPolicyInit(opts: PolicyInitOptions, io: CommandIo = processIo): number {
  const text = policyTemplate()
  if (opts.output === undefined || opts.output === '-') {
    io.stdout(text)
    return ExitCode.Ok
  }
  try {
    // 'wx' fails if the file exists, atomically: no window between a check and the write.
    writeFileSync(opts.output, text, { flag: opts.force ? 'w' : 'wx' })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'EEXIST' ? 'already exists (use --force to overwrite it)' : `cannot write: ${code ?? (e as Error).message}`
    io.stderr(forTerminal(`hubcap: ${opts.output}: ${why}`) + '\n')
    return ExitCode.Error
  }
  io.stderr(forTerminal(`hubcap: wrote ${opts.output}; edit it, then run: hubcap policy check ${opts.output}`) + '\n')
  return ExitCode.Ok
}

/** `rules`: the catalog's definitions (id, title, inputs, severity), for the per-rule part of the summary. */
export function runPolicyCheck(file: string, rules: ReadonlyArray<RuleInputsInfo>, io: CommandIo = processIo): number {
  let loaded
  try {
    loaded = loadPolicy(file)
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e
    const lines = e.details.map((d) => forTerminal(`${file}${d.line === undefined ? '' : `:${d.line}`}: ${d.text}`))
    io.stderr(lines.join('\n') + '\n')
    return ExitCode.Error
  }
  io.stdout(formatPolicySummary(summarizePolicy(loaded.policy, rules)))
  return ExitCode.Ok
}
