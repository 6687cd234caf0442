/**
 * Which flow records the rules may need, given a policy. Keeping every flow of a multi-GB capture
 * costs ~1.2 KB each; the rules only ever look at flows that touch an address or port the policy
 * names, so the builder keeps those (and all flows, up to a bound, when there is no policy).
 *
 * Each term says which rules of ../shared/contract/rules.md read such flows. A term is only a
 * reason to keep a flow: judging it is the rules' job.
 */
import type { FlowRecord } from '../flow/flow-record.js'
import type { AddressSet } from '../policy/cidr.js'
import type { PolicyView } from '../policy/view.js'

/** Ports whose flows to or from a public VIP the rules read. */
const VIP_PORTS = new Set([
  179,                    // bgp-session-health, bgp-established-no-updates (sessions to VIP-side speakers)
  53, 123,                // dns-ntp-source-moves-to-vip, dns-forwarder-answers after deployment (VIP-sourced DNS/NTP)
  3128, 8080, 8000, 8888, // no-explicit-proxy: VIP TCP to proxy ports with HTTP inside
  80, 443,                // required-endpoints after deployment (from the VIPs), slb-vip-advertised (traffic to a VIP)
])

/** Flow apps that are tunnels: their outer flows are what the encapsulation rules judge. */
const TUNNEL_APPS = new Set(['vxlan', 'geneve', 'nvgre', 'gre'])

/** True when a rule may need this flow (see the terms below). */
export function isRelevantFlow(view: PolicyView, r: FlowRecord): boolean {
  const a = r.initiator.ip
  const b = r.responder.ip
  // ipv4-only: any IPv6 at all.
  if (a.includes(':') || b.includes(':')) return true
  // vxlan-format, vxlan-not-at-border, underlay-mtu: tunnel outer flows and the flows inside them.
  if (r.vni !== null || (r.app !== null && TUNNEL_APPS.has(r.app))) return true
  if (either(view.bmc, a, b)) return true            // dvm-outbound-only, hlh-restricted, azure-comms-via-vip, dvm-dns-to-forwarder
  if (either(view.infraVip, a, b)) return true       // inbound-vip-ports, azure-comms-via-vip, required-endpoints (after)
  if (either(view.expectedVips, a, b)) return true   // slb-vip-advertised: traffic to a VIP while it had no route
  if (either(view.switchMgmt, a, b)) return true     // mgmt-from-permitted-networks
  if (either(view.private, a, b)) return true        // private-never-beyond-border
  if (either(view.permitted, a, b)) return true      // mgmt-from-permitted-networks: who reaches management
  if (either(view.explicitProxies, a, b)) return true // no-explicit-proxy: traffic to a known proxy
  if (either(view.dvm, a, b)) return true            // every deployment-phase rule, dvm-removed-after-deploy
  if (either(view.hlh, a, b)) return true            // hlh-restricted, mgmt-from-permitted-networks
  if (either(view.dnsForwarders, a, b)) return true  // dns-forwarder-answers, dvm-dns-to-forwarder
  if (either(view.ntpServers, a, b)) return true     // ntp-to-configured-server
  if (either(view.pa, a, b)) return true             // vxlan-format: provider addresses of the underlay
  if (either(view.bgpPeers, a, b)) return true       // bgp-session-health: SYNs to 179 between the peers that got no answer
  if (either(view.switchInfra, a, b)) return true    // bgp-session-health, private-never-beyond-border: the P2P links and loopbacks
  // bgp-session-health: any BGP connection attempt (a speaker the policy does not list is still a session to judge).
  if (r.proto === 'tcp' && (r.initiator.port === 179 || r.responder.port === 179)) return true
  // Public VIP traffic on the ports above (the pool is large: other VIP traffic is tenant business).
  const tcpOrUdp = r.proto === 'tcp' || r.proto === 'udp'
  if (tcpOrUdp && (isVipPort(r.initiator.port) || isVipPort(r.responder.port)) && either(view.publicVip, a, b)) return true
  return false
}

function isVipPort(port: number | null): boolean {
  return port !== null && VIP_PORTS.has(port)
}

function either(set: AddressSet, a: string, b: string): boolean {
  return !set.empty && (set.has(a) || set.has(b))
}
