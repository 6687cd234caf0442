/**
 * azure-comms-via-vip [2.2]: after deployment all Azure communication comes from
 * the infrastructure VIPs. From completeAt + graceSeconds on, a connection from
 * the BMC network (the OEM tool VMs aside) or from the private network to a
 * required endpoint is a finding. Endpoints are the required rows of the built-in
 * table (src/policy/endpoints.ts) for `cloud` (every cloud when it is not set, for
 * either identity when `identity` is not set) plus the policy's endpoints;
 * their addresses come from DNS answers, TLS SNI and HTTP Host in the capture.
 */
import type { Cloud } from '../model.js'
import { ENDPOINT_TABLES, endpointRows, isAddressName, nameMatches } from '../endpoints.js'
import { and, dstIs, port, srcIs } from '../filter.js'
import { evaluated, notEvaluable, type RuleDefinition } from '../rule.js'
import type { PolicyView } from '../view.js'
import { timeFrom } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { flowEnd, flowStart, flowWhere } from './flow-evidence.js'
import { isoText, missingInputs, plural, transitionNotReached } from './policy-inputs.js'
import { endpointTargets, type EndpointTarget } from './required-endpoints.js'

/** Required endpoints for the policy, or for every cloud / identity it leaves open. */
function requiredTargets(p: PolicyView): EndpointTarget[] {
  const clouds = p.policy.cloud ? [p.policy.cloud] : (Object.keys(ENDPOINT_TABLES) as Cloud[])
  const identities = p.policy.identity ? [p.policy.identity] : (['entra', 'adfs'] as const)
  const dcs = p.policy.hosts?.adForestDcs ?? []
  const seen = new Map<string, EndpointTarget>()
  for (const c of clouds) {
    for (const id of identities) {
      for (const t of endpointTargets(endpointRows(p.policy, c), id, dcs).targets) {
        if (t.required && !seen.has(t.name.toLowerCase())) seen.set(t.name.toLowerCase(), t)
      }
    }
  }
  return [...seen.values()]
}

export const azureCommsViaVip: RuleDefinition = {
  id: 'azure-comms-via-vip',
  title: 'Azure communication comes from the infrastructure VIPs after deployment',
  severity: 'high',
  group: 'transition',
  inputs: ['networks.bmc', 'networks.infraVip', 'networks.private', 'hosts.oemToolVms', 'deployment.completeAt'],
  requires: [['networks.bmc'], ['networks.infraVip'], ['deployment.completeAt']],
  description: 'Traffic to required endpoints from the BMC network (OEM tool VMs aside) or the private network.',
  reference: '2.2',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['networks.bmc', 'networks.infraVip']) ?? transitionNotReached(ctx.phase)
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const after = ctx.phase.completeAt! + ctx.phase.graceSeconds
    const targets = requiredTargets(p)
    const fromWrongSide = (ip: string) => (p.bmc.has(ip) && !p.oemToolVms.has(ip)) || p.private.has(ip)

    // Which endpoint each address belongs to, from what the capture says about names.
    const endpointAt = new Map<string, EndpointTarget>()
    const bind = (name: string, address: string) => {
      if (endpointAt.has(address)) return
      const t = targets.find((x) => !isAddressName(x.name) && nameMatches(x.name, name))
      if (t) endpointAt.set(address, t)
    }
    for (const t of targets) if (isAddressName(t.name)) endpointAt.set(t.name, t)
    for (const b of ctx.obs.dnsBindings) bind(b.name, b.address)
    for (const s of ctx.obs.tls) if (s.sni) bind(s.sni, s.server.ip)
    for (const h of ctx.obs.http) if (h.host) bind(h.host.replace(/:\d+$/, ''), h.server.ip)

    const groups = new FindingGroups()
    let examined = 0
    for (const f of ctx.obs.flows) {
      if (!(flowEnd(f) >= after) || !fromWrongSide(f.initiator.ip)) continue
      examined++
      const t = endpointAt.get(f.responder.ip)
      const dp = f.responder.port
      if (!t || dp === null || !t.ports.includes(dp) || (f.proto !== 'tcp' && f.proto !== 'udp')) continue
      const s = f.initiator.ip
      const d = f.responder.ip
      const proto = f.proto
      const network = p.bmc.has(s) ? 'the BMC network' : 'the private network'
      groups.add(`${s}>${d}:${dp}`, () => ({
        message: `${s} in ${network} reached ${t.name} (${t.purpose}) at ${d} port ${dp} after deployment completed (from ${isoText(after)}): Azure traffic must come from the infrastructure VIPs`,
        filter: and(srcIs(s), dstIs(d), port(proto, 'dst', dp), timeFrom(after)),
        flow: f,
        traffic: { src: s, dst: d, proto, dstPort: dp },
      }), flowWhere(ctx.obs, f, flowStart(f) >= after ? 'first' : 'last'))
    }

    const findings = groups.list()
    let reason = `${plural(examined, 'flow')} from the BMC and private networks after ${isoText(after)}, ` +
      `${plural(endpointAt.size, 'address', 'addresses')} of ${plural(targets.length, 'required endpoint')} known from the capture`
    if (p.private.empty) reason += ' (private network not examined: networks.private is not set)'
    return evaluated(reason, findings)
  },
}
