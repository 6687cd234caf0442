/**
 * azure-comms-from-bmc: after deployment the HLH (BMC network, not an OEM tool VM) talks to
 * login.microsoftonline.com itself instead of through the infrastructure VIPs (frame
 * `hlh-to-login`). Breaks azure-comms-via-vip and, since the session beyond the BMC network is
 * answered, hlh-restricted (one high finding each).
 */
import { at, Capture, endpointAddress, healthyDeployment, HLH, scenario, tlsConnect } from './deployment.js'

export const azureCommsFromBmc = scenario({
  name: 'azure-comms-from-bmc',
  description: 'the HLH connects to a required Azure endpoint after deployment',
  breaks: ['azure-comms-via-vip', 'hlh-restricted'],
  record() {
    const cap = new Capture()
    healthyDeployment(cap)
    cap.mark('hlh-to-login', tlsConnect(cap, at('14:01:20'), HLH, 54001, endpointAddress('login.microsoftonline.com'), 'login.microsoftonline.com').syn)
    return cap.finish()
  },
})
