/**
 * explicit-proxy: during deployment the DVM goes through an explicit proxy on 8080: a CONNECT
 * (frame `connect`) on one connection, an absolute-URI GET (frame `absolute-get`) on another, and
 * it looks up WPAD (frame `wpad-query`). Breaks no-explicit-proxy: three findings.
 */
import * as http from '../../../decode/http.js'
import { at, Capture, DVM, dnsExchange, FORWARDERS, healthyDeployment, scenario, TcpConnection } from './deployment.js'

const PROXY = '198.51.100.80'

export const explicitProxy = scenario({
  name: 'explicit-proxy',
  description: 'the DVM uses an explicit proxy: HTTP CONNECT, an absolute-URI request and a WPAD lookup',
  breaks: ['no-explicit-proxy'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    cap.mark('wpad-query', dnsExchange(cap, at('13:53:00'), DVM, FORWARDERS[0], 0x7001, 'wpad.contoso.example', { rcode: 3 }).query)
    const tunnel = new TcpConnection(cap, { client: DVM, cport: 52001, server: PROXY, sport: 8080 })
    tunnel.handshake(at('13:53:01'))
    cap.mark('connect', tunnel.send(at('13:53:01', 14), true, http.build(http.fields({
      method: 'CONNECT', target: 'login.microsoftonline.com:443', headers: [['Host', 'login.microsoftonline.com:443'], ['Proxy-Connection', 'keep-alive']],
    }))))
    tunnel.send(at('13:53:01', 30), false, http.build(http.fields({ isResponse: true, status: 200, reason: 'Connection established' })))
    const plain = new TcpConnection(cap, { client: DVM, cport: 52002, server: PROXY, sport: 8080 })
    plain.handshake(at('13:53:02'))
    cap.mark('absolute-get', plain.send(at('13:53:02', 14), true, http.build(http.fields({
      method: 'GET', target: 'http://www.msftconnecttest.com/connecttest.txt', headers: [['Host', 'www.msftconnecttest.com']],
    }))))
    plain.ackFrom(at('13:53:02', 40), false)
    return cap.finish()
  },
})
