/**
 * samples/border-mini.pcapng: a few seconds at a border switch during deployment,
 * captured on two uplinks (pcapng, two interfaces: if0 tagged VLAN 100 with µs
 * timestamps, if1 untagged with ns timestamps). Addresses follow
 * ../shared/contract/policy.example.yaml (DVM 10.10.0.29, forwarder 192.0.2.53,
 * time server 192.0.2.123).
 *
 *   1-2   DNS A query from the DVM to the forwarder and its answer (the answer on the other uplink)
 *   3-4   NTP client request (mode 3) and server reply (mode 4)
 *   5-7   TCP handshake from the DVM to login.microsoftonline.com:443 (MSS, SACK, timestamps, wscale)
 *   8     ICMP port unreachable quoting a DNS query to a wrong resolver
 *   9-10  a UDP datagram in two IPv4 fragments (reassembled in frame 10)
 *   11    IPv6 neighbour solicitation (link-local)
 *   12    ARP request for the DVM
 */
import { PcapngBuilder } from '../../capture/writer.js'
import { packet } from '../packet.js'

const DVM = '10.10.0.29'
const FORWARDER = '192.0.2.53'
const NTP = '192.0.2.123'
const LOGIN = '20.190.151.68'
const BORDER_MAC = '00:1b:21:0a:0b:01'
const DVM_MAC = '00:15:5d:0a:1d:29'
/** 2026-11-20T13:59:00Z, a minute before the example policy's completeAt. */
const T0 = 1795183140

/** A DNS message: header + questions (+ one A answer), names uncompressed (RFC 1035 §4). */
function dnsMessage(id: number, name: string, answer?: string): number[] {
  const qname = [...name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'ascii')]), 0]
  const flags = answer ? 0x8180 : 0x0100
  const out = [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, answer ? 1 : 0, 0, 0, 0, 0, ...qname, 0, 1, 0, 1]
  if (answer) out.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...answer.split('.').map(Number))
  return out
}

/** An NTPv4 packet (RFC 5905): mode 3 request or mode 4 reply, with one timestamp pair set. */
function ntpMessage(mode: 3 | 4, sec: number): number[] {
  const out = new Array<number>(48).fill(0)
  out[0] = (0 << 6) | (4 << 3) | mode
  if (mode === 4) { out[1] = 2; out[12] = 192; out[13] = 0; out[14] = 2; out[15] = 1 }
  out[2] = 6
  out[3] = 0xe9 // precision -23
  const ntpSec = sec + 2208988800
  for (let i = 0; i < 4; i++) out[40 + i] = (ntpSec >>> (24 - 8 * i)) & 0xff
  return out
}

