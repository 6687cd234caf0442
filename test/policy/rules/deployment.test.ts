import { describe, expect, it } from 'vitest'
import { RULE_IDS } from '../../../src/policy/rule-ids.js'
import { DEPLOYMENT_RULES } from '../../../src/policy/rules/deployment.js'

describe('DEPLOYMENT_RULES', () => {
  it('lists the deployment-phase then the transition rules in catalog order', () => {
    expect(DEPLOYMENT_RULES.map((r) => r.id)).toEqual(RULE_IDS.slice(0, 11))
    expect(DEPLOYMENT_RULES.map((r) => r.group)).toEqual([...Array(8).fill('deployment'), ...Array(3).fill('transition')])
  })

  it('names only its own inputs in requires', () => {
    for (const r of DEPLOYMENT_RULES) {
      for (const key of (r.requires ?? []).flat()) expect(r.inputs, `${r.id}: ${key}`).toContain(key)
    }
  })
})
