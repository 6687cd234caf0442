/**
 * Flow records carry their times as ISO 8601 text (nine fractional digits, the report's form);
 * rules compare them with the seconds of Where/PhaseInfo. Date.parse keeps only milliseconds,
 * so the fraction is read separately.
 */

/** `2026-11-20T12:00:00.123456789Z` -> seconds since the epoch; NaN for '' or anything unparsable. */
export function isoSeconds(ts: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(ts)
  if (!m) return Number.NaN
  const whole = Date.parse(`${m[1]!}Z`) / 1000
  const fraction = m[2] ? Number(`0.${m[2]}`) : 0
  return whole + fraction
}
