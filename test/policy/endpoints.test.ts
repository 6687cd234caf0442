import { describe, expect, it } from 'vitest'
import { ENDPOINT_TABLES, endpointRows, isRequiredRow, nameMatches } from '../../src/policy/endpoints.js'
import { endpointTargets } from '../../src/policy/rules/required-endpoints.js'
import type { Cloud, Policy } from '../../src/policy/model.js'

describe('endpoint tables', () => {
  it('match wildcards as a suffix of any depth, never the bare suffix, ignoring case and a trailing dot', () => {
    expect(nameMatches('*.blob.core.windows.net', 'x.blob.core.windows.net')).toBe(true)
    expect(nameMatches('*.blob.core.windows.net', 'a.b.c.blob.core.windows.net')).toBe(true)
    expect(nameMatches('*.blob.core.windows.net', 'blob.core.windows.net')).toBe(false)
    expect(nameMatches('*.blob.core.windows.net', 'xblob.core.windows.net')).toBe(false)
    expect(nameMatches('login.windows.net', 'LOGIN.Windows.NET.')).toBe(true)
    expect(nameMatches('login.windows.net', 'x.login.windows.net')).toBe(false)
  })

  it('have the identity row of each cloud', () => {
    const identity = (c: Cloud) => ENDPOINT_TABLES[c].find((r) => r.purpose === 'Identity')!.names
    expect(identity('AzureCloud')).toContain('login.microsoftonline.com')
    expect(identity('AzureUSGovernment')).toEqual(['login.microsoftonline.us', 'graph.windows.net'])
    expect(identity('AzureChinaCloud')).toEqual(['login.chinacloudapi.cn', 'graph.chinacloudapi.cn'])
    for (const c of Object.keys(ENDPOINT_TABLES) as Cloud[]) {
      expect(ENDPOINT_TABLES[c].map((r) => r.purpose)).toEqual(expect.arrayContaining(['NTP', 'DNS', 'CRL', 'LDAP', 'Telemetry', 'Usage']))
    }
  })

  it('require the identity rows with entra and the LDAP rows with adfs', () => {
    const rows = ENDPOINT_TABLES.AzureCloud
    const required = (id: 'entra' | 'adfs') => rows.filter((r) => isRequiredRow(r, id)).map((r) => r.purpose)
    expect(required('entra')).toEqual(['Identity', 'NTP', 'DNS', 'CRL'])
    expect(required('adfs')).toEqual(['NTP', 'DNS', 'CRL', 'LDAP', 'LDAP SSL', 'LDAP GC', 'LDAP GC SSL'])
    const dcs = ['192.0.2.40']
    const adfs = endpointTargets(rows, 'adfs', dcs)
    expect(adfs.targets.filter((t) => t.required)).toEqual([
      { name: '192.0.2.40', purpose: 'LDAP', required: true, proto: 'both', ports: [389, 636, 3268, 3269] },
    ])
    expect(endpointTargets(rows, 'entra', dcs).targets.filter((t) => t.required).map((t) => t.name)).toContain('login.windows.net')
  })

  it('append the policy endpoints, required by default', () => {
    const policy: Policy = { version: 1, endpoints: [{ host: 'portal.contoso.example', ports: [443] }, { host: 'x.example', ports: [80], requirement: 'optional' }] }
    const rows = endpointRows(policy, 'AzureCloud').slice(-2)
    expect(rows.map((r) => [r.names, r.requirement, isRequiredRow(r, 'entra')])).toEqual([
      [['portal.contoso.example'], 'required', true],
      [['x.example'], 'optional', false],
    ])
  })
})
