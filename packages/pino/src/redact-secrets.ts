import { type CachedSecretProvider, InvalidOptionsError } from '@latchkey/core'
import type { LoggerOptions, redactOptions } from 'pino'
import { createLineScrubber } from './line-scrubber.js'
import { createKeyCensor, DEFAULT_REDACT_KEYS, type KeyCensor } from './redact-paths.js'
import { serializers as defaultSerializers } from './serializers.js'

/** What `redactSecrets()` needs from a provider: its redactor. Any `CachedSecretProvider` has one. */
export type RedactorProvider = Pick<CachedSecretProvider, 'redactor'>

/** latchkey's own options for {@link redactSecrets} (pino's options go in the second argument). */
export interface RedactSecretsOptions {
  /**
   * Key names censored at the top of every log object and one or two levels down (`key`, `*.key`,
   * `*.*.key`). Each also matches its lowercase, UPPERCASE and Capitalized spelling. `[]` turns key
   * censoring off; the secret-value scrubber stays on.
   * @default DEFAULT_REDACT_KEYS
   */
  keys?: readonly string[]
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
    fail('pinoOptions.redact must be an array of paths or { paths, censor?, remove? }')
  }
  const censor = redact.censor ?? replacement
  return { pino: { ...redact, paths: [...redact.paths], censor }, censor, remove: redact.remove === true }
}

function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') fail(`${name} must be a function`)
}

/**
 * Returns pino options that keep secrets out of every log line, merged with the caller's own
 * options (which are not modified):
 *
 * - `hooks.streamWrite` scrubs each finished line with `provider.redactor`: every value the
 *   provider has loaded, and values rotated out within its retention, in raw, JSON-escaped and
 *   URL-encoded form, wherever it appears. A `streamWrite` of the caller runs first.
 * - `serializers` `err`, `req` and `res` that never throw; the caller's serializers win per key.
 * - `formatters.log` censors sensitive keys (`password`, `token`, `authorization`, … see
 *   {@link RedactSecretsOptions.keys}) after the caller's own `formatters.log`.
 * - `redact`: the caller's paths go to pino unchanged, with the censor defaulting to the
 *   redactor's replacement (`'[REDACTED]'`); the caller's `censor` and `remove` also apply to the
 *   sensitive keys.
 *
 * Works with pino 9 and 10, as Fastify's `logger` option, and as nestjs-pino's `pinoHttp`.
 *
 * @param provider The `CachedSecretProvider` whose secrets are scrubbed.
 * @param pinoOptions The pino options to extend.
 * @param options latchkey's options.
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when `provider` has no redactor or an option has the wrong type.
 */
export function redactSecrets<T extends LoggerOptions = LoggerOptions>(
  provider: RedactorProvider,
  pinoOptions?: T,
  options: RedactSecretsOptions = {},
): T {
  const redactor = (provider as Partial<RedactorProvider> | undefined)?.redactor
  if (typeof redactor?.redact !== 'function') {
    fail('the first argument must be the CachedSecretProvider whose secrets should be scrubbed')
  }
  if (pinoOptions !== undefined && (typeof pinoOptions !== 'object' || pinoOptions === null)) {
    fail('pinoOptions must be a pino options object')
  }
  const keys = options.keys ?? DEFAULT_REDACT_KEYS
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string'))
    fail('options.keys must be an array of strings')

  const given: LoggerOptions = pinoOptions ?? {}
  const callerWrite = given.hooks?.streamWrite
  const callerLog = given.formatters?.log
  optionalFunction(callerWrite, 'pinoOptions.hooks.streamWrite')
  optionalFunction(callerLog, 'pinoOptions.formatters.log')

  const redact = mergeRedact(given.redact, redactor.replacement)
  const merged: LoggerOptions = {
    ...given,
    hooks: { ...given.hooks, streamWrite: createLineScrubber(redactor, callerWrite) },
    serializers: { ...defaultSerializers, ...given.serializers },
  }
  if (keys.length > 0) {
    const censorKeys = createKeyCensor({ keys, censor: redact.censor, remove: redact.remove })
    merged.formatters = {
      ...given.formatters,
      log: callerLog === undefined ? censorKeys : (object) => censorKeys(callerLog(object)),
    }
  }
  if (redact.pino !== undefined) merged.redact = redact.pino
  return merged as T
}
