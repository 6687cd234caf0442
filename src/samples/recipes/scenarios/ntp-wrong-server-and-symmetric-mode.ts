/**
 * ntp-wrong-server-and-symmetric-mode: during deployment the DVM asks another time server
 * (answered), sends symmetric-active (mode 1) requests to the non-Windows configured server, and
 * one of the configured server's replies says stratum 16 (unsynchronised).
 * Breaks ntp-to-configured-server (other server: frame `other-server-request`; unsynchronised:
 * frame `unsync-reply`) and ntp-client-mode (frames `mode1-request`).
 */
import { at, Capture, DVM, healthyDeployment, NTP_SERVER, ntpExchange, scenario } from './deployment.js'

const OTHER_NTP = '198.51.100.123'

export const ntpWrongServerAndSymmetricMode = scenario({
  name: 'ntp-wrong-server-and-symmetric-mode',
  description: 'the DVM uses another NTP server, symmetric-active mode to the configured one, which answers once at stratum 16',
  breaks: ['ntp-to-configured-server', 'ntp-client-mode'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    cap.mark('other-server-request', ntpExchange(cap, at('13:53:00'), DVM, OTHER_NTP).request)
    cap.mark('mode1-request', ntpExchange(cap, at('13:54:00'), DVM, NTP_SERVER, { mode: 1 }).request)
    cap.mark('mode1-request', ntpExchange(cap, at('13:54:10'), DVM, NTP_SERVER, { mode: 1 }).request)
    cap.mark('unsync-reply', ntpExchange(cap, at('13:54:30'), DVM, NTP_SERVER, { stratum: 16, leap: 3 }).reply!)
    return cap.finish()
  },
})
