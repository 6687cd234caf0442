/**
 * The 'flows' and 'analyze' shard results as they cross from a worker to the main thread: every flow
 * record list replaced by indexes into one set of packed records (flow/record-codec.ts), and the rest of
 * an `analyze` shard's observations (DNS, TLS, tunnels, ...) packed by engine/plain-codec.ts; their typed
 * arrays are transferred, the small rest (summary counts, string tables) goes by structured clone. Flow
 * records are most of a shard's result (a `flows -f json` shard holds every record of its flows) and the
 * costliest part to clone. `unpack*(pack*(x))` equals x, lists that shared a flow record included.
 */
import type { FlowRecord } from '../flow/flow-record.js'
import { packedBuffers, RecordPacker, RecordUnpacker, type PackedRecords } from '../flow/record-codec.js'
import type { FlowSummary } from '../flow/tracker.js'
import type { Observations } from '../observe/model.js'
import type { AnalyzeResult } from './analyze.js'
import { packValue, packedValueBuffers, unpackValue, type PackedValue } from './plain-codec.js'

/** A result ready to post: `value` with its `transfer` list. */
export interface Transferable {
  value: unknown
  transfer: ArrayBuffer[]
}

type Refs = Uint32Array

interface PackedSummary extends Omit<FlowSummary, 'top' | 'all'> {
  top: Refs
  all?: Refs
}
/** Observations with their flow records as indexes, the rest packed (with `flows: null` keeping its place). */
interface PackedObservations { flows: Refs; rest: PackedValue }

interface Packed<T> {
  records: PackedRecords
  result: T
}

/** A FlowSummary's shape with its record lists as `L`. */
interface SummaryLists<L> {
  top: L
  all?: L
}

/** The summary with its record lists mapped (pack: to indexes; unpack: back); key order kept, `all` absent when it was. */
function mapSummary<L1, L2>(s: SummaryLists<L1>, list: (l: L1) => L2): SummaryLists<L2> {
  return { ...s, top: list(s.top), ...(s.all ? { all: list(s.all) } : {}) } as SummaryLists<L2>
}

const packSummary = (s: FlowSummary, p: RecordPacker): PackedSummary =>
  mapSummary(s, (l: FlowRecord[]) => p.refs(l)) as unknown as PackedSummary

const unpackSummary = (s: PackedSummary, u: RecordUnpacker): FlowSummary =>
  mapSummary(s, (l: Refs) => u.list(l)) as unknown as FlowSummary

function transferable<T>(p: RecordPacker, result: T, more: ArrayBuffer[] = []): Transferable {
  const records = p.finish()
  const value: Packed<T> = { records, result }
  return { value, transfer: [...packedBuffers(records), ...more] }
}

function packed<T>(value: unknown): Packed<T> {
  const v = value as Partial<Packed<T>> | null
  if (!v || typeof v !== 'object' || !v.records || v.result === undefined) throw new Error('not a packed shard result')
  return v as Packed<T>
}

export function packFlowsResult(s: FlowSummary): Transferable {
  const p = new RecordPacker()
  return transferable(p, packSummary(s, p))
}

export function unpackFlowsResult(value: unknown): FlowSummary {
  const v = packed<PackedSummary>(value)
  return unpackSummary(v.result, new RecordUnpacker(v.records))
}

export function packAnalyzeResult(r: AnalyzeResult): Transferable {
  const p = new RecordPacker()
  const o = r.observations
  const observations: PackedObservations = { flows: p.refs(o.flows), rest: packValue({ ...o, flows: null }) }
  return transferable(p, { ...r, flows: packSummary(r.flows, p), observations }, packedValueBuffers(observations.rest))
}

export function unpackAnalyzeResult(value: unknown): AnalyzeResult {
  const v = packed<Omit<AnalyzeResult, 'flows' | 'observations'> & { flows: PackedSummary; observations: PackedObservations }>(value)
  const u = new RecordUnpacker(v.records)
  const o = v.result.observations
  const observations = unpackValue(o.rest) as Observations | null
  if (!observations || typeof observations !== 'object' || !('flows' in observations)) throw new Error('not a packed shard result: observations')
  observations.flows = u.list(o.flows) // the key is in place already (packed as null): the order stays the builder's
  return { ...v.result, flows: unpackSummary(v.result.flows, u), observations }
}
