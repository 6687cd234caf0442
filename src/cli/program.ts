/**
 * The `hubcap` command line: arguments in, a command run, an exit code out.
 * No analysis logic lives here. Exit codes (contract): 0 done, 1 findings at or
 * above --fail-on, 2 usage error or unreadable/invalid input (one line on stderr).
 *
 * Each command's module is imported when that command runs: `hubcap flows` never loads the policy
 * schema, the rules or the report renderers, nor `hubcap rules` the decoders.
 */
import { Command, CommanderError } from 'commander'
import { CaptureError } from '../capture/errors.js'
import { forTerminal } from '../report/escape.js'
import type { AnalyzeOptions } from './analyze.js'
import type { FlowsOptions } from './flows.js'
import { FLOW_FORMATS, REPORT_FORMATS } from './formats.js'
import { defaultWorkers } from './workers.js'
import { SEVERITIES } from '../policy/model.js'
import { AnalyzerError } from '../engine/errors.js'
import { ShardWorkerError } from '../worker/pool.js'
import { DEFAULT_TABLE_ROWS, MAX_FLOWS, WORKER_HEAP_MB } from '../decode/limits.js'
import { ExitCode, UsageError } from './errors.js'
import { VERSION } from '../version.js'

/** What bounds a run's memory, and the one knob a user has for it. */
const MEMORY_HELP = `Memory: at most ${MAX_FLOWS.toLocaleString('en-US')} live flows per run (the oldest are evicted and counted), and each
worker's heap is limited to ${WORKER_HEAP_MB} MB; NODE_OPTIONS=--max-old-space-size=MB sets another limit,
for the workers and for -w 1, which runs in the main thread under node's own limit.`

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
    .command('analyze')
    .description('judge captures of a deployment against its policy: rules, findings with frames and Wireshark filters, a verdict')
    .argument('<capture...>', 'pcap or pcapng files, optionally gzip-compressed, one observation window; - reads stdin')
    .option('-p, --policy <file>', 'the deployment policy (YAML or JSON; see hubcap policy init)')
    .option('-f, --format <format>', `report format: ${REPORT_FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write the report to FILE instead of stdout')
    .option('-w, --workers <n>', `worker threads (default: one per core, here ${defaultWorkers()}; 1 runs in-process)`)
    .option('--fail-on <severity>', `exit 1 when a finding is at or above this: ${SEVERITIES.join(', ')}`, 'high')
    .option('--stamp', 'add generatedAt (the time of the run) to the report; without it the report depends only on its input')
    .option('--vxlan-port <port>', 'also decode this UDP port as VXLAN (repeatable; 4789 and 8472 always are)', collectPort, [])
    .option('--no-progress', 'no progress line on stderr (it is only drawn on a terminal anyway)')
    .addHelpText('after', `
Without --policy, every rule that needs a policy input is not-evaluable; the report still has the
captures, flows and protocol summaries. hubcap rules lists the catalog.
${MEMORY_HELP}
Exit codes: 0 no finding at or above --fail-on; 1 at least one; 2 usage error, unreadable capture or invalid policy.`)
    .action(async (captures: string[], opts: AnalyzeOptions) => {
      const { runAnalyze } = await import('./analyze.js')
      process.exitCode = await runAnalyze(captures, opts)
    })
  program
    .command('rules')
    .description('list the rule catalog')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(async (opts: { format?: string }) => {
      const { runRules } = await import('./rules.js')
      process.exitCode = runRules(opts)
    })
  const policy = program.command('policy').description('write a policy template, or validate a policy file')
  policy
    .command('init')
    .description('write a commented policy template with every key (documentation-range addresses)')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--force', 'overwrite FILE if it exists')
    .action(async (opts: { output?: string; force?: boolean }) => {
      const { runPolicyInit } = await import('./policy.js')
      process.exitCode = runPolicyInit(opts)
    })
  policy
    .command('check')
    .description('validate a policy file and print what hubcap understood from it')
    .argument('<file>', 'the policy (YAML or JSON)')
    .addHelpText('after', '\nExit codes: 0 valid (a summary on stdout); 2 invalid (every problem on stderr, one per line).')
    .action(async (file: string) => {
      const [{ runPolicyCheck }, { CATALOG }] = await Promise.all([import('./policy.js'), import('../policy/catalog.js')])
      process.exitCode = runPolicyCheck(file, CATALOG)
    })
  program
    .command('decode')
    .description('decode every packet to one JSON record per line (NDJSON), outermost layer first')
    .argument('<capture>', 'pcap or pcapng file, optionally gzip-compressed; - reads stdin')
    .option('--frames <ranges>', 'only these frames, e.g. 1-100,250,400-')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--vxlan-port <port>', 'also decode this UDP port as VXLAN (repeatable; 4789 and 8472 always are)', collectPort, [])
    .addHelpText('after', '\nExit codes: 0 the file was read; 2 unreadable header, or a damaged file with no readable packet.')
    .action(async (capture: string, opts: { frames?: string; output?: string; vxlanPort: number[] }) => {
      const { runDecode } = await import('./decode.js')
      process.exitCode = await runDecode(capture, opts)
    })
  program
    .command('flows')
    .description('list the flows of one observation window (several captures are one window)')
    .argument('<capture...>', 'pcap or pcapng files, optionally gzip-compressed; - reads stdin')
    .option('-f, --format <format>', `output format: ${FLOW_FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('-w, --workers <n>', `worker threads (default: one per core, here ${defaultWorkers()}; 1 runs in-process)`)
    .option('--top <n>', `only the N flows with the most bytes (table default ${DEFAULT_TABLE_ROWS}; other formats: all flows)`)
    .option('--vxlan-port <port>', 'also decode this UDP port as VXLAN (repeatable; 4789 and 8472 always are)', collectPort, [])
    .option('--no-progress', 'no progress line on stderr (it is only drawn on a terminal anyway)')
    .addHelpText('after', `
Flows are bidirectional, keyed by protocol, addresses and ports, plus VLAN and VNI for tunnelled
traffic (the outer tunnel flow is its own flow). State is Zeek's conn_state (S0, S1, SF, REJ, RSTO,
...) with its history letters; fwd is initiator -> responder. Idle timeouts: TCP 300 s, UDP and
ICMP 60 s, 5 s after a TCP close; records longer than 3600 s are cut.
${MEMORY_HELP}
Exit codes: 0 done; 2 usage error or unreadable capture.`)
    .action(async (captures: string[], opts: FlowsOptions) => {
      const { runFlows } = await import('./flows.js')
      process.exitCode = await runFlows(captures, opts)
    })
  program
    .command('samples')
    .description('rebuild the bundled sample captures, their policies and samples/README.md from the recipes')
    .option('--out <dir>', 'directory to write them to', 'samples')
    .action(async (opts: { out: string }) => {
      const { runSamples } = await import('./samples.js')
      process.exitCode = runSamples(opts)
    })
  program
    .command('diff')
    .description('compare two analyze reports (-f json): rule status changes, new and resolved findings, verdict, counts')
    .argument('<old>', 'the baseline report (hubcap analyze -f json)')
    .argument('<new>', 'the report to judge against it')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('--fail-on-change', 'exit 1 when a change is a regression')
    .addHelpText('after', `
A regression: a rule that fails now and did not before, a new finding above info, a finding whose
severity rose, a verdict that went from pass to fail. Other changes (counts, a rule that became
not-evaluable, resolved findings) are shown but never fail: captures of one deployment differ.
Findings are matched by rule and display filter (frames, counts and times aside).
Exit codes: 0 compared (with --fail-on-change: no regression); 1 --fail-on-change and a regression;
2 usage error, or a file that is missing, not JSON or not a valid hubcap report.`)
    .action(async (oldReport: string, newReport: string, opts: { format?: string; failOnChange?: boolean }) => {
      const { runDiff } = await import('./diff.js')
      process.exitCode = await runDiff(oldReport, newReport, opts)
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
    if (e instanceof CaptureError || e instanceof UsageError || e instanceof AnalyzerError || e instanceof ShardWorkerError) {
      process.stderr.write(`hubcap: ${forTerminal(e.message)}\n`)
      return ExitCode.Error
    }
    const err = e as NodeJS.ErrnoException
    if (err && err.code === 'EPIPE') {
      // `hubcap decode x.pcap | head`: the reader closed the pipe. Say so plainly (not "write EPIPE").
      process.stderr.write('hubcap: the output was closed by its reader (broken pipe): the output is incomplete\n')
      return ExitCode.Error
    }
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
