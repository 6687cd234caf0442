import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { isRuleId, RULE_IDS } from '../../src/policy/rule-ids.js'
import { policySchema } from '../../src/policy/schema.js'

const RULES_MD = fileURLToPath(new URL('../../../shared/contract/rules.md', import.meta.url))

describe('RULE_IDS', () => {
  it.skipIf(!existsSync(RULES_MD))('equals the ids of rules.md table rows, in order (skipped when ../shared/contract/rules.md is absent)', () => {
    const ids = [...readFileSync(RULES_MD, 'utf8').matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1])
    expect(ids).toHaveLength(24)
    expect([...RULE_IDS]).toEqual(ids)
  })

  it('equals the policy schema ruleId enum', () => {
    expect(policySchema.$defs.ruleId.enum).toEqual([...RULE_IDS])
  })

  it('isRuleId knows exactly those', () => {
    expect(isRuleId('ipv4-only')).toBe(true)
    expect(isRuleId('ipv4_only')).toBe(false)
  })
})
