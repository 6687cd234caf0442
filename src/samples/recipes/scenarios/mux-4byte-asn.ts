/**
 * mux-4byte-asn (vantage tor): captured at the TOR, an SLB MUX peers with the TOR loopback using
 * the 4-byte ASN 4200000001 (OPEN with My AS = AS_TRANS and capability 65: frame `mux-open`) and
 * announces a VIP. Breaks sdn-mux-asn-2byte. At this vantage private-never-beyond-border and
 * vxlan-not-at-border are not-evaluable.
 */
import { at, AZS_ASN, BgpSession, Capture, healthyDeployment, scenario } from './deployment.js'

const MUX = '10.20.0.20'
const TOR_LOOPBACK = '10.10.1.33'
const MUX_ASN = 4200000001

export const mux4byteAsn = scenario({
  name: 'mux-4byte-asn',
  description: 'at the TOR: a MUX opens BGP with a 4-byte ASN (AS_TRANS in My AS)',
  breaks: ['sdn-mux-asn-2byte'],
  policyOptions: { vantage: 'tor' },
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    const mux = new BgpSession(cap, { tor: MUX, border: TOR_LOOPBACK, cport: 50500 })
    cap.mark('mux-open', mux.establish(at('13:50:10'), MUX_ASN, AZS_ASN).open)
    mux.torUpdate(at('13:50:10', 100), { nlri: ['203.0.113.10/32'], asPath: [MUX_ASN] })
    mux.keepalives(at('13:55:10'))
    return cap.finish()
  },
})
