/**
 * Small captures and a policy for `analyze` tests: traffic that makes known rules fail, written as
 * classic pcap files with the real packet builder and capture writer.
 *
 * Addresses and times follow ../shared/contract/policy.example.yaml (DVM 10.10.0.29, BMC
 * 10.10.0.0/26, forwarders 192.0.2.53/54, deployment complete 2026-11-20T14:00:00Z): every packet
 * here is a minute before completion, i.e. during deployment.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pcapFile } from '../../src/capture/writer.js'
import { packet } from '../../src/samples/packet.js'

export const DVM = '10.10.0.29'
export const FORWARDER = '192.0.2.53'
/** 2026-11-20T13:59:00Z. */
export const T0 = 1795183140

/** A DNS query for one A record; labels are taken byte for byte (latin1), so they can carry anything. */
export function dnsQuery(id: number, name: string): number[] {
  const qname = [...name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]), 0]
  return [id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...qname, 0, 1, 0, 1]
}

/** A UDP DNS query frame from `client` to `server`. */
export function dnsFrame(client: string, server: string, name: string, id = 0x1234, srcPort = 51000): Uint8Array {
  return packet().eth().ipv4(client, server, { ttl: 128 }).udp(srcPort, 53).payload(dnsQuery(id, name)).build()
}

/** A TCP SYN frame. */
export function synFrame(src: string, dst: string, srcPort: number, dstPort: number): Uint8Array {
  return packet().eth().ipv4(src, dst, { ttl: 60 }).tcp(srcPort, dstPort, { seq: 1000, flags: 0x02 }).build()
}

/** Writes the frames as a microsecond pcap, one every 10 ms from `start` (seconds); returns its path. */
export function writePcap(dir: string, name: string, frames: Uint8Array[], start = T0): string {
  const file = join(dir, name)
  writeFileSync(file, pcapFile(frames.map((data, i) => ({ data, tsSec: start, tsFrac: i * 10_000 }))))
  return file
}

/** One high finding (dvm-outbound-only): a SYN from outside the BMC network to the DVM's RDP port. */
export function inboundRdpFrames(): Uint8Array[] {
  return [synFrame('198.51.100.7', DVM, 40000, 3389)]
}

/** DNS from the DVM to a resolver that is not a configured forwarder (dvm-dns-to-forwarder). */
export function wrongResolverFrames(name = 'login.microsoftonline.com'): Uint8Array[] {
  return [dnsFrame(DVM, '8.8.8.8', name)]
}

/**
 * The keys of ../shared/contract/policy.example.yaml, written here so the tests do not depend on
 * the shared folder. `overrides: true` keeps its `rules:` section (dvm-outbound-only raised to
 * critical, ipv4-only disabled).
 */
export function examplePolicy(o: { overrides?: boolean } = {}): string {
  return `version: 1
name: contoso-east-stamp1
vantage: border
cloud: AzureCloud
identity: entra
routing: bgp
networks:
  bmc: 10.10.0.0/26
  publicVip: 203.0.113.0/24
  infraVip: 203.0.113.0/27
  infrastructure: 10.20.0.0/24
  infraAccessible: 10.20.0.224/27
  private: 172.16.0.0/20
  switchInfra: 10.10.1.0/26
  switchMgmt: 10.10.1.56/29
  pa: 10.30.0.0/23
  permitted: [192.0.2.0/25]
hosts:
  dvm: 10.10.0.29
  hlh: 10.10.0.30
  hlhBmc: 10.10.0.2
  oemToolVms: [10.10.0.19, 10.10.0.20]
  dnsForwarders: [192.0.2.53, 192.0.2.54]
  ntpServers: [192.0.2.123]
  ntpServerIsWindows: false
  explicitProxies: []
  syslog: null
  adForestDcs: []
bgp:
  borderAsn: 64512
  azsAsn: 64651
  slbAsn: 64652
  md5: false
  peers:
    - { border: 10.10.1.1, tor: 10.10.1.2 }
    - { border: 10.10.1.5, tor: 10.10.1.6 }
  expectedVips: [203.0.113.10, 203.0.113.11, 203.0.113.74]
deployment:
  completeAt: 2026-11-20T14:00:00Z
  graceSeconds: 1800
endpoints:
  - { host: portal.contoso.example, ports: [443], requirement: required }
${o.overrides ? `rules:
  ipv4-only: { enabled: false }
  dvm-outbound-only: { severity: critical }
` : ''}allow:
  - { rule: hlh-restricted, src: 10.10.0.30, dst: 192.0.2.10, proto: tcp, dstPort: 443, why: "OEM update server" }
`
}
