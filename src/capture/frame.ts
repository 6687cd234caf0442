/**
 * One captured record, as the capture parsers hand it to the decoders.
 *
 * `bytes` is a view of exactly `caplen` bytes. It is valid only until the
 * next batch is requested from the reader (the parser reuses its buffers);
 * copy it to keep it longer.
 */
export interface Frame {
  /** 1-based, per capture file, across all pcapng sections (Wireshark's frame.number). */
  frameNumber: number
  bytes: Uint8Array
  /** Bytes captured (the record's included length). */
  caplen: number
  /** Bytes on the wire (the record's original length); caplen < origlen means the snap length cut it. */
  origlen: number
  /** Seconds since 1970 (may exceed 2^32 for pcapng), and nanoseconds 0..999999999. */
  tsSec: number
  tsNsec: number
  /** False for a pcapng Simple Packet Block, which carries no timestamp. */
  hasTimestamp: boolean
  /** LINKTYPE_/DLT value of the record's interface (FCS bits masked off). */
  linkType: number
  /** Interface index over the whole file (interfaces of later pcapng sections continue the count); 0 for pcap. */
  interfaceId: number
  /** Byte offset of the record (pcap record header / pcapng block) in the decompressed file. */
  fileOffset: number
}

export function createFrame(): Frame {
  return {
    frameNumber: 0, bytes: new Uint8Array(0), caplen: 0, origlen: 0, tsSec: 0, tsNsec: 0,
    hasTimestamp: true, linkType: 0, interfaceId: 0, fileOffset: 0,
  }
}

/** ISO 8601 UTC with exactly nine fractional digits: 2026-11-20T10:00:00.123456789Z. */
export function isoTimestamp(tsSec: number, tsNsec: number): string {
  const iso = new Date(tsSec * 1000).toISOString() // 2026-11-20T10:00:00.000Z
  return `${iso.slice(0, 19)}.${String(tsNsec).padStart(9, '0')}Z`
}
