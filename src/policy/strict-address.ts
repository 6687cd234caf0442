/**
 * Strict checks of the addresses and networks a user writes in a policy, with
 * ip-address doing the parsing. Each check returns null when the text is fine,
 * or the problem in words: the schema's custom formats use them as yes/no, and
 * the loader reuses them to say exactly what is wrong.
 *
 * Stricter than the parser in cidr.ts on purpose: no `1.2.3` shorthand, no
 * leading zeros (`010.0.0.1` is octal to some tools, decimal to others), no
 * zone index (`fe80::1%eth0` names an interface, not a network), no spaces,
 * and a network must be written as its network address (`10.0.0.0/24`, not
 * `10.0.0.1/24`): host bits usually mean a mistyped prefix length.
 */
import { Address4, Address6 } from 'ip-address'

type Parsed = { family: 4 | 6; address: Address4 | Address6; bits: number }

/** Null when `text` is one IPv4 or IPv6 address (no prefix length). */
export function addressProblem(text: string): string | null {
  if (text.includes('/')) return 'not an IP address (a single address has no /prefix-length)'
  return parse(text) === null ? 'not an IP address' : null
}

/** Null when `text` is a network in CIDR form, `address/length`, with no host bits set. */
export function cidrProblem(text: string): string | null {
  const slash = text.indexOf('/')
  if (slash < 0) return 'not a CIDR network (write address/prefix-length, e.g. 192.0.2.0/24)'
  const addressText = text.slice(0, slash)
  const lengthText = text.slice(slash + 1)
  const parsed = parse(addressText)
  if (parsed === null) return 'not a CIDR network (the address part is not an IP address)'
  if (!/^(0|[1-9]\d{0,2})$/.test(lengthText) || Number(lengthText) > parsed.bits) {
    return `not a CIDR network (the prefix length must be 0-${parsed.bits})`
  }
  const network = parsed.family === 4
    ? new Address4(`${addressText}/${lengthText}`).startAddress().correctForm()
    : new Address6(`${addressText}/${lengthText}`).startAddress().correctForm()
  const given = parsed.address.correctForm()
  if (network !== given) return `not a network address (host bits set; the network is ${network}/${lengthText})`
  return null
}

/** Null when `text` is an address or a CIDR network (allow entries take either). */
export function addressOrCidrProblem(text: string): string | null {
  return text.includes('/') ? cidrProblem(text) : addressProblem(text)
}

function parse(text: string): Parsed | null {
  if (text === '' || /[\s%]/.test(text)) return null
  try {
    if (text.includes(':')) return { family: 6, address: new Address6(text), bits: 128 }
    // ip-address itself rejects shorthand, leading zeros and octets above 255.
    return { family: 4, address: new Address4(text), bits: 32 }
  } catch {
    return null
  }
}
