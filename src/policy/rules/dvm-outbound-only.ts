/**
 * dvm-outbound-only [2.1]: during deployment nothing calls into the DVM. A flow is
 * inbound when its initiator is outside the BMC network and the DVM answers for
 * it: a TCP flow that starts with the peer's SYN, a UDP flow whose first packet
 * goes to the DVM, an ICMP flow that starts toward the DVM (echo requests: low).
 */
import type { FlowRecord } from '../../flow/flow-record.js'
import type { Observations } from '../../observe/model.js'
import { and, dstIs, port, srcIs } from '../filter.js'
import { evaluated, isDuring, notEvaluable, type RuleDefinition } from '../rule.js'
import { FindingGroups } from './finding-groups.js'
import { flowStart, flowWhere } from './flow-evidence.js'
import { missingInputs, plural } from './policy-inputs.js'

/**
 * A DNS or NTP reply in the first seconds of the capture answers a request sent
 * before the capture began: its flow starts toward the DVM but is not inbound.
 */
const PRE_CAPTURE_REPLY_SECONDS = 5
const REPLY_PORTS = new Set([53, 123])

/** True when the flow's first packet is an ICMP error (an unreachable sent to the DVM is not a call into it). */
function startsWithIcmpError(obs: Observations, f: FlowRecord): boolean {
  return obs.icmpErrors.some((e) => e.at.file === f.file && e.at.frame === f.firstFrame)
}

export const dvmOutboundOnly: RuleDefinition = {
  id: 'dvm-outbound-only',
  title: 'The DVM only makes outbound connections',
  severity: 'high',
  group: 'deployment',
  inputs: ['hosts.dvm', 'networks.bmc'],
  description:
    'A TCP SYN (no ACK) to the DVM from outside the BMC network, or a UDP flow whose first packet goes to the DVM from outside; ICMP echo requests to the DVM count as low.',
  reference: '2.1',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.dvm', 'networks.bmc'])
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const groups = new FindingGroups()
    let examined = 0
    let inferred = 0
    let preCapture = 0

    for (const f of ctx.obs.flows) {
      const touchesDvm = p.dvm.has(f.initiator.ip) || p.dvm.has(f.responder.ip)
      if (!touchesDvm || !isDuring(ctx.phase, flowStart(f))) continue
      examined++
      if (!p.dvm.has(f.responder.ip) || p.bmc.has(f.initiator.ip)) continue
      const src = f.initiator.ip
      const dst = f.responder.ip
      const where = flowWhere(ctx.obs, f)

      if (f.proto === 'tcp') {
        if (f.initiatorInferred) { inferred++; continue }
        if (!f.history.startsWith('S')) continue
        const dport = f.responder.port ?? 0
        groups.add(`tcp ${src}>${dst}:${dport}`, () => ({
          message: `${src} opened TCP connections to the DVM ${dst} port ${dport} (SYN from outside the BMC network during deployment)`,
          filter: and(srcIs(src), dstIs(dst), port('tcp', 'dst', dport), 'tcp.flags.syn == 1', 'tcp.flags.ack == 0'),
          flow: f,
          traffic: { src, dst, proto: 'tcp', dstPort: dport },
        }), where)
      } else if (f.proto === 'udp') {
        const sport = f.initiator.port ?? 0
        if (REPLY_PORTS.has(sport) && flowStart(f) < ctx.phase.captureStart + PRE_CAPTURE_REPLY_SECONDS) {
          preCapture++
          continue
        }
        const dport = f.responder.port ?? 0
        groups.add(`udp ${src}>${dst}:${dport}`, () => ({
          message: `${src} started UDP flows to the DVM ${dst} port ${dport} (first packet from outside the BMC network during deployment)`,
          filter: and(srcIs(src), dstIs(dst), port('udp', 'dst', dport)),
          flow: f,
          traffic: { src, dst, proto: 'udp', dstPort: dport },
        }), where)
      } else if (f.proto === 'icmp' || f.proto === 'icmpv6') {
        if (startsWithIcmpError(ctx.obs, f)) continue
        const proto = f.proto
        groups.add(`${proto} ${src}>${dst}`, () => ({
          severity: 'low',
          message: `${src} sent ICMP echo requests to the DVM ${dst} during deployment`,
          filter: and(srcIs(src), dstIs(dst), proto === 'icmp' ? 'icmp.type == 8' : 'icmpv6.type == 128'),
          flow: f,
          traffic: { src, dst, proto },
        }), where)
      }
    }

    const findings = groups.list()
    const inbound = findings.reduce((n, d) => n + d.count, 0)
    let reason = `${plural(examined, 'flow')} of the DVM during deployment, ${inbound} initiated from outside the BMC network`
    if (inferred > 0) reason += `; ${plural(inferred, 'TCP flow')} picked up without the SYN not judged`
    if (preCapture > 0) reason += `; ${plural(preCapture, 'DNS/NTP reply', 'DNS/NTP replies')} to requests from before the capture not judged`
    return evaluated(reason, findings)
  },
}
