/**
 * forwarder-not-answering: during deployment the second forwarder never answers the DVM (three
 * queries, the capture goes on for minutes after them) and the first answers one query with
 * SERVFAIL. Names are outside the endpoint table, so only dns-forwarder-answers judges them.
 * Breaks dns-forwarder-answers: a timeout finding (frames `timeout-query`) and a SERVFAIL
 * finding (frame `servfail-response`).
 */
import { at, Capture, DVM, dnsExchange, FORWARDERS, healthyDeployment, scenario } from './deployment.js'

export const forwarderNotAnswering = scenario({
  name: 'forwarder-not-answering',
  description: 'one forwarder times out (3 queries), the other answers SERVFAIL, during deployment',
  breaks: ['dns-forwarder-answers'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    for (let i = 0; i < 3; i++) {
      const q = dnsExchange(cap, at('13:53:00', 2000 * i), DVM, FORWARDERS[1], 0x5001 + i, 'go.microsoft.com', { unanswered: true })
      cap.mark('timeout-query', q.query)
    }
    const s = dnsExchange(cap, at('13:53:10'), DVM, FORWARDERS[0], 0x5010, 'download.windowsupdate.com', { rcode: 2 })
    cap.mark('servfail-response', s.response!)
    return cap.finish()
  },
})
