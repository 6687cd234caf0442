/**
 * Every rule id of the catalog (../shared/contract/rules.md), in its order.
 * Policies name rules in `rules:` and `allow[].rule`; the policy schema
 * (schema/policy.schema.json) lists the same ids as an enum, and a test keeps
 * this list, the schema and rules.md's table rows equal, so a typo in a policy
 * is an error instead of an override that silently does nothing.
 */
export const RULE_IDS = [
  // Deployment phase
  'dvm-outbound-only',
  'dvm-dns-to-forwarder',
  'dns-forwarder-answers',
  'dns-root-hint-fallback',
  'ntp-to-configured-server',
  'ntp-client-mode',
  'no-explicit-proxy',
  'required-endpoints',
  // Phase transition
  'dns-ntp-source-moves-to-vip',
  'dvm-removed-after-deploy',
  'azure-comms-via-vip',
  // Segmentation and ACLs
  'hlh-restricted',
  'mgmt-from-permitted-networks',
  'private-never-beyond-border',
  'ipv4-only',
  'inbound-vip-ports',
  // BGP and load-balancer routes
  'bgp-session-health',
  'bgp-established-no-updates',
  'slb-vip-advertised',
  'bgp-unexpected-prefix',
  'sdn-mux-asn-2byte',
  // Encapsulation
  'vxlan-format',
  'vxlan-not-at-border',
  'underlay-mtu',
] as const

export type RuleId = (typeof RULE_IDS)[number]

const KNOWN: ReadonlySet<string> = new Set(RULE_IDS)

export function isRuleId(id: string): id is RuleId {
  return KNOWN.has(id)
}
