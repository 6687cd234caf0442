/**
 * The scenario captures: a healthy deployment and, for every rule of the catalog, at least one
 * capture that breaks it. Each is built by its recipe with its policy; test/e2e/scenarios.test.ts
 * checks every rule's status, the findings and their cited frames. (Not yet in the samples catalog.)
 */
import type { Scenario } from './deployment.js'
import { healthy } from './healthy.js'

export type { Scenario, ScenarioCapture } from './deployment.js'

export const SCENARIOS: Scenario[] = [
  healthy,
]
