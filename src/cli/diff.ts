/**
 * `hubcap diff OLD.json NEW.json`: compares two `analyze -f json` reports (src/report/diff.ts)
 * and prints the changes as a table or JSON. Exit codes: 0 done (also when the reports differ);
 * 1 with --fail-on-change when a change is a regression; 2 usage error, or a file that cannot be
 * read, is not JSON or is not a valid hubcap report (one line on stderr naming the file).
 */
import { readFileSync } from 'node:fs'
import { diffJson, diffReports, diffTable } from '../report/diff.js'
import { forTerminal } from '../report/escape.js'
import { REPORT_SCHEMA, type Report } from '../report/model.js'
import { ExitCode, UsageError } from './errors.js'

export const DIFF_FORMATS = ['table', 'json'] as const

export interface DiffOptions {
  failOnChange?: boolean
  format?: string
}

/** A report file that cannot be used; the message already names the file. */
class ReportFileError extends Error {
  override readonly name = 'ReportFileError'
}

/** Reads and checks one report: JSON, schema hubcap.report/1, valid against schema/report.schema.json. */
async function readReport(file: string): Promise<Report> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    // "ENOENT: no such file or directory, open 'x'" -> "no such file or directory"
    const why = /^[A-Z]+: ([^,]+)/.exec(err.message ?? '')?.[1] ?? err.code ?? String(e)
    throw new ReportFileError(`${file}: cannot read: ${why}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new ReportFileError(`${file}: not JSON: ${(e as Error).message}`)
  }
  const schema = value !== null && typeof value === 'object' ? (value as { schema?: unknown }).schema : undefined
  if (schema !== REPORT_SCHEMA) {
    throw new ReportFileError(`${file}: not a hubcap analyze report (schema is ${schema === undefined ? 'missing' : JSON.stringify(schema)}, expected "${REPORT_SCHEMA}")`)
  }
  // Imported here, not at the top: compiling the schema costs a few hundred ms every other command need not pay.
  const { validateReport } = await import('../report/validate.js')
  const problems = validateReport(value)
  if (problems.length) {
    throw new ReportFileError(`${file}: not a valid hubcap report: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`)
  }
  return value as Report
}

export async function runDiff(oldPath: string, newPath: string, opts: DiffOptions): Promise<number> {
  const format = opts.format ?? 'table'
  if (!(DIFF_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: "${format}" is not one of ${DIFF_FORMATS.join(', ')}`)
  let old: Report
  let next: Report
  try {
    old = await readReport(oldPath)
    next = await readReport(newPath)
  } catch (e) {
    if (!(e instanceof ReportFileError)) throw e
    process.stderr.write(`hubcap: ${forTerminal(e.message)}\n`)
    return ExitCode.Error
  }
  const d = diffReports(old, next)
  const labels = { old: oldPath, new: newPath }
  process.stdout.write(format === 'json' ? diffJson(d, labels) : diffTable(d, labels))
  return opts.failOnChange && d.regression ? ExitCode.Findings : ExitCode.Ok
}
