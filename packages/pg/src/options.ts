import { InvalidOptionsError, type ProviderLikeOptions } from '@latchkey/core'
import {
  CACHE_OPTION_KEYS,
  checkOptionNames,
  integrationOptionKeys,
  MAX_TIMER_MS,
  optionKeys,
} from '@latchkey/core/internal'
import type pg from 'pg'
import type { AuthRetryOptions, AuthRetryPolicy } from './auth-retry.js'
import type { CredentialSpec } from './credentials.js'

/** What RotatingPool adds to `pg.PoolConfig`. */
export interface RotatingPoolSettings {
  /**
   * Name of a JSON secret `{ username, password, host?, port?, dbname? }` (the RDS rotation
   * format, and what `VaultDatabaseSource` returns). Its fields override `user`, `host`, `port` and
   * `database` from the config. Give this or `passwordSecret`.
   */
  secret?: string
  /** Name of a secret that holds only the password; `user` is then required and fixed. */
  passwordSecret?: string
  /**
   * On a rotation, close idle connections opened with the old credentials at once and retire busy
   * ones when they are released. `false` keeps them until they close for another reason.
   * @default true
   */
  retireOnRotate?: boolean
  /**
   * Closes each connection this many ms after it opened (when idle, or on release when busy), so
   * no session outlives its credentials by much. Same as pg's `maxLifetimeSeconds`, in ms; give one
   * or the other. @default 0 (no limit)
   */
  maxLifetimeMillis?: number
  /**
   * Retry of new connections refused with SQLSTATE 28P01 or 28000 after a forced refresh of the
   * secret; `false` disables it. @default true
   */
  authRetry?: boolean | AuthRetryOptions
}

/** pg's pool options without `password` (it comes from the secret), plus {@link RotatingPoolSettings}. */
export type RotatingPoolConfig = Omit<pg.PoolConfig, 'password'> & RotatingPoolSettings

/** Where the credentials come from: exactly one of `secret` and `passwordSecret` (a type error otherwise). */
export type RotatingPoolCredentials =
  | { secret: string; passwordSecret?: undefined }
  | { passwordSecret: string; secret?: undefined }

/**
 * Options of `new RotatingPool()`: `{ provider }` or `{ source, ...CacheOptions }`, with the pool's
 * config and one of `secret` or `passwordSecret`.
 */
export type RotatingPoolOptions = RotatingPoolConfig & RotatingPoolCredentials & ProviderLikeOptions

const OWN_KEYS = [
  'provider',
  'source',
  'secret',
  'passwordSecret',
  'retireOnRotate',
  'maxLifetimeMillis',
  'authRetry',
]

/** pg's pool and client options as `@types/pg` declares them (`password` is refused on its own). */
const PG_POOL_KEYS = optionKeys<pg.PoolConfig>({
  user: true,
  database: true,
  password: true,
  port: true,
  host: true,
  connectionString: true,
  keepAlive: true,
  stream: true,
  statement_timeout: true,
  ssl: true,
  enableChannelBinding: true,
  sslnegotiation: true,
  query_timeout: true,
  lock_timeout: true,
  keepAliveInitialDelayMillis: true,
  idle_in_transaction_session_timeout: true,
  application_name: true,
  fallback_application_name: true,
  connectionTimeoutMillis: true,
  types: true,
  options: true,
  client_encoding: true,
  pipeline: true,
  max: true,
  min: true,
  idleTimeoutMillis: true,
  log: true,
  Promise: true,
  allowExitOnIdle: true,
  maxUses: true,
  maxLifetimeSeconds: true,
  Client: true,
  onConnect: true,
  verify: true,
})

/**
 * Every option name `new RotatingPool()` takes: its own, the cache options, pg's typed pool and
 * client options, and the ones pg reads without declaring them in `@types/pg` (`binary`,
 * `replication`, `parseInputDatesAsUTC`, pg-pool's old `poolSize`).
 */
const KNOWN_KEYS = [
  ...integrationOptionKeys(OWN_KEYS),
  ...PG_POOL_KEYS,
  'binary',
  'replication',
  'parseInputDatesAsUTC',
  'poolSize',
]

/** Options split into what goes where. */
export interface ResolvedOptions {
  poolConfig: pg.PoolConfig
  providerOptions: ProviderLikeOptions
  credentials: CredentialSpec
  retireOnRotate: boolean
  authRetry: AuthRetryPolicy | undefined
}

const PREFIX = 'RotatingPool:'

