/**
 * The deployment policy as hubcap uses it after loading: the keys of
 * ../shared/contract/policy.example.yaml, every one optional except `version`.
 * load.ts validates the user's YAML/JSON against schema/policy.schema.json and
 * returns this shape; it is plain data so it can cross to the workers.
 *
 * Addresses are text as the user wrote them (validated strictly: no `1.2.3`
 * shorthand); view.ts compiles them into matchers once.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info'
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

export type Vantage = 'border' | 'tor' | 'host'
export type Cloud = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud'
export type Identity = 'entra' | 'adfs'

export interface PolicyNetworks {
  /** BMC network: BMCs, HLH, DVM. */
  bmc?: string
  /** The public VIP pool. */
  publicVip?: string
  /** Infrastructure VIPs; default (view.ts): the first /27 of publicVip. */
  infraVip?: string
  infrastructure?: string
  infraAccessible?: string
  /** Must never appear beyond the border. */
  private?: string
  switchInfra?: string
  switchMgmt?: string
  /** HNV provider addresses (VXLAN underlay). */
  pa?: string
  /** Datacenter networks allowed to reach switch management and the HLH. */
  permitted?: string[]
}

export interface PolicyHosts {
  dvm?: string
  hlh?: string
  hlhBmc?: string
  oemToolVms?: string[]
  dnsForwarders?: string[]
  ntpServers?: string[]
  ntpServerIsWindows?: boolean
  explicitProxies?: string[]
  syslog?: string | null
  adForestDcs?: string[]
}

export interface BgpPeerPair { border: string; tor: string }

export interface PolicyBgp {
  borderAsn?: number
  azsAsn?: number
  slbAsn?: number
  /** TCP-MD5 (option 19) expected on TOR-border sessions. */
  md5?: boolean
  peers?: BgpPeerPair[]
  /** Each announced as a /32 (or covered by an aggregate). */
  expectedVips?: string[]
}

export interface PolicyDeployment {
  /** ISO 8601 instant, or 'auto' (detected from the capture). */
  completeAt?: string
  /** Default 1800 (view.ts). */
  graceSeconds?: number
}

export type EndpointRequirement = 'mandatory' | 'required' | 'conditional' | 'optional' | 'notRequired'

export interface PolicyEndpoint {
  /** A DNS name; `*.example.com` matches as a suffix. */
  host: string
  ports: number[]
  /** Default 'required'. */
  requirement?: EndpointRequirement
  /** Default 'tcp'. */
  proto?: 'tcp' | 'udp'
}

export interface RuleOverride {
  enabled?: boolean
  severity?: Severity
}

/** A documented exception: matching traffic never produces a finding of that rule. */
export interface AllowEntry {
  rule: string
  /** An address or CIDR. */
  src?: string
  dst?: string
  proto?: 'tcp' | 'udp' | 'icmp' | 'icmpv6'
  srcPort?: number
  dstPort?: number
  why?: string
}

export interface Policy {
  version: 1
  name?: string
  vantage?: Vantage
  cloud?: Cloud
  identity?: Identity
  routing?: 'bgp' | 'static'
  networks?: PolicyNetworks
  hosts?: PolicyHosts
  bgp?: PolicyBgp
  deployment?: PolicyDeployment
  endpoints?: PolicyEndpoint[]
  rules?: Record<string, RuleOverride>
  allow?: AllowEntry[]
}

export const DEFAULT_GRACE_SECONDS = 1800
