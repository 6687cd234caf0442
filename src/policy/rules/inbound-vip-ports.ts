/**
 * inbound-vip-ports [2.5, 3.2]: inbound sessions to the infrastructure VIPs are for the published
 * endpoints and ports only (each VIP has an SDN ACL). A SYN from outside the stamp to another port is
 * a finding: low when unanswered (the ACL dropped it), high when answered (something listens and the
 * ACL let it through). One finding per (source, VIP, port).
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import { isRetiredExtensionHostPort, publishedInbound } from '../inbound-ports.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import type { PolicyView } from '../view.js'
import { answered, directionFinding, initiatedByInitiator } from './flow-direction.js'
import { groupBy, plural } from './grouping.js'

/** Sources that are the stamp itself rather than "outside". */
function insideStamp(ip: string, p: PolicyView): boolean {
  return p.publicVip.has(ip) || p.infraVip.has(ip) || p.infrastructure.has(ip) || p.bmc.has(ip)
    || p.private.has(ip) || p.switchInfra.has(ip) || p.switchMgmt.has(ip)
}

export const inboundVipPorts: RuleDefinition = {
  id: 'inbound-vip-ports',
  title: 'Inbound sessions to infrastructure VIPs use the published ports',
  // The answered case; unanswered SYNs are low (set per finding).
  severity: 'high',
  group: 'segmentation',
  inputs: ['networks.infraVip'],
  description: 'inbound SYNs to infrastructure VIPs on ports outside the published list: low unanswered, high answered',
  reference: '2.5, 3.2',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs networks.infraVip (or networks.publicVip)')
    if (policy.infraVip.empty) return notEvaluable('networks.infraVip is not set (nor networks.publicVip to derive it)')

    let inbound = 0
    const offending: FlowRecord[] = []
    for (const f of obs.flows) {
      if (f.proto !== 'tcp' || f.vni !== null || f.responder.port === null) continue
      if (!policy.infraVip.has(f.responder.ip) || insideStamp(f.initiator.ip, policy) || !initiatedByInitiator(f)) continue
      inbound++
      if (publishedInbound('tcp', f.responder.port).length === 0) offending.push(f)
    }

    const findings: FindingDraft[] = []
    for (const [key, flows] of groupBy(offending, (f) => `${f.initiator.ip}>${f.responder.ip}:${f.responder.port}`)) {
      const first = flows[0]!
      const port = first.responder.port!
      const answeredCount = flows.filter(answered).length
      const retired = isRetiredExtensionHostPort(port) ? ` (${port} was retired by the Extension Host in 1811: a client configured for an older stamp?)` : ''
      const outcome = answeredCount > 0 ? `${answeredCount} answered: the VIP's ACL lets it in` : 'none answered'
      const message = `${first.initiator.ip} sent ${plural(flows.length, 'SYN')} to infrastructure VIP ${first.responder.ip} on TCP ${port}, not a published inbound port${retired}; ${outcome}`
      findings.push(directionFinding(obs, key, message, flows, answeredCount > 0 ? undefined : 'low'))
    }
    return evaluated(
      `${plural(inbound, 'inbound TCP session')} to infrastructure VIPs from outside the stamp; ${offending.length} on unpublished ports`,
      findings,
    )
  },
}
