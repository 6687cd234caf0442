/**
 * `hubcap flows` output: pure functions of a flow summary to text, one per `--format`.
 *
 *   flowsTable(summary, { top: 20 })   cli-table3, a totals line, at most `top` rows, then "... N more flows"
 *   flowsJson(summary)                 one document {count, byProto, byState, flows[]}, one flow per line
 *   flowsNdjson(summary)               one FlowRecord per line
 *   flowsCsv(summary)                  RFC 4180, a header row, nested fields flattened (initiator_ip, packets_fwd ...)
 *
 * Every flow is written with the keys of FlowRecord in its declared order, whatever order the
 * object was built in, so the same flows always give the same bytes. `top` caps the flows written
 * (the table defaults to 20; the other formats write all of `summary.top` unless it is given).
 * The `*Chunks` generators yield the same text in pieces, for outputs too large for one string
 * (V8 strings stop at about 512 M characters: 2 M flows as JSON is more than that).
 *
 * Captured text is hostile (style guide; src/report/escape.ts): a file name, an application
 * label or a policy role may carry terminal escapes. The table passes every string through
 * forTerminal; JSON escapes the C1 controls and bidi overrides JSON.stringify leaves raw (as
 * \uXXXX, so parsing gives the same string back); CSV shows controls as \xNN (except LF and TAB,
 * kept inside quotes) and defuses spreadsheet formulas with a leading apostrophe.
 */
import Table from 'cli-table3'
import type { FlowRecord } from '../flow/flow-record.js'
import { sortedCounts } from '../flow/tracker.js'
import { DEFAULT_TABLE_ROWS } from '../decode/limits.js'
import { forTerminal } from './escape.js'

export interface FlowsSummary {
  /** Flows in the whole observation window (may exceed `top.length` when the caller kept only some). */
  count: number
  /** The flows to write, in the order to write them. */
  top: FlowRecord[]
  /** Flows per protocol / Zeek state over all `count` flows; counted from `top` when absent. */
  byProto?: Record<string, number>
  byState?: Record<string, number>
  /** Totals over all flows for the table's header line; summed from `top` when absent. */
  packets?: number
  bytes?: number
}

export interface FlowsFormatOptions {
  /** At most this many flows written (the table's default: DEFAULT_TABLE_ROWS). */
  top?: number
}

function limitOf(summary: FlowsSummary, opts: FlowsFormatOptions, fallback: number): number {
  const top = opts.top ?? fallback
  if (!(top >= 0)) throw new RangeError(`top: expected a number >= 0, got ${top}`)
  return Math.min(summary.top.length, Math.floor(top))
}

function countBy(flows: readonly FlowRecord[], key: (f: FlowRecord) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const f of flows) {
    const k = key(f)
    counts[k] = (counts[k] ?? 0) + 1
  }
  return counts
}

/** The flow with FlowRecord's keys in declared order (contract keys first, then additions). */
export function canonicalFlow(f: FlowRecord): FlowRecord {
  return {
    proto: f.proto,
    initiator: { ip: f.initiator.ip, port: f.initiator.port },
    responder: { ip: f.responder.ip, port: f.responder.port },
    vni: f.vni,
    vlan: f.vlan,
    firstTs: f.firstTs,
    lastTs: f.lastTs,
    packets: { fwd: f.packets.fwd, rev: f.packets.rev },
    bytes: { fwd: f.bytes.fwd, rev: f.bytes.rev },
    state: f.state,
    app: f.app,
    firstFrame: f.firstFrame,
    roles: { initiator: f.roles.initiator, responder: f.roles.responder },
    history: f.history,
    payloadBytes: { fwd: f.payloadBytes.fwd, rev: f.payloadBytes.rev },
    lastFrame: f.lastFrame,
    initiatorInferred: f.initiatorInferred,
    icmpErrors: f.icmpErrors,
    file: f.file,
  }
}

// ---- JSON / NDJSON ------------------------------------------------------------------------------

// JSON.stringify already escapes C0 controls; these it leaves raw (C1 includes the 8-bit CSI 0x9b).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g

