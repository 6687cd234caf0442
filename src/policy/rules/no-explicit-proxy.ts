/**
 * no-explicit-proxy [2.1]: Azure Stack Hub supports only transparent proxies or
 * NAT. Signs of an explicit proxy in DVM or public VIP traffic: an HTTP CONNECT or
 * an absolute-URI request (proxy forms of a request line), any traffic to a known
 * explicit proxy, a WPAD lookup (DNS `wpad`/`wpad.*`, or fetching `wpad.dat`),
 * and HTTP on a TCP connection to a typical proxy port.
 */
import type { Endpoint } from '../../observe/model.js'
import { and, dstIs, literal, port, srcIs } from '../filter.js'
import { evaluated, notEvaluable, type RuleDefinition } from '../rule.js'
import { FindingGroups } from './finding-groups.js'
import { flowWhere } from './flow-evidence.js'
import { absentInputs, missingAllOf, plural, type InputKey } from './policy-inputs.js'

/** Typical explicit-proxy ports (domain notes §3.3). */
export const PROXY_PORTS: ReadonlySet<number> = new Set([3128, 8080, 8000, 8888])

/** An absolute-URI request target (`http://host/...`), the form only proxies receive. */
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:\/\//i

/** A WPAD lookup: the name `wpad` or any `wpad.<domain>`. */
export const isWpadName = (name: string): boolean => {
  const n = name.toLowerCase()
  return n === 'wpad' || n.startsWith('wpad.')
}

/** A request for the WPAD file, in origin or absolute form. */
const isWpadFetch = (target: string): boolean => /\/wpad\.dat(?:[?#]|$)/i.test(target)

const SOURCES: readonly InputKey[] = ['hosts.dvm', 'networks.publicVip']

const connKey = (c: Endpoint | { ip: string; port: number | null }, s: Endpoint | { ip: string; port: number | null }) =>
  `${c.ip}:${c.port ?? '-'}>${s.ip}:${s.port ?? '-'}`

export const noExplicitProxy: RuleDefinition = {
  id: 'no-explicit-proxy',
  title: 'No explicit proxy in the path',
  severity: 'high',
  group: 'deployment',
  inputs: [...SOURCES, 'hosts.explicitProxies'],
  requires: [[...SOURCES]],
  description:
    'An HTTP CONNECT or absolute-URI request, traffic to explicitProxies, a WPAD lookup, or DVM/VIP TCP to 3128/8080/8000/8888 with HTTP inside.',
  reference: '2.1',
  evaluate(ctx) {
    const missing = missingAllOf(ctx.policy, SOURCES)
    if (missing || !ctx.policy) return notEvaluable(missing ?? 'no policy')
    const p = ctx.policy
    const fromAsh = (ip: string) => p.dvm.has(ip) || p.publicVip.has(ip)
    const groups = new FindingGroups()
    /** Connections that carried HTTP requests, and those already reported as proxy requests. */
    const httpConns = new Set<string>()
    const proxyForm = new Set<string>()
    let requests = 0
    let flows = 0
    let queries = 0

    for (const h of ctx.obs.http) {
      if (!fromAsh(h.client.ip)) continue
      requests++
      httpConns.add(connKey(h.client, h.server))
      const c = h.client.ip
      const s = h.server.ip
      const sp = h.server.port
      const traffic = { src: c, dst: s, proto: 'tcp', dstPort: sp } as const
      const base = and(srcIs(c), dstIs(s), port('tcp', 'dst', sp))
      if (h.method.toUpperCase() === 'CONNECT') {
        proxyForm.add(`${c}>${s}:${sp}`)
        groups.add(`connect ${c}>${s}:${sp}`, () => ({
          message: `${c} sent HTTP CONNECT requests to ${s} port ${sp} (an explicit proxy), e.g. CONNECT ${h.target}`,
          filter: and(base, 'http.request.method == "CONNECT"'),
          traffic: { ...traffic },
        }), h.at)
      } else if (ABSOLUTE_URI.test(h.target)) {
        proxyForm.add(`${c}>${s}:${sp}`)
        groups.add(`absolute ${c}>${s}:${sp}`, () => ({
          message: `${c} sent absolute-URI HTTP requests to ${s} port ${sp} (an explicit proxy), e.g. ${h.method} ${h.target}`,
          filter: and(base, `http.request.uri matches ${literal('^[a-zA-Z][a-zA-Z0-9+.-]*://')}`),
          traffic: { ...traffic },
        }), h.at)
      }
      if (isWpadFetch(h.target)) {
        groups.add(`wpad-fetch ${c}>${s}:${sp}`, () => ({
          message: `${c} fetched the WPAD file from ${s} (proxy auto-discovery): ${h.method} ${h.target}`,
          filter: and(base, 'http.request.uri contains "wpad.dat"'),
          traffic: { ...traffic },
        }), h.at)
      }
    }

    for (const q of ctx.obs.dns) {
      if (!fromAsh(q.client.ip)) continue
      queries++
      if (!isWpadName(q.name)) continue
      const c = q.client.ip
      groups.add(`wpad ${c} ${q.name}`, () => ({
        message: `${c} looked up ${q.name} (WPAD proxy auto-discovery)`,
        filter: and(srcIs(c), `dns.qry.name == ${literal(q.name)}`, 'dns.flags.response == 0'),
        traffic: { src: c, dst: q.server.ip, proto: q.proto, dstPort: q.server.port },
      }), q.query)
    }

    for (const f of ctx.obs.flows) {
      if (!fromAsh(f.initiator.ip)) continue
      flows++
      const c = f.initiator.ip
      const s = f.responder.ip
      const sp = f.responder.port
      const proto = f.proto === 'tcp' || f.proto === 'udp' ? f.proto : null
      if (p.explicitProxies.has(s)) {
        groups.add(`proxy ${c}>${s}:${f.proto}/${sp ?? '-'}`, () => ({
          message: `${c} sent traffic to the explicit proxy ${s}${sp !== null ? ` (${f.proto} port ${sp})` : ''}`,
          filter: and(srcIs(c), dstIs(s), proto && sp !== null ? port(proto, 'dst', sp) : null),
          flow: f,
          traffic: { src: c, dst: s, ...(proto ? { proto } : {}), ...(sp !== null ? { dstPort: sp } : {}) },
        }), flowWhere(ctx.obs, f))
        continue
      }
      if (f.proto !== 'tcp' || sp === null || !PROXY_PORTS.has(sp) || proxyForm.has(`${c}>${s}:${sp}`)) continue
      if (f.app !== 'http' && !httpConns.has(connKey(f.initiator, f.responder))) continue
      groups.add(`port ${c}>${s}:${sp}`, () => ({
        message: `${c} sent HTTP to ${s} on TCP port ${sp}, a typical explicit-proxy port`,
        filter: and(srcIs(c), dstIs(s), port('tcp', 'dst', sp)),
        flow: f,
        traffic: { src: c, dst: s, proto: 'tcp', dstPort: sp },
      }), flowWhere(ctx.obs, f))
    }

    let reason = `${plural(requests, 'HTTP request')}, ${plural(flows, 'flow')} and ${plural(queries, 'DNS query', 'DNS queries')} from the DVM and the public VIPs`
    const absent = absentInputs(p, SOURCES)
    if (absent.length > 0) reason += ` (not examined: ${absent.join(', ')} not set)`
    return evaluated(reason, groups.list())
  },
}
