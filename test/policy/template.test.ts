import { describe, expect, it } from 'vitest'
import { parsePolicyText } from '../../src/policy/load.js'
import { RULE_IDS } from '../../src/policy/rule-ids.js'
import { schemaKeyPaths } from '../../src/policy/schema.js'
import { policyTemplate } from '../../src/policy/template.js'

/** True when `path` (`bgp.peers[].tor`, `rules.*.enabled`) names a value present in `data`. */
function present(data: unknown, path: string): boolean {
  const segments = path.replace(/\[\]/g, '.[]').split('.')
  const walk = (node: unknown, i: number): boolean => {
    if (i === segments.length) return node !== undefined
    const seg = segments[i]!
    if (seg === '[]') return Array.isArray(node) && node.some((item) => walk(item, i + 1))
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return false
    const record = node as Record<string, unknown>
    if (seg === '*') return Object.values(record).some((v) => walk(v, i + 1))
    return seg in record && walk(record[seg], i + 1)
  }
  return walk(data, 0)
}

describe('policyTemplate', () => {
  const text = policyTemplate()

  it('parses and validates with the policy loader', () => {
    expect(() => parsePolicyText(text, 'template.yaml')).not.toThrow()
  })

  it('shows every key the schema knows', () => {
    const policy = parsePolicyText(text, 'template.yaml')
    const paths = schemaKeyPaths()
    expect(paths).toEqual(expect.arrayContaining(['networks.bmc', 'bgp.peers[].tor', 'rules.*.severity', 'allow[].srcPort', 'endpoints[].proto']))
    expect(paths.filter((p) => !present(policy, p))).toEqual([])
    // The walk can tell a missing key.
    expect(present({ version: 1, rules: { 'ipv4-only': {} } }, 'rules.*.severity')).toBe(false)
  })

  it('gives every key line a comment', () => {
    const keyLines = text.split('\n').filter((l) => /^\s*[A-Za-z][\w-]*:/.test(l))
    expect(keyLines.filter((l) => !l.includes(' # '))).toEqual([])
  })

  it('names only real rule ids in its "(rules: ...)" notes', () => {
    const named = [...text.matchAll(/\(rules: ([^)]*)\)/g)].flatMap((m) => m[1]!.split(', '))
    expect(named.length).toBeGreaterThan(20)
    expect(named.filter((id) => !(RULE_IDS as readonly string[]).includes(id))).toEqual([])
  })

  it('uses documentation and private ranges only', () => {
    const addresses = [...text.matchAll(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g)].map((m) => m[0])
    expect(addresses.length).toBeGreaterThan(20)
    const allowed = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.|^10\.|^172\.(1[6-9]|2\d|3[01])\./
    expect(addresses.filter((a) => !allowed.test(a))).toEqual([])
  })
})
