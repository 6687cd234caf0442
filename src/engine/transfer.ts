/**
 * The 'flows' and 'analyze' shard results as they cross from a worker to the main thread: every flow
 * record list replaced by indexes into one set of packed records (flow/record-codec.ts), whose
 * typed arrays are transferred; everything else goes by structured clone as before. Flow records are
 * most of a shard's result (a `flows -f json` shard holds every record of its flows) and the costliest
 * part to clone. `unpack*(pack*(x))` equals x, lists that shared a record included.
 */
import type { FlowRecord } from '../flow/flow-record.js'
import { packedBuffers, RecordPacker, RecordUnpacker, type PackedRecords } from '../flow/record-codec.js'
import type { FlowSummary, SharedRecord, ShardFlows } from '../flow/tracker.js'
import type { Observations } from '../observe/model.js'
import type { AnalyzeResult } from './analyze.js'

/** A result ready to post: `value` with its `transfer` list. */
export interface Transferable {
  value: unknown
  transfer: ArrayBuffer[]
}

type Refs = Uint32Array

interface PackedLocal extends Omit<ShardFlows['local'], 'top' | 'all'> { top: Refs; all?: Refs }
interface PackedShared extends Omit<SharedRecord, 'record'> { record: number }
interface PackedSummary extends Omit<FlowSummary, 'top' | 'all' | 'shard'> {
  top: Refs
  all?: Refs
  shard: Omit<ShardFlows, 'local' | 'shared'> & { local: PackedLocal; shared: PackedShared[] }
}
interface PackedObservations extends Omit<Observations, 'flows' | 'sharedFlows'> { flows: Refs; sharedFlows?: Refs }

interface Packed<T> {
  records: PackedRecords
  result: T
}

/** A FlowSummary's shape with its record lists as `L` and its shared records' record as `R`. */
interface SummaryLists<L, R> {
  top: L
  all?: L
  shard: { local: { top: L; all?: L }; shared: Array<{ record: R }> }
}

/**
 * The summary with every record list and shared record mapped (pack: to indexes; unpack: back). The
 * spreads keep each object's key order; a list key the original lacks stays absent (`all`).
 */
function mapSummary<L1, R1, L2, R2>(s: SummaryLists<L1, R1>, list: (l: L1) => L2, one: (r: R1) => R2): SummaryLists<L2, R2> {
  const local = s.shard.local
  return {
    ...s,
    top: list(s.top),
    ...(s.all ? { all: list(s.all) } : {}),
    shard: {
      ...s.shard,
      local: { ...local, top: list(local.top), ...(local.all ? { all: list(local.all) } : {}) } as SummaryLists<L2, R2>['shard']['local'],
      shared: s.shard.shared.map((x) => ({ ...x, record: one(x.record) })),
    },
  } as SummaryLists<L2, R2>
}

const packSummary = (s: FlowSummary, p: RecordPacker): PackedSummary =>
  mapSummary(s, (l: FlowRecord[]) => p.refs(l), (r: FlowRecord) => p.ref(r)) as unknown as PackedSummary

const unpackSummary = (s: PackedSummary, u: RecordUnpacker): FlowSummary =>
  mapSummary(s, (l: Refs) => u.list(l), (i: number) => u.record(i)) as unknown as FlowSummary

function transferable<T>(p: RecordPacker, result: T): Transferable {
  const records = p.finish()
  const value: Packed<T> = { records, result }
  return { value, transfer: packedBuffers(records) }
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
  // `sharedFlows` stays absent when it was (the cast: the checker cannot follow the spread).
  const observations = { ...o, flows: p.refs(o.flows), ...(o.sharedFlows ? { sharedFlows: p.refs(o.sharedFlows) } : {}) } as PackedObservations
  return transferable(p, { ...r, flows: packSummary(r.flows, p), observations })
}

export function unpackAnalyzeResult(value: unknown): AnalyzeResult {
  const v = packed<Omit<AnalyzeResult, 'flows' | 'observations'> & { flows: PackedSummary; observations: PackedObservations }>(value)
  const u = new RecordUnpacker(v.records)
  const o = v.result.observations
  const observations = { ...o, flows: u.list(o.flows), ...(o.sharedFlows ? { sharedFlows: u.list(o.sharedFlows) } : {}) } as Observations
  return { ...v.result, flows: unpackSummary(v.result.flows, u), observations }
}
