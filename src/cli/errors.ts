/**
 * Errors that end a command with exit code 2: bad usage, an unreadable or
 * invalid input. Their message is one line, already naming the file.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const ExitCode = {
  Ok: 0,
  Findings: 1,
  Error: 2,
} as const
