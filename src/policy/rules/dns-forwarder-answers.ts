/**
 * dns-forwarder-answers [2.1, 2.2]: every query to a forwarder gets an answer
 * within 5 s that is not SERVFAIL or REFUSED (NXDOMAIN is an answer: the
 * forwarder works). The forwarders are what is judged, so queries from any
 * source count, at any time: the DVM and the BMC network during deployment, the
 * public VIPs after it.
 *
 * A query with no response that the capture does not follow for 5 s is not a
 * timeout: it is skipped, and the reason says how many. When not one judged
 * query was answered, the rule gives one finding for all of them instead of one
 * per pair: no forwarder works at all.
 *
 * SERVFAIL/REFUSED findings cite the responses: the failure is in them.
 */
import type { DnsTransaction } from '../../observe/model.js'
import { and, dstIs, srcIs } from '../filter.js'
import { evaluated, notEvaluable, type RuleDefinition } from '../rule.js'
import { DNS_PORT, NamesByKey, isPort53 } from './dns-names.js'
import { addressIn, framesOf } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { missingInputs, plural } from './policy-inputs.js'

/** Seconds a query may wait for its answer (rules.md "Answers"). */
export const DNS_ANSWER_SECONDS = 5

const FAILURE_RCODES: Record<number, string> = { 2: 'SERVFAIL', 5: 'REFUSED' }

/** Answered: a response within DNS_ANSWER_SECONDS (whatever its rcode). */
export const answeredInTime = (q: DnsTransaction): boolean =>
  q.response !== null && q.response.latency <= DNS_ANSWER_SECONDS

export const dnsForwarderAnswers: RuleDefinition = {
  id: 'dns-forwarder-answers',
  title: 'The DNS forwarders answer',
  severity: 'critical',
  group: 'deployment',
  inputs: ['hosts.dnsForwarders'],
  description:
    'A query to a forwarder gets no answer within 5 s, or SERVFAIL/REFUSED; none of the forwarders answers anything = one critical finding; also after deployment (source: public VIPs).',
  reference: '2.1, 2.2',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.dnsForwarders'])
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const timeouts = new FindingGroups()
    const failures = new FindingGroups()
    const names = new NamesByKey()
    const forwarders = new Set<string>()
    /** Pairs where some query is not in the evidence (skipped at the capture end, or answered late). */
    const notSemantic = new Set<string>()
    let examined = 0
    let tooLate = 0
    let answered = 0

    for (const q of ctx.obs.dns) {
      if (!isPort53(q) || !p.dnsForwarders.has(q.server.ip)) continue
      examined++
      forwarders.add(q.server.ip)
      const c = q.client.ip
      const s = q.server.ip
      const pair = `${c}>${s}`
      const traffic = { src: c, dst: s, proto: q.proto, dstPort: DNS_PORT } as const
      if (q.response === null && q.query.t + DNS_ANSWER_SECONDS > ctx.phase.captureEnd) {
        tooLate++
        notSemantic.add(pair)
        continue
      }
      if (answeredInTime(q)) {
        answered++
        const rcode = q.response!.rcode
        const label = FAILURE_RCODES[rcode]
        if (!label) continue
        const key = `${label} ${pair}`
        names.add(key, q.name)
        failures.add(key, () => ({
          message: `forwarder ${s} answered ${c} with ${label}`,
          filter: and(srcIs(s), dstIs(c), `dns.flags.rcode == ${rcode}`),
          traffic: { ...traffic },
        }), q.response!.at)
        continue
      }
      if (q.response !== null) notSemantic.add(pair)
      const key = `timeout ${pair}`
      names.add(key, q.name)
      timeouts.add(key, () => ({
        message: `queries from ${c} to forwarder ${s} got no answer within ${DNS_ANSWER_SECONDS} s`,
        filter: '',
        traffic: { ...traffic },
      }), q.query)
    }

    const judged = examined - tooLate
    let reason = `${plural(examined, 'DNS query', 'DNS queries')} to ${plural(forwarders.size, 'forwarder')} ` +
      `(of ${plural(p.dnsForwarders.prefixes.length, 'configured forwarder')}), ${answered} answered within ${DNS_ANSWER_SECONDS} s`
    if (tooLate > 0) reason += `; ${plural(tooLate, 'query', 'queries')} less than ${DNS_ANSWER_SECONDS} s before the capture end not judged`

    if (judged > 0 && answered === 0) {
      const all = timeouts.list()
      const evidence = all.flatMap((d) => d.evidence).sort((a, b) => a.fileIndex - b.fileIndex || a.frame - b.frame)
      const servers = [...forwarders]
      return evaluated(reason, [{
        key: 'no-forwarder-answers',
        message: `none of the forwarders (${servers.join(', ')}) answered any of ${plural(judged, 'query', 'queries')} within ${DNS_ANSWER_SECONDS} s`,
        count: judged,
        evidence,
        filter: tooLate > 0 || all.some((d) => notSemantic.has(d.key.slice('timeout '.length)))
          ? framesOf(evidence)
          : and(addressIn('dst', servers), 'dns.flags.response == 0'),
        traffic: servers.length === 1 ? { dst: servers[0]!, dstPort: DNS_PORT } : { dstPort: DNS_PORT },
      }])
    }

    const findings = [...timeouts.list(), ...failures.list()]
    for (const d of findings) {
      d.message += names.suffix(d.key)
      if (!d.key.startsWith('timeout ')) continue
      const pair = d.key.slice('timeout '.length)
      const [c, s] = pair.split('>') as [string, string]
      // Every query of the pair is in the evidence and none has a response: Wireshark's own field says so.
      d.filter = notSemantic.has(pair) ? framesOf(d.evidence) : and(srcIs(c), dstIs(s), 'dns.flags.response == 0', '!dns.response_in')
    }
    return evaluated(reason, findings)
  },
}
