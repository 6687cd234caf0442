/**
 * The policy `hubcap policy init` writes: every key hubcap understands, each
 * with a one-line comment saying what it is for and which rules use it, filled
 * with a coherent example plan (documentation ranges 192.0.2.0/24,
 * 198.51.100.0/24 and 203.0.113.0/24 for datacenter and public addresses, 10.x
 * and 172.16.x for the private plan). It validates as written, so a user edits
 * values and deletes what does not apply; a test walks the schema to keep it
 * complete.
 */
export function policyTemplate(): string {
  return TEMPLATE
}

const TEMPLATE = `# hubcap deployment policy, version 1 (check it with: hubcap policy check FILE)
# Every key but "version" is optional: delete what you do not know, and the rules that need it
# are reported "not-evaluable" (never a silent pass). Unknown keys are errors, so a typo cannot
# switch a check off. Addresses are single IPv4/IPv6 addresses; networks are CIDRs written as
# their network address (10.10.0.0/26, not 10.10.0.1/26).
version: 1                          # policy format version; always 1
name: my-stamp                      # a name for this deployment, shown in reports

vantage: border                     # border | tor | host: where the capture was taken; decides which rules are evaluable (rules: vxlan-not-at-border, sdn-mux-asn-2byte)
cloud: AzureCloud                   # AzureCloud | AzureUSGovernment | AzureChinaCloud: picks the built-in endpoint list (rules: required-endpoints)
identity: entra                     # entra | adfs: adfs adds the AD FS/LDAP endpoints (rules: required-endpoints)
routing: bgp                        # bgp | static: border connectivity mode (shown in the report; the BGP rules expect bgp)

networks:                           # the address plan
  bmc: 10.10.0.0/26                 # BMC network: BMCs, HLH, DVM (rules: dvm-outbound-only, dvm-dns-to-forwarder, hlh-restricted, mgmt-from-permitted-networks, azure-comms-via-vip, bgp-unexpected-prefix)
  publicVip: 203.0.113.0/24         # public VIP pool (rules: no-explicit-proxy, dns-ntp-source-moves-to-vip, bgp-established-no-updates, slb-vip-advertised, bgp-unexpected-prefix)
  infraVip: 203.0.113.0/27          # infrastructure VIPs; default: the first /27 of publicVip (rules: azure-comms-via-vip, inbound-vip-ports)
  infrastructure: 10.20.0.0/24      # infrastructure network, advertised to the border (rules: bgp-unexpected-prefix)
  infraAccessible: 10.20.0.224/27   # the reachable part of infrastructure: PEP/ERCS, backup (shown in the report)
  private: 172.16.0.0/20            # private network: must never appear beyond the border (rules: private-never-beyond-border, bgp-unexpected-prefix)
  switchInfra: 10.10.1.0/26         # switch infrastructure: P2P links and loopbacks (rules: bgp-unexpected-prefix)
  switchMgmt: 10.10.1.56/29         # switch management, carved from switchInfra (rules: mgmt-from-permitted-networks, ntp-to-configured-server)
  pa: 10.30.0.0/23                  # HNV provider addresses, the VXLAN underlay, when known (rules: vxlan-format)
  permitted: [192.0.2.0/25]         # datacenter networks allowed to reach switch management and the HLH (rules: mgmt-from-permitted-networks)

hosts:                              # single hosts and server lists
  dvm: 10.10.0.29                   # deployment VM, on the BMC network (rules: dvm-outbound-only, dvm-dns-to-forwarder, no-explicit-proxy, hlh-restricted, dns-ntp-source-moves-to-vip, dvm-removed-after-deploy)
  hlh: 10.10.0.30                   # hardware lifecycle host OS (rules: hlh-restricted, mgmt-from-permitted-networks)
  hlhBmc: 10.10.0.2                 # the HLH's BMC interface (rules: mgmt-from-permitted-networks)
  oemToolVms: [10.10.0.19, 10.10.0.20]   # OEM tool VMs on the BMC network, allowed beyond the border (rules: hlh-restricted, azure-comms-via-vip)
  dnsForwarders: [192.0.2.53, 192.0.2.54]   # DNS forwarders given at deployment (rules: dvm-dns-to-forwarder, dns-forwarder-answers, dns-root-hint-fallback, dns-ntp-source-moves-to-vip)
  ntpServers: [192.0.2.123]         # NTP servers given at deployment (rules: ntp-to-configured-server, ntp-client-mode, dns-ntp-source-moves-to-vip)
  ntpServerIsWindows: false         # true when the time server is Windows, which expects symmetric mode (rules: ntp-client-mode)
  explicitProxies: []               # known explicit proxies: any use of one is a finding (rules: no-explicit-proxy)
  syslog: null                      # syslog server address, or null (shown in the report)
  adForestDcs: []                   # AD forest domain controllers for AD FS/Graph integration (shown in the report)

bgp:                                # BGP between the TORs and the border
  borderAsn: 64512                  # the border switches' ASN (rules: bgp-session-health)
  azsAsn: 64651                     # the Azure Stack (TOR) ASN (rules: bgp-session-health, slb-vip-advertised)
  slbAsn: 64652                     # the software load balancer (MUX) ASN (rules: sdn-mux-asn-2byte, slb-vip-advertised)
  md5: false                        # true when TCP-MD5 (option 19) is expected on TOR-border sessions (rules: bgp-session-health)
  peers:                            # TOR-border point-to-point pairs (rules: bgp-session-health, slb-vip-advertised, bgp-unexpected-prefix)
    - { border: 10.10.1.1, tor: 10.10.1.2 }
    - { border: 10.10.1.5, tor: 10.10.1.6 }
  expectedVips: [203.0.113.10, 203.0.113.11]   # VIPs each announced as a /32 or covered by an aggregate (rules: slb-vip-advertised)

deployment:                         # when deployment completed: splits the capture into during and after
  completeAt: 2026-11-20T14:00:00Z  # ISO 8601 with a time zone, or "auto" to detect it from the capture (rules: dns-ntp-source-moves-to-vip, dvm-removed-after-deploy, azure-comms-via-vip)
  graceSeconds: 1800                # seconds after completeAt judged by neither phase; default 1800 (rules: dns-ntp-source-moves-to-vip, dvm-removed-after-deploy, azure-comms-via-vip)

endpoints:                          # endpoints required in addition to the built-in list for "cloud" (rules: required-endpoints)
  # requirement: mandatory | required | conditional | optional | notRequired (default required); proto: tcp | udp (default tcp)
  - { host: portal.contoso.example, ports: [443], requirement: required, proto: tcp }

rules:                              # per-rule overrides by rule id (hubcap rules lists them): enabled, severity
  ipv4-only: { enabled: false }     # e.g. a dual-stack datacenter
  dvm-outbound-only: { severity: critical }   # critical | high | medium | low | info

allow:                              # documented exceptions: matching traffic never produces a finding of that rule
  # each names a rule and at least one of src, dst (address or CIDR), proto (tcp | udp | icmp | icmpv6), srcPort, dstPort
  - { rule: hlh-restricted, src: 10.10.0.30, dst: 192.0.2.10, proto: tcp, dstPort: 443, why: "OEM update server" }
  - { rule: ntp-client-mode, src: 10.10.1.56/29, dst: 192.0.2.123, proto: udp, srcPort: 123, dstPort: 123, why: "switch firmware uses symmetric mode" }
`
