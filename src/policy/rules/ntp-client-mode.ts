/**
 * ntp-client-mode [2.1]: a time server that is not Windows needs the `,0x8` flag
 * (W32Time client mode), without which Azure Stack Hub sends symmetric-active
 * (mode 1) requests. Mode 1 to a Windows server is fine.
 */
import { and, dstIs, srcIs } from '../filter.js'
import { evaluated, notEvaluable, type RuleDefinition } from '../rule.js'
import { FindingGroups } from './finding-groups.js'
import { missingInputs, plural } from './policy-inputs.js'

const SYMMETRIC_ACTIVE = 1

export const ntpClientMode: RuleDefinition = {
  id: 'ntp-client-mode',
  title: 'NTP uses client mode toward a non-Windows time server',
  severity: 'medium',
  group: 'deployment',
  inputs: ['hosts.ntpServers', 'hosts.ntpServerIsWindows'],
  description: 'Requests to a non-Windows server in symmetric-active mode (1) rather than client mode (3).',
  reference: '2.1',
  evaluate(ctx) {
    const missing = missingInputs(ctx.policy, ['hosts.ntpServers', 'hosts.ntpServerIsWindows'])
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const requests = ctx.obs.ntp.filter((x) => p.ntpServers.has(x.server.ip) && (x.mode === 1 || x.mode === 3))
    if (p.policy.hosts?.ntpServerIsWindows === true) {
      return evaluated(`${plural(requests.length, 'NTP request')} to the time server; it is Windows-based, so either mode is fine`, [])
    }
    const groups = new FindingGroups()
    for (const x of requests) {
      if (x.mode !== SYMMETRIC_ACTIVE) continue
      const c = x.client.ip
      const s = x.server.ip
      groups.add(`${c}>${s}`, () => ({
        message: `${c} sent symmetric-active (mode 1) NTP requests to the non-Windows time server ${s}: the ",0x8" client-mode flag is missing`,
        filter: and(srcIs(c), dstIs(s), 'ntp.flags.mode == 1'),
        traffic: { src: c, dst: s, proto: 'udp', dstPort: x.server.port },
      }), x.request)
    }
    const findings = groups.list()
    const mode1 = findings.reduce((n, d) => n + d.count, 0)
    return evaluated(`${plural(requests.length, 'NTP request')} to the non-Windows time server, ${mode1} in mode 1`, findings)
  },
}
