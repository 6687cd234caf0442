/**
 * bgp-unexpected-prefix [2.6]: the Azure Stack side announces only its routable networks: the public
 * VIP pool, the infrastructure /24, the BMC network and the switch infrastructure (management is
 * carved from it). Anything else it announces is a finding. Prefixes inside the private network are
 * left to private-never-beyond-border at the border (high there) and are normal inside the rack
 * (internal VIPs), so they are never findings here. Only the Azure Stack side's announcements count
 * (rules.md "Who announces"): the border's routes, default route included, are not judged.
 */
import type { RouteEvent } from '../../observe/model.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import { azureSideSpeakers, canTellAzureSide, prefixInside, updateFilter } from './bgp-side.js'
import { groupBy, inOrder, plural } from './grouping.js'

export const bgpUnexpectedPrefix: RuleDefinition = {
  id: 'bgp-unexpected-prefix',
  title: 'The Azure Stack side announces only its routable networks',
  severity: 'medium',
  group: 'bgp',
  inputs: ['networks.publicVip', 'networks.private', 'networks.switchInfra', 'networks.bmc', 'networks.infrastructure', 'bgp.peers', 'bgp.azsAsn', 'bgp.slbAsn'],
  requires: [['networks.publicVip'], ['networks.private'], ['networks.switchInfra'], ['networks.bmc'], ['networks.infrastructure'], ['bgp.peers', 'bgp.azsAsn', 'bgp.slbAsn']],
  description: 'an announced prefix outside the ASH routable networks',
  reference: '2.6',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs networks.publicVip, private, switchInfra, bmc and infrastructure')
    const missing = (['publicVip', 'private', 'switchInfra', 'bmc', 'infrastructure'] as const).filter((k) => policy[k].empty)
    if (missing.length > 0) return notEvaluable(`${missing.map((k) => `networks.${k}`).join(', ')} not set`)
    if (!canTellAzureSide(policy)) return notEvaluable('cannot tell the Azure Stack side\'s announcements: set bgp.peers, bgp.azsAsn or bgp.slbAsn')

    const routable = [policy.publicVip, policy.infrastructure, policy.bmc, policy.switchInfra, policy.switchMgmt].flatMap((s) => s.prefixes)
    const speakers = azureSideSpeakers(obs, policy)
    const announced = obs.routes.filter((r) => r.kind === 'announce' && speakers.has(r.peer))
    const unexpected = announced.filter((r) => !prefixInside(r.prefix, routable) && !prefixInside(r.prefix, policy.private.prefixes))

    const findings: FindingDraft[] = []
    for (const [key, events] of groupBy<RouteEvent>(unexpected, (r) => `${r.peer} ${r.prefix}`)) {
      const first = events[0]!
      const evidence = inOrder(events.map((r) => r.at))
      const what = first.prefix.endsWith('/0') ? `the default route ${first.prefix}` : first.prefix
      findings.push({
        key,
        message: `${first.peer} announced ${what} to ${first.to} (${plural(events.length, 'announcement')}): outside the routable networks (public VIPs, infrastructure, BMC, switch infrastructure)`,
        count: events.length,
        evidence,
        filter: updateFilter('announce', [first.peer], first.prefix, evidence.map((w) => w.frame)),
        traffic: { src: first.peer, dst: first.to, proto: 'tcp' },
      })
    }
    return evaluated(
      `${plural(announced.length, 'announcement')} from the Azure Stack side (${plural(speakers.size, 'speaker')}), ${unexpected.length} outside the routable networks`,
      findings,
    )
  },
}
