/**
 * Port-based dispatch is a guess: a flow on UDP 53 that is not DNS must not fill
 * the output with one malformed entry per packet. Like Zeek's analyzer violations,
 * the first packet of a flow that does not look like the port's protocol is
 * reported once; later ones are only counted, and stay undecoded payload.
 */
import { MAX_VIOLATION_FLOWS } from './limits.js'

export class ProtocolViolations {
  /** Flows already reported, oldest first (a Set keeps insertion order), bounded. */
  private readonly flows = new Set<string>()
  /** Packets not decoded as their port's protocol. */
  packets = 0
  /** Distinct flows reported (evicted ones may be reported again, and counted again). */
  reported = 0

  /** Count one violating packet; true when its flow has not been reported yet. */
  record(flowKey: string): boolean {
    this.packets++
    if (this.flows.has(flowKey)) return false
    if (this.flows.size >= MAX_VIOLATION_FLOWS) this.flows.delete(this.flows.values().next().value!)
    this.flows.add(flowKey)
    this.reported++
    return true
  }
}
