/**
 * The rule catalog, version 1 (../shared/contract/rules.md): every rule in the contract's order.
 * Adding a rule is one file in rules/ and one entry in its group's list.
 */
import type { RuleDefinition } from './rule.js'
import { DEPLOYMENT_RULES } from './rules/deployment.js'
import { NETWORK_RULES } from './rules/network.js'

export const CATALOG_VERSION = 1

export const CATALOG: readonly RuleDefinition[] = [...DEPLOYMENT_RULES, ...NETWORK_RULES]

export function findRule(id: string): RuleDefinition | undefined {
  return CATALOG.find((r) => r.id === id)
}
