/**
 * hlh-restricted [2.4]: the switch ACLs give only the DVM unrestricted access; every other BMC-network
 * host (the HLH above all) is restricted. A session opened from the BMC network to anything beyond it
 * breaks the rule, except from the DVM, from the OEM tool VMs (the ACL lets them out), and DNS/NTP to
 * the configured forwarders and time servers. Answered sessions mean the ACL is not enforced (high);
 * unanswered attempts are hygiene (low). One finding per (source, destination, service).
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import type { PolicyView } from '../view.js'
import { answered, directionFinding, initiatedByInitiator, service } from './flow-direction.js'
import { groupBy, plural } from './grouping.js'

/** DNS to a forwarder or NTP to a configured time server: the ACL permits these by protocol and port. */
function toConfiguredService(f: FlowRecord, p: PolicyView): boolean {
  const port = f.responder.port
  if (port === 53 && (f.proto === 'udp' || f.proto === 'tcp')) return p.dnsForwarders.has(f.responder.ip)
  if (port === 123 && f.proto === 'udp') return p.ntpServers.has(f.responder.ip)
  return false
}

export const hlhRestricted: RuleDefinition = {
  id: 'hlh-restricted',
  title: 'Only the DVM has unrestricted access from the BMC network',
  severity: 'high',
  group: 'segmentation',
  inputs: ['networks.bmc', 'hosts.dvm', 'hosts.hlh', 'hosts.oemToolVms'],
  // The HLH and OEM tool VMs only name and exempt hosts; without the DVM nothing could be exempted.
  requires: [['networks.bmc'], ['hosts.dvm']],
  description: 'a session initiated from the BMC network (not the DVM, not an OEM tool VM, not DNS/NTP to the configured servers) beyond the BMC network that gets an answer; unanswered attempts are low',
  reference: '2.4',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs networks.bmc and hosts.dvm')
    if (policy.bmc.empty) return notEvaluable('networks.bmc is not set')
    if (policy.dvm.empty) return notEvaluable('hosts.dvm is not set (the DVM is the one host allowed out)')

    let fromBmc = 0
    let exempt = 0
    const offending: FlowRecord[] = []
    for (const f of obs.flows) {
      // Tunnelled flows carry tenant addresses, not the BMC network's.
      if (f.vni !== null || !policy.bmc.has(f.initiator.ip) || policy.bmc.has(f.responder.ip)) continue
      if (!initiatedByInitiator(f)) continue
      fromBmc++
      const src = f.initiator.ip
      if (policy.dvm.has(src) || policy.oemToolVms.has(src) || toConfiguredService(f, policy)) { exempt++; continue }
      offending.push(f)
    }

    const groups = groupBy(offending, (f) => `${f.initiator.ip}>${f.responder.ip} ${service(f)}`)
    const findings: FindingDraft[] = []
    for (const [key, flows] of groups) {
      const first = flows[0]!
      const answeredCount = flows.filter(answered).length
      const who = policy.hlh.has(first.initiator.ip) ? `the HLH ${first.initiator.ip}` : first.initiator.ip
      const dst = first.responder.port === null ? first.responder.ip : `${first.responder.ip}:${first.responder.port}`
      const message = answeredCount > 0
        ? `${who} opened ${plural(flows.length, `${first.proto.toUpperCase()} session`)} to ${dst} beyond the BMC network; ${answeredCount} answered: the ACL does not restrict it`
        : `${who} tried ${plural(flows.length, `${first.proto.toUpperCase()} session`)} to ${dst} beyond the BMC network; none answered (the ACL blocks it)`
      // Answered: the rule's severity (or the policy's override); unanswered attempts are low.
      findings.push(directionFinding(obs, key, message, flows, answeredCount > 0 ? undefined : 'low'))
    }
    return evaluated(
      `${plural(fromBmc, 'session')} from the BMC network to beyond it (${exempt} from the DVM, OEM tool VMs or DNS/NTP to the configured servers), ${plural(offending.length, 'other session')}`,
      findings,
    )
  },
}
