/**
 * The scenario captures: a healthy deployment and, for every rule of the catalog, at least one
 * capture that breaks it. Each is built by its recipe with its policy; test/e2e/scenarios.test.ts
 * checks every rule's status, the findings and their cited frames. Each is also a committed sample
 * (src/samples/catalog.ts: samples/<name>.pcapng or .pcap with its policy).
 */
import type { Scenario } from './deployment.js'
import { healthy } from './healthy.js'
import { dvmReachedFromOutside } from './dvm-reached-from-outside.js'
import { dvmDnsToOtherResolver } from './dvm-dns-to-other-resolver.js'
import { forwarderNotAnswering } from './forwarder-not-answering.js'
import { rootHintFallback } from './root-hint-fallback.js'
import { ntpWrongServerAndSymmetricMode } from './ntp-wrong-server-and-symmetric-mode.js'
import { explicitProxy } from './explicit-proxy.js'
import { requiredEndpointFailing } from './required-endpoint-failing.js'
import { dnsNtpFromDvmAfterCompletion } from './dns-ntp-from-dvm-after-completion.js'
import { azureCommsFromBmc } from './azure-comms-from-bmc.js'
import { hlhUnrestricted } from './hlh-unrestricted.js'
import { mgmtFromOutside } from './mgmt-from-outside.js'
import { privateLeak } from './private-leak.js'
import { ipv6AtBorder } from './ipv6-at-border.js'
import { inboundVipUnpublishedPort } from './inbound-vip-unpublished-port.js'
import { bgpNotificationAndFlap } from './bgp-notification-and-flap.js'
import { bgpNoUpdates } from './bgp-no-updates.js'
import { vipWithdrawn } from './vip-withdrawn.js'
import { unexpectedPrefix } from './unexpected-prefix.js'
import { mux4byteAsn } from './mux-4byte-asn.js'
import { vxlanLeak } from './vxlan-leak.js'
import { underlayMtu } from './underlay-mtu.js'

export type { Scenario, ScenarioCapture } from './deployment.js'

export const SCENARIOS: Scenario[] = [
  healthy,
  dvmReachedFromOutside,
  dvmDnsToOtherResolver,
  forwarderNotAnswering,
  rootHintFallback,
  ntpWrongServerAndSymmetricMode,
  explicitProxy,
  requiredEndpointFailing,
  dnsNtpFromDvmAfterCompletion,
  azureCommsFromBmc,
  hlhUnrestricted,
  mgmtFromOutside,
  privateLeak,
  ipv6AtBorder,
  inboundVipUnpublishedPort,
  bgpNotificationAndFlap,
  bgpNoUpdates,
  vipWithdrawn,
  unexpectedPrefix,
  mux4byteAsn,
  vxlanLeak,
  underlayMtu,
]
