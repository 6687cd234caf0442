/**
 * Reading a policy file: YAML (JSON is YAML) parsed with the `yaml` library,
 * checked against schema/policy.schema.json (schema.ts) and then for the
 * relations between keys (consistency.ts). Every problem is collected before
 * anything is thrown, so one run of `hubcap policy check` lists all of them,
 * each as `path: message (value)`, e.g. `hosts.dvm: not an IP address ("10.10.0")`.
 *
 * Hostile or broken input ends as a PolicyError, never a crash or a hang:
 * - files above MAX_POLICY_BYTES (1 MiB; a real policy is a few KB) are refused unread;
 * - text that is not UTF-8 is refused;
 * - YAML syntax errors and duplicate keys give their line and column;
 * - alias expansion is capped (MAX_ALIAS_COUNT), so a "billion laughs" file fails fast;
 * - several documents in one file, an empty file, or a top level that is not a map are errors.
 * YAML 1.2 core schema: `10.10.0.29` and `2026-11-20T14:00:00Z` stay text, `yes` is not a boolean.
 */
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'
import type { Policy } from './model.js'
import { consistencyProblems } from './consistency.js'
import { schemaProblems, type PolicyPath, type SchemaProblem } from './schema.js'

export const MAX_POLICY_BYTES = 1024 * 1024
/** Aliases a document may expand; a policy needs none, a few are harmless. */
export const MAX_ALIAS_COUNT = 50

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file (ENOENT)',
  EACCES: 'permission denied (EACCES)',
  EISDIR: 'a directory, not a file (EISDIR)',
}

const tooBig = (size: number): string => `${size} bytes is more than a policy may be (${MAX_POLICY_BYTES} bytes, 1 MiB)`

/** One problem with where it is: `line` (1-based) when the YAML shows it. */
export interface PolicyProblem {
  /** `path: message (value)`, ready to print; a problem of the whole file (unreadable, empty, too big) has no path. */
  text: string
  line?: number
}

/** A policy that cannot be used: every problem found, in file order. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError'
  readonly file: string
  /** Each `path: message (value)`. */
  readonly problems: string[]
  readonly details: PolicyProblem[]

  constructor(file: string, details: PolicyProblem[]) {
    const first = details[0]?.text ?? 'invalid policy'
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : ''
    super(`${file}: ${first}${more}`)
    this.file = file
    this.details = details
    this.problems = details.map((d) => d.text)
  }
}

export interface LoadedPolicy {
  policy: Policy
  /** SHA-256 of the file's bytes, lowercase hex (the report's `policy.sha256`). */
  sha256: string
  name: string | null
  file: string
}

export function loadPolicy(path: string): LoadedPolicy {
  let bytes: Buffer
  try {
    const size = statSync(path).size
    if (size > MAX_POLICY_BYTES) throw new PolicyError(path, [{ text: tooBig(size) }])
    bytes = readFileSync(path)
  } catch (e) {
    if (e instanceof PolicyError) throw e
    const err = e as NodeJS.ErrnoException
    throw new PolicyError(path, [{ text: `cannot read: ${READ_ERRORS[err.code ?? ''] ?? err.message}` }])
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new PolicyError(path, [{ text: 'not UTF-8 text' }])
  }
  const policy = parsePolicyText(text, path)
  return {
    policy,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    name: policy.name ?? null,
    file: path,
  }
}

/** Parses and validates policy text; `file` only names it in errors. Throws PolicyError. */
export function parsePolicyText(text: string, file: string): Policy {
  const size = Buffer.byteLength(text, 'utf8')
  if (size > MAX_POLICY_BYTES) throw new PolicyError(file, [{ text: tooBig(size) }])

  const lines = new LineCounter()
  const source = text.replace(/^\uFEFF/, '')
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, version: '1.2', schema: 'core' })
  const syntax = [...doc.errors, ...doc.warnings].map((e): PolicyProblem => {
    const { line, col } = lines.linePos(e.pos[0])
    return { text: `line ${line}, column ${col}: ${yamlMessage(e.code, e.message, source.slice(e.pos[0]))}`, line }
  })
  if (syntax.length > 0) throw new PolicyError(file, syntax)

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (e) {
    // The yaml library throws a ReferenceError when aliases expand past the cap.
    throw new PolicyError(file, [{ text: `${(e as Error).message} (aliases may expand at most ${MAX_ALIAS_COUNT} times)` }])
  }
  if (data === null || data === undefined) {
    throw new PolicyError(file, [{ text: 'the policy is empty; it needs at least "version: 1"' }])
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    const kind = Array.isArray(data) ? 'a list' : `a single value (${preview(data)})`
    throw new PolicyError(file, [{ text: `(top level): must be a map of keys ("version: 1", ...), not ${kind}`, line: 1 }])
  }

  let problems = schemaProblems(data)
  // Relations between keys are only worth checking once every key is valid on its own.
  if (problems.length === 0) problems = consistencyProblems(data as Policy)
  if (problems.length > 0) {
    const details = problems.map((p, i) => ({ detail: toDetail(p, doc, lines), i }))
    details.sort((a, b) => (a.detail.line ?? Infinity) - (b.detail.line ?? Infinity) || a.i - b.i)
    throw new PolicyError(file, details.map((d) => d.detail))
  }
  return data as Policy
}

/** `bgp.peers[1].tor`; keys that are not plain words are quoted: `rules["a b"]`. */
export function formatPolicyPath(path: PolicyPath): string {
  if (path.length === 0) return '(top level)'
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`
    else out += `[${JSON.stringify(seg)}]`
  }
  return out
}

function toDetail(p: SchemaProblem, doc: Document, lines: LineCounter): PolicyProblem {
  const value = p.value === undefined ? '' : ` (${preview(p.value)})`
  const offset = offsetOf(doc, p.path)
  return {
    text: `${formatPolicyPath(p.path)}: ${p.message}${value}`,
    ...(offset === null ? {} : { line: lines.linePos(offset).line }),
  }
}

/** Where the key (or list item) at `path` starts, or its nearest existing parent. */
function offsetOf(doc: Document, path: PolicyPath): number | null {
  let node: unknown = doc.contents
  let at: number | null = (node as Node | null)?.range?.[0] ?? null
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg))
      if (!pair) break
      at = (pair.key as Node).range?.[0] ?? at
      node = pair.value
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined
      if (!item) break
      at = item.range?.[0] ?? at
      node = item
    } else {
      break
    }
  }
  return at
}

/** `rest` is the source from the error's position on (a duplicate key's error points at the key). */
function yamlMessage(code: string, message: string, rest: string): string {
  if (code === 'DUPLICATE_KEY') return `duplicate key ${preview(/^[^:\n]*/.exec(rest)![0].trim())} (each key may appear once in a map)`
  if (code === 'MULTIPLE_DOCS') return 'a second YAML document ("---"): a policy file holds one'
  // The library's messages can span lines (a source excerpt); one line is enough here.
  return message.split('\n')[0]!.trim()
}

/** The value as JSON, cut short: enough to recognise it, never a wall of text. */
function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 80 ? `${json.slice(0, 77)}...` : json
}
