/** `hubcap rules`: the rule catalog (id, severity, group, inputs, what breaks it) as a table or JSON. */
import Table from 'cli-table3'
import { CATALOG, CATALOG_VERSION } from '../policy/catalog.js'
import { ExitCode, UsageError } from './errors.js'

export function rulesJson(): string {
  const rules = CATALOG.map((r) => ({
    id: r.id, title: r.title, severity: r.severity, group: r.group, inputs: [...r.inputs], description: r.description, reference: r.reference,
  }))
  return JSON.stringify({ catalog: CATALOG_VERSION, rules }, null, 2) + '\n'
}

export function rulesTable(): string {
  const t = new Table({ head: ['rule', 'severity', 'group', 'inputs', 'a finding when'], style: { head: [], border: [], compact: true }, wordWrap: true, colWidths: [30, 10, 14, 30, 60] })
  for (const r of CATALOG) t.push([r.id, r.severity, r.group, r.inputs.join(', ') || '-', r.description])
  return `Rule catalog, version ${CATALOG_VERSION}: ${CATALOG.length} rules\n${t.toString()}\n`
}

export function runRules(opts: { format?: string }): number {
  const format = opts.format ?? 'table'
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format: "${format}" is not one of table, json`)
  process.stdout.write(format === 'json' ? rulesJson() : rulesTable())
  return ExitCode.Ok
}
