/**
 * Which part of a frame one shard handles, when one packet concerns flows of several workers.
 *
 * Every flow is counted by one worker: the one its own key routes to (engine/route.ts). A frame's
 * innermost flow (or, for an ICMP error, the flow it quotes) names the frame's worker, which does
 * all of the frame's work. A tunnel's outer flow (the VTEP pair's UDP 4789 flow) and an ICMP error's
 * own flow may belong to another worker; the router then also sends the frame there, marked
 * TRACK_ONLY, and that worker counts the packet in those flows and does nothing else with it.
 * So no flow has parts on two workers and no merge has to join records (the earlier design kept
 * every record of such flows for a join, which had to be bounded and then differed).
 *
 * A share is a small number: 0 (the whole frame: in-process, and most frames), else
 *   bits 0..MAX_LEVELS-1  level i (key.ts frameLevels) is another worker's: its flow is not counted here
 *   TRACK_ONLY            the frame is another worker's: only the levels not skipped are counted here
 */
import { MAX_LEVELS } from './key.js'

export const TRACK_ONLY = 0x80
/** Every level bit. */
export const LEVEL_BITS = (1 << MAX_LEVELS) - 1

/** Is level `i` this shard's? */
export function ownsLevel(share: number, i: number): boolean {
  return ((share >>> i) & 1) === 0
}
