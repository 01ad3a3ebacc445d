import { describeValue } from './describe-type.js'
import { InvalidOptionsError } from './errors.js'
import { MAX_SECRET_BYTES } from './limits.js'
import { checkOptionNames } from './option-names.js'
import { DEFAULT_MIN_REDACT_LENGTH, DEFAULT_REDACT_RETENTION_MS } from './redaction-defaults.js'
import type { RetryPolicy } from './retry.js'
import type { CacheOptions, SecretLogger } from './types.js'
import { processWarningLogger } from './warnings.js'

const defaultLogger: SecretLogger = processWarningLogger()

/**
 * Longest delay Node.js timers accept (2^31 − 1 ms, about 24.8 days); longer ones fire after 1 ms.
 * Every duration that ends up in a timer is capped here.
 */
export const MAX_TIMER_MS = 2_147_483_647

function invalid(name: string, value: unknown, range: string): InvalidOptionsError {
  return new InvalidOptionsError(`option "${name}" must be ${range} (got ${describeValue(value)})`)
}

/** A list of secret names, as a set; `[]` when absent. */
function nameList(name: string, value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set()
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid(name, value, 'an array of secret names (strings)')
  }
  return new Set(value as string[])
}

interface NumberRange {
  /** Smallest allowed value (inclusive). */
  min: number
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  max: number
  /** True when `min` itself is excluded. */
  minExclusive?: boolean
  maxExclusive?: boolean
  /** Only integers (and `max` itself when it is `Infinity`). */
  integer?: boolean
  /** The range in words, for the message. */
  words: string
}

function checkNumber(name: string, value: unknown, fallback: number, range: NumberRange): number {
  if (value === undefined) return fallback
  // NaN fails every comparison, so it is rejected along with everything out of range
  const ok =
    typeof value === 'number' &&
    (range.minExclusive === true ? value > range.min : value >= range.min) &&
    (range.maxExclusive === true ? value < range.max : value <= range.max) &&
    (range.integer !== true || Number.isInteger(value) || value === Number.POSITIVE_INFINITY)
  if (!ok) throw invalid(name, value, range.words)
  return value
}

/** A duration that may end up in a timer: finite, at most {@link MAX_TIMER_MS}. */
function duration(name: string, value: unknown, fallback: number, allowZero: boolean): number {
  return checkNumber(name, value, fallback, {
    min: 0,
    minExclusive: !allowZero,
    max: MAX_TIMER_MS,
    words: `a number of milliseconds ${allowZero ? 'from 0' : 'above 0'} up to ${MAX_TIMER_MS} (2^31 − 1, the longest Node.js timer; Infinity is not accepted)`,
  })
}

function fraction(name: string, value: unknown, fallback: number): number {
  return checkNumber(name, value, fallback, {
    min: 0,
    max: 1,
    maxExclusive: true,
    words: 'a number from 0 (off) to below 1',
  })
}

function fn<T>(name: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw invalid(name, value, 'a function')
  return value as T
}

function logger(value: unknown): SecretLogger {
  if (value === undefined) return defaultLogger
  if (typeof value !== 'object' || value === null || typeof (value as SecretLogger).warn !== 'function') {
    throw invalid('logger', value, 'an object with a warn(message, meta) method')
  }
  const user = value as SecretLogger
  // a logger that throws must not change what the cache does: its warnings fall back to process.emitWarning
  return {
    warn(message, meta) {
      try {
        user.warn(message, meta)
      } catch {
        try {
          defaultLogger.warn(message, meta)
        } catch {
          // nowhere left to report to
        }
      }
    },
  }
}

/** {@link CacheOptions} with every default filled in and every value checked. */
export interface CacheSettings {
  /** The injected clock, or `undefined` for the provider's own (a cheap coarse `Date.now`). */
  clock: (() => number) | undefined
  random: () => number
  logger: SecretLogger
  ttl: number
  refreshAhead: number
  jitter: number
  maxStale: number
  maxEntries: number
  minRefreshInterval: number
  confirmDenial: number
  retry: RetryPolicy
  minRedactLength: number
  redactRetention: number
  notSensitive: ReadonlySet<string>
}

/** Checks `options` and fills in the defaults; throws {@link InvalidOptionsError} saying what is wrong. */
export function resolveCacheOptions(options: CacheOptions): CacheSettings {
  if (typeof options !== 'object' || options === null) throw invalid('options', options, 'an object')
  checkOptionNames(options, CACHE_OPTION_KEYS, 'CachedSecretProvider')
  const retry: unknown = options.retry
  if (retry !== undefined && (typeof retry !== 'object' || retry === null)) {
    throw invalid('retry', retry, 'an object { retries?, baseDelay?, maxDelay? }')
  }
  if (retry !== undefined) checkOptionNames(retry, RETRY_OPTION_KEYS, 'CachedSecretProvider { retry }')
  const random = fn<() => number>('random', options.random, Math.random)
  return {
    clock: fn<(() => number) | undefined>('clock', options.clock, undefined),
    random,
    logger: logger(options.logger),
    ttl: duration('ttl', options.ttl, 300_000, false),
    refreshAhead: fraction('refreshAhead', options.refreshAhead, 0.8),
    jitter: fraction('jitter', options.jitter, 0.1),
    // not a timer: Infinity means "serve the last good value for as long as reloads fail"
    maxStale: checkNumber('maxStale', options.maxStale, 3_600_000, {
      min: 0,
      max: Number.POSITIVE_INFINITY,
      words: 'a number of milliseconds from 0 to Infinity',
    }),
    // Infinity means "no bound"
    maxEntries: checkNumber('maxEntries', options.maxEntries, 1_000, {
      min: 1,
      max: Number.POSITIVE_INFINITY,
      integer: true,
      words: 'a whole number from 1 up, or Infinity for no bound',
    }),
    minRefreshInterval: duration('minRefreshInterval', options.minRefreshInterval, 1_000, true),
    confirmDenial: duration('confirmDenial', options.confirmDenial, 3_000, true),
    retry: {
      retries: checkNumber('retry.retries', options.retry?.retries, 3, {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        integer: true,
        words: 'a whole number from 0 up',
      }),
      baseDelay: duration('retry.baseDelay', options.retry?.baseDelay, 100, true),
      maxDelay: duration('retry.maxDelay', options.retry?.maxDelay, 2_000, true),
      timeout: duration('timeout', options.timeout, 5_000, false),
      random,
    },
    minRedactLength: checkNumber('minRedactLength', options.minRedactLength, DEFAULT_MIN_REDACT_LENGTH, {
      min: 1,
      max: MAX_SECRET_BYTES,
      integer: true,
      words: `a whole number from 1 to ${MAX_SECRET_BYTES}`,
    }),
    notSensitive: nameList('notSensitive', options.notSensitive),
    redactRetention: checkNumber('redactRetention', options.redactRetention, DEFAULT_REDACT_RETENTION_MS, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      words: `a finite number of milliseconds from 0 to ${Number.MAX_SAFE_INTEGER}`,
    }),
  }
}

/** The keys of `CacheOptions.retry`. */
const RETRY_OPTION_KEYS = ['retries', 'baseDelay', 'maxDelay'] as const

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
  'confirmDenial',
  'minRedactLength',
  'redactRetention',
  'notSensitive',
  'redactor',
  'clock',
  'random',
  'logger',
] as const satisfies ReadonlyArray<keyof CacheOptions>

// Fails to compile when core adds a cache option that is not listed above.
const everyCacheOptionListed: Exclude<keyof CacheOptions, (typeof CACHE_OPTION_KEYS)[number]> extends never
  ? true
  : never = true
void everyCacheOptionListed
