/**
 * dns-ntp-from-dvm-after-completion: the DVM is still there after deployment completed and the
 * grace minute passed: it sends DNS to a forwarder (frame `dvm-dns-after`) and NTP to the time
 * server (frame `dvm-ntp-after`), both answered. Breaks dns-ntp-source-moves-to-vip (two
 * findings, DNS and NTP) and dvm-removed-after-deploy (one finding per flow: UDP to the forwarder,
 * UDP to the time server).
 */
import { at, Capture, DVM, dnsExchange, FORWARDERS, healthyDeployment, NTP_SERVER, ntpExchange, scenario } from './deployment.js'

export const dnsNtpFromDvmAfterCompletion = scenario({
  name: 'dns-ntp-from-dvm-after-completion',
  description: 'the DVM still sends DNS and NTP after deployment completed',
  breaks: ['dns-ntp-source-moves-to-vip', 'dvm-removed-after-deploy'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    cap.mark('dvm-dns-after', dnsExchange(cap, at('14:01:10'), DVM, FORWARDERS[0], 0x9001, 'go.microsoft.com', { address: '198.51.100.90', sport: 55001 }).query)
    cap.mark('dvm-ntp-after', ntpExchange(cap, at('14:01:12'), DVM, NTP_SERVER, { sport: 55123 }).request)
    return cap.finish()
  },
})
