import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadPolicy, MAX_POLICY_BYTES, parsePolicyText, PolicyError } from '../../src/policy/load.js'

const EXAMPLE = fileURLToPath(new URL('../../../shared/contract/policy.example.yaml', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'hubcap-policy-load-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The problems parsePolicyText reports for `text` (fails the test when it accepts it). */
function problemsOf(text: string): string[] {
  try {
    parsePolicyText(text, 'p.yaml')
  } catch (e) {
    if (e instanceof PolicyError) return e.problems
    throw e
  }
  throw new Error('the policy was accepted')
}

const v1 = (rest: string): string => `version: 1\n${rest}`

describe('valid policies', () => {
  it.skipIf(!existsSync(EXAMPLE))('loads the contract example with every key, hash and name (skipped when ../shared/contract/policy.example.yaml is absent)', () => {
    const loaded = loadPolicy(EXAMPLE)
    expect(loaded.file).toBe(EXAMPLE)
    expect(loaded.name).toBe('contoso-east-stamp1')
    expect(loaded.sha256).toBe(createHash('sha256').update(readFileSync(EXAMPLE)).digest('hex'))
    const p = loaded.policy
    expect(p.version).toBe(1)
    expect(p.networks?.permitted).toEqual(['192.0.2.0/25'])
    expect(p.hosts?.syslog).toBeNull()
    expect(p.hosts?.ntpServerIsWindows).toBe(false)
    expect(p.bgp?.peers?.[1]).toEqual({ border: '10.10.1.5', tor: '10.10.1.6' })
    // YAML 1.2 core schema: a date-time stays text, it does not become a Date.
    expect(p.deployment?.completeAt).toBe('2026-11-20T14:00:00Z')
    expect(p.rules?.['ipv4-only']).toEqual({ enabled: false })
    expect(p.allow?.[0]?.dstPort).toBe(443)
  })

  it('accepts the minimal policy and JSON', () => {
    expect(parsePolicyText('version: 1\n', 'p.yaml')).toEqual({ version: 1 })
    const json = JSON.stringify({ version: 1, networks: { bmc: '10.10.0.0/26' }, hosts: { dvm: '10.10.0.29' }, deployment: { completeAt: 'auto' } })
    expect(parsePolicyText(json, 'p.json').hosts?.dvm).toBe('10.10.0.29')
  })

  it('accepts IPv6 addresses and networks, and a byte order mark', () => {
    const p = parsePolicyText('\uFEFF' + v1('networks: {pa: "2001:db8::/32"}\nhosts: {dnsForwarders: ["2001:db8::53", 192.0.2.53]}\n'), 'p.yaml')
    expect(p.hosts?.dnsForwarders).toEqual(['2001:db8::53', '192.0.2.53'])
  })

  it('loadPolicy names no policy when `name` is absent', () => {
    const file = join(dir, 'noname.yaml')
    writeFileSync(file, 'version: 1\n')
    expect(loadPolicy(file).name).toBeNull()
  })
})

describe('schema problems: path, message and value', () => {
  it.each([
    ['version: 2\n', 'version: must be 1 (2)'],
    ['name: x\n', 'version: required key missing'],
    [v1('networks:\n  bmcc: 10.0.0.0/24\n'), 'networks.bmcc: unknown key (did you mean "bmc"?)'],
    [v1('colud: AzureCloud\n'), 'colud: unknown key (did you mean "cloud"?)'],
    [v1('vantage: edge\n'), 'vantage: must be one of border, tor, host ("edge")'],
    [v1('cloud: Azure\n'), 'cloud: must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud ("Azure")'],
    [v1('hosts:\n  dvm: "10.10.0"\n'), 'hosts.dvm: not an IP address ("10.10.0")'],
    [v1('hosts: {hlh: 10}\n'), 'hosts.hlh: not an IP address (10)'],
    [v1('hosts: {dnsForwarders: []}\n'), 'hosts.dnsForwarders: must list at least 1 entry (leave the key out instead of giving an empty list) ([])'],
    [v1('hosts: {ntpServerIsWindows: yes}\n'), 'hosts.ntpServerIsWindows: must be true or false, not text ("yes")'],
    [v1('hosts:\n'), 'hosts: is empty (null): give it a value or remove the key'],
    [v1('networks: [10.0.0.0/8]\n'), 'networks: must be a map of keys, not a list (["10.0.0.0/8"])'],
    [v1('bgp: {borderAsn: -1}\n'), 'bgp.borderAsn: must be between 0 and 4294967295 (-1)'],
    [v1('bgp: {azsAsn: 4294967296}\n'), 'bgp.azsAsn: must be between 0 and 4294967295 (4294967296)'],
    [v1('bgp: {slbAsn: 1.5}\n'), 'bgp.slbAsn: must be a whole number, not a fraction (1.5)'],
    [v1('bgp: {peers: [{border: 10.10.1.1}]}\n'), 'bgp.peers[0].tor: required key missing'],
    [v1('deployment: {completeAt: "2026-11-20T14:00:00"}\n'), 'deployment.completeAt: not a date-time with a time zone (e.g. 2026-11-20T14:00:00Z) or "auto" ("2026-11-20T14:00:00")'],
    [v1('deployment: {graceSeconds: -5}\n'), 'deployment.graceSeconds: must be 0 or more (-5)'],
    [v1('endpoints: [{host: "bad host", ports: [443]}]\n'), 'endpoints[0].host: not a DNS name (e.g. portal.contoso.example or *.contoso.example) ("bad host")'],
    [v1('endpoints: [{host: a.example, ports: [70000]}]\n'), 'endpoints[0].ports[0]: must be between 0 and 65535 (70000)'],
    [v1('endpoints: [{host: a.example, ports: [443], requirement: must}]\n'), 'endpoints[0].requirement: must be one of mandatory, required, conditional, optional, notRequired ("must")'],
    [v1('rules:\n  ipv4-onyl: {enabled: false}\n'), 'rules.ipv4-onyl: unknown rule id (did you mean "ipv4-only"?)'],
    [v1('rules:\n  ipv4-only: {enable: false}\n'), 'rules.ipv4-only.enable: unknown key (did you mean "enabled"?)'],
    [v1('rules:\n  ipv4-only: {severity: huge}\n'), 'rules.ipv4-only.severity: must be one of critical, high, medium, low, info ("huge")'],
    [v1('allow: [{rule: nope, dst: 192.0.2.1}]\n'), 'allow[0].rule: unknown rule id ("nope")'],
    [v1('allow: [{dst: 192.0.2.1}]\n'), 'allow[0].rule: required key missing'],
    [v1('allow: [{rule: ipv4-only, proto: gre}]\n'), 'allow[0].proto: must be one of tcp, udp, icmp, icmpv6 ("gre")'],
    [v1('"a b": 1\n'), '["a b"]: unknown key'],
  ])('%j -> %s', (text, problem) => {
    expect(problemsOf(text)).toEqual([problem])
  })
})

describe('strict addresses and networks', () => {
  it.each([
    ['hosts: {dvm: 1.2.3}', 'hosts.dvm: not an IP address ("1.2.3")'],
    ['hosts: {dvm: 010.0.0.1}', 'hosts.dvm: not an IP address ("010.0.0.1")'],
    ['hosts: {dvm: 256.0.0.1}', 'hosts.dvm: not an IP address ("256.0.0.1")'],
    ['hosts: {dvm: 10.0.0.1/32}', 'hosts.dvm: not an IP address (a single address has no /prefix-length) ("10.0.0.1/32")'],
    ['hosts: {dvm: "fe80::1%eth0"}', 'hosts.dvm: not an IP address ("fe80::1%eth0")'],
    ['hosts: {dvm: " 10.0.0.1"}', 'hosts.dvm: not an IP address (" 10.0.0.1")'],
    ['hosts: {oemToolVms: [10.0.0.1, 10.0.0]}', 'hosts.oemToolVms[1]: not an IP address ("10.0.0")'],
    ['networks: {bmc: 10.0.0.0}', 'networks.bmc: not a CIDR network (write address/prefix-length, e.g. 192.0.2.0/24) ("10.0.0.0")'],
    ['networks: {bmc: 10.0.0.1/33}', 'networks.bmc: not a CIDR network (the prefix length must be 0-32) ("10.0.0.1/33")'],
    ['networks: {bmc: 10.0.0.0/08}', 'networks.bmc: not a CIDR network (the prefix length must be 0-32) ("10.0.0.0/08")'],
    ['networks: {bmc: 10.0.0/24}', 'networks.bmc: not a CIDR network (the address part is not an IP address) ("10.0.0/24")'],
    ['networks: {bmc: 10.0.0.1/24}', 'networks.bmc: not a network address (host bits set; the network is 10.0.0.0/24) ("10.0.0.1/24")'],
    ['networks: {pa: "2001:db8::1/64"}', 'networks.pa: not a network address (host bits set; the network is 2001:db8::/64) ("2001:db8::1/64")'],
    ['networks: {pa: "2001:db8::/129"}', 'networks.pa: not a CIDR network (the prefix length must be 0-128) ("2001:db8::/129")'],
    ['networks: {permitted: [192.0.2.0/25, 192.0.2.0/]}', 'networks.permitted[1]: not a CIDR network (the prefix length must be 0-32) ("192.0.2.0/")'],
    ['allow: [{rule: ipv4-only, src: 10.0.0.1/8}]', 'allow[0].src: not a network address (host bits set; the network is 10.0.0.0/8) ("10.0.0.1/8")'],
  ])('%s', (yaml, problem) => {
    expect(problemsOf(v1(yaml + '\n'))).toEqual([problem])
  })

  it('accepts an address or a network in allow entries, and a null syslog', () => {
    const p = parsePolicyText(v1('hosts: {syslog: null}\nallow: [{rule: ipv4-only, src: 10.0.0.0/8, dst: "2001:db8::1"}]\n'), 'p.yaml')
    expect(p.allow?.[0]).toEqual({ rule: 'ipv4-only', src: '10.0.0.0/8', dst: '2001:db8::1' })
  })
})

describe('all problems at once', () => {
  it('lists every problem in file order with its line, and names the file', () => {
    const text = [
      'version: 1',
      'vantage: edge',
      'networks:',
      '  bmcc: 10.0.0.0/24',
      '  bmc: 10.0.0.1/24',
      'hosts:',
      '  dvm: 10.10.0',
      'rules:',
      '  nope: {enabled: false}',
    ].join('\n')
    let err: PolicyError | undefined
    try { parsePolicyText(text, 'stamp.yaml') } catch (e) { err = e as PolicyError }
    expect(err).toBeInstanceOf(PolicyError)
    expect(err!.file).toBe('stamp.yaml')
    expect(err!.details.map((d) => [d.line, d.text])).toEqual([
      [2, 'vantage: must be one of border, tor, host ("edge")'],
      [4, 'networks.bmcc: unknown key (did you mean "bmc"?)'],
      [5, 'networks.bmc: not a network address (host bits set; the network is 10.0.0.0/24) ("10.0.0.1/24")'],
      [7, 'hosts.dvm: not an IP address ("10.10.0")'],
      [9, 'rules.nope: unknown rule id'],
    ])
    expect(err!.message).toBe('stamp.yaml: vantage: must be one of border, tor, host ("edge") (and 4 more)')
  })
})

describe('relations the schema cannot express', () => {
  it.each([
    ['networks: {publicVip: 203.0.113.0/24, infraVip: 198.51.100.0/27}', 'networks.infraVip: not inside networks.publicVip (203.0.113.0/24) ("198.51.100.0/27")'],
    ['networks: {infrastructure: 10.20.0.0/24, infraAccessible: 10.21.0.224/27}', 'networks.infraAccessible: not inside networks.infrastructure (10.20.0.0/24) ("10.21.0.224/27")'],
    ['networks: {switchInfra: 10.10.1.0/26, switchMgmt: 10.10.1.64/29}', 'networks.switchMgmt: not inside networks.switchInfra (10.10.1.0/26) ("10.10.1.64/29")'],
    ['networks: {publicVip: 203.0.113.0/24}\nbgp: {expectedVips: [203.0.113.10, 198.51.100.1]}', 'bgp.expectedVips[1]: not inside networks.publicVip (203.0.113.0/24) ("198.51.100.1")'],
    ['networks: {bmc: 10.10.0.0/26}\nhosts: {dvm: 10.10.1.29}', 'hosts.dvm: not inside networks.bmc (10.10.0.0/26) ("10.10.1.29")'],
    ['networks: {bmc: 10.10.0.0/26}\nhosts: {oemToolVms: [10.10.0.19, 10.10.0.64]}', 'hosts.oemToolVms[1]: not inside networks.bmc (10.10.0.0/26) ("10.10.0.64")'],
    ['bgp: {peers: [{border: 10.10.1.1, tor: 10.10.1.1}]}', 'bgp.peers[0]: border and tor are the same address ("10.10.1.1")'],
    ['allow: [{rule: ipv4-only, why: "all of it"}]', 'allow[0]: matches every finding of ipv4-only: give src, dst, proto or a port, or set rules.ipv4-only.enabled: false'],
  ])('%s', (yaml, problem) => {
    expect(problemsOf(v1(yaml + '\n'))).toEqual([problem])
  })

  it('does not check relations whose other side is absent', () => {
    expect(() => parsePolicyText(v1('networks: {infraVip: 198.51.100.0/27}\nhosts: {dvm: 10.0.0.1}\n'), 'p.yaml')).not.toThrow()
  })
})

describe('broken and hostile files', () => {
  it('a YAML syntax error gives its line and column', () => {
    expect(problemsOf('version: 1\nhosts:\n\tdvm: 10.0.0.1\n')).toEqual(['line 3, column 1: Tabs are not allowed as indentation'])
    expect(problemsOf('version: 1\nhosts: dvm: 10.0.0.1\n')).toEqual(['line 2, column 8: Nested mappings are not allowed in compact mappings'])
    expect(problemsOf('{"version": 1, "hosts": {"dvm": "10.0.0.1"}')).toEqual(['line 1, column 44: Flow map must end with a }'])
  })

  it('a duplicate key is an error with its line', () => {
    expect(problemsOf('version: 1\nhosts:\n  dvm: 10.0.0.1\n  dvm: 10.0.0.2\n')).toEqual([
      'line 4, column 3: duplicate key "dvm" (each key may appear once in a map)',
    ])
  })

  it('duplicate keys in JSON are errors too', () => {
    expect(problemsOf('{"version": 1, "version": 1}')[0]).toMatch(/duplicate key/)
  })

  it('an empty file, a list, a scalar, two documents', () => {
    expect(problemsOf('')).toEqual(['the policy is empty; it needs at least "version: 1"'])
    expect(problemsOf('# only a comment\n')).toEqual(['the policy is empty; it needs at least "version: 1"'])
    expect(problemsOf('- version: 1\n')).toEqual(['(top level): must be a map of keys ("version: 1", ...), not a list'])
    expect(problemsOf('hello\n')).toEqual(['(top level): must be a map of keys ("version: 1", ...), not a single value ("hello")'])
    expect(problemsOf('version: 1\n---\nversion: 1\n')).toEqual(['line 2, column 1: a second YAML document ("---"): a policy file holds one'])
  })

  it('an alias bomb fails fast instead of expanding', () => {
    const bomb = [
      'version: 1',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n')
    const started = Date.now()
    expect(problemsOf(bomb)).toEqual([expect.stringMatching(/^.*alias.* \(aliases may expand at most 50 times\)$/i)])
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('reads every file with the YAML 1.2 core schema, even under a %YAML 1.1 directive', () => {
    const text = '%YAML 1.1\n---\nversion: 1\ndeployment: {completeAt: 2026-11-20T14:00:00Z}\nbgp: {md5: yes}\n'
    expect(problemsOf(text)).toEqual(['bgp.md5: must be true or false, not text ("yes")'])
  })

  it('a __proto__ key is an unknown key, not a prototype', () => {
    expect(problemsOf('version: 1\n__proto__: {version: 2}\n')).toEqual(['__proto__: unknown key'])
    expect(problemsOf('version: 1\nhosts: {__proto__: {dvm: 1.2.3.4}}\n')).toEqual(['hosts.__proto__: unknown key'])
  })

  it('an unknown tag is an error, not a silent string', () => {
    expect(problemsOf('version: 1\nname: !secret x\n')).toEqual(['line 2, column 7: Unresolved tag: !secret'])
  })

  it('refuses a file above 1 MiB without parsing it', () => {
    const file = join(dir, 'huge.yaml')
    writeFileSync(file, 'version: 1\n' + '#'.repeat(MAX_POLICY_BYTES))
    expect(() => loadPolicy(file)).toThrow(PolicyError)
    try { loadPolicy(file) } catch (e) {
      expect((e as PolicyError).problems).toEqual([`${MAX_POLICY_BYTES + 11} bytes is more than a policy may be (1048576 bytes, 1 MiB)`])
    }
  })

  it('a missing file, a directory and non-UTF-8 bytes are PolicyErrors', () => {
    const problems = (path: string): string[] => {
      try { loadPolicy(path) } catch (e) { return (e as PolicyError).problems }
      return []
    }
    expect(problems(join(dir, 'absent.yaml'))).toEqual(['cannot read: no such file (ENOENT)'])
    expect(problems(dir)).toEqual(['cannot read: a directory, not a file (EISDIR)'])
    const latin1 = join(dir, 'latin1.yaml')
    writeFileSync(latin1, Buffer.from('version: 1\nname: caf\xe9\n', 'latin1'))
    expect(problems(latin1)).toEqual(['not UTF-8 text'])
  })
})
