/**
 * The outbound endpoints Azure Stack Hub needs, per cloud: the table of the
 * domain notes §3.1 ("Ports and URLs (outbound)", azure-stack-integrate-endpoints.md,
 * 01/10/2022), as data. Names are host names without scheme or path;
 * `*.example.net` matches any name ending in `.example.net`, at any depth (not
 * `example.net` itself). Rows whose destination is not a DNS name say where it
 * comes from instead (`destination`).
 *
 * Which rows `required-endpoints` requires: mandatory and required rows without a
 * condition, plus the rows whose condition the policy meets (`entra` or `adfs`
 * identity). The Identity row is "mandatory for a connected deployment" with
 * Microsoft Entra ID, so it carries the `entra` condition: an AD FS stamp
 * authenticates against its own AD FS, and rules.md makes the AD FS rows required
 * for it instead. Everything else is reported for information only.
 */
import type { Cloud, EndpointRequirement, Identity, Policy } from './model.js'
import { parseAddress } from './cidr.js'

export type EndpointCondition = 'entra' | 'adfs' | 'telemetry' | 'consumption'

/** Where a row's destination comes from when it is not a list of names. */
export type EndpointDestination =
  | 'adForestDcs'     // hosts.adForestDcs
  | 'dnsForwarders'   // hosts.dnsForwarders
  | 'ntpServers'      // hosts.ntpServers
  | 'syslog'          // hosts.syslog
  | 'certificateCdps' // the CRL distribution points of the stamp's certificates (not in the policy)
  | 'adfsMetadata'    // the AD FS metadata endpoint (not in the policy)

export interface EndpointRow {
  purpose: string
  names: string[]
  destination?: EndpointDestination
  proto: 'tcp' | 'udp' | 'both'
  ports: number[]
  requirement: EndpointRequirement
  condition?: EndpointCondition
  /** Another rule judges this traffic (DNS and NTP). */
  judgedBy?: string
}

/** Rows that are the same in every cloud (Microsoft-wide names, or destinations from the policy). */
const COMMON_TAIL: EndpointRow[] = [
  { purpose: 'Patch & Update', names: ['*.azureedge.net', 'aka.ms'], proto: 'tcp', ports: [443], requirement: 'notRequired' },
  {
    purpose: 'Windows Defender',
    names: ['*.wdcp.microsoft.com', '*.wdcpalt.microsoft.com', '*.wd.microsoft.com', '*.update.microsoft.com',
      '*.download.microsoft.com', 'secure.aadcdn.microsoftonline-p.com'],
    proto: 'tcp', ports: [80, 443], requirement: 'notRequired',
  },
  { purpose: 'NTP', names: [], destination: 'ntpServers', proto: 'udp', ports: [123], requirement: 'required', judgedBy: 'ntp-to-configured-server' },
  { purpose: 'DNS', names: [], destination: 'dnsForwarders', proto: 'both', ports: [53], requirement: 'required', judgedBy: 'dns-forwarder-answers' },
  { purpose: 'SYSLOG', names: [], destination: 'syslog', proto: 'both', ports: [6514, 514], requirement: 'optional' },
  { purpose: 'CRL', names: [], destination: 'certificateCdps', proto: 'tcp', ports: [80], requirement: 'required' },
  { purpose: 'CRL (Microsoft)', names: ['crl.microsoft.com', 'mscrl.microsoft.com', 'www.microsoft.com'], proto: 'tcp', ports: [80], requirement: 'notRequired' },
  { purpose: 'LDAP', names: [], destination: 'adForestDcs', proto: 'both', ports: [389], requirement: 'conditional', condition: 'adfs' },
  { purpose: 'LDAP SSL', names: [], destination: 'adForestDcs', proto: 'tcp', ports: [636], requirement: 'conditional', condition: 'adfs' },
  { purpose: 'LDAP GC', names: [], destination: 'adForestDcs', proto: 'tcp', ports: [3268], requirement: 'conditional', condition: 'adfs' },
  { purpose: 'LDAP GC SSL', names: [], destination: 'adForestDcs', proto: 'tcp', ports: [3269], requirement: 'conditional', condition: 'adfs' },
  { purpose: 'AD FS', names: [], destination: 'adfsMetadata', proto: 'tcp', ports: [443], requirement: 'optional', condition: 'adfs' },
  {
    purpose: 'Remote support',
    names: ['edgesupprd.trafficmanager.net', 'edgesupprdwestusfrontend.westus2.cloudapp.azure.com',
      'edgesupprdwesteufrontend.westeurope.cloudapp.azure.com', 'edgesupprdeastusfrontend.eastus.cloudapp.azure.com',
      'edgesupprdwestcufrontend.westcentralus.cloudapp.azure.com', 'edgesupprdasiasefrontend.southeastasia.cloudapp.azure.com',
      '*.servicebus.windows.net'],
    proto: 'tcp', ports: [443], requirement: 'notRequired',
  },
  {
    purpose: 'Telemetry',
    names: ['settings-win.data.microsoft.com', 'login.live.com', '*.events.data.microsoft.com', '*.blob.core.windows.net',
      'azsdiagprdwestusfrontend.westus.cloudapp.azure.com'],
    proto: 'tcp', ports: [443], requirement: 'conditional', condition: 'telemetry',
  },
]

