/**
 * Every sample capture hubcap ships, with the recipe that builds it. `hubcap samples`
 * writes them; a test checks that the committed files equal a fresh build.
 */
import { buildBorderMini } from './recipes/border-mini.js'

export interface Sample {
  /** Path under samples/. */
  file: string
  /** One line: what the capture shows. */
  shows: string
  build(): Uint8Array
}

export const SAMPLES: readonly Sample[] = [
  {
    file: 'border-mini.pcapng',
    shows: 'two uplinks (pcapng, 2 interfaces, µs and ns): DNS, NTP, a TCP handshake to 443, ICMP unreachable quoting DNS, IPv4 fragments, IPv6 ND, ARP',
    build: buildBorderMini,
  },
]
