/**
 * Checks a report against schema/report.schema.json (the contract's "Report" as JSON Schema):
 * the tests validate every report they produce with it, and the library API can offer it to
 * anyone who reads reports. Every problem at once, each as `path: message` with the path as a
 * JSON Pointer (`/findings/0/frames: must NOT have more than 20 items`).
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'
import type { SchemaDocument } from '../policy/schema.js'
import reportSchemaJson from '../../schema/report.schema.json' with { type: 'json' }

/** Typed by hand, as policySchema is (declarations keep no JSON-import attribute). */
export const reportSchema: SchemaDocument = reportSchemaJson

// allowUnionTypes: nullable fields are written `type: ["string", "null"]`, the plainest form.
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
const validate = ajv.compile(reportSchema)

/** Every way `value` differs from the report schema; empty when it is a valid report. */
export function validateReport(value: unknown): string[] {
  if (validate(value)) return []
  return (validate.errors ?? []).map(describe)
}

function describe(e: ErrorObject): string {
  const path = e.instancePath === '' ? '/' : e.instancePath
  if (e.keyword === 'additionalProperties') {
    return `${path}: unknown key "${String((e.params as { additionalProperty: string }).additionalProperty)}"`
  }
  if (e.keyword === 'enum') {
    return `${path}: ${e.message ?? 'not allowed'}: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
  }
  return `${path}: ${e.message ?? e.keyword}`
}
