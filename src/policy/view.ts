/**
 * A policy compiled for evaluation: every network and host list as an AddressSet
 * (empty when the policy does not name it), defaults applied (infraVip = first
 * /27 of publicVip, graceSeconds = 1800), and `has*` flags that say which inputs
 * exist, so an evaluator can answer `not-evaluable` in one line.
 */
import { AddressSet, parsePrefix } from './cidr.js'
import { DEFAULT_GRACE_SECONDS, type Policy } from './model.js'

export class PolicyView {
  readonly policy: Policy
  readonly bmc: AddressSet
  readonly publicVip: AddressSet
  /** From `networks.infraVip`, or the first /27 of publicVip. */
  readonly infraVip: AddressSet
  readonly infrastructure: AddressSet
  readonly infraAccessible: AddressSet
  readonly private: AddressSet
  readonly switchInfra: AddressSet
  readonly switchMgmt: AddressSet
  readonly pa: AddressSet
  readonly permitted: AddressSet
  readonly dvm: AddressSet
  readonly hlh: AddressSet
  readonly oemToolVms: AddressSet
  readonly dnsForwarders: AddressSet
  readonly ntpServers: AddressSet
  readonly explicitProxies: AddressSet
  readonly expectedVips: AddressSet
  /** Every border and TOR address of `bgp.peers`. */
  readonly bgpPeers: AddressSet
  readonly torAddresses: AddressSet
  readonly graceSeconds: number

  constructor(policy: Policy) {
    this.policy = policy
    const n = policy.networks ?? {}
    const h = policy.hosts ?? {}
    const b = policy.bgp ?? {}
    this.bmc = new AddressSet([n.bmc])
    this.publicVip = new AddressSet([n.publicVip])
    this.infraVip = new AddressSet([n.infraVip ?? firstSlash27(n.publicVip)])
    this.infrastructure = new AddressSet([n.infrastructure])
    this.infraAccessible = new AddressSet([n.infraAccessible])
    this.private = new AddressSet([n.private])
    this.switchInfra = new AddressSet([n.switchInfra])
    this.switchMgmt = new AddressSet([n.switchMgmt])
    this.pa = new AddressSet([n.pa])
    this.permitted = new AddressSet(n.permitted ?? [])
    this.dvm = new AddressSet([h.dvm])
    this.hlh = new AddressSet([h.hlh])
    this.oemToolVms = new AddressSet(h.oemToolVms ?? [])
    this.dnsForwarders = new AddressSet(h.dnsForwarders ?? [])
    this.ntpServers = new AddressSet(h.ntpServers ?? [])
    this.explicitProxies = new AddressSet(h.explicitProxies ?? [])
    this.expectedVips = new AddressSet(b.expectedVips ?? [])
    this.bgpPeers = new AddressSet((b.peers ?? []).flatMap((p) => [p.border, p.tor]))
    this.torAddresses = new AddressSet((b.peers ?? []).map((p) => p.tor))
    this.graceSeconds = policy.deployment?.graceSeconds ?? DEFAULT_GRACE_SECONDS
  }

  get vantage(): 'border' | 'tor' | 'host' {
    return this.policy.vantage ?? 'border'
  }
}

/** `203.0.113.0/24` -> `203.0.113.0/27`; undefined when there is no IPv4 pool of /27 or larger. */
export function firstSlash27(publicVip: string | undefined): string | undefined {
  if (!publicVip) return undefined
  const p = parsePrefix(publicVip)
  if (!p || p.bytes.length !== 4) return publicVip
  if (p.length >= 27) return publicVip
  const b = p.bytes
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]! & 0xe0}/27`
}
