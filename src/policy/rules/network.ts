/**
 * The network rules in catalog order (../shared/contract/rules.md): segmentation and ACLs, BGP and
 * load-balancer routes, encapsulation.
 */
import type { RuleDefinition } from '../rule.js'
import { bgpEstablishedNoUpdates } from './bgp-established-no-updates.js'
import { bgpSessionHealth } from './bgp-session-health.js'
import { bgpUnexpectedPrefix } from './bgp-unexpected-prefix.js'
import { hlhRestricted } from './hlh-restricted.js'
import { inboundVipPorts } from './inbound-vip-ports.js'
import { ipv4Only } from './ipv4-only.js'
import { mgmtFromPermittedNetworks } from './mgmt-from-permitted-networks.js'
import { privateNeverBeyondBorder } from './private-never-beyond-border.js'
import { sdnMuxAsn2byte } from './sdn-mux-asn-2byte.js'
import { slbVipAdvertised } from './slb-vip-advertised.js'
import { underlayMtu } from './underlay-mtu.js'
import { vxlanFormat } from './vxlan-format.js'
import { vxlanNotAtBorder } from './vxlan-not-at-border.js'

export const NETWORK_RULES: RuleDefinition[] = [
  hlhRestricted,
  mgmtFromPermittedNetworks,
  privateNeverBeyondBorder,
  ipv4Only,
  inboundVipPorts,
  bgpSessionHealth,
  bgpEstablishedNoUpdates,
  slbVipAdvertised,
  bgpUnexpectedPrefix,
  sdnMuxAsn2byte,
  vxlanFormat,
  vxlanNotAtBorder,
  underlayMtu,
]
