import { InvalidOptionsError, type ProviderLikeOptions, type StartupLogger } from '@latchkey/core'
import {
  checkBudget,
  checkOptionNames,
  checkStartupLog,
  integrationOptionKeys,
  parseSecretRef,
  startupLogger,
} from '@latchkey/core/internal'

export const INTEGRATION = '@latchkey/lambda'

/** Options of `withSecrets()` and `secrets()` (middy): where secrets come from, which ones, and how long to wait. */
export type LambdaSecretsOptions<Key extends string = string> = ProviderLikeOptions & {
  /**
   * The secrets to load, by the key they get on `context.secrets`: `{ db: 'prod/db', apiKey:
   * 'prod/api#key' }`. Each is preloaded as soon as the wrapper is created (in the init phase) and
   * checked for freshness at the start of every invocation.
   */
  secrets: Readonly<Record<Key, string>>
  /**
   * Milliseconds kept back from the invocation's remaining time
   * (`context.getRemainingTimeInMillis()`): a reload that is still running when only this much is
   * left stops being waited for, and the last good value is served if it is within `maxStale`.
   * @default 500
   */
  deadlineMargin?: number
  /**
   * Whether to start loading the secrets when the wrapper is created, which in Lambda is the init
   * phase. `LambdaExtensionSource` sets `availableDuringInit = false` (the extension answers only
   * during invocations), and then the default is `false`; for any other source it is `true`.
   * @default true (false for a source with `availableDuringInit === false`)
   */
  preloadAtInit?: boolean
  /**
   * The startup line, written once every secret has loaded the first time (at init, or in the
   * first invocation when `preloadAtInit` is off): `@latchkey/lambda: 2 secrets loaded from
   * lambda-extension in 35 ms` (how many, the source's kind, how long — never a value or a secret
   * name). By default it goes to the `logger` cache option's `info()` method (pino, Powertools
   * Logger and `console` have one; a logger with only `warn()` gets nothing). `false` turns it off;
   * a logger with an `info(message, meta)` method receives it instead (with `{ provider }` too).
   * @default true
   */
  startupLog?: boolean | StartupLogger
}

/** The options, checked and with defaults applied. */
export interface ResolvedLambdaOptions {
  names: Map<string, string>
  deadlineMargin: number
  preloadAtInit: boolean | undefined
  refreshAhead: number
  providerOptions: ProviderLikeOptions
  /** Where the startup line goes (`undefined`: nowhere). */
  startupLog: StartupLogger | undefined
}

const KNOWN = integrationOptionKeys(['secrets', 'deadlineMargin', 'preloadAtInit', 'startupLog'])

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value === 'number' ? `number ${value}` : typeof value
}

/** Checks every option; throws `InvalidOptionsError` naming the option that is wrong. */
export function resolveLambdaOptions(fn: string, options: unknown): ResolvedLambdaOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError(
      `${INTEGRATION}: ${fn} needs an options object with { secrets } and { provider } or { source }; got ${typeOf(options)}`,
    )
  }
  const given = options as Record<string, unknown>
  checkOptionNames(given, KNOWN, `${INTEGRATION}: ${fn}`)
  const names = checkNames(fn, given.secrets)
  const deadlineMargin =
    given.deadlineMargin === undefined
      ? 500
      : checkBudget(INTEGRATION, 'deadlineMargin', given.deadlineMargin, 900_000)
  if (given.preloadAtInit !== undefined && typeof given.preloadAtInit !== 'boolean') {
    throw new InvalidOptionsError(
      `${INTEGRATION}: { preloadAtInit } must be true or false; got ${typeOf(given.preloadAtInit)}`,
    )
  }
  const { secrets: _secrets, deadlineMargin: _margin, preloadAtInit, startupLog, ...providerOptions } = given
  const refreshAhead = typeof given.refreshAhead === 'number' ? given.refreshAhead : 0.8
  return {
    names,
    deadlineMargin,
    preloadAtInit: preloadAtInit as boolean | undefined,
    refreshAhead,
    providerOptions: providerOptions as ProviderLikeOptions,
    startupLog: startupLogger(checkStartupLog(INTEGRATION, startupLog), providerOptions.logger),
  }
}

function checkNames(fn: string, value: unknown): Map<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionsError(
      `${INTEGRATION}: ${fn} option { secrets } must be an object of key → secret name, such as { db: 'prod/db' }; got ${typeOf(value)}`,
    )
  }
  const names = new Map<string, string>()
  for (const [key, name] of Object.entries(value)) {
    if (typeof name !== 'string') {
      throw new InvalidOptionsError(
        `${INTEGRATION}: ${fn} option { secrets.${key} } must be a secret name (a string); got ${typeOf(name)}`,
      )
    }
    parseSecretRef(name)
    names.set(key, name)
  }
  if (names.size === 0) {
    throw new InvalidOptionsError(`${INTEGRATION}: ${fn} option { secrets } names no secret`)
  }
  return names
}
