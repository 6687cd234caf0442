import { describe, expect, it } from 'vitest'
import { INBOUND_ENDPOINTS, isRetiredExtensionHostPort, publishedInbound } from '../../src/policy/inbound-ports.js'

describe('published inbound VIP ports (domain notes 3.2)', () => {
  it('lists the TCP ports of the table, ranges included', () => {
    for (const p of [443, 80, 53, 44300, 44302, 44304, 8172, 21, 1021, 10001, 10050, 10100, 990]) {
      expect(publishedInbound('tcp', p).length, `tcp ${p}`).toBeGreaterThan(0)
    }
    for (const p of [22, 3389, 8443, 44305, 10000, 10101, 30015, 5986]) expect(publishedInbound('tcp', p), `tcp ${p}`).toEqual([])
  })

  it('keeps UDP apart: DNS, FTP and the VPN gateway ports', () => {
    expect(publishedInbound('udp', 53).map((e) => e.endpoint)).toEqual(['DNS'])
    expect(publishedInbound('udp', 4500).map((e) => e.endpoint)).toEqual(['VPN Gateways'])
    expect(publishedInbound('udp', 443)).toEqual([])
    expect(publishedInbound('tcp', 500)).toEqual([])
  })

  it('names which endpoints share a port, and the ports the Extension Host retired', () => {
    expect(publishedInbound('tcp', 44300).map((e) => e.host)).toEqual([
      'sqladapter.dbadapter.<region>.<fqdn>', 'mysqladapter.dbadapter.<region>.<fqdn>', 'api.appservice.<region>.<fqdn>',
    ])
    expect(INBOUND_ENDPOINTS).toHaveLength(20)
    expect([12494, 12495, 30015, 30016].map(isRetiredExtensionHostPort)).toEqual([false, true, true, false])
  })
})
