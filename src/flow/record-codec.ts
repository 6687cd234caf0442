/**
 * Flow records packed into typed columns, for a shard's result on its way to the main thread.
 *
 * A structured clone writes every object with its property names and every string in full, and the
 * main thread rebuilds them one by one (V8's deserializer: 0.2-0.35 s per shard for the 40 000 records
 * of one `flows` shard of the 1 GiB bench mix, measured in the receiving thread). Packed, a record is
 * 14 numbers in a Float64Array and 11 indexes into one table of distinct strings (addresses, states,
 * file names repeat), the arrays travel transferred, and the receiver builds each record as one
 * literal. Records are packed once however many lists hold them: a list becomes the records'
 * indexes, and unpacking gives one object per packed record, so lists that shared a record share it
 * again (as a structured clone would have kept it).
 *
 *   RecordPacker.refs(list) ─► Uint32Array ─┐
 *   RecordPacker.finish()   ─► PackedRecords ┴─► postMessage(transfer) ─► RecordUnpacker(packed).list(refs)
 *
 * The key order of an unpacked record is toRecord's (flow-record.ts), which is what JSON output prints.
 */
import type { FlowRecord } from './flow-record.js'

/** Numbers per record, and where each one is (the order of FlowRecord's keys). */
const N = {
  InitiatorPort: 0, ResponderPort: 1, Vni: 2, Vlan: 3, PacketsFwd: 4, PacketsRev: 5, BytesFwd: 6, BytesRev: 7,
  FirstFrame: 8, PayloadFwd: 9, PayloadRev: 10, LastFrame: 11, Inferred: 12, IcmpErrors: 13, Count: 14,
} as const
/** Strings per record (indexes into the table). */
const S = {
  Proto: 0, InitiatorIp: 1, ResponderIp: 2, FirstTs: 3, LastTs: 4, State: 5, App: 6, RoleInitiator: 7, RoleResponder: 8,
  History: 9, File: 10, Count: 11,
} as const

/** A string index that stands for null. */
const NULL_STRING = 0xffffffff

export interface PackedRecords {
  count: number
  /** N.Count numbers per record; NaN stands for null (ports, VNI, VLAN). */
  numbers: Float64Array
  /** S.Count indexes into `table` per record; NULL_STRING stands for null. */
  strings: Uint32Array
  /** Every distinct string of the records, once. */
  table: string[]
}

/** Packs records (each once, by identity) and hands out lists of their indexes. */
export class RecordPacker {
  private readonly index = new Map<FlowRecord, number>()
  private readonly records: FlowRecord[] = []

  /** The indexes of `list`'s records (packing the ones not packed yet). */
  refs(list: readonly FlowRecord[]): Uint32Array {
    const out = new Uint32Array(list.length)
    for (let i = 0; i < list.length; i++) out[i] = this.ref(list[i]!)
    return out
  }

  ref(record: FlowRecord): number {
    let i = this.index.get(record)
    if (i === undefined) {
      i = this.records.length
      this.records.push(record)
      this.index.set(record, i)
    }
    return i
  }

  /** The packed records; the typed arrays' buffers can be transferred (`transferList`). */
  finish(): PackedRecords {
    const list = this.records
    const n = list.length
    const numbers = new Float64Array(n * N.Count)
    const strings = new Uint32Array(n * S.Count)
    const table: string[] = []
    const seen = new Map<string, number>()
    const text = (s: string | null): number => {
      if (s === null) return NULL_STRING
      let i = seen.get(s)
      if (i === undefined) {
        i = table.length
        table.push(s)
        seen.set(s, i)
      }
      return i
    }
    for (let r = 0; r < n; r++) {
      const f = list[r]!
      const o = r * N.Count
      numbers[o + N.InitiatorPort] = f.initiator.port ?? NaN
      numbers[o + N.ResponderPort] = f.responder.port ?? NaN
      numbers[o + N.Vni] = f.vni ?? NaN
      numbers[o + N.Vlan] = f.vlan ?? NaN
      numbers[o + N.PacketsFwd] = f.packets.fwd
      numbers[o + N.PacketsRev] = f.packets.rev
      numbers[o + N.BytesFwd] = f.bytes.fwd
      numbers[o + N.BytesRev] = f.bytes.rev
      numbers[o + N.FirstFrame] = f.firstFrame
      numbers[o + N.PayloadFwd] = f.payloadBytes.fwd
      numbers[o + N.PayloadRev] = f.payloadBytes.rev
      numbers[o + N.LastFrame] = f.lastFrame
      numbers[o + N.Inferred] = f.initiatorInferred ? 1 : 0
      numbers[o + N.IcmpErrors] = f.icmpErrors
      const s = r * S.Count
      strings[s + S.Proto] = text(f.proto)
      strings[s + S.InitiatorIp] = text(f.initiator.ip)
      strings[s + S.ResponderIp] = text(f.responder.ip)
      strings[s + S.FirstTs] = text(f.firstTs)
      strings[s + S.LastTs] = text(f.lastTs)
      strings[s + S.State] = text(f.state)
      strings[s + S.App] = text(f.app)
      strings[s + S.RoleInitiator] = text(f.roles.initiator)
      strings[s + S.RoleResponder] = text(f.roles.responder)
      strings[s + S.History] = text(f.history)
      strings[s + S.File] = text(f.file)
    }
    return { count: n, numbers, strings, table }
  }
}

