import { invalidParameter, serialization, validation } from './errors.js'
import type { SecretPayload } from './wire.js'

/** A parsed request body. */
export type Input = Record<string, unknown>

interface Length {
  min?: number
  max?: number
}

/** AWS names members in validation messages in lower camel case: `SecretId` → `secretId`. */
const member = (key: string) => `${key[0]?.toLowerCase() ?? ''}${key.slice(1)}`

function checkLength(key: string, length: number, limits: Length): void {
  if (limits.min !== undefined && length < limits.min) {
    throw validation(member(key), `Member must have length greater than or equal to ${limits.min}`)
  }
  if (limits.max !== undefined && length > limits.max) {
    throw validation(member(key), `Member must have length less than or equal to ${limits.max}`)
  }
}

export function optionalString(input: Input, key: string, limits: Length = {}): string | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw serialization(`Expected a string for ${key}`)
  checkLength(key, value.length, limits)
  return value
}

export function requiredString(input: Input, key: string, limits: Length = {}): string {
  const value = optionalString(input, key, limits)
  if (value === undefined) throw validation(member(key), 'Member must not be null')
  return value
}

export function optionalNumber(
  input: Input,
  key: string,
  range: { min: number; max: number },
): number | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw serialization(`Expected an integer for ${key}`)
  if (value < range.min)
    throw validation(member(key), `Member must have value greater than or equal to ${range.min}`)
  if (value > range.max)
    throw validation(member(key), `Member must have value less than or equal to ${range.max}`)
  return value
}

export function optionalBoolean(input: Input, key: string): boolean | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw serialization(`Expected a boolean for ${key}`)
  return value
}

export function optionalList(input: Input, key: string, limits: Length = {}): unknown[] | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) throw serialization(`Expected a list for ${key}`)
  checkLength(key, value.length, limits)
  return value
}

export function stringList(input: Input, key: string, limits: Length = {}): string[] | undefined {
  const list = optionalList(input, key, limits)
  if (list?.some((item) => typeof item !== 'string')) throw serialization(`Expected strings in ${key}`)
  return list as string[] | undefined
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** `SecretString` or `SecretBinary` (base64 on the wire); both at once is an error. */
export function payload(input: Input): SecretPayload | undefined {
  const text = optionalString(input, 'SecretString', { min: 1 })
  const blob = optionalString(input, 'SecretBinary')
  if (text !== undefined && blob !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    )
  }
  if (text !== undefined) return { kind: 'string', text }
  if (blob === undefined) return undefined
  if (blob.length % 4 !== 0 || !BASE64.test(blob)) throw serialization('SecretBinary is not valid base64')
  const bytes = Buffer.from(blob, 'base64')
  checkLength('SecretBinary', bytes.byteLength, { min: 1 })
  return { kind: 'binary', bytes }
}

export function tags(input: Input): Array<{ Key: string; Value: string }> | undefined {
  const list = optionalList(input, 'Tags')
  return list?.map((tag) => {
    const { Key, Value } = (tag ?? {}) as { Key?: unknown; Value?: unknown }
    if (typeof Key !== 'string' || typeof Value !== 'string')
      throw serialization('Expected Key and Value in Tags')
    return { Key, Value }
  })
}
