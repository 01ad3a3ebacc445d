import { createHash } from 'node:crypto'
import { describeType } from './describe-type.js'
import { InvalidOptionsError } from './errors.js'
import { checkOptionNames } from './option-names.js'
import type { LoadedSecret } from './types.js'

/** What a database token source knows about one freshly minted token. */
export interface DatabaseToken {
  /** The database user the token logs in as. */
  username: string
  /** The token itself; it becomes the `password` field. */
  token: string
  /** When the token stops being accepted, in epoch milliseconds. */
  expiresAt: number
  /** Database host, when the source knows it (AWS does; Azure and Google leave it to the pool). */
  host?: string
  /** Database port, when the source knows it. */
  port?: number
}

/**
 * The `LoadedSecret` for a database token: the RDS rotation format JSON
 * `{ username, password, host?, port? }`, a version that changes with every token (a hash prefix,
 * never the token) and a `ttlMs` that ends `marginMs` before the token does — or at half its
 * remaining life when the margin would eat more than that.
 */
export function databaseTokenSecret(token: DatabaseToken, now: number, marginMs: number): LoadedSecret {
  const remaining = Math.max(0, token.expiresAt - now)
  const ttlMs = Math.max(1, Math.floor(Math.max(remaining - marginMs, remaining / 2)))
  const value: Record<string, string | number> = { username: token.username, password: token.token }
  if (token.host !== undefined) value.host = token.host
  if (token.port !== undefined) value.port = token.port
  const version = createHash('sha256').update(token.token).digest('hex').slice(0, 16)
  return { value: JSON.stringify(value), version, ttlMs }
}

/**
 * Checks a token source's options object: an object, with no key outside `known`. Throws
 * `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`) naming the first unknown option and the
 * nearest known one.
 */
export function checkTokenOptions(
  prefix: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (describeType(options) !== 'object') {
    throw new InvalidOptionsError(`${prefix}: options must be an object, got ${describeType(options)}`)
  }
  return checkOptionNames(options as Record<string, unknown>, known, prefix)
}

/** Throws `InvalidOptionsError` naming `key` unless it is a non-empty string (or absent and optional). */
export function checkTokenString(
  prefix: string,
  record: Record<string, unknown>,
  key: string,
  required: boolean,
): void {
  const value = record[key]
  if (value === undefined && !required) return
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
    throw new InvalidOptionsError(
      `${prefix}: { ${key} } must be a non-empty string of at most 1024 characters, got ${
        typeof value === 'string' ? `a string of ${value.length}` : describeType(value)
      }`,
    )
  }
}

/** Throws `InvalidOptionsError` naming `key` unless it is an integer in [min, max] (or absent and optional). */
export function checkTokenInteger(
  prefix: string,
  record: Record<string, unknown>,
  key: string,
  required: boolean,
  min: number,
  max: number,
): void {
  const value = record[key]
  if (value === undefined && !required) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(
      `${prefix}: { ${key} } must be an integer from ${min} to ${max}, got ${
        typeof value === 'number' ? String(value) : describeType(value)
      }`,
    )
  }
}
