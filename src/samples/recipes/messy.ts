/**
 * samples/messy.pcap.gz: the DVM's traffic during deployment in the kind of file people actually
 * hand over: gzip-compressed, classic pcap written big-endian with nanosecond timestamps, five
 * packets damaged at one layer each, and the last record cut short (the capture was copied while
 * still being written). hubcap must read it all, say where the file ends, count the damage per
 * layer and still judge the policy.
 *
 *   13:51:00      NTP from the DVM to the time server and its reply
 *   13:51:10      DNS + TLS from the DVM to login.microsoftonline.com and management.azure.com
 *   13:51:20 on   damaged: IPv4 header length 4, TCP data offset 4, UDP length 4, a DNS query
 *                 claiming two questions, a DNS response (to a good query) claiming three answers
 *   13:51:30      an NTP request whose record is cut after 40 of its bytes (the truncated tail)
 */
import { concat, gzipStored, pcapFile, pcapRecord, type PcapOptions } from '../../capture/writer.js'
import * as dns from '../../decode/dns.js'
import {
  at, Capture, dnsMessage, DVM, endpointAddress, FORWARDERS, ip4, NTP_SERVER, ntpExchange, reachEndpoint, scenarioPolicy,
} from './scenarios/deployment.js'

const FORMAT: PcapOptions = { endian: 'be', nano: true }
const ETH = 14
const IP = ETH + 20

/** What the messy capture is, for the test that reads it. */
export interface MessyCapture {
  /** The file as committed: gzip of the pcap. */
  bytes: Uint8Array
  /** The pcap inside, uncompressed. */
  pcap: Uint8Array
  /** Byte offset (in the uncompressed pcap) of the record cut short. */
  truncatedAt: number
  /** Records read whole (the cut one is not). */
  packets: number
  /** Damaged packets per layer, as the report's decode.malformed counts them. */
  malformed: Record<string, number>
  /** Named frames: each damaged packet. */
  frames: Record<string, number[]>
}

function patched(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const out = Uint8Array.from(bytes)
  values.forEach((v, i) => { out[at + i] = v })
  return out
}

export function recordMessy(): MessyCapture {
  const cap = new Capture()
  ntpExchange(cap, at('13:51:00'), DVM, NTP_SERVER)
  reachEndpoint(cap, at('13:51:10'), DVM, 0x2100, FORWARDERS[0], 'login.microsoftonline.com', endpointAddress('login.microsoftonline.com'))
  reachEndpoint(cap, at('13:51:11'), DVM, 0x2101, FORWARDERS[1], 'management.azure.com', endpointAddress('management.azure.com'))

  const query = (id: number): Uint8Array => dnsMessage({ id, questions: [{ name: 'login.windows.net', type: dns.Type.A }] })
  const udpQuery = (id: number) => ip4(cap, DVM, FORWARDERS[0]).udp(50200 + id % 100, 53).payload(query(id)).build()
  // IHL 4: a header shorter than IPv4's 20 bytes.
  cap.add(at('13:51:20'), patched(udpQuery(0x2110), ETH, 0x44), 'bad-ipv4')
  // TCP data offset 4 words: shorter than the fixed header.
  cap.add(at('13:51:21'), patched(ip4(cap, DVM, endpointAddress('login.windows.net'), { df: true })
    .tcp(49990, 443, { seq: 1, flags: 0x02, window: 64240 }).build(), IP + 12, 0x40), 'bad-tcp')
  // UDP length 4: shorter than the UDP header itself.
  cap.add(at('13:51:22'), patched(udpQuery(0x2112), IP + 4, 0, 4), 'bad-udp')
  // QDCOUNT 2 with one question: the message ends inside question 2.
  cap.add(at('13:51:23'), patched(udpQuery(0x2113), IP + 8 + 5, 2), 'bad-dns-query')
  // A response claiming three answers and carrying one, to a query that was fine.
  cap.add(at('13:51:24'), ip4(cap, DVM, FORWARDERS[0]).udp(50214, 53).payload(query(0x2114)).build())
  const answer = dnsMessage({
    id: 0x2114, qr: true, ra: true, questions: [{ name: 'login.windows.net', type: dns.Type.A }],
    answers: [{ name: 'login.windows.net', type: dns.Type.A, ttl: 300, data: endpointAddress('login.windows.net') }],
  })
  cap.add(at('13:51:24', 20), patched(ip4(cap, FORWARDERS[0], DVM).udp(53, 50214).payload(answer).build(), IP + 8 + 7, 3), 'bad-dns-response')

  const { packets, frames } = cap.packets()
  // Nanosecond timestamps with digits below the microsecond, so a reader that drops them shows.
  const records = packets.map((p, i) => ({ data: p.data, tsSec: Math.floor(p.t / 1e6), tsFrac: (p.t % 1e6) * 1000 + 1 + ((i * 37) % 999) }))
  const whole = pcapFile(records, FORMAT)
  const last = ip4(cap, DVM, NTP_SERVER).udp(50123, 123).payload(new Uint8Array(48).fill(0x23)).build()
  const cut = pcapRecord({ data: last, tsSec: Math.floor(at('13:51:30') / 1e6), tsFrac: 500 }, FORMAT).subarray(0, 16 + 40)
  const pcap = concat(whole, cut)
  return {
    bytes: gzipStored(pcap),
    pcap,
    truncatedAt: whole.length,
    packets: packets.length,
    malformed: { ipv4: 1, tcp: 1, udp: 1, dns: 2 },
    frames,
  }
}

export function buildMessy(): Uint8Array {
  return recordMessy().bytes
}

export function messyPolicy(): string {
  return scenarioPolicy('messy')
}
