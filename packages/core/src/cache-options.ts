import { InvalidOptionsError } from './errors.js'
import type { RetryPolicy } from './retry.js'
import type { CacheOptions, SecretLogger } from './types.js'

const defaultLogger: SecretLogger = {
  warn(message, meta) {
    process.emitWarning(message, {
      code: 'LATCHKEY',
      detail: meta === undefined ? undefined : JSON.stringify(meta),
    })
  },
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidOptionsError(
      `option "${name}" must be a ${allowZero ? 'non-negative' : 'positive'} number`,
    )
  }
  return value
}

function fraction(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new InvalidOptionsError(`option "${name}" must be a number from 0 (off) to below 1`)
  }
  return value
}

/** {@link CacheOptions} with every default filled in and every value checked. */
export interface CacheSettings {
  clock: () => number
  random: () => number
  logger: SecretLogger
  ttl: number
  refreshAhead: number
  jitter: number
  maxStale: number
  maxEntries: number
  minRefreshInterval: number
  retry: RetryPolicy
  minRedactLength: number | undefined
  redactRetention: number | undefined
}

/** Checks `options` and fills in the defaults; throws {@link InvalidOptionsError} saying what is wrong. */
export function resolveCacheOptions(options: CacheOptions): CacheSettings {
  const random = options.random ?? Math.random
  return {
    clock: options.clock ?? Date.now,
    random,
    logger: options.logger ?? defaultLogger,
    ttl: positive('ttl', options.ttl, 300_000),
    refreshAhead: fraction('refreshAhead', options.refreshAhead, 0.8),
    jitter: fraction('jitter', options.jitter, 0.1),
    maxStale: positive('maxStale', options.maxStale, 3_600_000, true),
    maxEntries: positive('maxEntries', options.maxEntries, 1_000),
    minRefreshInterval: positive('minRefreshInterval', options.minRefreshInterval, 1_000, true),
    retry: {
      retries: positive('retry.retries', options.retry?.retries, 3, true),
      baseDelay: positive('retry.baseDelay', options.retry?.baseDelay, 100, true),
      maxDelay: positive('retry.maxDelay', options.retry?.maxDelay, 2_000, true),
      timeout: positive('timeout', options.timeout, 5_000),
      random,
    },
    minRedactLength: options.minRedactLength,
    redactRetention: options.redactRetention,
  }
}

/**
 * Every key of {@link CacheOptions}, for integrations whose options mix cache options with their
 * own (a `RotatingPool` takes pg's pool options too).
 */
export const CACHE_OPTION_KEYS = [
  'ttl',
  'refreshAhead',
  'jitter',
  'maxStale',
  'retry',
  'timeout',
  'maxEntries',
  'minRefreshInterval',
  'minRedactLength',
  'redactRetention',
  'clock',
  'random',
  'logger',
] as const satisfies ReadonlyArray<keyof CacheOptions>

// Fails to compile when core adds a cache option that is not listed above.
const everyCacheOptionListed: Exclude<keyof CacheOptions, (typeof CACHE_OPTION_KEYS)[number]> extends never
  ? true
  : never = true
void everyCacheOptionListed