const DIAGNOSTICS: EndpointRow = {
  purpose: 'Diagnostic log collection',
  names: ['*.blob.core.windows.net', 'azsdiagprdlocalwestus02.blob.core.windows.net', 'azsdiagprdwestusfrontend.westus.cloudapp.azure.com'],
  proto: 'tcp', ports: [443], requirement: 'notRequired',
}

/** The per-cloud rows (the bracketed Gov / China values of the table), then the common ones. */
export const ENDPOINT_TABLES: Readonly<Record<Cloud, readonly EndpointRow[]>> = {
  AzureCloud: [
    {
      purpose: 'Identity',
      names: ['login.windows.net', 'login.microsoftonline.com', 'graph.windows.net', 'secure.aadcdn.microsoftonline-p.com',
        'www.office.com', 'management.core.windows.net', 'management.azure.com', '*.msftauth.net', '*.msauth.net', '*.msocdn.com'],
      proto: 'tcp', ports: [80, 443], requirement: 'mandatory', condition: 'entra',
    },
    { purpose: 'Marketplace syndication', names: ['management.azure.com', '*.blob.core.windows.net', '*.azureedge.net'], proto: 'tcp', ports: [443], requirement: 'notRequired' },
    { purpose: 'Registration', names: ['management.azure.com'], proto: 'tcp', ports: [443], requirement: 'notRequired' },
    { purpose: 'Usage', names: ['*.trafficmanager.net', '*.cloudapp.azure.com'], proto: 'tcp', ports: [443], requirement: 'conditional', condition: 'consumption' },
    DIAGNOSTICS,
    ...COMMON_TAIL,
  ],
  AzureUSGovernment: [
    { purpose: 'Identity', names: ['login.microsoftonline.us', 'graph.windows.net'], proto: 'tcp', ports: [80, 443], requirement: 'mandatory', condition: 'entra' },
    { purpose: 'Marketplace syndication', names: ['management.usgovcloudapi.net', '*.blob.core.usgovcloudapi.net'], proto: 'tcp', ports: [443], requirement: 'notRequired' },
    { purpose: 'Registration', names: ['management.usgovcloudapi.net'], proto: 'tcp', ports: [443], requirement: 'notRequired' },
    { purpose: 'Usage', names: ['*.usgovtrafficmanager.net', '*.cloudapp.usgovcloudapi.net'], proto: 'tcp', ports: [443], requirement: 'conditional', condition: 'consumption' },
    DIAGNOSTICS,
    ...COMMON_TAIL,
  ],
  AzureChinaCloud: [
    { purpose: 'Identity', names: ['login.chinacloudapi.cn', 'graph.chinacloudapi.cn'], proto: 'tcp', ports: [80, 443], requirement: 'mandatory', condition: 'entra' },
    { purpose: 'Marketplace syndication', names: ['management.chinacloudapi.cn', '*.blob.core.chinacloudapi.cn'], proto: 'tcp', ports: [80, 443], requirement: 'notRequired' },
    { purpose: 'Registration', names: ['management.chinacloudapi.cn'], proto: 'tcp', ports: [443], requirement: 'notRequired' },
    { purpose: 'Usage', names: ['*.trafficmanager.cn', '*.cloudapp.chinacloudapi.cn'], proto: 'tcp', ports: [443], requirement: 'conditional', condition: 'consumption' },
    DIAGNOSTICS,
    ...COMMON_TAIL,
  ],
}

/** True when `name` is `pattern`, or for `*.suffix` ends in `.suffix` (any depth). Case-insensitive, trailing dot ignored. */
export function nameMatches(pattern: string, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '')
  const p = pattern.toLowerCase().replace(/\.$/, '')
  if (p.startsWith('*.')) return n.endsWith(p.slice(1)) && n.length > p.length - 1
  return n === p
}

/** True when the row applies to this policy's identity (rows without an identity condition always do). */
function identityApplies(row: EndpointRow, identity: Identity | undefined): boolean {
  if (row.condition === 'entra') return identity === 'entra'
  if (row.condition === 'adfs') return identity === 'adfs'
  return true
}

/** Required by the policy: mandatory/required without a condition, or with a met identity condition. */
export function isRequiredRow(row: EndpointRow, identity: Identity | undefined): boolean {
  if (row.condition === 'entra' || row.condition === 'adfs') return identityApplies(row, identity) && row.requirement !== 'optional'
  if (row.condition) return false
  return row.requirement === 'mandatory' || row.requirement === 'required'
}

/** The policy's own `endpoints`, as rows (requirement default required, proto default tcp). */
export function policyEndpointRows(policy: Policy): EndpointRow[] {
  return (policy.endpoints ?? []).map((e) => ({
    purpose: `policy endpoint ${e.host}`,
    names: [e.host],
    proto: e.proto ?? 'tcp',
    ports: [...e.ports],
    requirement: e.requirement ?? 'required',
  }))
}

/** The built-in rows for the policy's cloud, then its own endpoints. */
export function endpointRows(policy: Policy, cloud: Cloud): EndpointRow[] {
  return [...ENDPOINT_TABLES[cloud], ...policyEndpointRows(policy)]
}

/** True when a row name is an address literal (policy endpoints may name an IP). */
export const isAddressName = (name: string): boolean => parseAddress(name) !== null
