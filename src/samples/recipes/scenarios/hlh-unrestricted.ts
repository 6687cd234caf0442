/**
 * hlh-unrestricted: during deployment the HLH opens SSH to a datacenter host and gets an answer
 * (frame `hlh-ssh`: high, the ACL does not restrict it), a node BMC tries HTTPS to the internet
 * without an answer (frame `bmc-attempt`: low), and the HLH reaches the OEM update server, which
 * the policy's allow entry documents (suppressed, no finding). Breaks hlh-restricted.
 */
import { at, Capture, healthyDeployment, HLH, NODE_BMC, scenario, TcpConnection, tlsConnect } from './deployment.js'

export const hlhUnrestricted = scenario({
  name: 'hlh-unrestricted',
  description: 'the HLH reaches a datacenter host over SSH; a node BMC tries the internet; the allowed OEM update server is suppressed',
  breaks: ['hlh-restricted'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    const ssh = new TcpConnection(cap, { client: HLH, cport: 54100, server: '198.51.100.22', sport: 22 })
    cap.mark('hlh-ssh', ssh.handshake(at('13:53:00')))
    ssh.send(at('13:53:00', 30), false, new TextEncoder().encode('SSH-2.0-OpenSSH_9.6\r\n'))
    cap.mark('bmc-attempt', new TcpConnection(cap, { client: NODE_BMC, cport: 54200, server: '198.51.100.23', sport: 443 }).syn(at('13:53:10')))
    cap.mark('allowed', tlsConnect(cap, at('13:53:20'), HLH, 54300, '192.0.2.10', 'updates.oem.example').syn)
    return cap.finish()
  },
})
