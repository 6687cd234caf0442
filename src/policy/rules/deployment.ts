/**
 * The rules of the "Deployment phase" and "Phase transition" groups of
 * ../shared/contract/rules.md, in catalog order.
 */
import type { RuleDefinition } from '../rule.js'
import { azureCommsViaVip } from './azure-comms-via-vip.js'
import { dnsForwarderAnswers } from './dns-forwarder-answers.js'
import { dnsNtpSourceMovesToVip } from './dns-ntp-source-moves-to-vip.js'
import { dnsRootHintFallback } from './dns-root-hint-fallback.js'
import { dvmDnsToForwarder } from './dvm-dns-to-forwarder.js'
import { dvmOutboundOnly } from './dvm-outbound-only.js'
import { dvmRemovedAfterDeploy } from './dvm-removed-after-deploy.js'
import { noExplicitProxy } from './no-explicit-proxy.js'
import { ntpClientMode } from './ntp-client-mode.js'
import { ntpToConfiguredServer } from './ntp-to-configured-server.js'
import { requiredEndpoints } from './required-endpoints.js'

export const DEPLOYMENT_RULES: RuleDefinition[] = [
  dvmOutboundOnly,
  dvmDnsToForwarder,
  dnsForwarderAnswers,
  dnsRootHintFallback,
  ntpToConfiguredServer,
  ntpClientMode,
  noExplicitProxy,
  requiredEndpoints,
  dnsNtpSourceMovesToVip,
  dvmRemovedAfterDeploy,
  azureCommsViaVip,
]
