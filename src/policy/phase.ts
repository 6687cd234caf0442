/**
 * The deployment phase split, decided once per report: when deployment completed
 * (PhaseInfo.completeAt), from the policy or from the capture.
 *
 * - `deployment.completeAt` as an ISO instant: that time, source 'policy'.
 * - `auto`: the handover the domain notes describe [2.2]: DNS and NTP move from
 *   the DVM to the infrastructure VIPs. The DVM's last DNS/NTP request is found,
 *   then the first DNS/NTP request from the infrastructure VIPs after it;
 *   completeAt is that VIP request's time (not the midpoint: VIP-sourced requests
 *   during deployment are normal, so the first one after the DVM went quiet is
 *   the earliest moment the capture proves the VIPs had taken over). Source
 *   'detected', with both requests cited by file and frame.
 * - Nothing set, or nothing detected: completeAt null, source 'none', and the
 *   evidence says why.
 *
 * The capture range (captureStart/captureEnd) spans every file.
 */
import type { Observations, Where } from '../observe/model.js'
import { DEFAULT_GRACE_SECONDS } from './model.js'
import type { PhaseInfo } from './rule.js'
import type { PolicyView } from './view.js'

const DNS_PORT = 53
const NTP_REQUEST_MODES = new Set([1, 3])

/** Seconds since the epoch of an ISO 8601 instant (any offset, up to nine fractional digits); NaN otherwise. */
export function parseInstant(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text.trim())
  if (!m) return Number.NaN
  const whole = Date.parse(`${m[1]!}${m[3]!.toUpperCase()}`)
  if (Number.isNaN(whole)) return Number.NaN
  return whole / 1000 + (m[2] ? Number(`0.${m[2]}`) : 0)
}

/** First and last timestamps over all capture files; NaN when no packet had one. */
export function captureRange(obs: Observations): { start: number; end: number } {
  let start = Number.NaN
  let end = Number.NaN
  for (const s of obs.spans) {
    const a = s.first?.t
    const b = s.last?.t
    if (a !== undefined && Number.isFinite(a) && !(a >= start)) start = a
    if (b !== undefined && Number.isFinite(b) && !(b <= end)) end = b
  }
  return { start, end }
}

interface Request { kind: 'DNS query' | 'NTP request'; client: string; at: Where }

/** DNS queries to port 53 and NTP client/symmetric requests, in time order. */
function timeRequests(obs: Observations): Request[] {
  const out: Request[] = []
  for (const q of obs.dns) if (q.server.port === DNS_PORT) out.push({ kind: 'DNS query', client: q.client.ip, at: q.query })
  for (const x of obs.ntp) if (NTP_REQUEST_MODES.has(x.mode)) out.push({ kind: 'NTP request', client: x.client.ip, at: x.request })
  return out.filter((r) => Number.isFinite(r.at.t)).sort((a, b) => a.at.t - b.at.t || a.at.fileIndex - b.at.fileIndex || a.at.frame - b.at.frame)
}

const cite = (r: Request) => `${r.kind} from ${r.client} in ${r.at.file} frame ${r.at.frame} at ${r.at.ts}`

/** Detects completion from the DNS/NTP handover; null completeAt with the reason when it cannot. */
function detect(obs: Observations, policy: PolicyView): { completeAt: number | null; evidence: string[] } {
  if (policy.dvm.empty || policy.infraVip.empty) {
    return { completeAt: null, evidence: ['completeAt auto needs hosts.dvm and networks.publicVip (or networks.infraVip) to detect the handover'] }
  }
  const requests = timeRequests(obs)
  let lastDvm: Request | null = null
  for (const r of requests) if (policy.dvm.has(r.client)) lastDvm = r
  if (!lastDvm) return { completeAt: null, evidence: ['completeAt auto: no DNS or NTP request from the DVM in the capture'] }
  const firstVip = requests.find((r) => r.at.t > lastDvm.at.t && policy.infraVip.has(r.client))
  if (!firstVip) {
    return {
      completeAt: null,
      evidence: [`completeAt auto: last ${cite(lastDvm)}; no DNS or NTP request from the infrastructure VIPs after it (deployment not complete within the capture)`],
    }
  }
  return {
    completeAt: firstVip.at.t,
    evidence: [`last ${cite(lastDvm)}`, `first infrastructure VIP ${cite(firstVip)}: deployment complete`],
  }
}

export function decidePhase(obs: Observations, policy: PolicyView | null): PhaseInfo {
  const { start, end } = captureRange(obs)
  const base = { graceSeconds: policy?.graceSeconds ?? DEFAULT_GRACE_SECONDS, captureStart: start, captureEnd: end }
  const setting = policy?.policy.deployment?.completeAt
  if (!policy || setting === undefined) {
    const why = policy ? 'deployment.completeAt is not set' : 'no policy'
    return { ...base, completeAt: null, source: 'none', evidence: [why] }
  }
  if (setting === 'auto') {
    const d = detect(obs, policy)
    return { ...base, completeAt: d.completeAt, source: d.completeAt === null ? 'none' : 'detected', evidence: d.evidence }
  }
  const t = parseInstant(setting)
  if (Number.isNaN(t)) return { ...base, completeAt: null, source: 'none', evidence: [`deployment.completeAt is not an ISO 8601 instant: ${setting}`] }
  return { ...base, completeAt: t, source: 'policy', evidence: [`deployment.completeAt in the policy: ${setting}`] }
}
