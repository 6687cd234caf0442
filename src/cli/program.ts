/**
 * The `hubcap` command line: arguments in, a command run, an exit code out.
 * No analysis logic lives here. Exit codes (contract): 0 done, 1 findings at or
 * above --fail-on, 2 usage error or unreadable/invalid input (one line on stderr).
 */
import { Command, CommanderError } from 'commander'
import { CaptureError } from '../capture/errors.js'
import { forTerminal } from '../report/escape.js'
import { runDecode } from './decode.js'
import { runSamples } from './samples.js'
import { ExitCode, UsageError } from './errors.js'
import { VERSION } from '../version.js'

/** Commander option parser for a repeatable port number. */
function collectPort(value: string, previous: number[]): number[] {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`--vxlan-port: "${value}" is not a port number (1-65535)`)
  return [...previous, port]
}

export function buildProgram(): Command {
  const program = new Command('hubcap')
    .description('Passive traffic analyzer for Azure Stack Hub border captures (pcap, pcapng, gzip)')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run hubcap --help for usage)')
  program
    .command('decode')
    .description('decode every packet to one JSON record per line (NDJSON), outermost layer first')
    .argument('<capture>', 'pcap or pcapng file, optionally gzip-compressed; - reads stdin')
    .option('--frames <ranges>', 'only these frames, e.g. 1-100,250,400-')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--vxlan-port <port>', 'also decode this UDP port as VXLAN (repeatable; 4789 and 8472 always are)', collectPort, [])
    .addHelpText('after', '\nExit codes: 0 the file was read; 2 unreadable header, or a damaged file with no readable packet.')
    .action(async (capture: string, opts: { frames?: string; output?: string; vxlanPort: number[] }) => {
      process.exitCode = await runDecode(capture, opts)
    })
  program
    .command('samples')
    .description('rebuild the bundled sample captures from their recipes')
    .option('--out <dir>', 'directory to write them to', 'samples')
    .action((opts: { out: string }) => {
      process.exitCode = runSamples(opts)
    })
  return program
}

/** Run one command line; resolves to the exit code. Unexpected failures are reported as one line, exit 2. */
export async function main(argv: string[]): Promise<number> {
  process.exitCode = ExitCode.Ok
  try {
    await buildProgram().parseAsync(argv)
    return Number(process.exitCode ?? 0)
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Error
    if (e instanceof CaptureError || e instanceof UsageError) {
      process.stderr.write(`hubcap: ${forTerminal(e.message)}\n`)
      return ExitCode.Error
    }
    const err = e as NodeJS.ErrnoException
    if (err && typeof err.code === 'string' && err.syscall) {
      // A file-system failure (missing file, permission): a user error, not a crash.
      process.stderr.write(`hubcap: ${forTerminal(err.message)}\n`)
      return ExitCode.Error
    }
    // A bug: still one line and a contract exit code, never a stack trace on a user's terminal.
    process.stderr.write(`hubcap: internal error (please report): ${forTerminal(String((e as Error)?.stack ?? e).split('\n')[0] ?? '')}\n`)
    return ExitCode.Error
  }
}
