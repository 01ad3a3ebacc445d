/**
 * Startup budgets shared by the integrations (Express, Fastify, NestJS, pg): a preload bounded by
 * a time limit that fails with an error naming every secret, before the framework's own startup
 * timeout (which names nothing) fires.
 */
import { MAX_TIMER_MS } from './cache-options.js'
import {
  InvalidOptionsError,
  type SecretError,
  SecretPreloadError,
  SecretTimeoutError,
  toSecretError,
} from './errors.js'
import { parseSecretRef } from './names.js'

/** What a bounded preload uses of a provider (structural, so a provider from another copy of core fits). */
export interface Preloader {
  readonly source: { readonly name: string }
  preload(names: Iterable<string>): Promise<void>
  getSecret(name: string): Promise<string>
}

/**
 * The time kept back from a framework's startup limit, so that a preload which runs out of time
 * fails with our error (naming the secrets) before the framework's own timeout (naming nothing)
 * fires: a tenth of the limit, at most one second.
 */
export function startupMargin(limit: number): number {
  return Math.min(1_000, Math.ceil(limit / 10))
}

/**
 * Checks a `preloadTimeout`-style option: a whole number of ms from 1 to `max` (inclusive; by
 * default the longest timer Node.js accepts).
 * Throws {@link InvalidOptionsError} naming the option, the value's type and the allowed range.
 */
export function checkBudget(
  integration: string,
  option: string,
  value: unknown,
  max: number = MAX_TIMER_MS,
  why = '',
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    const got = typeof value === 'number' ? `number ${value}` : typeof value
    throw new InvalidOptionsError(
      `${integration}: { ${option} } must be a whole number of milliseconds from 1 to ${max}${why}; got ${got}`,
    )
  }
  return value
}

/**
 * Checks a `preload` option: an array of valid secret names (`undefined` is none). Throws
 * {@link InvalidOptionsError} naming the option and what was given, or the name's own
 * `InvalidSecretNameError`.
 */
export function checkPreload(integration: string, value: unknown): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    const got = value === null ? 'null' : typeof value
    throw new InvalidOptionsError(`${integration}: { preload } must be an array of secret names; got ${got}`)
  }
  for (const name of value) parseSecretRef(name)
  return value as string[]
}

/**
 * `provider.preload(names)`, bounded by `budget` ms (no bound when `undefined`).
 *
 * A preload that settles in time resolves or rejects as `preload()` does. One still running when
 * the budget runs out rejects at once with a `SecretPreloadError` naming every secret that is not
 * loaded: the error a secret already failed with (not found, access denied, …), or a
 * `SecretTimeoutError` for one still loading, whose `cause` says which budget ran out. The loads
 * themselves go on; close a provider you own to stop them.
 */
export function preloadWithin(
  provider: Preloader,
  names: readonly string[],
  budget: number | undefined,
  budgetName: string,
): Promise<void> {
  const unique = [...new Set(names)]
  if (budget === undefined || unique.length === 0) return provider.preload(unique)
  const preloading = provider.preload(unique)
  // Reads of each name share the loads preload() started (single-flight), so they cost no extra
  // backend calls; they tell, when the budget runs out, which names failed and why.
  const outcomes = new Map<string, SecretError | null>()
  for (const name of unique) {
    let reading: Promise<string>
    try {
      reading = provider.getSecret(name)
    } catch (error) {
      reading = Promise.reject(error)
    }
    reading.then(
      () => outcomes.set(name, null),
      (error: unknown) => outcomes.set(name, toSecretError(error, name, provider.source.name)),
    )
  }
  return new Promise<void>((resolve, reject) => {
    // Not unref'd: the caller is waiting for startup, which must end with a value or this error.
    const timer = setTimeout(() => {
      const errors: SecretError[] = []
      for (const name of unique) {
        const outcome = outcomes.get(name)
        if (outcome === null) continue
        errors.push(
          outcome ??
            new SecretTimeoutError(budget, {
              secretName: name,
              source: provider.source.name,
              cause: new Error(`the ${budgetName} (${budget} ms) ran out while the secret was still loading`),
            }),
        )
      }
      // Every name settled just now and preload() is about to report: let it.
      if (errors.length > 0) reject(new SecretPreloadError(errors))
    }, budget)
    preloading.then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
