/**
 * sdn-mux-asn-2byte [2.6]: the SLB MUX supports 2-byte ASNs only (SDN-PLAN "Routing infrastructure").
 * A MUX OPEN with My AS = AS_TRANS (23456), or a 4-octet AS capability carrying an ASN above 65535,
 * is a finding. MUX-TOR peering is inside the rack: only a TOR or host capture sees it. A MUX is the
 * sender of an OPEN claiming slbAsn, or any OPEN with AS_TRANS from an address that is not a TOR or
 * border address of `bgp.peers`.
 */
import type { BgpOpenObs } from '../../observe/model.js'
import { and, srcIs } from '../filter.js'
import { notEvaluable, evaluated, type FindingDraft, type RuleDefinition } from '../rule.js'
import { groupBy, inOrder, plural } from './grouping.js'

const AS_TRANS = 23456

export const sdnMuxAsn2byte: RuleDefinition = {
  id: 'sdn-mux-asn-2byte',
  title: 'The SDN MUX uses a 2-byte ASN',
  severity: 'high',
  group: 'bgp',
  inputs: ['bgp.slbAsn', 'vantage'],
  description: 'a MUX OPEN with AS_TRANS or a 4-byte ASN (evaluable at `tor`/`host` vantage)',
  reference: '2.6',
  evaluate({ obs, policy }) {
    if (!policy) return notEvaluable('no policy: needs bgp.slbAsn and a tor or host vantage')
    const slbAsn = policy.policy.bgp?.slbAsn
    if (typeof slbAsn !== 'number') return notEvaluable('bgp.slbAsn is not set')
    if (policy.vantage === 'border') return notEvaluable('vantage is border: MUX-TOR BGP stays inside the rack; needs a tor or host capture')

    const opens = obs.bgpSessions.flatMap((s) => s.opens)
    const isMux = (o: BgpOpenObs) => o.myAs === slbAsn || o.as4 === slbAsn || (o.myAs === AS_TRANS && !policy.bgpPeers.has(o.from))
    const muxOpens = opens.filter(isMux)
    const fourByte = muxOpens.filter((o) => o.myAs === AS_TRANS || (o.as4 !== null && o.as4 > 0xffff))

    const findings: FindingDraft[] = []
    for (const [key, list] of groupBy(fourByte, (o) => `${o.from} ${o.myAs}/${o.as4 ?? '-'}`)) {
      const o = list[0]!
      const asn = o.as4 !== null && o.as4 !== o.myAs ? `My AS ${o.myAs}, 4-byte AS ${o.as4}` : `My AS ${o.myAs}`
      findings.push({
        key,
        message: `MUX ${o.from} sent ${plural(list.length, 'OPEN')} with ${asn}: the SLB MUX supports 2-byte ASNs only (policy slbAsn ${slbAsn})`,
        count: list.length,
        evidence: inOrder(list.map((x) => x.at)),
        filter: and('bgp.type == 1', srcIs(o.from), `bgp.open.myas == ${o.myAs}`),
        traffic: { src: o.from, proto: 'tcp' },
      })
    }
    return evaluated(`${plural(opens.length, 'BGP OPEN')}, ${muxOpens.length} from MUXes`, findings)
  },
}
