/**
 * The policy role of an address, as flow records print it (`roles.initiator` / `roles.responder`):
 * the most specific role that the policy gives it, or null. Hosts come before the networks that
 * hold them (the DVM is in the BMC network; an expected VIP is in the infrastructure VIPs, which are
 * in the public VIP pool), so a reader sees what the address is, not only where it lives.
 */
import type { FlowRecord } from '../flow/flow-record.js'
import { AddressSet } from '../policy/cidr.js'
import type { PolicyView } from '../policy/view.js'

export type Role =
  | 'dvm' | 'hlh' | 'hlh-bmc' | 'oem-tool-vm' | 'dns-forwarder' | 'ntp-server' | 'explicit-proxy'
  | 'bgp-border' | 'bgp-tor' | 'expected-vip' | 'infra-vip' | 'public-vip' | 'bmc' | 'switch-mgmt'
  | 'switch-infra' | 'infrastructure' | 'private' | 'pa' | 'permitted'

/** Answers cached per address up to this many, then the cache starts over (a scan must not grow it). */
const CACHE_LIMIT = 100_000

export class RoleResolver {
  /** Most specific first: the first set holding the address names its role. */
  private readonly order: ReadonlyArray<readonly [Role, AddressSet]>
  private readonly cache = new Map<string, Role | null>()

  constructor(view: PolicyView) {
    const p = view.policy
    const peers = p.bgp?.peers ?? []
    this.order = [
      ['dvm', view.dvm],
      ['hlh', view.hlh],
      ['hlh-bmc', new AddressSet([p.hosts?.hlhBmc])],
      ['oem-tool-vm', view.oemToolVms],
      ['dns-forwarder', view.dnsForwarders],
      ['ntp-server', view.ntpServers],
      ['explicit-proxy', view.explicitProxies],
      ['bgp-border', new AddressSet(peers.map((x) => x.border))],
      ['bgp-tor', view.torAddresses],
      ['expected-vip', view.expectedVips],
      ['infra-vip', view.infraVip],
      ['public-vip', view.publicVip],
      ['bmc', view.bmc],
      ['switch-mgmt', view.switchMgmt],
      ['switch-infra', view.switchInfra],
      ['infrastructure', view.infrastructure],
      ['private', view.private],
      ['pa', view.pa],
      ['permitted', view.permitted],
    ] as const
  }

  roleOf(ip: string): Role | null {
    const hit = this.cache.get(ip)
    if (hit !== undefined) return hit
    let role: Role | null = null
    for (const [name, set] of this.order) {
      if (!set.empty && set.has(ip)) { role = name; break }
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear()
    this.cache.set(ip, role)
    return role
  }

  /** Sets `r.roles` from the policy. */
  fill(r: FlowRecord): void {
    r.roles = { initiator: this.roleOf(r.initiator.ip), responder: this.roleOf(r.responder.ip) }
  }
}
