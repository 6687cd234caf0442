/**
 * What `hubcap policy check` prints for a valid policy: what hubcap understood
 * from it (networks, host roles, BGP, the deployment time, endpoints, allow
 * entries) and, per rule, whether the policy switches it off or changes its
 * severity and whether each input the rule lists is present, so a user learns
 * before any capture which rules will be `not-evaluable` and why.
 *
 * The rule list is a parameter (the catalog's definitions in production, small
 * fakes in tests). An input is a policy key path (`hosts.dvm`, `bgp.peers`,
 * `deployment.completeAt`, `vantage`); it is present when the path leads to a
 * non-null value that is not an empty list, or when the key has a default
 * (view.ts: vantage border, infraVip from publicVip, graceSeconds 1800).
 * A rule needs all its inputs unless its `requires` says which groups it
 * cannot do without (any one key of a group will do).
 * Only inputs are judged here: whether the vantage can see a rule's evidence,
 * or the capture reaches the time it needs, is known only at analysis.
 */
import { forTerminal } from '../report/escape.js'
import { DEFAULT_GRACE_SECONDS, type AllowEntry, type BgpPeerPair, type Policy, type PolicyEndpoint, type Severity } from './model.js'
import type { RuleDefinition } from './rule.js'
import { schemaKeyPaths } from './schema.js'
import { firstSlash27 } from './view.js'

/** What summarizePolicy needs of a rule; a full RuleDefinition fits. */
export type RuleInputsInfo = Pick<RuleDefinition, 'id' | 'inputs' | 'title'> & Partial<Pick<RuleDefinition, 'severity' | 'requires'>>

export interface InputState {
  path: string
  /** `default`: absent, but the key has a default (the note says which). `unknown`: not a policy key at all. */
  state: 'present' | 'default' | 'missing' | 'unknown'
  note?: string
  /** False for an input the rule uses when given but can do without (RuleDefinition.requires). */
  needed: boolean
}

export interface RuleSummary {
  id: string
  title: string
  enabled: boolean
  /** The catalog severity, when the rule list gave it. */
  defaultSeverity: Severity | null
  /** The policy's `rules.<id>.severity`, or null. */
  severityOverride: Severity | null
  inputs: InputState[]
  /** Needed inputs missing (or not policy keys), `one of a, b` for an any-of group: the rule will be not-evaluable. */
  missing: string[]
  /** Enabled and an input is missing. */
  willBeNotEvaluable: boolean
}

export interface PolicySummary {
  name: string | null
  vantage: { value: string; defaulted: boolean }
  cloud: string | null
  identity: string | null
  routing: string | null
  /** Only the networks the policy gives (infraVip also when derived from publicVip). */
  networks: Array<{ key: string; cidrs: string[]; note?: string }>
  /** Only the host roles the policy gives. */
  hosts: Array<{ role: string; addresses: string[] }>
  ntpServerIsWindows: boolean | null
  bgp: {
    borderAsn: number | null
    azsAsn: number | null
    slbAsn: number | null
    md5: boolean | null
    peers: BgpPeerPair[]
    expectedVips: string[]
  }
  deployment: { completeAt: string | null; graceSeconds: number; graceDefaulted: boolean }
  endpoints: PolicyEndpoint[]
  allow: AllowEntry[]
  rules: RuleSummary[]
  /** `rules:` overrides that name no rule of the given list. */
  unmatchedOverrides: string[]
}

const NETWORK_KEYS = ['bmc', 'publicVip', 'infraVip', 'infrastructure', 'infraAccessible', 'private', 'switchInfra', 'switchMgmt', 'pa', 'permitted'] as const
const HOST_ROLES = ['dvm', 'hlh', 'hlhBmc', 'oemToolVms', 'dnsForwarders', 'ntpServers', 'explicitProxies', 'syslog', 'adForestDcs'] as const

