/**
 * Ctrl-C (SIGINT) and SIGTERM stop a command cleanly: one line on stderr, the exit code a shell
 * gives a process killed by the signal (130 for SIGINT, 143 for SIGTERM), and nothing left behind
 * that looks like a result. process.exit ends the worker threads with the process, and output.ts
 * removes the temporary file of an unfinished `-o` output on exit, so no partial report appears
 * under the output's name.
 */
const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 }

export function stopOnInterrupt(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`hubcap: interrupted by ${signal}: the run is incomplete (no -o file written)\n`)
      process.exit(EXIT_CODES[signal])
    })
  }
}