/** Validates the options and splits them; throws {@link InvalidOptionsError} with what to do. */
export function resolveOptions(options: RotatingPoolOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `${PREFIX} pass an options object with { provider | source } and { secret | passwordSecret }`,
    )
  }
  const given = options as unknown as Record<string, unknown>
  checkOptionNames(given, KNOWN_KEYS, 'RotatingPool')
  const credentials = resolveCredentials(given)
  if (Object.hasOwn(given, 'password') && given.password !== undefined) {
    throw new InvalidOptionsError(
      `${PREFIX} do not pass "password"; it comes from the secret (use "secret" or "passwordSecret")`,
    )
  }
  const retireOnRotate = given.retireOnRotate ?? true
  if (typeof retireOnRotate !== 'boolean')
    throw new InvalidOptionsError(`${PREFIX} "retireOnRotate" must be a boolean`)

  const poolConfig: Record<string, unknown> = {}
  const providerOptions: Record<string, unknown> = {}
  const cacheKeys: ReadonlySet<string> = new Set(CACHE_OPTION_KEYS)
  // With { provider }, `clock` and `random` drive only the pool's own backoff (the provider has its own).
  const poolOnly = given.provider !== undefined ? new Set(['clock', 'random']) : new Set<string>()
  for (const [key, value] of Object.entries(given)) {
    if (poolOnly.has(key)) continue
    if (key === 'provider' || key === 'source' || cacheKeys.has(key)) providerOptions[key] = value
    else if (!OWN_KEYS.includes(key) && key !== 'password') poolConfig[key] = value
  }
  const lifetime = given.maxLifetimeMillis
  if (lifetime !== undefined) {
    if (given.maxLifetimeSeconds !== undefined) {
      throw new InvalidOptionsError(`${PREFIX} give "maxLifetimeMillis" or "maxLifetimeSeconds", not both`)
    }
    poolConfig.maxLifetimeSeconds = positive('maxLifetimeMillis', lifetime) / 1000
  }
  checkPoolTimers(poolConfig)
  const connectionTimeout =
    typeof given.connectionTimeoutMillis === 'number' ? given.connectionTimeoutMillis : 0
  return {
    poolConfig: poolConfig as pg.PoolConfig,
    providerOptions: providerOptions as ProviderLikeOptions,
    credentials,
    retireOnRotate,
    authRetry: resolveAuthRetry(given, connectionTimeout),
  }
}

function resolveCredentials(given: Record<string, unknown>): CredentialSpec {
  const { secret, passwordSecret, user } = given
  if (secret !== undefined && passwordSecret !== undefined) {
    throw new InvalidOptionsError(
      `${PREFIX} give "secret" (a JSON secret) or "passwordSecret" (a password), not both`,
    )
  }
  if (secret !== undefined) {
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new InvalidOptionsError(`${PREFIX} "secret" must be the name of a JSON secret such as 'prod/db'`)
    }
    return { kind: 'json', secret }
  }
  if (passwordSecret !== undefined) {
    if (typeof passwordSecret !== 'string' || passwordSecret.length === 0) {
      throw new InvalidOptionsError(
        `${PREFIX} "passwordSecret" must be the name of a secret such as 'prod/db-password'`,
      )
    }
    if (typeof user !== 'string' || user.length === 0) {
      throw new InvalidOptionsError(
        `${PREFIX} "passwordSecret" needs a fixed "user" (the role the password belongs to)`,
      )
    }
    return { kind: 'password', secret: passwordSecret, user }
  }
  throw new InvalidOptionsError(
    `${PREFIX} pass "secret" (a JSON secret with username and password) or "passwordSecret" plus "user"`,
  )
}

function resolveAuthRetry(
  options: Record<string, unknown>,
  connectionTimeout: number,
): ResolvedOptions['authRetry'] {
  const value = options.authRetry
  if (value === false) return undefined
  if (value !== undefined && value !== true && (typeof value !== 'object' || value === null)) {
    throw new InvalidOptionsError(
      `${PREFIX} "authRetry" must be true, false or { baseDelay, maxDelay, timeout }`,
    )
  }
  const given = (typeof value === 'object' ? value : {}) as AuthRetryOptions
  const timeout = given.timeout ?? (connectionTimeout > 0 ? connectionTimeout : 30_000)
  return {
    baseDelay: positive('authRetry.baseDelay', given.baseDelay ?? 50),
    maxDelay: positive('authRetry.maxDelay', given.maxDelay ?? 1_000),
    timeout: positive('authRetry.timeout', timeout),
    // The cache's clock and random source, when given, drive the backoff too.
    clock: typeof options.clock === 'function' ? (options.clock as () => number) : Date.now,
    random: typeof options.random === 'function' ? (options.random as () => number) : Math.random,
  }
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    const got = typeof value === 'number' ? `number ${value}` : typeof value
    throw new InvalidOptionsError(
      `${PREFIX} "${name}" must be a positive number of milliseconds up to ${MAX_TIMER_MS} (2^31 − 1, the longest Node.js timer); got ${got}`,
    )
  }
  return value
}

/**
 * The pool and client options pg turns into Node.js timers (pg-pool's `setTimeout` for idle
 * clients, connection timeouts and lifetimes; pg's query timeout). Past 2^31 − 1 ms Node.js
 * fires such a timer after 1 ms instead (a `TimeoutOverflowWarning`): every connection would
 * close as soon as it opened. `0` keeps its meaning (no timer). Seconds are checked in seconds.
 */
const POOL_TIMERS: ReadonlyArray<[key: string, unitMs: number]> = [
  ['connectionTimeoutMillis', 1],
  ['idleTimeoutMillis', 1],
  ['query_timeout', 1],
  ['maxLifetimeSeconds', 1_000],
]

function checkPoolTimers(poolConfig: Record<string, unknown>): void {
  for (const [key, unit] of POOL_TIMERS) {
    const value = poolConfig[key]
    if (value === undefined) continue
    const max = MAX_TIMER_MS / unit
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value * unit > MAX_TIMER_MS) {
      const got = typeof value === 'number' ? `number ${value}` : typeof value
      const unitName = unit === 1 ? 'milliseconds' : 'seconds'
      throw new InvalidOptionsError(
        `${PREFIX} "${key}" must be a number of ${unitName} from 0 (no timer) up to ${max} (2^31 − 1 = ${MAX_TIMER_MS} ms, the longest Node.js timer); got ${got}`,
      )
    }
  }
}
