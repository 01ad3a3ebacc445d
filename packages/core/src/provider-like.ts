import type { SecretsHealth } from './health.js'
import type { PreloadOptions } from './preload-pacing.js'
import type {
  CacheOptions,
  CacheStats,
  RotateEvent,
  SecretEvents,
  SecretInfo,
  SecretSource,
} from './types.js'

/*
 * Structural views of core's classes for the integrations' option and decorator types.
 * Why these interfaces exist: a program can load both builds of @latchkey/core (ESM and CommonJS,
 * common with Nest + ESM tooling or Jest). Their `CachedSecretProvider` and `SecretHandle` classes
 * have private fields, so TypeScript treats the two copies as different types: an ESM provider
 * would not fit options typed with the CommonJS class (TS2322), and a declaration merge naming the
 * class would differ between this package's .d.ts and .d.cts (TS2717). Interfaces compare by their
 * members, so either copy fits, and the merged declarations are identical.
 */

/** The public API of core's `SecretHandle`, as an interface that the handles of both builds fit. */
export interface SecretHandleLike {
  /** The name this handle was created with, `#field` included. */
  readonly name: string
  /** The current value; throws `SecretNotLoadedError` before the first load. */
  reveal(): string
  /** The current value parsed as JSON. */
  json<T = unknown>(): T
  /** The version of the value `reveal()` returns, or `undefined` before the first load. */
  readonly version: string | undefined
  /** True once a value is available. */
  readonly loaded: boolean
  /** Resolves once the secret is loaded; rejects if the load fails. */
  ready(): Promise<this>
  /** Calls `listener` after each rotation; returns the unsubscribe function. */
  onChange(listener: (event: RotateEvent) => void): () => void
}

/** The public API of core's `SecretRedactor` that apps use. */
export interface SecretRedactorLike {
  /** How many values are known. */
  readonly size: number
  /** True when `text` contains a known value. */
  contains(text: string): boolean
  /** `text` with every known value replaced. */
  redact(text: string): string
}

/**
 * The public API of core's `CachedSecretProvider`, declared once: the class `implements` it (so
 * the two cannot drift), and the providers of both builds (ESM and CommonJS) fit it. Narrower views
 * are derived from it (`Pick<SecretProviderLike, …>`). At run time a provider must still be
 * a real `CachedSecretProvider` (from either build); anything else is refused with
 * `InvalidOptionsError`.
 */
export interface SecretProviderLike {
  /** The source secrets are loaded from. */
  readonly source: SecretSource
  /** Scrubs every value the provider has loaded from text. */
  readonly redactor: SecretRedactorLike
  /** True after `close()`. */
  readonly closed: boolean
  /** Resolves to the secret's value; `'name#field'` selects a field of a JSON secret. */
  getSecret(name: string): Promise<string>
  /** The secret parsed as JSON. */
  getJson<T = unknown>(name: string): Promise<T>
  /** A live handle whose `reveal()` is synchronous and follows rotations. */
  handle(name: string): SecretHandleLike
  /**
   * Loads every name; rejects once with a `SecretPreloadError` naming every failure. `options`
   * paces the loads (`concurrency`, `ratePerSecond`).
   */
  preload(names: Iterable<string>, options?: PreloadOptions): Promise<void>
  /** Reloads a secret now; rate-limited per name. */
  refresh(name: string): Promise<void>
  /** Marks one secret (or all) as expired. */
  invalidate(name?: string): void
  /** Version and timing of a cached secret, never its value. */
  describe(name: string): SecretInfo | undefined
  /** Subscribes to `'rotate'`, `'refresh'`, `'stale'` or `'error'`; returns the unsubscribe function. */
  on<K extends keyof SecretEvents>(event: K, listener: (payload: SecretEvents[K]) => void): () => void
  /** Counters since creation. */
  stats(): CacheStats
  /** Where each secret stands (fresh, stale, expired, failing, missing): names, versions, ages, codes. */
  health(names?: Iterable<string>): SecretsHealth
  /** Stops timers, aborts loads in flight and closes the source. */
  close(): Promise<void>
}

/**
 * `{ provider }` (a provider the app built and closes; either build of core) or
 * `{ source, ...CacheOptions }` (the integration builds the provider and closes it).
 */
export type ProviderLikeOptions =
  | { provider: SecretProviderLike; source?: never }
  | ({ source: SecretSource; provider?: never } & CacheOptions)
