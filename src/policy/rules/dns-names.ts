/**
 * Small DNS helpers the DNS rules share: which transactions are DNS on port 53
 * (mDNS and other ports decode as DNS too), and a short list of the names asked.
 */
import type { DnsTransaction } from '../../observe/model.js'

export const DNS_PORT = 53

/** DNS to a server's port 53 (UDP or TCP), the traffic the rules talk about. */
export const isPort53 = (q: DnsTransaction): boolean => q.server.port === DNS_PORT

/** Collects distinct names in first-seen order and prints a few of them. */
export class NameList {
  private readonly names = new Set<string>()

  add(name: string): void {
    if (name !== '') this.names.add(name)
  }

  /** `a, b, c and 4 more`, or '' when empty. */
  text(max = 3): string {
    const all = [...this.names]
    const shown = all.slice(0, max).join(', ')
    return all.length > max ? `${shown} and ${all.length - max} more` : shown
  }
}

/** Names per finding key. */
export class NamesByKey {
  private readonly byKey = new Map<string, NameList>()

  add(key: string, name: string): void {
    let l = this.byKey.get(key)
    if (!l) { l = new NameList(); this.byKey.set(key, l) }
    l.add(name)
  }

  /** ` (names: a, b)` or ''. */
  suffix(key: string): string {
    const t = this.byKey.get(key)?.text() ?? ''
    return t ? ` (names: ${t})` : ''
  }
}