/** The buffers of a PackedRecords to transfer with it. */
export function packedBuffers(p: PackedRecords): ArrayBuffer[] {
  return [p.numbers.buffer as ArrayBuffer, p.strings.buffer as ArrayBuffer]
}

/** Rebuilds every packed record once; `list(refs)` gives a list back. */
export class RecordUnpacker {
  readonly records: FlowRecord[]

  constructor(p: PackedRecords) {
    const { count, numbers, strings, table } = p
    if (numbers.length !== count * N.Count || strings.length !== count * S.Count) throw new Error(`packed flow records: ${count} records need ${count * N.Count} numbers and ${count * S.Count} strings`)
    const text = (i: number): string => {
      const s = table[i]
      if (s === undefined) throw new Error(`packed flow records: string ${i} is not in the table of ${table.length}`)
      return s
    }
    const textOrNull = (i: number): string | null => (i === NULL_STRING ? null : text(i))
    const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x)
    const records = new Array<FlowRecord>(count)
    for (let r = 0; r < count; r++) {
      const o = r * N.Count
      const s = r * S.Count
      records[r] = {
        proto: text(strings[s + S.Proto]!),
        initiator: { ip: text(strings[s + S.InitiatorIp]!), port: orNull(numbers[o + N.InitiatorPort]!) },
        responder: { ip: text(strings[s + S.ResponderIp]!), port: orNull(numbers[o + N.ResponderPort]!) },
        vni: orNull(numbers[o + N.Vni]!),
        vlan: orNull(numbers[o + N.Vlan]!),
        firstTs: text(strings[s + S.FirstTs]!),
        lastTs: text(strings[s + S.LastTs]!),
        packets: { fwd: numbers[o + N.PacketsFwd]!, rev: numbers[o + N.PacketsRev]! },
        bytes: { fwd: numbers[o + N.BytesFwd]!, rev: numbers[o + N.BytesRev]! },
        state: text(strings[s + S.State]!),
        app: textOrNull(strings[s + S.App]!),
        firstFrame: numbers[o + N.FirstFrame]!,
        roles: { initiator: textOrNull(strings[s + S.RoleInitiator]!), responder: textOrNull(strings[s + S.RoleResponder]!) },
        history: text(strings[s + S.History]!),
        payloadBytes: { fwd: numbers[o + N.PayloadFwd]!, rev: numbers[o + N.PayloadRev]! },
        lastFrame: numbers[o + N.LastFrame]!,
        initiatorInferred: numbers[o + N.Inferred] === 1,
        icmpErrors: numbers[o + N.IcmpErrors]!,
        file: text(strings[s + S.File]!),
      }
    }
    this.records = records
  }

  /** The record packed as number `i`. */
  record(i: number): FlowRecord {
    const r = this.records[i]
    if (r === undefined) throw new Error(`packed flow records: record ${i} is not among the ${this.records.length} packed`)
    return r
  }

  list(refs: Uint32Array): FlowRecord[] {
    const out = new Array<FlowRecord>(refs.length)
    for (let i = 0; i < refs.length; i++) out[i] = this.record(refs[i]!)
    return out
  }
}
