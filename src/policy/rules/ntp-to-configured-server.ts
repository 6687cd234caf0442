/**
 * ntp-to-configured-server [2.1]: the DVM, the BMC network, the switches and the
 * public VIPs take their time from the configured server, which answers with a
 * synchronised clock. Findings: requests (client mode 3, symmetric-active mode 1)
 * to another server; requests to the configured server with no reply within 5 s
 * (a request the capture does not follow for 5 s is skipped); replies with
 * stratum 0 or 16 or leap indicator 3 (those cite the replies: the fault is in them).
 */
import type { NtpExchange } from '../../observe/model.js'
import { and, dstIs, port, srcIs } from '../filter.js'
import { evaluated, notEvaluable, type RuleDefinition } from '../rule.js'
import { framesOf } from './evidence-filters.js'
import { FindingGroups } from './finding-groups.js'
import { absentInputs, missingAllOf, missingInputs, plural, type InputKey } from './policy-inputs.js'

export const NTP_PORT = 123
/** Seconds a request may wait for its reply. */
export const NTP_REPLY_SECONDS = 5
/** Client and symmetric-active requests. */
export const NTP_REQUEST_MODES: ReadonlySet<number> = new Set([1, 3])

/** Seconds from request to reply, or null without a reply. */
export const ntpLatency = (x: NtpExchange): number | null => (x.reply ? x.reply.at.t - x.request.t : null)

/** A reply from an unsynchronised (stratum 0 or 16) or alarmed (leap 3) server. */
export const unsynchronised = (r: NonNullable<NtpExchange['reply']>): boolean =>
  r.stratum === 0 || r.stratum === 16 || r.leap === 3

const SOURCES: readonly InputKey[] = ['hosts.dvm', 'networks.bmc', 'networks.switchMgmt', 'networks.switchInfra', 'networks.publicVip']

export const ntpToConfiguredServer: RuleDefinition = {
  id: 'ntp-to-configured-server',
  title: 'NTP goes to the configured time server, which answers',
  severity: 'critical',
  group: 'deployment',
  inputs: ['hosts.ntpServers', ...SOURCES],
  requires: [['hosts.ntpServers'], [...SOURCES]],
  description:
    'NTP client/symmetric requests from the DVM, BMC network, switches or public VIPs to another server; requests to the configured server with no reply; replies with stratum 0 or 16, or leap indicator 3.',
  reference: '2.1',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.ntpServers']) ?? missingAllOf(ctx.policy, SOURCES)
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const fromAsh = (ip: string) =>
      p.dvm.has(ip) || p.bmc.has(ip) || p.switchMgmt.has(ip) || p.switchInfra.has(ip) || p.publicVip.has(ip)
    const groups = new FindingGroups()
    let examined = 0
    let tooLate = 0

    for (const x of ctx.obs.ntp) {
      if (!NTP_REQUEST_MODES.has(x.mode) || !fromAsh(x.client.ip)) continue
      examined++
      const c = x.client.ip
      const s = x.server.ip
      const traffic = { src: c, dst: s, proto: 'udp', dstPort: x.server.port } as const
      if (!p.ntpServers.has(s)) {
        groups.add(`other ${c}>${s}`, () => ({
          message: `${c} sent NTP requests to ${s}, which is not the configured time server`,
          filter: and(srcIs(c), dstIs(s), port('udp', 'dst', x.server.port)),
          traffic: { ...traffic },
        }), x.request)
        continue
      }
      const latency = ntpLatency(x)
      if (latency === null && x.request.t + NTP_REPLY_SECONDS > ctx.phase.captureEnd) { tooLate++; continue }
      if (latency === null || latency > NTP_REPLY_SECONDS) {
        groups.add(`noreply ${c}>${s}`, () => ({
          message: `NTP requests from ${c} to the time server ${s} got no reply within ${NTP_REPLY_SECONDS} s`,
          filter: '',
          traffic: { ...traffic },
        }), x.request)
      }
      if (x.reply && unsynchronised(x.reply)) {
        const r = x.reply
        groups.add(`unsync ${s}>${c}`, () => ({
          message: `the time server ${s} answered ${c} unsynchronised (stratum ${r.stratum}, leap indicator ${r.leap})`,
          filter: and(srcIs(s), dstIs(c), port('udp', 'src', x.server.port),
            'ntp.stratum == 0 || ntp.stratum == 16 || ntp.flags.li == 3'),
          traffic: { ...traffic },
        }), r.at)
      }
    }

    const findings = groups.list()
    for (const d of findings) if (d.key.startsWith('noreply ')) d.filter = framesOf(d.evidence)
    let reason = `${plural(examined, 'NTP request')} from the DVM, the BMC network, the switches and the public VIPs`
    if (tooLate > 0) reason += `; ${plural(tooLate, 'request')} less than ${NTP_REPLY_SECONDS} s before the capture end not judged`
    const absent = absentInputs(p, SOURCES)
    if (absent.length > 0) reason += ` (not examined: ${absent.join(', ')} not set)`
    return evaluated(reason, findings)
  },
}
