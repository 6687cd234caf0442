/**
 * dvm-removed-after-deploy [2.2]: the DVM is removed when deployment completes,
 * so from completeAt + graceSeconds on no packet goes from or to it. A flow that
 * began before that time and went on after it is cited by its last packet.
 */
import { addrIs, and } from '../filter.js'
import { evaluated, notEvaluable, type RuleDefinition } from '../rule.js'
import { timeFrom } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { flowEnd, flowStart, flowWhere } from './flow-evidence.js'
import { isoText, missingInputs, plural, transitionNotReached } from './policy-inputs.js'

export const dvmRemovedAfterDeploy: RuleDefinition = {
  id: 'dvm-removed-after-deploy',
  title: 'The DVM is gone after deployment',
  severity: 'medium',
  group: 'transition',
  inputs: ['hosts.dvm', 'deployment.completeAt'],
  description: 'Any packet from or to the DVM.',
  reference: '2.2',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.dvm']) ?? transitionNotReached(ctx.phase)
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const after = ctx.phase.completeAt! + ctx.phase.graceSeconds
    const groups = new FindingGroups()

    for (const f of ctx.obs.flows) {
      const dvmSide = p.dvm.has(f.initiator.ip) ? f.initiator.ip : p.dvm.has(f.responder.ip) ? f.responder.ip : null
      if (dvmSide === null || !(flowEnd(f) >= after)) continue
      const peer = dvmSide === f.initiator.ip ? f.responder.ip : f.initiator.ip
      const src = f.initiator.ip
      const dst = f.responder.ip
      const proto = f.proto === 'tcp' || f.proto === 'udp' || f.proto === 'icmp' || f.proto === 'icmpv6' ? f.proto : undefined
      groups.add(`${f.proto} ${src}>${dst}`, () => ({
        message: `the DVM ${dvmSide} still exchanged ${f.proto} traffic with ${peer} after deployment completed (from ${isoText(after)})`,
        filter: and(addrIs(dvmSide), addrIs(peer), timeFrom(after)),
        flow: f,
        traffic: { src, dst, ...(proto ? { proto } : {}) },
      }), flowWhere(ctx.obs, f, flowStart(f) >= after ? 'first' : 'last'))
    }

    const findings = groups.list()
    const flows = findings.reduce((n, d) => n + d.count, 0)
    let reason = `${plural(flows, 'flow')} of the DVM after ${isoText(after)} (deployment completion + ${ctx.phase.graceSeconds} s)`
    if (ctx.obs.flows.length < ctx.obs.flowCount) reason += `; ${ctx.obs.flows.length} of ${ctx.obs.flowCount} flows were kept for the rules`
    return evaluated(reason, findings)
  },
}