export function buildBorderMini(): Uint8Array {
  const ng = new PcapngBuilder('le')
    .shb({ options: [{ code: 4, value: 'hubcap samples' }] })
    .idb({ linkType: 1, snaplen: 262144, tsresol: 6, options: [{ code: 2, value: 'border1-uplink' }] })
    .idb({ linkType: 1, snaplen: 262144, tsresol: 9, options: [{ code: 2, value: 'border2-uplink' }] })
  let ms = 0
  const at = (iface: number, stepMs: number): bigint => {
    ms += stepMs
    const ns = BigInt(T0) * 1_000_000_000n + BigInt(ms) * 1_000_000n + 123n * 1000n
    return iface === 0 ? ns / 1000n : ns
  }
  const tagged = () => packet().eth(DVM_MAC, BORDER_MAC).vlan(100)
  const plain = () => packet().eth(BORDER_MAC, DVM_MAC)

  ng.epb({ interfaceId: 0, ts: at(0, 0), data: tagged().ipv4(DVM, FORWARDER, { id: 0x1234, ttl: 128 }).udp(51000, 53).payload(dnsMessage(0x1234, 'login.microsoftonline.com')).build() })
  ng.epb({ interfaceId: 1, ts: at(1, 21), data: plain().ipv4(FORWARDER, DVM, { id: 0x9a01, ttl: 57 }).udp(53, 51000).payload(dnsMessage(0x1234, 'login.microsoftonline.com', LOGIN)).build() })
  ng.epb({ interfaceId: 0, ts: at(0, 250), data: tagged().ipv4(DVM, NTP, { id: 0x1235, ttl: 128 }).udp(123, 123).payload(ntpMessage(3, T0)).build() })
  ng.epb({ interfaceId: 1, ts: at(1, 18), data: plain().ipv4(NTP, DVM, { id: 0x0042, ttl: 60 }).udp(123, 123).payload(ntpMessage(4, T0)).build() })
  const syn = { mss: 1460, sackPermitted: true as const, timestamp: [100, 0] as [number, number], windowScale: 8 }
  ng.epb({ interfaceId: 0, ts: at(0, 300), data: tagged().ipv4(DVM, LOGIN, { id: 0x1236, ttl: 128, df: true }).tcp(49800, 443, { seq: 1000, flags: 0x02, window: 64240 }, syn).build() })
  ng.epb({ interfaceId: 1, ts: at(1, 12), data: plain().ipv4(LOGIN, DVM, { id: 0, ttl: 110, df: true }).tcp(443, 49800, { seq: 5000, ack: 1001, flags: 0x12, window: 65535 }, { mss: 1440, sackPermitted: true, timestamp: [900, 100], windowScale: 9 }).build() })
  ng.epb({ interfaceId: 0, ts: at(0, 1), data: tagged().ipv4(DVM, LOGIN, { id: 0x1237, ttl: 128, df: true }).tcp(49800, 443, { seq: 1001, ack: 5001, flags: 0x10, window: 502 }, { timestamp: [101, 900] }).build() })
  const quoted = packet().ipv4(DVM, '198.51.100.7', { id: 0x1238, ttl: 127 }).udp(51001, 53).payload(dnsMessage(0x4321, 'management.azure.com')).build()
  ng.epb({ interfaceId: 1, ts: at(1, 400), data: plain().ipv4('198.51.100.7', DVM, { ttl: 50 }).icmp(3, 3).payload(quoted.subarray(0, 28 + 12)).build() })
  // Build the whole datagram so the UDP checksum covers its pseudo-header, then cut it after the IP header.
  const datagram = packet().ipv4(DVM, '192.0.2.10').udp(40000, 5001).payload(Array.from({ length: 1472 }, (_, i) => i & 0xff)).build().subarray(20)
  ng.epb({ interfaceId: 0, ts: at(0, 600), data: tagged().ipv4(DVM, '192.0.2.10', { id: 0x2000, mf: true, protocol: 17, ttl: 128 }).payload(datagram.subarray(0, 1000)).build() })
  ng.epb({ interfaceId: 0, ts: at(0, 1), data: tagged().ipv4(DVM, '192.0.2.10', { id: 0x2000, fragmentOffset: 1000, protocol: 17, ttl: 128 }).payload(datagram.subarray(1000)).build() })
  const target = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x15, 0x5d, 0xff, 0xfe, 0x0a, 0x1d, 0x29]
  ng.epb({ interfaceId: 1, ts: at(1, 900), data: packet().eth(BORDER_MAC, '33:33:ff:0a:1d:29').ipv6('fe80::21b:21ff:fe0a:b01', 'ff02::1:ff0a:1d29', { hopLimit: 255 }).icmpv6(135, 0).payload(target).build() })
  const arpBody = [0, 1, 8, 0, 6, 4, 0, 1, 0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x01, 10, 10, 0, 1, 0, 0, 0, 0, 0, 0, 10, 10, 0, 29]
  ng.epb({ interfaceId: 1, ts: at(1, 50), data: packet().eth(BORDER_MAC, 'ff:ff:ff:ff:ff:ff', 0x0806).payload([...arpBody, ...new Array<number>(18).fill(0)]).build() })
  return ng.build()
}
