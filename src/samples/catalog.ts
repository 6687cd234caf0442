/**
 * Every sample capture hubcap ships, with the recipe that builds it and its policy. `hubcap samples`
 * writes them (and samples/README.md); a test checks that the committed files equal a fresh build,
 * and the golden-report test checks that each sample breaks exactly the rules listed here.
 */
import { policyTemplate } from '../policy/template.js'
import { buildBorderMini } from './recipes/border-mini.js'
import { buildMessy, messyPolicy } from './recipes/messy.js'
import { SCENARIOS, type Scenario } from './recipes/scenarios/index.js'

export interface Sample {
  /** Short name: the files are samples/<file> and samples/<policyFile>. */
  name: string
  /** The capture's path under samples/. */
  file: string
  /** Its policy's path under samples/. */
  policyFile: string
  /** One line: what the capture shows. */
  shows: string
  /** Rule ids that fail when the capture is analysed with its policy. */
  breaks: readonly string[]
  /** Damaged on purpose (bad headers, a cut tail): the clean-decode checks do not apply. */
  damaged?: boolean
  build(): Uint8Array
  /** The policy as YAML text. */
  policy(): string
}

const PCAPNG_MAGIC = 0x0a0d0d0a

/** A scenario recipe as a sample: .pcapng or .pcap, as the recipe writes it (known once built, so built on first use). */
function fromScenario(s: Scenario): Sample {
  let bytes: Uint8Array | null = null
  const build = (): Uint8Array => (bytes ??= s.build())
  return {
    name: s.name, policyFile: `${s.name}.policy.yaml`, shows: s.description, breaks: s.breaks, build, policy: () => s.policy(),
    get file(): string {
      const b = build()
      const pcapng = b.length >= 4 && new DataView(b.buffer, b.byteOffset).getUint32(0, true) === PCAPNG_MAGIC
      return `${s.name}.${pcapng ? 'pcapng' : 'pcap'}`
    },
  }
}

/** border-mini's policy: the `policy init` template under the sample's name. */
function borderMiniPolicy(): string {
  return policyTemplate().replace(/^name: my-stamp {22}#/m, `name: border-mini${' '.repeat(20)}#`)
}

export const SAMPLES: readonly Sample[] = [
  ...SCENARIOS.map(fromScenario),
  {
    name: 'messy',
    file: 'messy.pcap.gz',
    policyFile: 'messy.policy.yaml',
    shows: 'the DVM during deployment in a file as people hand them over: gzip, big-endian pcap with ns timestamps, five packets damaged at one layer each (IPv4, TCP, UDP, 2 DNS), the last record cut short',
    breaks: [],
    damaged: true,
    build: buildMessy,
    policy: messyPolicy,
  },
  {
    name: 'border-mini',
    file: 'border-mini.pcapng',
    policyFile: 'border-mini.policy.yaml',
    shows: 'two uplinks (pcapng, 2 interfaces, µs and ns): DNS, NTP, a TCP handshake to 443, ICMP unreachable quoting DNS, IPv4 fragments, IPv6 ND, ARP',
    breaks: [],
    build: buildBorderMini,
    policy: borderMiniPolicy,
  },
]
