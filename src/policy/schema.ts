/**
 * The policy's JSON Schema (schema/policy.schema.json, the one source of truth
 * for which keys exist) compiled once with ajv, and ajv's errors turned into
 * problems a user can act on: the key path as written in the YAML
 * (`bgp.peers[1].tor`), what is wrong in words, and the offending value.
 *
 * The custom formats are the strict address checks of strict-address.ts, and
 * the date-time check comes from ajv-formats, so nothing here re-implements a
 * validator: this file only words the answers.
 */
import { Ajv2020, type ErrorObject, type Format } from 'ajv/dist/2020.js'
import { fullFormats } from 'ajv-formats/dist/formats.js'
import policySchemaJson from '../../schema/policy.schema.json' with { type: 'json' }
import { addressOrCidrProblem, addressProblem, cidrProblem } from './strict-address.js'

/** A path into the policy document: keys and list indexes. */
export type PolicyPath = ReadonlyArray<string | number>

/** One thing wrong with a policy. */
export interface SchemaProblem {
  path: PolicyPath
  message: string
  /** The offending value, when showing it helps (absent for unknown or missing keys). */
  value?: unknown
}

/**
 * The schema document, typed by hand: declarations keep no JSON-import attribute, so exposing the
 * JSON module's inferred type would break consumers' type checks (TS1543).
 */
export interface SchemaDocument {
  readonly $defs: { readonly ruleId: { readonly enum: readonly string[] } } & Readonly<Record<string, unknown>>
  readonly [key: string]: unknown
}
export const policySchema: SchemaDocument = policySchemaJson

const FORMAT_PROBLEMS: Record<string, (text: string) => string | null> = {
  'ipv4-or-ipv6-address': addressProblem,
  cidr: cidrProblem,
  'address-or-cidr': addressOrCidrProblem,
  'date-time-or-auto': (text) =>
    text === 'auto' || (matchesFormat(fullFormats['date-time'], text) && !Number.isNaN(Date.parse(text)))
      ? null
      : 'not a date-time with a time zone (e.g. 2026-11-20T14:00:00Z) or "auto"',
  'endpoint-host': (text) =>
    matchesFormat(fullFormats.hostname, text.startsWith('*.') ? text.slice(2) : text)
      ? null
      : 'not a DNS name (e.g. portal.contoso.example or *.contoso.example)',
}

function matchesFormat(format: Format, text: string): boolean {
  if (typeof format === 'string') return new RegExp(format).test(text)
  if (format instanceof RegExp) return format.test(text)
  if (typeof format === 'function') return format(text) === true
  if (format === true) return true
  const v = format.validate
  if (typeof v === 'string') return new RegExp(v).test(text)
  if (v instanceof RegExp) return v.test(text)
  return v(text as never) === true
}

/**
 * Compiled on first use: compiling costs ~0.3 s, which every command would pay at start-up
 * (the CLI imports the policy modules) even when it never reads a policy.
 */
let compiled: ReturnType<Ajv2020['compile']> | null = null
function validator(): ReturnType<Ajv2020['compile']> {
  if (compiled) return compiled
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true })
  for (const [name, problem] of Object.entries(FORMAT_PROBLEMS)) {
    ajv.addFormat(name, { type: 'string', validate: (text: string) => problem(text) === null })
  }
  compiled = ajv.compile(policySchema)
  return compiled
}

/** Every schema problem of `data` at once (empty when it conforms). */
export function schemaProblems(data: unknown): SchemaProblem[] {
  const validate = validator()
  if (validate(data)) return []
  const out: SchemaProblem[] = []
  for (const e of validate.errors ?? []) {
    const p = describe(e)
    if (p) out.push(p)
  }
  return out
}

/** `/bgp/peers/1/tor` -> ['bgp', 'peers', 1, 'tor'] (JSON Pointer, RFC 6901). */
function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map((raw) => {
    const s = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    return /^(0|[1-9]\d*)$/.test(s) ? Number(s) : s
  })
}