export function summarizePolicy(policy: Policy, rules: ReadonlyArray<RuleInputsInfo>): PolicySummary {
  const n = policy.networks ?? {}
  const h = policy.hosts ?? {}
  const b = policy.bgp ?? {}
  const known = new Set(schemaKeyPaths())

  const networks: PolicySummary['networks'] = []
  for (const key of NETWORK_KEYS) {
    const value = n[key]
    if (key === 'infraVip' && value === undefined) {
      const derived = firstSlash27(n.publicVip)
      if (derived) networks.push({ key, cidrs: [derived], note: 'default: the first /27 of publicVip' })
      continue
    }
    const cidrs = value === undefined ? [] : Array.isArray(value) ? value : [value]
    if (cidrs.length > 0) networks.push({ key, cidrs })
  }

  const hosts: PolicySummary['hosts'] = []
  for (const role of HOST_ROLES) {
    const value = h[role]
    const addresses = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]
    if (addresses.length > 0) hosts.push({ role, addresses })
  }

  const stateOf = (path: string): Omit<InputState, 'needed'> => {
    if (!known.has(path)) return { path, state: 'unknown', note: 'not a policy key' }
    if (isPresent(policy, path)) return { path, state: 'present' }
    const fallback = defaultOf(policy, path)
    return fallback ? { path, state: 'default', note: fallback } : { path, state: 'missing' }
  }
  const usable = (path: string): boolean => {
    const { state } = stateOf(path)
    return state === 'present' || state === 'default'
  }

  const ruleSummaries = rules.map((rule): RuleSummary => {
    const override = policy.rules?.[rule.id]
    const groups = rule.requires ?? rule.inputs.map((path) => [path])
    const needed = new Set(groups.flat())
    const inputs = rule.inputs.map((path): InputState => ({ ...stateOf(path), needed: needed.has(path) }))
    const missing = groups
      .filter((group) => group.length > 0 && !group.some(usable))
      .map((group) => (group.length === 1 ? group[0]! : `one of ${group.join(', ')}`))
    const enabled = override?.enabled !== false
    return {
      id: rule.id,
      title: rule.title,
      enabled,
      defaultSeverity: rule.severity ?? null,
      severityOverride: override?.severity ?? null,
      inputs,
      missing,
      willBeNotEvaluable: enabled && missing.length > 0,
    }
  })
  const ids = new Set(rules.map((r) => r.id))

  return {
    name: policy.name ?? null,
    vantage: { value: policy.vantage ?? 'border', defaulted: policy.vantage === undefined },
    cloud: policy.cloud ?? null,
    identity: policy.identity ?? null,
    routing: policy.routing ?? null,
    networks,
    hosts,
    ntpServerIsWindows: h.ntpServerIsWindows ?? null,
    bgp: {
      borderAsn: b.borderAsn ?? null,
      azsAsn: b.azsAsn ?? null,
      slbAsn: b.slbAsn ?? null,
      md5: b.md5 ?? null,
      peers: b.peers ?? [],
      expectedVips: b.expectedVips ?? [],
    },
    deployment: {
      completeAt: policy.deployment?.completeAt ?? null,
      graceSeconds: policy.deployment?.graceSeconds ?? DEFAULT_GRACE_SECONDS,
      graceDefaulted: policy.deployment?.graceSeconds === undefined,
    },
    endpoints: policy.endpoints ?? [],
    allow: policy.allow ?? [],
    rules: ruleSummaries,
    unmatchedOverrides: Object.keys(policy.rules ?? {}).filter((id) => !ids.has(id)),
  }
}

/** A non-null value that is not an empty list at `path` (`hosts.dvm`, `bgp.peers`). */
function isPresent(policy: Policy, path: string): boolean {
  let node: unknown = policy
  for (const seg of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return false
    node = (node as Record<string, unknown>)[seg]
  }
  return node !== undefined && node !== null && !(Array.isArray(node) && node.length === 0)
}

/** The default an absent key takes (as view.ts applies it), in words; null when it has none. */
function defaultOf(policy: Policy, path: string): string | null {
  switch (path) {
    case 'vantage': return 'default border'
    case 'deployment.graceSeconds': return `default ${DEFAULT_GRACE_SECONDS} s`
    case 'networks.infraVip': {
      const derived = firstSlash27(policy.networks?.publicVip)
      return derived ? `default ${derived}, the first /27 of publicVip` : null
    }
    default: return null
  }
}

