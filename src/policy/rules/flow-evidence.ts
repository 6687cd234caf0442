/**
 * Where a flow record's packets were, for evidence: the run's file index (from the spans, by file
 * name; 0 when the spans do not name it), the first or last frame, and its time in seconds.
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import type { Observations, Where } from '../../observe/model.js'
import { parseInstant } from '../phase.js'

/** The run's index of capture file `file` (from the spans), 0 when the spans do not name it. */
export function fileIndexOf(obs: Observations, file: string): number {
  return obs.spans.find((s) => s.file === file)?.fileIndex ?? 0
}

/** Seconds since the epoch of the flow's first packet (NaN without a timestamp). */
export function flowStart(f: FlowRecord): number {
  return parseInstant(f.firstTs)
}

/** Seconds since the epoch of the flow's last packet (NaN without a timestamp). */
export function flowEnd(f: FlowRecord): number {
  return parseInstant(f.lastTs)
}

/** Where the flow's first packet (the initiator's) or its last packet was seen. */
export function flowWhere(obs: Observations, f: FlowRecord, which: 'first' | 'last' = 'first'): Where {
  const first = which === 'first'
  const ts = first ? f.firstTs : f.lastTs
  return { fileIndex: fileIndexOf(obs, f.file), file: f.file, frame: first ? f.firstFrame : f.lastFrame, t: parseInstant(ts), ts }
}
