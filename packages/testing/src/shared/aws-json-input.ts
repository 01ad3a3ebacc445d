import type { Input } from './aws-json.js'

/** Length or value limits of a request member. */
export interface Limits {
  min?: number
  max?: number
}

/** The errors an AWS JSON service answers a malformed member with, as its own error class. */
export interface InputErrors {
  /** A ValidationException naming the member and the constraint it failed. */
  constraint: (member: string, text: string) => Error
  /** A SerializationException: the member has the wrong JSON type. */
  serialization: (message: string) => Error
}

/** AWS names members in validation messages in lower camel case: `SecretId` → `secretId`. */
const member = (key: string) => `${key[0]?.toLowerCase() ?? ''}${key.slice(1)}`

/**
 * The request member checks AWS JSON services share, each throwing the service's own errors
 * worded as AWS's validation layer words them (`null` counts as absent).
 */
export function inputChecks({ constraint, serialization }: InputErrors) {
  function checkLength(key: string, length: number, limits: Limits): void {
    if (limits.min !== undefined && length < limits.min) {
      throw constraint(member(key), `Member must have length greater than or equal to ${limits.min}`)
    }
    if (limits.max !== undefined && length > limits.max) {
      throw constraint(member(key), `Member must have length less than or equal to ${limits.max}`)
    }
  }

  function optionalString(input: Input, key: string, limits: Limits = {}): string | undefined {
    const value = input[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string') throw serialization(`Expected a string for ${key}`)
    checkLength(key, value.length, limits)
    return value
  }

  function requiredString(input: Input, key: string, limits: Limits = {}): string {
    const value = optionalString(input, key, limits)
    if (value === undefined) throw constraint(member(key), 'Member must not be null')
    return value
  }

  function optionalBoolean(input: Input, key: string): boolean | undefined {
    const value = input[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'boolean') throw serialization(`Expected a boolean for ${key}`)
    return value
  }

  function optionalInteger(input: Input, key: string, range: Required<Limits>): number | undefined {
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

  return { checkLength, optionalString, requiredString, optionalBoolean, optionalInteger }
}
