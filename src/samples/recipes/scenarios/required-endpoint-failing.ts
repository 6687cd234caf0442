/**
 * required-endpoint-failing: three required endpoints fail during deployment and are never
 * reached afterwards either: graph.windows.net resolves to NXDOMAIN (frame `nxdomain`), SYNs to
 * www.office.com get no SYN-ACK (frames `unanswered-syn`), management.core.windows.net resets
 * the connection (frame `rst`). Breaks required-endpoints: three critical findings.
 */
import { at, Capture, DVM, dnsExchange, endpointAddress, FORWARDERS, healthyDeployment, scenario, TcpConnection } from './deployment.js'

const FAILING = ['graph.windows.net', 'www.office.com', 'management.core.windows.net']

export const requiredEndpointFailing = scenario({
  name: 'required-endpoint-failing',
  description: 'required endpoints fail: NXDOMAIN, SYN without SYN-ACK, connection reset',
  breaks: ['required-endpoints'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap, { skipEndpoints: FAILING })
    cap.mark('nxdomain', dnsExchange(cap, at('13:53:00'), DVM, FORWARDERS[0], 0x8001, 'graph.windows.net', { rcode: 3 }).response!)

    const office = endpointAddress('www.office.com')
    dnsExchange(cap, at('13:53:10'), DVM, FORWARDERS[0], 0x8002, 'www.office.com', { address: office })
    const blackhole = new TcpConnection(cap, { client: DVM, cport: 53001, server: office, sport: 443 })
    cap.mark('unanswered-syn', blackhole.syn(at('13:53:11')))
    // The retransmitted SYN (same sequence number): one connection, two SYNs.
    cap.mark('unanswered-syn', new TcpConnection(cap, { client: DVM, cport: 53001, server: office, sport: 443 }).syn(at('13:53:12')))

    const core = endpointAddress('management.core.windows.net')
    dnsExchange(cap, at('13:53:20'), DVM, FORWARDERS[1], 0x8003, 'management.core.windows.net', { address: core })
    const refused = new TcpConnection(cap, { client: DVM, cport: 53002, server: core, sport: 443 })
    refused.syn(at('13:53:21'))
    cap.mark('rst', refused.rst(at('13:53:21', 15), false))
    return cap.finish()
  },
})
