import type { Input } from '../shared/aws-json.js'
import { inputChecks, type Limits } from '../shared/aws-json-input.js'
import { constraint, serialization } from './errors.js'

export type { Input } from '../shared/aws-json.js'

const checks = inputChecks({ constraint, serialization })
const { checkLength } = checks
export const { optionalString, requiredString, optionalBoolean, optionalInteger } = checks

/** A list of strings, each 1–2048 characters, with the list's own length limits. */
export function stringList(
  input: Input,
  key: string,
  limits: Limits & { item?: Limits } = {},
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