/** JSON text with every character a terminal could act on written as \uXXXX (parses to the same value). */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

export function* flowsJsonChunks(summary: FlowsSummary, opts: FlowsFormatOptions = {}): Generator<string> {
  const n = limitOf(summary, opts, Infinity)
  const byProto = sortedCounts(summary.byProto ?? countBy(summary.top, (f) => f.proto))
  const byState = sortedCounts(summary.byState ?? countBy(summary.top, (f) => f.state))
  yield `{"count":${summary.count},"byProto":${safeJson(byProto)},"byState":${safeJson(byState)},"flows":[`
  for (let i = 0; i < n; i++) yield `${i === 0 ? '\n' : ',\n'}${safeJson(canonicalFlow(summary.top[i]!))}`
  yield n === 0 ? ']}\n' : '\n]}\n'
}

/** One JSON document: {count, byProto, byState, flows}; each flow on its own line. */
export function flowsJson(summary: FlowsSummary, opts: FlowsFormatOptions = {}): string {
  return Array.from(flowsJsonChunks(summary, opts)).join('')
}

export function* flowsNdjsonChunks(summary: FlowsSummary, opts: FlowsFormatOptions = {}): Generator<string> {
  const n = limitOf(summary, opts, Infinity)
  for (let i = 0; i < n; i++) yield `${safeJson(canonicalFlow(summary.top[i]!))}\n`
}

/** One FlowRecord per line (newline-terminated); nothing for no flows. */
export function flowsNdjson(summary: FlowsSummary, opts: FlowsFormatOptions = {}): string {
  return Array.from(flowsNdjsonChunks(summary, opts)).join('')
}

// ---- CSV ----------------------------------------------------------------------------------------

type CsvValue = string | number | boolean | null

/** Column names and how each is read from a flow, in FlowRecord's order. */
export const CSV_COLUMNS: ReadonlyArray<readonly [string, (f: FlowRecord) => CsvValue]> = [
  ['proto', (f) => f.proto],
  ['initiator_ip', (f) => f.initiator.ip],
  ['initiator_port', (f) => f.initiator.port],
  ['responder_ip', (f) => f.responder.ip],
  ['responder_port', (f) => f.responder.port],
  ['vni', (f) => f.vni],
  ['vlan', (f) => f.vlan],
  ['first_ts', (f) => f.firstTs],
  ['last_ts', (f) => f.lastTs],
  ['packets_fwd', (f) => f.packets.fwd],
  ['packets_rev', (f) => f.packets.rev],
  ['bytes_fwd', (f) => f.bytes.fwd],
  ['bytes_rev', (f) => f.bytes.rev],
  ['state', (f) => f.state],
  ['app', (f) => f.app],
  ['first_frame', (f) => f.firstFrame],
  ['role_initiator', (f) => f.roles.initiator],
  ['role_responder', (f) => f.roles.responder],
  ['history', (f) => f.history],
  ['payload_bytes_fwd', (f) => f.payloadBytes.fwd],
  ['payload_bytes_rev', (f) => f.payloadBytes.rev],
  ['last_frame', (f) => f.lastFrame],
  ['initiator_inferred', (f) => f.initiatorInferred],
  ['icmp_errors', (f) => f.icmpErrors],
  ['file', (f) => f.file],
]

// forTerminal's set minus LF and TAB (kept: a quoted CSV field may hold them, and they repaint nothing).
const UNSAFE_IN_CSV = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
/** First characters a spreadsheet reads as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV field: null is empty; text has terminal controls shown as \xNN, a leading = + - @ TAB CR
 * defused with an apostrophe, and is quoted (quotes doubled) when it holds a comma, quote or line break.
 */
