/** Which flows a policy makes relevant, and the role each address plays. */
import { describe, expect, it } from 'vitest'
import type { FlowRecord } from '../../src/flow/flow-record.js'
import type { Policy } from '../../src/policy/model.js'
import { PolicyView } from '../../src/policy/view.js'
import { isRelevantFlow } from '../../src/observe/relevance.js'
import { RoleResolver } from '../../src/observe/roles.js'
import { flow } from '../support/observations.js'

const POLICY: Policy = {
  version: 1,
  networks: {
    bmc: '10.10.0.0/26', publicVip: '203.0.113.0/24', infrastructure: '10.20.0.0/24', private: '172.16.0.0/20',
    switchInfra: '10.10.1.0/26', switchMgmt: '10.10.1.56/29', pa: '10.30.0.0/23', permitted: ['192.0.2.0/25'],
  },
  hosts: {
    dvm: '10.10.0.29', hlh: '10.10.0.30', hlhBmc: '10.10.0.2', oemToolVms: ['10.10.0.19'], dnsForwarders: ['198.51.100.53'],
    ntpServers: ['198.51.100.123'], explicitProxies: ['198.51.100.8'],
  },
  bgp: { peers: [{ border: '10.10.1.1', tor: '10.10.1.2' }], expectedVips: ['203.0.113.10'] },
}
const view = new PolicyView(POLICY)

const f = (a: string, b: string, port = 443, extra: Partial<FlowRecord> = {}, proto = 'tcp'): FlowRecord =>
  ({ ...flow({ proto, initiator: [a, 50000], responder: [b, port] }), ...extra })

describe('isRelevantFlow', () => {
  const outside = '198.51.100.77'
  const cases: Array<[string, FlowRecord, boolean]> = [
    ['unrelated hosts', f(outside, '198.51.100.78'), false],
    ['bmc network', f('10.10.0.5', outside), true],
    ['dvm as responder', f(outside, '10.10.0.29', 22), true],
    ['infra VIP (first /27 of the pool)', f(outside, '203.0.113.5', 3389), true],
    ['expected VIP outside the infra /27', f(outside, '203.0.113.10', 3389), true],
    ['public VIP on 443', f(outside, '203.0.113.200', 443), true],
    ['public VIP on 179', f('203.0.113.200', outside, 179), true],
    ['public VIP on another port', f(outside, '203.0.113.200', 3389), false],
    ['public VIP, ICMP', f(outside, '203.0.113.200', 443, { initiator: { ip: outside, port: null }, responder: { ip: '203.0.113.200', port: null } }, 'icmp'), false],
    ['switch management', f(outside, '10.10.1.57', 22), true],
    ['private network', f('172.16.3.4', outside), true],
    ['permitted network', f('192.0.2.10', outside), true],
    ['explicit proxy', f(outside, '198.51.100.8', 3128), true],
    ['DNS forwarder', f(outside, '198.51.100.53', 53, {}, 'udp'), true],
    ['NTP server', f(outside, '198.51.100.123', 123, {}, 'udp'), true],
    ['provider address', f('10.30.0.1', outside, 4789, {}, 'udp'), true],
    ['IPv6', f('2001:db8::1', '2001:db8::2'), true],
    ['inside a tunnel', f(outside, '198.51.100.78', 443, { vni: 5001 }), true],
    ['a tunnel outer flow', f(outside, '198.51.100.78', 4789, { app: 'vxlan' }, 'udp'), true],
  ]
  for (const [name, record, want] of cases) it(name, () => expect(isRelevantFlow(view, record)).toBe(want))

  it('an empty policy makes only IPv6 and tunnels relevant', () => {
    const empty = new PolicyView({ version: 1 })
    expect(isRelevantFlow(empty, f('10.10.0.29', '198.51.100.53', 53))).toBe(false)
    expect(isRelevantFlow(empty, f('2001:db8::1', '2001:db8::2'))).toBe(true)
  })
})

describe('RoleResolver', () => {
  const roles = new RoleResolver(view)
  const cases: Array<[string, string | null]> = [
    ['10.10.0.29', 'dvm'], ['10.10.0.30', 'hlh'], ['10.10.0.2', 'hlh-bmc'], ['10.10.0.19', 'oem-tool-vm'], ['10.10.0.5', 'bmc'],
    ['198.51.100.53', 'dns-forwarder'], ['198.51.100.123', 'ntp-server'], ['198.51.100.8', 'explicit-proxy'],
    ['10.10.1.1', 'bgp-border'], ['10.10.1.2', 'bgp-tor'], ['10.10.1.57', 'switch-mgmt'], ['10.10.1.9', 'switch-infra'],
    ['203.0.113.10', 'expected-vip'], ['203.0.113.5', 'infra-vip'], ['203.0.113.200', 'public-vip'],
    ['10.20.0.7', 'infrastructure'], ['172.16.0.1', 'private'], ['10.30.0.1', 'pa'], ['192.0.2.10', 'permitted'],
    ['198.51.100.77', null], ['2001:db8::1', null],
  ]
  for (const [ip, role] of cases) it(`${ip} is ${role}`, () => expect(roles.roleOf(ip)).toBe(role))

  it('fills a record\'s roles', () => {
    const r = f('10.10.0.29', '198.51.100.53', 53)
    roles.fill(r)
    expect(r.roles).toEqual({ initiator: 'dvm', responder: 'dns-forwarder' })
  })
})
