/**
 * vxlan-leak: VXLAN crosses the border: well-formed between two PA hosts (frames `vxlan-ok`),
 * with the I flag clear (frame `i-flag-clear`), with VNI 100 below the HNV range (frame
 * `vni-low`), and from an outer address outside `pa` (frame `outer-outside-pa`). Breaks
 * vxlan-not-at-border (one finding per outer pair) and vxlan-format (three low findings).
 */
import { packet } from '../../packet.js'
import { at, Capture, healthyDeployment, scenario } from './deployment.js'

const HOST_A = '10.30.0.5'
const HOST_B = '10.30.1.7'

/** A VXLAN datagram carrying a small inner UDP packet. */
export function vxlanFrame(cap: Capture, outerSrc: string, outerDst: string, vni: number, flags: number, innerSrc: string, innerDst: string, size = 64): Uint8Array {
  return packet().eth('00:15:5d:0a:00:02', '00:1b:21:0a:0b:01').ipv4(outerSrc, outerDst, { id: cap.nextIpId() })
    .udp(49152 + (vni % 1000), 4789).vxlan(vni, flags)
    .eth('00:1d:d8:b7:1c:01', '00:1d:d8:b7:1c:02').ipv4(innerSrc, innerDst).udp(40000, 5000)
    .payload(new Uint8Array(size)).build()
}

export const vxlanLeak = scenario({
  name: 'vxlan-leak',
  description: 'VXLAN at the border: well-formed, I flag clear, VNI out of range, outer address outside the PA network',
  breaks: ['vxlan-format', 'vxlan-not-at-border'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    cap.add(at('13:53:00'), vxlanFrame(cap, HOST_A, HOST_B, 5001, 0x08, '192.168.10.4', '192.168.10.5'), 'vxlan-ok')
    cap.add(at('13:53:01'), vxlanFrame(cap, HOST_A, HOST_B, 5001, 0x08, '192.168.10.4', '192.168.10.5'), 'vxlan-ok')
    cap.add(at('13:53:02'), vxlanFrame(cap, HOST_A, HOST_B, 5002, 0x00, '192.168.20.4', '192.168.20.5'), 'i-flag-clear')
    cap.add(at('13:53:03'), vxlanFrame(cap, HOST_A, HOST_B, 100, 0x08, '192.168.30.4', '192.168.30.5'), 'vni-low')
    cap.add(at('13:53:04'), vxlanFrame(cap, '198.51.100.60', HOST_B, 5003, 0x08, '192.168.40.4', '192.168.40.5'), 'outer-outside-pa')
    return cap.finish()
  },
})
