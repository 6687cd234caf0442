/**
 * Which policy inputs a rule needs, by the key paths rules.md and `hubcap rules`
 * show, and the one-line not-evaluable reason when some are absent.
 */
import type { PhaseInfo } from '../rule.js'
import type { PolicyView } from '../view.js'

export type InputKey =
  | 'hosts.dvm' | 'hosts.hlh' | 'hosts.dnsForwarders' | 'hosts.ntpServers' | 'hosts.ntpServerIsWindows'
  | 'hosts.explicitProxies' | 'hosts.oemToolVms' | 'hosts.adForestDcs'
  | 'networks.bmc' | 'networks.publicVip' | 'networks.infraVip' | 'networks.private'
  | 'networks.switchMgmt' | 'networks.switchInfra'
  | 'cloud' | 'identity' | 'deployment.completeAt'

/** True when the policy gives a value for `key` (infraVip also counts when derived from publicVip). */
export function hasInput(p: PolicyView, key: InputKey): boolean {
  switch (key) {
    case 'hosts.dvm': return !p.dvm.empty
    case 'hosts.hlh': return !p.hlh.empty
    case 'hosts.dnsForwarders': return !p.dnsForwarders.empty
    case 'hosts.ntpServers': return !p.ntpServers.empty
    case 'hosts.ntpServerIsWindows': return typeof p.policy.hosts?.ntpServerIsWindows === 'boolean'
    case 'hosts.explicitProxies': return !p.explicitProxies.empty
    case 'hosts.oemToolVms': return !p.oemToolVms.empty
    case 'hosts.adForestDcs': return (p.policy.hosts?.adForestDcs ?? []).length > 0
    case 'networks.bmc': return !p.bmc.empty
    case 'networks.publicVip': return !p.publicVip.empty
    case 'networks.infraVip': return !p.infraVip.empty
    case 'networks.private': return !p.private.empty
    case 'networks.switchMgmt': return !p.switchMgmt.empty
    case 'networks.switchInfra': return !p.switchInfra.empty
    case 'cloud': return p.policy.cloud !== undefined
    case 'identity': return p.policy.identity !== undefined
    case 'deployment.completeAt': return p.policy.deployment?.completeAt !== undefined
  }
}

function list(keys: readonly string[]): string {
  if (keys.length <= 1) return keys.join('')
  return `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}`
}

/**
 * Null when every key is present; otherwise the not-evaluable reason
 * ("no policy: needs hosts.dvm and networks.bmc", "networks.bmc is not set").
 */
export function missingInputs(p: PolicyView | null, keys: readonly InputKey[]): string | null {
  if (!p) return `no policy: needs ${list(keys)}`
  const missing = keys.filter((k) => !hasInput(p, k))
  if (missing.length === 0) return null
  return `${list(missing)} ${missing.length === 1 ? 'is' : 'are'} not set`
}

/**
 * Null when at least one of `keys` is present (the rule judges the sources it has);
 * otherwise the reason.
 */
export function missingAllOf(p: PolicyView | null, keys: readonly InputKey[]): string | null {
  if (!p) return `no policy: needs ${keys.join(' or ')}`
  if (keys.some((k) => hasInput(p, k))) return null
  return `none of ${list(keys)} is set`
}

/** The absent keys among `keys`, for a reason's "not examined: ..." tail. */
export function absentInputs(p: PolicyView, keys: readonly InputKey[]): InputKey[] {
  return keys.filter((k) => !hasInput(p, k))
}

/**
 * Null when the phase-transition rules can judge this capture; otherwise why not:
 * no completion time, or a capture that ends before completeAt + graceSeconds.
 */
export function transitionNotReached(phase: PhaseInfo): string | null {
  if (phase.completeAt === null) {
    return 'deployment.completeAt is not set (or "auto" found no completion in the capture)'
  }
  const after = phase.completeAt + phase.graceSeconds
  if (!(phase.captureEnd >= after)) {
    const end = Number.isNaN(phase.captureEnd) ? 'has no timestamps' : `ends at ${isoText(phase.captureEnd)}`
    return `the capture ${end}, before deployment completion + grace (${isoText(after)})`
  }
  return null
}

/** ISO text (milliseconds) of seconds since the epoch, for reasons and messages. */
export function isoText(t: number): string {
  return Number.isFinite(t) ? new Date(Math.round(t * 1000)).toISOString() : 'unknown time'
}

/** "1 query" / "3 queries". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
