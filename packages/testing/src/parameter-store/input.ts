import { constraint, serialization } from './errors.js'

/** A parsed request body. */
export type Input = Record<string, unknown>

interface Range {
  min?: number
  max?: number
}

/** AWS names members in validation messages in lower camel case: `MaxResults` → `maxResults`. */
const member = (key: string) => `${key[0]?.toLowerCase() ?? ''}${key.slice(1)}`

function checkLength(key: string, length: number, limits: Range): void {
  if (limits.min !== undefined && length < limits.min) {
    throw constraint(member(key), `Member must have length greater than or equal to ${limits.min}`)
  }
  if (limits.max !== undefined && length > limits.max) {
    throw constraint(member(key), `Member must have length less than or equal to ${limits.max}`)
  }
}

export function optionalString(input: Input, key: string, limits: Range = {}): string | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw serialization(`Expected a string for ${key}`)
  checkLength(key, value.length, limits)
  return value
}

export function requiredString(input: Input, key: string, limits: Range = {}): string {
  const value = optionalString(input, key, limits)
  if (value === undefined) throw constraint(member(key), 'Member must not be null')
  return value
}

export function optionalBoolean(input: Input, key: string): boolean | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw serialization(`Expected a boolean for ${key}`)
  return value
}

export function optionalInteger(input: Input, key: string, range: Required<Range>): number | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw serialization(`Expected an integer for ${key}`)
  if (value < range.min) {
    throw constraint(member(key), `Member must have value greater than or equal to ${range.min}`)
  }
  if (value > range.max)
    throw constraint(member(key), `Member must have value less than or equal to ${range.max}`)
  return value
}

/** A list of strings, each 1–2048 characters, with the list's own length limits. */
export function stringList(
  input: Input,
  key: string,
  limits: Range & { item?: Range } = {},
): string[] | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw serialization(`Expected a list of strings for ${key}`)
  }
  checkLength(key, value.length, limits)
  for (const item of value as string[]) checkLength(key, item.length, limits.item ?? {})
  return value as string[]
}

/** A member the emulator does not implement: refused rather than silently ignored. */
export function unsupported(input: Input, key: string): void {
  if (input[key] !== undefined && input[key] !== null) {
    throw serialization(`${key} is not implemented by the @latchkey/testing Parameter Store emulator`)
  }
}