/** Plain text for a terminal; every line passes through forTerminal, so no value can carry control characters. */
export function formatPolicySummary(s: PolicySummary): string {
  const out: string[] = []
  const row = (label: string, value: string): void => { out.push(`  ${label.padEnd(17)}  ${value}`) }

  out.push(`Policy ${s.name === null ? '(no name)' : JSON.stringify(s.name)}: valid`)
  out.push(`  vantage ${s.vantage.value}${s.vantage.defaulted ? ' (default)' : ''}, cloud ${s.cloud ?? '(not given)'}, identity ${s.identity ?? '(not given)'}, routing ${s.routing ?? '(not given)'}`)

  out.push('', 'Networks')
  if (s.networks.length === 0) out.push('  (none given)')
  for (const net of s.networks) row(net.key, net.cidrs.join(', ') + (net.note ? ` (${net.note})` : ''))

  out.push('', 'Host roles')
  if (s.hosts.length === 0) out.push('  (none given)')
  for (const host of s.hosts) {
    const windows = host.role === 'ntpServers' && s.ntpServerIsWindows !== null ? (s.ntpServerIsWindows ? ' (Windows)' : ' (not Windows)') : ''
    row(host.role, host.addresses.join(', ') + windows)
  }

  out.push('', 'BGP')
  const { bgp } = s
  const asns = [['border', bgp.borderAsn], ['Azure Stack', bgp.azsAsn], ['SLB', bgp.slbAsn]].filter(([, v]) => v !== null)
  if (asns.length === 0 && bgp.md5 === null && bgp.peers.length === 0 && bgp.expectedVips.length === 0) out.push('  (none given)')
  if (asns.length > 0) row('ASNs', asns.map(([k, v]) => `${k} ${v}`).join(', '))
  if (bgp.md5 !== null) row('TCP-MD5', bgp.md5 ? 'expected' : 'not expected')
  bgp.peers.forEach((p, i) => row(i === 0 ? 'peers' : '', `border ${p.border} <-> TOR ${p.tor}`))
  if (bgp.expectedVips.length > 0) row('expected VIPs', bgp.expectedVips.join(', '))

  out.push('', 'Deployment')
  const grace = `grace ${s.deployment.graceSeconds} s${s.deployment.graceDefaulted ? ' (default)' : ''}`
  if (s.deployment.completeAt === null) row('completeAt', `(not given: phase-transition rules will be not-evaluable), ${grace}`)
  else if (s.deployment.completeAt === 'auto') row('completeAt', `auto (detected from the capture), ${grace}`)
  else row('completeAt', `${s.deployment.completeAt}, ${grace}`)

  out.push('', s.cloud ? `Endpoints (in addition to the built-in list for ${s.cloud})` : 'Endpoints (in addition to the built-in list)')
  if (s.endpoints.length === 0) out.push('  (none given)')
  for (const e of s.endpoints) row(e.host, `${e.proto ?? 'tcp'} ${e.ports.join(', ')}, ${e.requirement ?? 'required'}`)

  out.push('', 'Allow entries')
  if (s.allow.length === 0) out.push('  (none given)')
  for (const a of s.allow) {
    const match = [a.src && `src ${a.src}`, a.dst && `dst ${a.dst}`, a.proto, a.srcPort !== undefined && `srcPort ${a.srcPort}`, a.dstPort !== undefined && `dstPort ${a.dstPort}`]
      .filter(Boolean).join(' ')
    row(a.rule, match + (a.why ? ` (why: ${a.why})` : ''))
  }

  const disabled = s.rules.filter((r) => !r.enabled).length
  const notEvaluable = s.rules.filter((r) => r.willBeNotEvaluable).length
  out.push('', `Rules: ${s.rules.length} (${s.rules.length - disabled - notEvaluable} evaluable, ${disabled} disabled, ${notEvaluable} will be not-evaluable)`)
  const width = Math.max(0, ...s.rules.map((r) => r.id.length))
  for (const r of s.rules) {
    const parts = [r.enabled ? 'enabled' : 'disabled by the policy']
    if (r.severityOverride) parts.push(`severity ${r.severityOverride} (policy override${r.defaultSeverity ? ` of ${r.defaultSeverity}` : ''})`)
    else if (r.defaultSeverity) parts.push(`severity ${r.defaultSeverity}`)
    if (r.willBeNotEvaluable) parts.push(`will be not-evaluable: missing ${r.missing.join(', ')}`)
    out.push(`  ${r.id.padEnd(width)}  ${parts.join(', ')}`)
    out.push(`  ${''.padEnd(width)}  ${r.title}`)
    const notes = (i: InputState): string[] => [...(i.note ? [i.note] : []), ...(i.needed ? [] : ['optional'])]
    const inputs = r.inputs.length === 0
      ? 'none'
      : r.inputs.map((i) => `${i.path} ${i.state}${notes(i).length > 0 ? ` (${notes(i).join(', ')})` : ''}`).join(', ')
    out.push(`  ${''.padEnd(width)}  inputs: ${inputs}`)
  }
  for (const id of s.unmatchedOverrides) out.push(`  note: rules.${id} overrides a rule this version of hubcap does not evaluate`)

  return out.map(forTerminal).join('\n') + '\n'
}
