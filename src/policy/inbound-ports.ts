/**
 * The published inbound endpoints of the infrastructure VIPs: "Ports and protocols (inbound)" of
 * "Publish Azure Stack Hub services in your datacenter" (azure-stack-integrate-endpoints.md; the same
 * in the 2019-2022 versions), as ../shared/domain/azure-stack-network-rules.md 3.2 copies it.
 * Internal infrastructure VIPs are not listed there; tenant VIPs are dynamic.
 */

export interface InboundEndpoint {
  /** The table's endpoint column. */
  endpoint: string
  /** DNS host A record, `<region>.<fqdn>` left symbolic. */
  host: string
  protos: ReadonlyArray<'tcp' | 'udp'>
  /** Single ports and inclusive [first, last] ranges. */
  ports: ReadonlyArray<number | readonly [number, number]>
  note?: string
}

export const INBOUND_ENDPOINTS: readonly InboundEndpoint[] = [
  { endpoint: 'AD FS', host: 'adfs.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Portal (administrator)', host: 'adminportal.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Adminhosting', host: '*.adminhosting.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Azure Resource Manager (administrator)', host: 'adminmanagement.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Portal (user)', host: 'portal.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Azure Resource Manager (user)', host: 'management.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Graph', host: 'graph.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Certificate revocation list', host: 'crl.<region>.<fqdn>', protos: ['tcp'], ports: [80] },
  { endpoint: 'DNS', host: '*.<region>.<fqdn>', protos: ['tcp', 'udp'], ports: [53] },
  { endpoint: 'Hosting', host: '*.hosting.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Key Vault (user)', host: '*.vault.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Key Vault (administrator)', host: '*.adminvault.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'Storage Queue / Table / Blob', host: '*.queue. / *.table. / *.blob.<region>.<fqdn>', protos: ['tcp'], ports: [80, 443] },
  { endpoint: 'SQL Resource Provider', host: 'sqladapter.dbadapter.<region>.<fqdn>', protos: ['tcp'], ports: [[44300, 44304]] },
  { endpoint: 'MySQL Resource Provider', host: 'mysqladapter.dbadapter.<region>.<fqdn>', protos: ['tcp'], ports: [[44300, 44304]] },
  { endpoint: 'App Service', host: '*.appservice.<region>.<fqdn>', protos: ['tcp'], ports: [80, 443, 8172], note: '8172: MSDeploy' },
  { endpoint: 'App Service', host: '*.scm.appservice.<region>.<fqdn>', protos: ['tcp'], ports: [443] },
  { endpoint: 'App Service', host: 'api.appservice.<region>.<fqdn>', protos: ['tcp'], ports: [443, 44300], note: '44300: ARM' },
  { endpoint: 'App Service', host: 'ftp.appservice.<region>.<fqdn>', protos: ['tcp', 'udp'], ports: [21, 1021, [10001, 10100], 990], note: 'FTP; 990: FTPS' },
  { endpoint: 'VPN Gateways', host: '(tenant)', protos: ['udp'], ports: [500, 4500], note: 'and IP protocol 50 (ESP); tenant gateway VIPs' },
]

/**
 * Ports the Extension Host (1811) retired (e.g. adminportal:30015): a SYN to one on an
 * infrastructure VIP is most likely a client configured for an older stamp.
 */
export const RETIRED_EXTENSION_HOST_PORTS: readonly [number, number] = [12495, 30015]

const has = (ports: InboundEndpoint['ports'], port: number) =>
  ports.some((p) => (typeof p === 'number' ? p === port : port >= p[0] && port <= p[1]))

/** The published endpoints reachable on `proto`/`port` (empty when the port is not published). */
export function publishedInbound(proto: 'tcp' | 'udp', port: number): InboundEndpoint[] {
  return INBOUND_ENDPOINTS.filter((e) => e.protos.includes(proto) && has(e.ports, port))
}

export function isRetiredExtensionHostPort(port: number): boolean {
  return port >= RETIRED_EXTENSION_HOST_PORTS[0] && port <= RETIRED_EXTENSION_HOST_PORTS[1]
}
