import type { Input } from '../shared/aws-json.js'
import { inputChecks, type Limits } from '../shared/aws-json-input.js'
import { invalidParameter, serialization, validation } from './errors.js'
import type { SecretPayload } from './wire.js'

export type { Input } from '../shared/aws-json.js'

const checks = inputChecks({ constraint: validation, serialization })
const { checkLength } = checks
export const { optionalString, requiredString, optionalBoolean, optionalInteger: optionalNumber } = checks

export function optionalList(input: Input, key: string, limits: Limits = {}): unknown[] | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) throw serialization(`Expected a list for ${key}`)
  checkLength(key, value.length, limits)
  return value
}

export function stringList(input: Input, key: string, limits: Limits = {}): string[] | undefined {
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
