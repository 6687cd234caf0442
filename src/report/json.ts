/**
 * `analyze --format json`: the report model as one JSON document, two-space indented, keys in
 * the model's order, characters a terminal could act on written as \uXXXX (still the same
 * strings once parsed).
 */
import type { Report } from './model.js'

const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g

export function reportJson(report: Report): string {
  return JSON.stringify(report, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n'
}
