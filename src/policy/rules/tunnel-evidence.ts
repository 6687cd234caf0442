/**
 * Evidence from aggregated tunnel observations. A TunnelObservation keeps the first and last packet
 * as full Wheres and the first frames as numbers only; the frames in between get the first packet's
 * file and time (a lower bound: the report's first/last times come from the exact ends).
 */
import type { TunnelObservation, Where } from '../../observe/model.js'

function at(t: TunnelObservation, frame: number): Where {
  if (frame === t.first.frame) return t.first
  if (frame === t.last.frame && t.last.fileIndex === t.first.fileIndex) return t.last
  return { ...t.first, frame }
}

/** Every kept frame of the tunnel, then its last packet (when the kept frames stop before it). */
export function tunnelWheres(t: TunnelObservation): Where[] {
  const out = t.frames.map((f) => at(t, f))
  if (!t.frames.includes(t.last.frame)) out.push(t.last)
  return out
}

/** The kept frames of its outer datagrams that arrived fragmented. */
export function fragmentedWheres(t: TunnelObservation): Where[] {
  return t.fragmentedFrames.map((f) => at(t, f))
}

export const tunnelPackets = (list: readonly TunnelObservation[]) => list.reduce((n, t) => n + t.packets, 0)