export function csvField(value: CsvValue): string {
  if (value === null) return ''
  if (typeof value !== 'string') return String(value)
  let s = value.replace(UNSAFE_IN_CSV, (c) => forTerminal(c))
  if (FORMULA_START.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function* flowsCsvChunks(summary: FlowsSummary, opts: FlowsFormatOptions = {}): Generator<string> {
  const n = limitOf(summary, opts, Infinity)
  yield `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`
  for (let i = 0; i < n; i++) {
    const f = summary.top[i]!
    yield `${CSV_COLUMNS.map(([, get]) => csvField(get(f))).join(',')}\r\n`
  }
}

/** RFC 4180: a header row, then one row per flow, CRLF line ends. */
export function flowsCsv(summary: FlowsSummary, opts: FlowsFormatOptions = {}): string {
  return Array.from(flowsCsvChunks(summary, opts)).join('')
}

// ---- table --------------------------------------------------------------------------------------

const grouped = (n: number): string => n.toLocaleString('en-US')

/** `ip:port`, `[v6]:port`, or the address alone for port-less protocols. */
export function endpointText(ip: string, port: number | null): string {
  const host = ip.includes(':') ? `[${ip}]` : ip
  return port === null ? ip : `${host}:${port}`
}

function tunnelText(f: FlowRecord): string {
  const parts: string[] = []
  if (f.vlan !== null) parts.push(`vlan ${f.vlan}`)
  if (f.vni !== null) parts.push(`vni ${f.vni}`)
  return parts.length > 0 ? parts.join(' ') : '-'
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${grouped(n)} ${n === 1 ? one : many}`
}

/** The table's first line: flows (by protocol), packets and IP bytes over all flows (from the summary, else summed over `top`). */
export function flowsHeaderLine(summary: FlowsSummary): string {
  let packets = summary.packets
  let bytes = summary.bytes
  // Sums over `top` cover every flow only when `top` holds them all; say so when it does not.
  let scope = ''
  if (packets === undefined || bytes === undefined) {
    let p = 0
    let b = 0
    for (const f of summary.top) { p += f.packets.fwd + f.packets.rev; b += f.bytes.fwd + f.bytes.rev }
    packets ??= p
    bytes ??= b
    if (summary.top.length < summary.count) scope = ` in the ${plural(summary.top.length, 'flow')} listed`
  }
  const byProto = sortedCounts(summary.byProto ?? countBy(summary.top, (f) => f.proto))
  const protos = Object.entries(byProto).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const split = protos.length > 0 ? ` (${protos.map(([k, v]) => `${forTerminal(k)} ${grouped(v)}`).join(', ')})` : ''
  return `${plural(summary.count, 'flow')}${split}, ${plural(packets, 'packet')}, ${plural(bytes, 'byte')}${scope}`
}

/** A human table: a totals line, at most `top` (default 20) rows, then "... N more flows". */
export function flowsTable(summary: FlowsSummary, opts: FlowsFormatOptions = {}): string {
  const n = limitOf(summary, opts, DEFAULT_TABLE_ROWS)
  const shown = summary.top.slice(0, n)
  const files = new Set(shown.map((f) => f.file))
  const withFile = files.size > 1
  const head = ['proto', 'initiator', 'responder', 'vlan/vni', 'packets fwd/rev', 'bytes fwd/rev', 'state', 'app', withFile ? 'file:frame' : 'first frame']
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'left', 'left', 'left', 'right', 'right', 'left', 'left', 'right'],
  })
  const t = forTerminal
  for (const f of shown) {
    table.push([
      t(f.proto),
      t(endpointText(f.initiator.ip, f.initiator.port)) + (f.initiatorInferred ? ' ?' : ''),
      t(endpointText(f.responder.ip, f.responder.port)),
      tunnelText(f),
      `${grouped(f.packets.fwd)} / ${grouped(f.packets.rev)}`,
      `${grouped(f.bytes.fwd)} / ${grouped(f.bytes.rev)}`,
      t(f.state),
      f.app === null ? '-' : t(f.app),
      withFile ? `${t(f.file)}:${f.firstFrame}` : String(f.firstFrame),
    ])
  }
  const lines = [flowsHeaderLine(summary)]
  if (shown.length > 0) lines.push(table.toString())
  const more = summary.count - shown.length
  if (more > 0) lines.push(`... ${plural(more, 'more flow')}`)
  if (shown.some((f) => f.initiatorInferred)) lines.push('? initiator inferred (TCP picked up without its SYN)')
  return `${lines.join('\n')}\n`
}
