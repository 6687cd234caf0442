/**
 * bgp-notification-and-flap (policy md5: true): TOR2's session is signed and healthy. TOR1's
 * first session is signed, then the border sends NOTIFICATION 4/0 (hold timer expired: frame
 * `notification`) and TOR1 resets it (frame `rst`); TOR1 comes back with a second session
 * (flap: frames `session-syn`) that carries no TCP-MD5 and whose OPEN names AS 64999 instead of
 * azsAsn (frame `wrong-asn-open`). A fourth speaker's SYNs to 179 are never answered (frame
 * `unanswered-syn`). Breaks bgp-session-health: six findings.
 */
import {
  at, AZS_ASN, BgpSession, BORDER_ASN, Capture, EXPECTED_VIPS, healthyDeployment, INFRASTRUCTURE, PEERS, scenario, TcpConnection,
} from './deployment.js'

const ROUTES = [...EXPECTED_VIPS.map((v) => `${v}/32`), INFRASTRUCTURE]

export const bgpNotificationAndFlap = scenario({
  name: 'bgp-notification-and-flap',
  description: 'hold timer NOTIFICATION, reset and re-established session (flap), a wrong ASN, TCP-MD5 missing, an unanswered SYN to 179',
  breaks: ['bgp-session-health'],
  policyOptions: { md5: true },
  record() {
    const cap = new Capture()
    healthyDeployment(cap, { md5: true, bgpPeers: [1] })
    const { tor, border } = PEERS[0]
    const first = new BgpSession(cap, { tor, border, cport: 50300, md5: true })
    cap.mark('session-syn', first.establish(at('13:50:00'), AZS_ASN, BORDER_ASN).syn)
    first.torUpdate(at('13:50:00', 100), { nlri: ROUTES })
    cap.mark('notification', first.send(at('13:53:00'), false, { kind: 'NOTIFICATION', code: 4, subcode: 0 }))
    cap.mark('rst', first.tcp.rst(at('13:53:00', 5), true))

    const second = new BgpSession(cap, { tor, border, cport: 50301 })
    const again = second.establish(at('13:53:30'), 64999, BORDER_ASN)
    cap.mark('session-syn', again.syn)
    cap.mark('wrong-asn-open', again.open)
    second.torUpdate(at('13:53:30', 100), { nlri: ROUTES })
    second.keepalives(at('13:55:00'))
    second.keepalives(at('14:02:00'))

    const stray = new TcpConnection(cap, { client: '10.10.1.10', cport: 50400, server: '10.10.1.9', sport: 179, md5: true })
    cap.mark('unanswered-syn', stray.syn(at('13:54:00')))
    return cap.finish()
  },
})
