/**
 * What a decoder returns: `OK`, or an issue that says exactly what went wrong.
 *
 * Decoders never throw for bad input. Truncated and malformed packets are
 * normal in real captures; they are data to count and report, not exceptions
 * (a throw costs microseconds, each one captures a stack trace).
 *
 * `OK` is one shared frozen object, so a successful decode allocates nothing.
 * Issues are allocated only on the failure path, which is rare.
 */

/** Layer names as they appear in decode records (`layers[].type`). */
export type LayerName =
  | 'eth' | 'vlan' | 'sll' | 'sll2' | 'null' | 'arp' | 'chdlc' | 'mpls'
  | 'ipv4' | 'ipv6' | 'icmp' | 'icmpv6' | 'udp' | 'tcp'
  | 'vxlan' | 'gre' | 'geneve' | 'erspan' | 'dns' | 'ntp' | 'bgp' | 'tls' | 'http'
  | 'frame'

/**
 * Which length ran out. "The capture's snap length cut the packet" is routine;
 * "the UDP length field claims more than the IPv4 packet holds" is not.
 */
export type LenSource =
  | 'capture'            // bytes actually captured (caplen)
  | 'ipv4.totalLength'
  | 'ipv6.payloadLength'
  | 'udp.length'
  | 'tcp.dataOffset'
  | 'quoted'             // an ICMP error quotes only the start of the offending datagram
  | 'reassembly'

export interface Ok {
  readonly ok: true
}

export const OK: Ok = Object.freeze({ ok: true })

/** Fewer bytes than the layer needs. */
export interface Truncated {
  readonly ok: false
  readonly kind: 'truncated'
  readonly layer: LayerName
  /**
   * 'header': the layer could not be decoded; decoding stops here.
   * 'payload': the header decoded, but the payload is shorter than its length
   * field claims. The payload is cut to what is there and decoding goes on.
   */
  readonly part: 'header' | 'payload'
  /** Bytes the layer needs, counted from the layer's first byte. */
  readonly need: number
  /** Bytes that were there, counted the same way. */
  readonly have: number
  readonly lenSource: LenSource
  /** Where the layer starts, in bytes from the start of the buffer decoded. */
  readonly offset: number
}

/** Enough bytes, but a field holds a value the protocol forbids. */
export interface Malformed {
  readonly ok: false
  readonly kind: 'malformed'
  readonly layer: LayerName
  readonly field: string
  readonly value: number
  /** The rule the value broke, written for a human: ">= 5 (32-bit words)". */
  readonly expected: string
  readonly offset: number
}

export type DecodeIssue = Truncated | Malformed
export type Decoded = Ok | DecodeIssue

export function truncated(
  layer: LayerName,
  part: Truncated['part'],
  need: number,
  have: number,
  offset: number,
  lenSource: LenSource = 'capture',
): Truncated {
  return { ok: false, kind: 'truncated', layer, part, need, have, lenSource, offset }
}

export function malformed(
  layer: LayerName,
  field: string,
  value: number,
  expected: string,
  offset: number,
): Malformed {
  return { ok: false, kind: 'malformed', layer, field, value, expected, offset }
}

/** True when decoding cannot go past this layer. */
export function stopsDecoding(issue: DecodeIssue): boolean {
  return issue.kind === 'malformed' || issue.part === 'header'
}

/** Stable issue name, like Zeek's weird names: `udp.truncated.header`, `vxlan.malformed.flags`. */
export function issueName(issue: DecodeIssue): string {
  return issue.kind === 'truncated'
    ? `${issue.layer}.truncated.${issue.part}`
    : `${issue.layer}.malformed.${issue.field}`
}

/** The human sentence for a decode record's `malformed[].reason`. */
export function describeIssue(issue: DecodeIssue): string {
  if (issue.kind === 'truncated') {
    const what = issue.part === 'header' ? 'header' : 'payload'
    return `truncated ${what}: need ${issue.need} bytes, have ${issue.have} (${issue.lenSource})`
  }
  return `bad ${issue.field} ${issue.value}: expected ${issue.expected}`
}
