/**
 * Build the contract's decode record (one NDJSON line of `hubcap decode`)
 * from a frame and its decoded layers. This is the edge where numbers become
 * text; nothing here runs on the analysis path.
 */
import { isoTimestamp, type Frame } from '../capture/frame.js'
import * as arp from './arp.js'
import * as chdlc from './chdlc.js'
import { Layer } from './dispatch.js'
import * as erspan from './erspan.js'
import * as dns from './dns.js'
import * as ethernet from './ethernet.js'
import * as geneve from './geneve.js'
import * as gre from './gre.js'
import type { DecodedFrame, DecodedLayer } from './frame.js'
import * as icmp from './icmp.js'
import * as icmpv6 from './icmpv6.js'
import * as ipv4 from './ipv4.js'
import * as ipv6 from './ipv6.js'
import { describeIssue, type DecodeIssue } from './issue.js'
import * as loopback from './loopback.js'
import * as mpls from './mpls.js'
import * as ntp from './ntp.js'
import type { DecodeRecord, LayerRecord, MalformedEntry } from './record.js'
import * as sll from './sll.js'
import * as sll2 from './sll2.js'
import * as tcp from './tcp.js'
import * as udp from './udp.js'
import * as vlan from './vlan.js'
import * as vxlan from './vxlan.js'

export function toDecodeRecord(frame: Frame, decoded: DecodedFrame): DecodeRecord {
  return {
    frame: frame.frameNumber,
    ts: frame.hasTimestamp ? isoTimestamp(frame.tsSec, frame.tsNsec) : null,
    interface: frame.interfaceId,
    linkType: frame.linkType,
    captureLength: frame.caplen,
    originalLength: frame.origlen,
    layers: decoded.layers.map(layerRecord),
    malformed: decoded.issues.filter((i) => isReportable(i, frame)).map(malformedEntry),
  }
}

function layerRecord(l: DecodedLayer): LayerRecord {
  const r = baseRecord(l)
  if ((l.kind === Layer.Ipv4 || l.kind === Layer.Ipv6) && l.reassembled) (r as { reassembled?: true }).reassembled = true
  if (l.quoted) (r as { quoted?: true }).quoted = true
  return r
}

function baseRecord(l: DecodedLayer): LayerRecord {
  switch (l.kind) {
    case Layer.Ethernet: return ethernet.toRecord(l.h)
    case Layer.Vlan: return vlan.toRecord(l.h)
    case Layer.Sll: return sll.toRecord(l.h)
    case Layer.Sll2: return sll2.toRecord(l.h)
    case Layer.Null: return loopback.toRecord(l.h)
    case Layer.Arp: return arp.toRecord(l.h)
    case Layer.Chdlc: return chdlc.toRecord(l.h)
    case Layer.Mpls: return mpls.toRecord(l.h)
    case Layer.Ipv4: return ipv4.toRecord(l.h)
    case Layer.Ipv6: return ipv6.toRecord(l.h)
    case Layer.Icmp: return icmp.toRecord(l.h)
    case Layer.Icmpv6: return icmpv6.toRecord(l.h)
    case Layer.Udp: return udp.toRecord(l.h)
    case Layer.Tcp: return tcp.toRecord(l.h)
    case Layer.Vxlan: return vxlan.toRecord(l.h)
    case Layer.Gre: return gre.toRecord(l.h)
    case Layer.Geneve: return geneve.toRecord(l.h)
    case Layer.Erspan: return erspan.toRecord(l.h)
    case Layer.Ntp: return ntp.toRecord(l.h)
    case Layer.Dns: return dns.toRecord(l.h)
    case Layer.Record: return l.record
  }
}

/**
 * A header the layer could not decode, or a value the protocol forbids, is always listed.
 * A payload shorter than its length field is listed only when the snap length does not
 * explain it: a routine snaplen cut is not an anomaly (Wireshark marks it "short", not malformed).
 */
function isReportable(issue: DecodeIssue, frame: Frame): boolean {
  if (issue.kind === 'malformed' || issue.part === 'header') return true
  return frame.caplen >= frame.origlen
}

function malformedEntry(issue: DecodeIssue): MalformedEntry {
  return { layer: issue.layer, offset: issue.offset, reason: describeIssue(issue) }
}
