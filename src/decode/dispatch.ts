/**
 * Which decoder runs next. These tables are data, in one place: teaching the
 * decoder a new EtherType, IP protocol or link type is a one-line change here,
 * never an edit inside a protocol module.
 */

export const Layer = {
  Payload: 0, // no decoder: the bytes are kept as an opaque payload
  Ethernet: 1,
  Vlan: 2,
  Sll: 3,
  Sll2: 4,
  Null: 5,    // BSD loopback, family in host byte order
  Loop: 6,    // OpenBSD loopback, family in network byte order
  RawIp: 7,   // IPv4 or IPv6, told apart by the version nibble
  Ipv4: 8,
  Ipv6: 9,
  Arp: 10,
  Icmp: 11,
  Icmpv6: 12,
  Udp: 13,
  Tcp: 14,
  Chdlc: 15,
  Mpls: 16,
  Vxlan: 17,
  Gre: 18,
  Geneve: 19,
  Erspan: 20,
  Dns: 21,
  Ntp: 22,
  Bgp: 23,
  Tls: 24,
  Http: 25,
  /** An application layer already built as its record (messages framed over a TCP stream). */
  Record: 26,
} as const
export type Layer = (typeof Layer)[keyof typeof Layer]

/** LINKTYPE_* value (FCS bits already masked) to the first layer. */
export function firstLayer(linkType: number): Layer {
  switch (linkType) {
    case 1: return Layer.Ethernet      // LINKTYPE_ETHERNET
    case 104: return Layer.Chdlc       // LINKTYPE_C_HDLC
    case 113: return Layer.Sll         // LINKTYPE_LINUX_SLL
    case 276: return Layer.Sll2        // LINKTYPE_LINUX_SLL2
    case 0: return Layer.Null          // LINKTYPE_NULL
    case 108: return Layer.Loop        // LINKTYPE_LOOP
    case 101: return Layer.RawIp       // LINKTYPE_RAW
    case 12: return Layer.RawIp        // DLT_RAW on most BSDs and in old libpcap files
    case 14: return Layer.RawIp        // DLT_RAW on OpenBSD
    case 228: return Layer.Ipv4        // LINKTYPE_IPV4
    case 229: return Layer.Ipv6        // LINKTYPE_IPV6
    default: return Layer.Payload
  }
}

/** EtherType (Ethernet, VLAN, SLL protocol field) to the next layer. */
export function nextAfterEtherType(etherType: number): Layer {
  switch (etherType) {
    case 0x0800: return Layer.Ipv4
    case 0x86dd: return Layer.Ipv6
    case 0x0806: return Layer.Arp
    case 0x8035: return Layer.Arp      // RARP: the ARP message format (RFC 903)
    case 0x8847: case 0x8848: return Layer.Mpls
    case 0x8100: case 0x88a8: case 0x9100: return Layer.Vlan
    default: return Layer.Payload
  }
}

/** IP protocol number (IPv4 protocol, IPv6 upper-layer next header) to the next layer. */
export function nextAfterIpProtocol(protocol: number): Layer {
  switch (protocol) {
    case 1: return Layer.Icmp
    case 47: return Layer.Gre
    case 4: return Layer.Ipv4          // IP in IP
    case 6: return Layer.Tcp
    case 17: return Layer.Udp
    case 41: return Layer.Ipv6         // IPv6 in IP (6in4)
    case 58: return Layer.Icmpv6
    default: return Layer.Payload
  }
}

/** BSD address family values for IPv4 and IPv6 (they differ between systems). */
export function nextAfterLoopbackFamily(family: number): Layer {
  if (family === 2) return Layer.Ipv4
  if (family === 10 || family === 24 || family === 28 || family === 30) return Layer.Ipv6
  return Layer.Payload
}

/** What GRE carries: an EtherType, with Ethernet bridging (NVGRE) and ERSPAN named by their own values. */
export function nextAfterGreProtocol(protocol: number): Layer {
  switch (protocol) {
    case 0x6558: return Layer.Ethernet // transparent Ethernet bridging (NVGRE when keyed)
    case 0x88be: case 0x22eb: return Layer.Erspan
    default: return nextAfterEtherType(protocol)
  }
}

/** The UDP ports decoded as tunnels or applications by default (contract: VXLAN on 4789 and 8472). */
export const DEFAULT_VXLAN_PORTS: readonly number[] = [4789, 8472]
export const GENEVE_PORT = 6081

export interface PortConfig {
  /** UDP ports carrying VXLAN (default 4789 and 8472); a policy may add more. */
  vxlanPorts?: readonly number[]
  /** Decode applications (DNS, NTP, BGP, TLS, HTTP; default true). Off for flow-only work: tunnels and L2-L4 only. */
  applications?: boolean
  /** TCP applications stop following a connection after its first record (enough to name a flow's application). */
  firstRecordOnly?: boolean
}

/** The port configuration with `extra` VXLAN ports besides the defaults (none given: the defaults). */
export function withVxlanPorts(extra: readonly number[] | undefined): PortConfig {
  return extra ? { vxlanPorts: [...DEFAULT_VXLAN_PORTS, ...extra] } : {}
}

/**
 * UDP port to the layer it carries: one byte per port, one array read per lookup.
 * Built once per decoder from the same configuration in every worker.
 */
/** An application port when applications are off: the datagram is payload (UdpPorts). */
const UNDECODED_APP = 0xff

export class UdpPorts {
  private readonly table = new Uint8Array(65536)

  constructor(config: PortConfig = {}) {
    this.table[GENEVE_PORT] = Layer.Geneve
    // Without applications their ports still decide, as payload: a datagram from the VXLAN port to port 53
    // is DNS with them and must not become a tunnel without them (the router and a worker's track-only
    // decoder must see the levels the worker's own decoder sees: flow/share.ts).
    const apps = config.applications !== false
    this.table[123] = apps ? Layer.Ntp : UNDECODED_APP
    this.table[53] = apps ? Layer.Dns : UNDECODED_APP
    this.table[5353] = apps ? Layer.Dns : UNDECODED_APP // mDNS has DNS's format (contract: decoded as dns)
    for (const p of config.vxlanPorts ?? DEFAULT_VXLAN_PORTS) this.table[p & 0xffff] = Layer.Vxlan
  }

  /** The destination port decides first; the source port covers replies. */
  next(srcPort: number, dstPort: number): Layer {
    const l = this.table[dstPort] || this.table[srcPort]
    return (l === 0 || l === UNDECODED_APP ? Layer.Payload : l) as Layer
  }

  register(port: number, layer: Layer): void {
    this.table[port & 0xffff] = layer
  }
}