function describe(e: ErrorObject): SchemaProblem | null {
  const path = pointerPath(e.instancePath)
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>
  const value: unknown = e.data
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty)
      const known = Object.keys((parent.properties ?? {}) as object)
      return { path: [...path, key], message: `unknown key${suggestion(key, known)}` }
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty)
      return { path: [...path, key], message: 'required key missing' }
    }
    case 'propertyNames':
      return null // the failing name's own error (below, with propertyName set) says it
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues
      if (e.propertyName !== undefined) {
        const message = parentIsRuleId(parent) ? 'unknown rule id' : 'unknown key'
        return { path: [...path, e.propertyName], message: message + suggestion(e.propertyName, allowed.map(String)) }
      }
      if (parentIsRuleId(parent)) return { path, message: 'unknown rule id' + suggestion(String(value), allowed.map(String)), value }
      return { path, message: `must be one of ${allowed.map((a) => String(a)).join(', ')}`, value }
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`, value }
    case 'format': {
      const problem = FORMAT_PROBLEMS[String((e.params as { format: string }).format)]
      return { path, message: (typeof value === 'string' && problem?.(value)) || 'malformed', value }
    }
    case 'type': {
      if (value === null) return { path, message: 'is empty (null): give it a value or remove the key' }
      const format = typeof parent.format === 'string' ? FORMAT_PROBLEMS[parent.format] : undefined
      if (format) return { path, message: format('') ?? 'must be text', value }
      return { path, message: `must be ${typeWords(parent.type)}, not ${kindOf(value)}`, value }
    }
    case 'minimum':
    case 'maximum':
      return { path, message: rangeWords(parent), value }
    case 'minItems':
      return { path, message: `must list at least ${(e.params as { limit: number }).limit} ${(e.params as { limit: number }).limit === 1 ? 'entry' : 'entries'} (leave the key out instead of giving an empty list)`, value }
    case 'minLength':
      return { path, message: 'must not be empty', value }
    case 'maxLength':
      return { path, message: `is longer than ${(e.params as { limit: number }).limit} characters`, value }
    default:
      return { path, message: e.message ?? e.keyword, value }
  }
}

function parentIsRuleId(parent: Record<string, unknown>): boolean {
  return parent === policySchema.$defs.ruleId
}

function typeWords(type: unknown): string {
  const words: Record<string, string> = {
    object: 'a map of keys', array: 'a list', string: 'text', integer: 'a whole number',
    number: 'a number', boolean: 'true or false', null: 'null',
  }
  const list = Array.isArray(type) ? type : [type]
  return list.map((t) => words[String(t)] ?? String(t)).join(' or ')
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object' && value !== null) return 'a map'
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a fraction'
  if (typeof value === 'boolean') return 'true/false'
  return typeof value === 'string' ? 'text' : typeof value
}

function rangeWords(parent: Record<string, unknown>): string {
  const { minimum, maximum } = parent
  if (typeof minimum === 'number' && typeof maximum === 'number') return `must be between ${minimum} and ${maximum}`
  if (typeof minimum === 'number') return `must be ${minimum} or more`
  return `must be ${String(maximum)} or less`
}

/** ` (did you mean "bmc"?)` when one known key is within two edits of `key`. */
function suggestion(key: string, known: readonly string[]): string {
  let best: string | null = null
  let bestDistance = 3
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) { best = k; bestDistance = d }
  }
  return best === null ? '' : ` (did you mean "${best}"?)`
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]!
}

/**
 * Every key path the schema knows, as `networks.bmc`, `bgp.peers[].tor`,
 * `rules.*.enabled`: what the template must show and what a rule may name as
 * an input.
 */
export function schemaKeyPaths(): string[] {
  const out: string[] = []
  const defs = policySchema.$defs as Record<string, unknown>
  const resolve = (s: unknown): Record<string, unknown> => {
    const node = (s ?? {}) as Record<string, unknown>
    const ref = node.$ref
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) return resolve(defs[ref.slice('#/$defs/'.length)])
    return node
  }
  const walk = (s: unknown, prefix: string): void => {
    const node = resolve(s)
    if (node.items) walk(node.items, `${prefix}[]`)
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${prefix}.*`)
    for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      out.push(path)
      walk(child, path)
    }
  }
  walk(policySchema, '')
  return out
}
