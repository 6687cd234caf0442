import { describe, expect, it } from 'vitest'
import type { IcmpErrorObs, Observations } from '../../../src/observe/model.js'
import { underlayMtu as rule } from '../../../src/policy/rules/underlay-mtu.js'
import { at, context, observations, tunnel } from '../../support/observations.js'

const run = (parts: Partial<Observations>) => rule.evaluate(context(observations(parts), null))
const icmp = (from: string, to: string, icmpType: number, code: number, frame: number, mtu: number | null = null): IcmpErrorObs => ({
  family: from.includes(':') ? 6 : 4, from, to, icmpType, code, mtu,
  quoted: { proto: 17, src: to, dst: from.includes(':') ? '2001:db8::9' : '10.30.0.9', srcPort: 50000, dstPort: 4789 },
  at: at(frame, frame),
})

describe('underlay-mtu', () => {
  it('reports fragmented tunnel datagrams per outer pair with the fragmented frames as evidence', () => {
    const out = run({
      tunnels: [
        tunnel({ outer: ['10.30.0.4', '10.30.0.5'], packets: 10, fragmented: 2, frame: 10, fragmentedFrames: [15, 17] }),
        tunnel({ outer: ['10.30.0.4', '10.30.0.5'], vni: 5001, packets: 4, fragmented: 1, frame: 30, fragmentedFrames: [31] }),
        tunnel({ outer: ['10.30.0.6', '10.30.0.7'], packets: 10, frame: 50 }),
      ],
    })
    expect(out.findings).toHaveLength(1)
    const f = out.findings[0]!
    expect(f).toMatchObject({ key: 'fragmented 10.30.0.4>10.30.0.5', count: 3 })
    expect(f.evidence.map((w) => w.frame)).toEqual([15, 17, 31])
    expect(f.filter).toBe('ip.src == 10.30.0.4 && ip.dst == 10.30.0.5 && (ip.flags.mf == 1 || ip.frag_offset > 0)')
    expect(f.message).toContain('VXLAN outer datagram')
  })

  it('reports ICMP fragmentation-needed and ICMPv6 packet-too-big, not other ICMP errors', () => {
    const out = run({
      icmpErrors: [
        icmp('10.30.0.1', '10.30.0.4', 3, 4, 40, 1500),
        icmp('10.30.0.1', '10.30.0.4', 3, 4, 41, 1400),
        icmp('2001:db8::1', '2001:db8::4', 2, 0, 42, 1280),
        icmp('10.30.0.1', '10.30.0.4', 3, 3, 43),
        icmp('10.30.0.1', '10.30.0.4', 11, 0, 44),
      ],
    })
    expect(out.findings.map((f) => [f.key, f.count, f.evidence.map((w) => w.frame), f.filter])).toEqual([
      ['icmp 10.30.0.1>10.30.0.4', 2, [40, 41], 'icmp.type == 3 && icmp.code == 4 && ip.src == 10.30.0.1 && ip.dst == 10.30.0.4'],
      ['icmp 2001:db8::1>2001:db8::4', 1, [42], 'icmpv6.type == 2 && ipv6.src == 2001:db8::1 && ipv6.dst == 2001:db8::4'],
    ])
    expect(out.findings[0]!.message).toContain('MTU 1400')
    expect(out.findings[0]!.message).toContain('about 10.30.0.9')
    expect(out.findings[0]!.traffic).toEqual({ src: '10.30.0.1', dst: '10.30.0.4', proto: 'icmp' })
    expect(out.reason).toBe('0 tunnel packets (0 fragmented), 5 ICMP errors (3 about the MTU)')
  })

  it('needs no policy and passes unfragmented tunnels', () => {
    const out = run({ tunnels: [tunnel({ outer: ['10.30.0.4', '10.30.0.5'], packets: 7 })] })
    expect(out).toMatchObject({ status: 'evaluated', findings: [] })
  })
})
