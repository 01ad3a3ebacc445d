import {
  type CachedSecretProvider,
  InvalidOptionsError,
  type SecretRedactor,
  sharedRedactor,
} from '@latchkey/core'
import type { LoggerOptions, redactOptions } from 'pino'
import { createKeyCensor, DEFAULT_REDACT_KEYS, type KeyCensor } from './key-censor.js'
import { createLineKeyRules } from './line-key-censor.js'
import { createLineScrubber } from './line-scrubber.js'
import { serializeError } from './serialize-error.js'
import { createHttpSerializers } from './serialize-http.js'

/** What `redactSecrets()` needs from a provider: its redactor. Any `CachedSecretProvider` has one. */
export type RedactorProvider = Pick<CachedSecretProvider, 'redactor'>

/** latchkey's own options for {@link redactSecrets} (pino's options are passed separately). */
export interface RedactSecretsOptions {
  /**
   * Key names (any letter case, at any depth of the line) whose string values are censored, on top
   * of the credential keys that are always censored: `authorization`, `proxy-authorization`,
   * `cookie`, `set-cookie`, `x-api-key`, `x-auth-token`, `x-csrf-token` and any key holding
   * `token`, `secret`, `session`, `signature` or `password`. `[]` censors only those.
   * @default DEFAULT_REDACT_KEYS
   */
  keys?: readonly string[]
  /**
   * Header names the `req` and `res` serializers log. Credential headers among them are logged as
   * the censor.
   * @default [] (no headers, as Fastify logs by default)
   */
  headers?: readonly string[]
}

interface MergedRedact {
  pino: redactOptions | undefined
  censor: KeyCensor
  remove: boolean
}

function fail(message: string): never {
  throw new InvalidOptionsError(`redactSecrets: ${message}`)
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

function mergeRedact(redact: LoggerOptions['redact'], replacement: string): MergedRedact {
  if (redact === undefined) return { pino: undefined, censor: replacement, remove: false }
  if (Array.isArray(redact))
    return { pino: { paths: [...redact], censor: replacement }, censor: replacement, remove: false }
  if (typeof redact !== 'object' || redact === null || !Array.isArray(redact.paths)) {
    fail(
      `pinoOptions.redact must be an array of paths or { paths, censor?, remove? } (got ${typeName(redact)})`,
    )
  }
  const censor = redact.censor ?? replacement
  return { pino: { ...redact, paths: [...redact.paths], censor }, censor, remove: redact.remove === true }
}

function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function')
    fail(`${name} must be a function (got ${typeName(value)})`)
}

