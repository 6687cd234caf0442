/**
 * mgmt-from-permitted-networks [2.4]: switch management, the HLH and the BMC network are reachable
 * from the datacenter only from `permitted` ("if the field is left blank, access is denied"). A
 * session from anywhere else that is answered (SYN-ACK, UDP or ICMP reply) means the ACL lets it in;
 * unanswered attempts show the ACL working and are not findings.
 *
 * `permitted: []` means "nobody" and is evaluated; a policy without the key is not-evaluable (it did
 * not say). Sources inside the stamp's own networks (BMC, switch infrastructure and management,
 * infrastructure, private) are not "the datacenter" and are not judged here.
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import type { PolicyView } from '../view.js'
import { answered, directionFinding, initiatedByInitiator, service } from './flow-direction.js'
import { groupBy, plural } from './grouping.js'

function insideStamp(ip: string, p: PolicyView): boolean {
  return p.bmc.has(ip) || p.switchMgmt.has(ip) || p.switchInfra.has(ip) || p.infrastructure.has(ip) || p.private.has(ip)
}

function targetName(ip: string, p: PolicyView): string {
  if (p.switchMgmt.has(ip)) return `switch management ${ip}`
  if (p.hlh.has(ip)) return `the HLH ${ip}`
  return `${ip} in the BMC network`
}

export const mgmtFromPermittedNetworks: RuleDefinition = {
  id: 'mgmt-from-permitted-networks',
  title: 'Switch management, the HLH and the BMC network are reachable only from permitted networks',
  severity: 'high',
  group: 'segmentation',
  inputs: ['networks.switchMgmt', 'networks.bmc', 'networks.permitted', 'hosts.hlh'],
  requires: [['networks.switchMgmt'], ['networks.bmc'], ['networks.permitted']],
  description: 'a session to switch management, the HLH or the BMC network from outside `permitted` that is answered (SYN-ACK or UDP reply)',
  reference: '2.4',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs networks.switchMgmt, networks.bmc and networks.permitted')
    if (policy.switchMgmt.empty) return notEvaluable('networks.switchMgmt is not set')
    if (policy.bmc.empty) return notEvaluable('networks.bmc is not set')
    if (policy.policy.networks?.permitted === undefined) return notEvaluable('networks.permitted is not set (write [] when no network is permitted)')

    const isTarget = (ip: string) => policy.switchMgmt.has(ip) || policy.hlh.has(ip) || policy.bmc.has(ip)
    let toTargets = 0
    let fromOutside = 0
    const offending: FlowRecord[] = []
    for (const f of obs.flows) {
      if (f.vni !== null || !isTarget(f.responder.ip) || !initiatedByInitiator(f)) continue
      toTargets++
      const src = f.initiator.ip
      if (policy.permitted.has(src) || insideStamp(src, policy)) continue
      fromOutside++
      if (answered(f)) offending.push(f)
    }

    const findings: FindingDraft[] = []
    for (const [key, flows] of groupBy(offending, (f) => `${f.initiator.ip}>${f.responder.ip} ${service(f)}`)) {
      const first = flows[0]!
      const port = first.responder.port === null ? first.proto.toUpperCase() : `${first.proto.toUpperCase()} ${first.responder.port}`
      const message = `${first.initiator.ip}, outside the permitted networks, reached ${targetName(first.responder.ip, policy)} on ${port}: ${plural(flows.length, 'session')} answered`
      findings.push(directionFinding(obs, key, message, flows))
    }
    return evaluated(
      `${plural(toTargets, 'session')} to switch management, the HLH or the BMC network; ${fromOutside} from outside the permitted networks, ${offending.length} of them answered`,
      findings,
    )
  },
}
