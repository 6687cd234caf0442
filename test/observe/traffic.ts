/**
 * Traffic for the observation builder tests: frames built with src/samples/packet.ts and the
 * protocol encoders, numbered and timed like a capture, run through a real FrameDecoder and an
 * ObservationBuilder (whole, or split into shards by the router's symmetric hash).
 */
import type { Frame } from '../../src/capture/frame.js'
import * as bgp from '../../src/decode/bgp.js'
import * as dns from '../../src/decode/dns.js'
import { FrameDecoder } from '../../src/decode/frame.js'
import * as http from '../../src/decode/http.js'
import * as ntp from '../../src/decode/ntp.js'
import * as tls from '../../src/decode/tls.js'
import { Router } from '../../src/engine/route.js'
import { TRACK_ONLY } from '../../src/flow/share.js'
import { FlowTracker } from '../../src/flow/tracker.js'
import { ObservationBuilder, type ObservationBuilderOptions } from '../../src/observe/builder.js'
import type { Observations } from '../../src/observe/model.js'
import { packet, type PacketBuilder } from '../../src/samples/packet.js'
import { frameOf } from '../support/frames.js'

/** 2026-11-20T10:00:00Z. */
export const T0 = Date.UTC(2026, 10, 20, 10, 0, 0) / 1000

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10

/** Frames of one or more capture files, numbered from 1 per file, at T0 + t seconds. */
export class Capture {
  readonly frames: Array<{ frame: Frame; fileIndex: number }> = []
  private readonly counts: number[] = []
  readonly files: string[]

  constructor(files: string[] = ['test.pcap']) {
    this.files = files
  }

  add(bytes: Uint8Array, t: number, fileIndex = 0): this {
    const sec = Math.floor(t)
    const n = (this.counts[fileIndex] = (this.counts[fileIndex] ?? 0) + 1)
    this.frames.push({ fileIndex, frame: frameOf(bytes, { frameNumber: n, tsSec: T0 + sec, tsNsec: Math.round((t - sec) * 1e9) }) })
    return this
  }

  /**
   * Every frame (or those of one shard, routed as the pipeline does: its frames, and track-only shares
   * counted in the tracker alone) through a fresh decoder, tracker and builder.
   */
  run(opts: ObservationBuilderOptions = {}, shard?: { of: number; index: number }): Observations {
    const decoder = new FrameDecoder()
    const outer = new FrameDecoder({ applications: false })
    const router = shard ? new Router(shard.of, {}, true) : null
    const builder = new ObservationBuilder(opts)
    const tracker = new FlowTracker({ onEnd: (r, _why, tunnelOrIcmp) => builder.addFlow(r, tunnelOrIcmp) })
    let file = -1
    for (const { frame, fileIndex } of this.frames) {
      if (fileIndex !== file) {
        file = fileIndex
        builder.startFile(fileIndex, this.files[fileIndex]!)
        tracker.setFile(this.files[fileIndex]!)
      }
      const r = router?.route(frame)
      for (let j = 0; j < (r ? r.count : 1); j++) {
        if (r && r.shard[j] !== shard!.index) continue
        const share = r ? r.share[j]! : 0
        if (share & TRACK_ONLY) { tracker.observe(frame, outer.decode(frame), share); continue }
        const decoded = decoder.decode(frame)
        tracker.observe(frame, decoded, share)
        builder.observe(frame, decoded)
      }
    }
    const last = this.frames[this.frames.length - 1]?.frame
    tracker.finish(last ? { tsSec: last.tsSec, tsNsec: last.tsNsec } : undefined)
    return builder.finish()
  }
}

export function dnsBytes(f: Partial<dns.Fields>): Uint8Array {
  const fields = dns.fields(f)
  const out = new Uint8Array(dns.encodingLength(fields))
  dns.encode(fields, out, 0)
  return out
}

/** DNS over TCP: the 2-byte length, then the message. */
export function dnsTcpBytes(f: Partial<dns.Fields>): Uint8Array {
  const m = dnsBytes(f)
  const out = new Uint8Array(2 + m.length)
  out[0] = m.length >> 8
  out[1] = m.length & 0xff
  out.set(m, 2)
  return out
}

export function ntpBytes(f: Partial<ntp.Fields>): Uint8Array {
  const fields = ntp.fields(f)
  const out = new Uint8Array(ntp.encodingLength(fields))
  ntp.encode(fields, out, 0)
  return out
}

export const bgpBytes = (...messages: bgp.Fields[]): Uint8Array => concat(messages.map((m) => bgp.build(m)))

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

export function clientHelloRecord(sni: string | null): Uint8Array {
  return tls.records(22, 0x0301, tls.clientHello({ version: 0x0303, cipherSuites: [0xc02f, 0x1301], sni }))
}

export function serverFlightRecord(subjectCn: string, issuerCn: string): Uint8Array {
  const cert = tls.certificateDer({ subjectCn, issuerCn })
  return tls.records(22, 0x0303, concat([tls.serverHello({ version: 0x0303, cipherSuite: 0xc02f }), tls.certificateMessage([cert])]))
}

export const httpBytes = (f: Partial<http.Fields>): Uint8Array => http.build(http.fields(f))

/**
 * A TCP conversation with consistent sequence numbers: `open()` the handshake, `send()` data from
 * either side, `close()` FIN/FIN/ACK. Frames go into `cap` at increasing times from `t`.
 */
export class TcpConversation {
  private cseq = 1000
  private sseq = 50_000
  t: number
  private readonly cap: Capture
  private readonly c: [string, number]
  private readonly s: [string, number]
  private readonly wrap: (b: PacketBuilder, fromClient: boolean) => PacketBuilder
  private readonly options: { md5?: true }

  constructor(cap: Capture, client: [string, number], server: [string, number], t: number,
    opts: { md5?: boolean; wrap?: (b: PacketBuilder, fromClient: boolean) => PacketBuilder } = {}) {
    this.cap = cap
    this.c = client
    this.s = server
    this.t = t
    this.wrap = opts.wrap ?? ((b) => b.eth())
    this.options = opts.md5 ? { md5: true } : {}
  }

  segment(fromClient: boolean, flags: number, data: Uint8Array = new Uint8Array(0)): this {
    const [src, sp] = fromClient ? this.c : this.s
    const [dst, dp] = fromClient ? this.s : this.c
    const seq = fromClient ? this.cseq : this.sseq
    const ack = fromClient ? this.sseq : this.cseq
    const ip = (src.includes(':') ? this.wrap(packet(), fromClient).ipv6(src, dst) : this.wrap(packet(), fromClient).ipv4(src, dst))
    this.cap.add(ip.tcp(sp, dp, { seq, ack, flags }, this.options).payload(data).build(), this.t)
    this.t += 0.01
    const advance = data.length + ((flags & (SYN | FIN)) !== 0 ? 1 : 0)
    if (fromClient) this.cseq = (this.cseq + advance) >>> 0
    else this.sseq = (this.sseq + advance) >>> 0
    return this
  }

  open(): this {
    return this.segment(true, SYN).segment(false, SYN | ACK).segment(true, ACK)
  }

  send(fromClient: boolean, data: Uint8Array): this {
    return this.segment(fromClient, PSH | ACK, data)
  }

  close(): this {
    return this.segment(true, FIN | ACK).segment(false, FIN | ACK).segment(true, ACK)
  }
}