function stringArray(value: unknown, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    fail(`${name} must be an array of strings (got ${typeName(value)})`)
  return value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A provider is anything with a `redactor` property (pino options never have one). */
function isProviderLike(value: unknown): value is RedactorProvider {
  return isObject(value) && 'redactor' in value
}

/**
 * Returns pino options that keep secrets out of every log line. Every form scrubs the
 * process-wide registry of `@latchkey/core` (`sharedRedactor()`), which holds the values of every
 * `CachedSecretProvider` in the process — yours, the ones adapters build from `{ source }`, ones
 * created after the logger — so a provider does not have to be named:
 *
 * ```ts
 * redactSecrets()                              // pino options
 * redactSecrets(pinoOptions, options?)          // your pino options, extended
 * redactSecrets(provider, pinoOptions?, options?)
 * ```
 *
 * Passing a provider only matters when it was built with its own redactor (opted out of the
 * shared registry): its values are then scrubbed too. The caller's options are not modified:
 *
 * - `hooks.streamWrite` censors credential keys and scrubs every known value (raw, JSON-escaped,
 *   URL/form-encoded) in each finished line. A `streamWrite` of the caller runs first.
 * - `serializers` `err`, `req` and `res` that never throw; `req`/`res` log no headers unless
 *   allow-listed with `options.headers`. The caller's serializers win per key.
 * - `redact`: the caller's paths go to pino unchanged, with the censor defaulting to
 *   `'[REDACTED]'`; a string `censor` also censors the sensitive keys, and a function `censor` or
 *   `remove: true` is also applied to them (in `formatters.log`, up to two levels down).
 *
 * Works with pino 9 and 10, as Fastify's `logger` option, with pino-http (`logger:
 * pino(redactSecrets())`) and as nestjs-pino's `pinoHttp`.
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when an argument has the wrong type.
 */
export function redactSecrets(): LoggerOptions
export function redactSecrets<T extends LoggerOptions = LoggerOptions>(
  pinoOptions: T,
  options?: RedactSecretsOptions,
): T
export function redactSecrets<T extends LoggerOptions = LoggerOptions>(
  provider: RedactorProvider | undefined,
  pinoOptions?: T,
  options?: RedactSecretsOptions,
): T
export function redactSecrets(first?: unknown, second?: unknown, third?: unknown): LoggerOptions {
  let provider: RedactorProvider | undefined
  let pinoOptions: unknown
  let options: unknown
  if (first === undefined || isProviderLike(first)) {
    provider = first
    pinoOptions = second
    options = third
  } else if (isObject(first)) {
    pinoOptions = first
    options = second
    if (third !== undefined) fail('with pino options first, pass at most (pinoOptions, options)')
  } else {
    fail(
      `the first argument must be a CachedSecretProvider, pino options or nothing (got ${typeName(first)})`,
    )
  }

  const shared = sharedRedactor()
  const redactors: SecretRedactor[] = [shared]
  if (provider !== undefined) {
    const own = (provider as { redactor?: unknown }).redactor
    if (typeof (own as Partial<SecretRedactor> | undefined)?.redact !== 'function') {
      fail('the provider must be a CachedSecretProvider (its redactor has no redact method)')
    }
    if (own !== shared) redactors.push(own as SecretRedactor)
  }
  if (pinoOptions !== undefined && !isObject(pinoOptions)) {
    fail(`pinoOptions must be a pino options object (got ${typeName(pinoOptions)})`)
  }
  if (options !== undefined && !isObject(options)) {
    fail(`options must be an object such as { keys, headers } (got ${typeName(options)})`)
  }
  const ours = (options ?? {}) as RedactSecretsOptions
  const keys = stringArray(ours.keys, 'options.keys') ?? DEFAULT_REDACT_KEYS
  const headers = stringArray(ours.headers, 'options.headers') ?? []

  const given = (pinoOptions ?? {}) as LoggerOptions
  const callerWrite = given.hooks?.streamWrite
  const callerLog = given.formatters?.log
  optionalFunction(callerWrite, 'pinoOptions.hooks.streamWrite')
  optionalFunction(callerLog, 'pinoOptions.formatters.log')

  const replacement = shared.replacement
  const redact = mergeRedact(given.redact, replacement)
  const custom = typeof redact.censor === 'function' || redact.remove
  // A censor function or `remove` cannot be applied to the finished line: the extra keys then go
  // through them on the object (below), and the line censors the credential keys only.
  const lineKeys = createLineKeyRules(
    custom ? [] : keys,
    typeof redact.censor === 'string' ? redact.censor : replacement,
  )
  const http = createHttpSerializers({ headers })
  const merged: LoggerOptions = {
    ...given,
    hooks: { ...given.hooks, streamWrite: createLineScrubber(redactors, lineKeys, callerWrite) },
    serializers: { err: serializeError, req: http.req, res: http.res, ...given.serializers },
  }
  if (custom) {
    const censorKeys = createKeyCensor({ keys, censor: redact.censor, remove: redact.remove })
    merged.formatters = {
      ...given.formatters,
      log: callerLog === undefined ? censorKeys : (object) => censorKeys(callerLog(object)),
    }
  }
  if (redact.pino !== undefined) merged.redact = redact.pino
  return merged
}
