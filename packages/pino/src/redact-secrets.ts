import {
  type CachedSecretProvider,
  InvalidOptionsError,
  isCachedSecretProvider,
  type SecretRedactor,
  sharedRedactor,
} from '@latchkey/core'
import { describeType } from '@latchkey/core/internal'
import type { LoggerOptions, redactOptions } from 'pino'
import { createKeyCensor, DEFAULT_REDACT_KEYS, type KeyCensor } from './key-censor.js'
import { createLineKeyRules } from './line-key-censor.js'
import { createLineScrubber } from './line-scrubber.js'
import { serializeError } from './serialize-error.js'
import { createHttpSerializers } from './serialize-http.js'

/** What `redactSecrets()` needs from a provider: its redactor. Any `CachedSecretProvider` has one. */
export type RedactorProvider = Pick<CachedSecretProvider, 'redactor'>

/** latchkey's own options for {@link redactSecrets}, under the `latchkey` key of the options object. */
export interface RedactSecretsOptions {
  /**
   * Key names (any letter case, at any depth of the line) whose string values are censored, on top
   * of the credential keys that are always censored: `CREDENTIAL_HEADERS` and any key holding
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
  /**
   * A provider built with its own redactor (one that opted out of the shared registry): its values
   * are scrubbed too. Providers on the shared registry need not be named.
   * @default undefined (the shared registry only)
   */
  provider?: RedactorProvider
}

/** Pino options with latchkey's options under `latchkey`: the one argument of {@link redactSecrets}. */
export type RedactSecretsInput<T extends LoggerOptions = LoggerOptions> = T & {
  /** latchkey's options. @default {} */
  latchkey?: RedactSecretsOptions
}

interface MergedRedact {
  pino: redactOptions | undefined
  censor: KeyCensor
  remove: boolean
}

function fail(message: string): never {
  throw new InvalidOptionsError(`redactSecrets: ${message}`)
}

function mergeRedact(redact: LoggerOptions['redact'], replacement: string): MergedRedact {
  if (redact === undefined) return { pino: undefined, censor: replacement, remove: false }
  if (Array.isArray(redact))
    return { pino: { paths: [...redact], censor: replacement }, censor: replacement, remove: false }
  if (typeof redact !== 'object' || redact === null || !Array.isArray(redact.paths)) {
    fail(`redact must be an array of paths or { paths, censor?, remove? } (got ${describeType(redact)})`)
  }
  const censor = redact.censor ?? replacement
  return { pino: { ...redact, paths: [...redact.paths], censor }, censor, remove: redact.remove === true }
}

function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function')
    fail(`${name} must be a function (got ${describeType(value)})`)
}

function stringArray(value: unknown, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    fail(`${name} must be an array of strings (got ${describeType(value)})`)
  return value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const LATCHKEY_KEYS = new Set(['keys', 'headers', 'provider'])

/**
 * Returns pino options that keep secrets out of every log line. One argument: your pino options
 * (never modified), with latchkey's own options under `latchkey`:
 *
 * ```ts
 * pino(redactSecrets())
 * pino(redactSecrets({ level: 'info', latchkey: { keys: ['ssn'], headers: ['user-agent'] } }))
 * ```
 *
 * Every logger scrubs the process-wide registry of `@latchkey/core` (`sharedRedactor()`), which
 * holds the values of every `CachedSecretProvider` in the process — yours, the ones adapters build
 * from `{ source }`, ones created after the logger. Name a provider (`latchkey.provider`) only
 * when it was built with its own redactor. What the options add:
 *
 * - `hooks.streamWrite` censors credential keys and scrubs every known value (raw, JSON-escaped,
 *   URL/form-encoded) in each finished line, in one pass that is O(line length) for every input
 *   and keeps the line JSON. A `streamWrite` of the caller runs first.
 * - `serializers` `err`, `req` and `res` that never throw; `req`/`res` log no headers unless
 *   allow-listed with `latchkey.headers`. The caller's serializers win per key.
 * - `redact`: the caller's paths go to pino unchanged, with the censor defaulting to
 *   `'[REDACTED]'`; a string `censor` also censors the sensitive keys, and a function `censor` or
 *   `remove: true` is also applied to them (in `formatters.log`, up to two levels down).
 *
 * Works with pino 9 and 10, as Fastify's `logger` option, with pino-http (`logger:
 * pino(redactSecrets())`) and as nestjs-pino's `pinoHttp`.
 *
 * One argument only: the call forms of the first release (`redactSecrets(pinoOptions, options)`,
 * `redactSecrets(provider, …)`) are gone and throw, saying what to write instead.
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` naming the option that has the wrong type.
 */
export function redactSecrets<T extends LoggerOptions = LoggerOptions>(
  options?: RedactSecretsInput<T>,
): Omit<T, 'latchkey'>
export function redactSecrets(...args: unknown[]): LoggerOptions {
  if (args.length > 1) {
    fail('takes one options object: redactSecrets({ ...pinoOptions, latchkey: { keys, headers, provider } })')
  }
  const [options] = args
  if (isCachedSecretProvider(options)) {
    fail('a provider goes under latchkey: redactSecrets({ latchkey: { provider } })')
  }
  if (options !== undefined && !isObject(options))
    fail(`options must be a pino options object (got ${describeType(options)})`)
  const { latchkey, ...pinoOptions } = (options ?? {}) as RedactSecretsInput
  if (latchkey !== undefined && !isObject(latchkey)) {
    fail(
      `options.latchkey must be an object such as { keys, headers, provider } (got ${describeType(latchkey)})`,
    )
  }
  return build(pinoOptions, latchkey ?? {})
}

function build(given: LoggerOptions, ours: RedactSecretsOptions): LoggerOptions {
  for (const key of Object.keys(ours)) {
    if (!LATCHKEY_KEYS.has(key)) fail(`unknown option latchkey.${key} (known: keys, headers, provider)`)
  }
  const keys = stringArray(ours.keys, 'latchkey.keys') ?? DEFAULT_REDACT_KEYS
  const headers = stringArray(ours.headers, 'latchkey.headers') ?? []
  const shared = sharedRedactor()
  const redactors: SecretRedactor[] = [shared]
  if (ours.provider !== undefined) {
    const own = (ours.provider as { redactor?: unknown } | null)?.redactor
    if (typeof (own as Partial<SecretRedactor> | undefined)?.redact !== 'function') {
      fail('latchkey.provider must be a CachedSecretProvider (its redactor has no redact method)')
    }
    if (own !== shared) redactors.push(own as SecretRedactor)
  }
  const callerWrite = given.hooks?.streamWrite
  const callerLog = given.formatters?.log
  optionalFunction(callerWrite, 'hooks.streamWrite')
  optionalFunction(callerLog, 'formatters.log')

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
