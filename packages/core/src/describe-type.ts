/**
 * How option errors name a bad value without quoting it. One home for every package's option
 * checks (`@latchkey/core/internal`), so "got …" reads the same in every message.
 */

/**
 * The kind of a value for an error message: `null`, `array`, or its `typeof`. Never the value
 * itself, so it is safe for anything a user passes.
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

/**
 * Like {@link describeType}, but a number is echoed too (`number -1`): options are never secret,
 * and only numbers are echoed, as the range check needs the value to be useful.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return `number ${String(value)}`
  return typeof value
}

/**
 * Like {@link describeValue}, for options that are plain text (a vault URL, a project id): a
 * string is echoed too, JSON-quoted and cut to `quoteUpTo` characters, and a boolean with its
 * value. Only for options that never hold a secret.
 */
export function describeOptionValue(value: unknown, quoteUpTo: number): string {
  if (typeof value === 'string') return `string ${JSON.stringify(value.slice(0, quoteUpTo))}`
  if (typeof value === 'boolean') return `boolean ${String(value)}`
  return describeValue(value)
}
