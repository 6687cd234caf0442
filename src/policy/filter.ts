/**
 * Wireshark display filters for findings. Every filter shows exactly the evidence:
 * a semantic part (addresses, ports, protocol) an engineer can reuse, and-ed with
 * nothing else; or, where no field expresses the evidence, the frame numbers.
 * IPv4 and IPv6 use different field names (ip.* vs ipv6.*), chosen per address.
 */

const isV6 = (ip: string) => ip.includes(':')

/** `ip.src == a` / `ipv6.src == a`. */
export function srcIs(ip: string): string {
  return `${isV6(ip) ? 'ipv6' : 'ip'}.src == ${ip}`
}

export function dstIs(ip: string): string {
  return `${isV6(ip) ? 'ipv6' : 'ip'}.dst == ${ip}`
}

/** `ip.addr == a` / `ipv6.addr == a`. */
export function addrIs(ip: string): string {
  return `${isV6(ip) ? 'ipv6' : 'ip'}.addr == ${ip}`
}

/** Either side in a prefix: `ip.addr == 10.0.0.0/8`. */
export function addrIn(prefix: string): string {
  return `${isV6(prefix) ? 'ipv6' : 'ip'}.addr == ${prefix}`
}

/** `frame.number in {1 5 9}`, for evidence no field describes. */
export function framesIn(frames: readonly number[]): string {
  return `frame.number in {${frames.join(' ')}}`
}

/** Joins the non-empty parts with `&&`, parenthesising those that contain `||`. */
export function and(...parts: Array<string | null | undefined | false>): string {
  return parts
    .filter((p): p is string => typeof p === 'string' && p.length > 0)
    .map((p) => (p.includes('||') ? `(${p})` : p))
    .join(' && ')
}

/** Joins the non-empty parts with `||`. */
export function or(...parts: Array<string | null | undefined | false>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(' || ')
}

/** `udp.dstport == 53` etc. */
export function port(proto: 'tcp' | 'udp', side: 'src' | 'dst' | 'any', n: number): string {
  return `${proto}.${side === 'any' ? 'port' : `${side}port`} == ${n}`
}

/** A display-filter string literal (DNS names, SNI): quotes and backslashes escaped, control bytes as \xNN. */
export function literal(text: string): string {
  let out = '"'
  for (const ch of text) {
    const c = ch.codePointAt(0)!
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return out + '"'
}
