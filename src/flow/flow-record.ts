/**
 * A flow as reports print it: the contract's shape (../shared/contract/README.md, report
 * `flows.top[]`), keys in that order, then additions. `fwd` is initiator -> responder.
 */
export interface FlowEndpoint {
  ip: string
  /** null for protocols without ports (ICMP, other IP protocols). */
  port: number | null
}

export interface FlowRecord {
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6', or 'ip-<number>' for other IP protocols. */
  proto: string
  initiator: FlowEndpoint
  responder: FlowEndpoint
  /** VXLAN/Geneve VNI or NVGRE VSID of the innermost tunnel carrying it; null outside tunnels. */
  vni: number | null
  /** Innermost 802.1Q VLAN id in front of the flow's IP header; null when untagged. */
  vlan: number | null
  firstTs: string
  lastTs: string
  packets: { fwd: number; rev: number }
  /** IP bytes (header included) per direction. */
  bytes: { fwd: number; rev: number }
  /** Zeek conn_state: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH. */
  state: string
  /** Application seen in it ('dns', 'ntp', 'bgp', 'tls', 'http', 'vxlan', ...) or null. */
  app: string | null
  firstFrame: number
  /** Policy roles of each side (e.g. 'dvm', 'forwarder'); null until a policy names them. */
  roles: { initiator: string | null; responder: string | null }
  // ---- additions ----
  /** Zeek's history letters (S h A D a d F f R r T t ...). */
  history: string
  /** Transport payload bytes per direction. */
  payloadBytes: { fwd: number; rev: number }
  lastFrame: number
  /** TCP picked up without its SYN: the initiator is a guess (the lower port, or the first sender). */
  initiatorInferred: boolean
  /** ICMP errors that quoted this flow (unreachable, too big, time exceeded). */
  icmpErrors: number
  /** The capture file it was seen in (the first one, when several captures form one window). */
  file: string
}
