import type { SecretRedactor } from './redactor.js'

/** The app-facing contract: anything that can hand out a secret by name. */
export interface SecretProvider {
  /** Resolves to the secret's current value. `'db/creds#password'` selects one JSON field. */
  getSecret(name: string): Promise<string>
}

/** What a source returns for one secret. */
export interface LoadedSecret {
  /** The value: text, or bytes for binary secrets. */
  value: string | Uint8Array
  /** The backend's version (AWS VersionId, Vault KV version, lease id, content hash). */
  version?: string
  /** A lifetime the source imposes (such as a Vault lease), shortening the cache TTL. */
  ttlMs?: number
  /** What the value is, as the backend labels it (Azure Key Vault's `contentType`); shown by `describe()`. */
  contentType?: string
  /**
   * `false` when the value is not secret (a Parameter Store `String`): it is served as usual but
   * never registered for scrubbing and never warned about. @default true
   */
  sensitive?: boolean
  /**
   * Top-level fields of a JSON value whose values are not secret (the `String` parameters of a
   * Parameter Store path read): not registered for scrubbing, like the RDS format's `host` or
   * `port`. @default []
   */
  publicFields?: readonly string[]
}

/** Passed to every source call. */
export interface LoadContext {
  /** Aborted when the attempt times out or the provider closes. */
  signal: AbortSignal
  /**
   * Set when the load reloads a value the cache already holds (refresh-ahead, a forced
   * `refresh()`, a reload after expiry): its `version` and `value` as the cache keeps them (binary
   * values as base64). A source with a cheaper "has it changed?" call (AWS `DescribeSecret`) may
   * return `{ value: current.value, version: current.version }` when the version is unchanged,
   * instead of reading the value again. Absent on a first load. Sources may ignore it.
   */
  current?: HeldSecret
}

/** The value a cache holds for a secret, as {@link LoadContext.current} passes it to a source. */
export interface HeldSecret {
  /** The held version: the source's, or `hmac:…` (a keyed content hash) when the source gave none. */
  version: string
  /** The held value (binary values as base64). */
  value: string
}

/** A backend that secrets come from. Sources throw {@link SecretError}s; anything else is wrapped. */
export interface SecretSource {
  /** Short identifier such as `'aws-secrets-manager'`, `'vault-kv'`, `'env'`, `'file'`, `'memory'`. */
  readonly name: string
  /** Loads one secret. */
  load(name: string, ctx: LoadContext): Promise<LoadedSecret>
  /** Loads many secrets in one round trip when the backend has a batch API. */
  loadMany?(names: string[], ctx: LoadContext): Promise<Map<string, LoadedSecret | Error>>
  /** Tells the source a secret is in use, so sources that can watch (files) notice changes. */
  watch?(name: string, onChange: () => void): () => void
  /** Releases connections, watchers and timers. */
  close?(): Promise<void>
}

/** Something that takes warnings. Defaults to `process.emitWarning`. */
export interface SecretLogger {
  warn(message: string, meta?: object): void
}

/** Retry policy for transient failures: exponential backoff with full jitter. */
export interface RetryOptions {
  /** Retries after the first attempt (a whole number from 0). @default 3 */
  retries?: number
  /** Base delay in ms, from 0 to 2_147_483_647. @default 100 */
  baseDelay?: number
  /** Largest delay in ms, from 0 to 2_147_483_647. @default 2000 */
  maxDelay?: number
}

/** Cache behaviour. Every duration is in milliseconds. */
export interface CacheOptions {
  /**
   * How long a loaded value is fresh. A source `ttlMs` shortens it. Above 0, at most 2_147_483_647
   * (2^31 − 1, the longest Node.js timer; `Infinity` is refused). @default 300_000
   */
  ttl?: number
  /** Fraction of the TTL after which an entry in use reloads in the background; 0 disables. @default 0.8 */
  refreshAhead?: number
  /** Fraction of the TTL by which refresh times are spread at random, so a fleet does not refresh in lockstep. @default 0.1 */
  jitter?: number
  /**
   * How long past expiry a value may be served while reloads fail transiently. From 0; `Infinity`
   * serves it for as long as reloads fail. @default 3_600_000
   */
  maxStale?: number
  /** Retry policy for transient failures. */
  retry?: RetryOptions
  /** Per-attempt timeout; the attempt's AbortSignal fires when it passes. Above 0, at most 2_147_483_647. @default 5_000 */
  timeout?: number
  /**
   * Most secrets kept (a whole number from 1, or `Infinity`); past it an unpinned entry not read
   * recently is evicted (CLOCK, close to LRU), also after a burst of new names settles. @default 1_000
   */
  maxEntries?: number
  /** Least time between two forced refreshes of one name. From 0, at most 2_147_483_647. @default 1_000 */
  minRefreshInterval?: number
  /**
   * How long an access denial answered to a reload of a **held** value is confirmed before the value
   * is dropped (IAM and token propagation produce one-off denials). Within this window the value is
   * still served, `'error'` events say `heldUnderDenial: true`, health reports `deniedSince`, and the
   * load is tried again every quarter of the window; a denial still answered at its end drops the
   * value. A denial on a first load (nothing held) is final at once. `0` drops at the first denial.
   * From 0, at most 2_147_483_647. @default 3_000
   */
  confirmDenial?: number
  /**
   * Values shorter than this are scrubbed from logs only where they stand whole (an entire JSON
   * string, the password of a URL). @default 6 (`DEFAULT_MIN_REDACT_LENGTH`, declared in redaction-defaults.ts)
   */
  minRedactLength?: number
  /** How long a value is still scrubbed from logs after nothing holds it any more (rotated out, evicted). @default 86_400_000 (`DEFAULT_REDACT_RETENTION_MS`, declared in redaction-defaults.ts) */
  redactRetention?: number
  /**
   * Names (exactly as passed to `getSecret`, without `#field`) whose values are not secret —
   * ordinary configuration such as a region or a log level: served as usual, never registered for
   * scrubbing, never warned about. A source can say the same per value (`LoadedSecret.sensitive`).
   * @default []
   */
  notSensitive?: readonly string[]
  /**
   * Where this provider registers the values it hands out, for scrubbing. By default the one
   * redactor shared by the process ({@link sharedRedactor}), which every `redactSecrets()` logger
   * scrubs. Pass `new SecretRedactor()` to keep this provider's values out of the shared one — only
   * when its values must not be scrubbed from other loggers' output (a test harness that asserts on
   * raw log lines), and scrub them yourself with `provider.redactor`.
   * @default sharedRedactor()
   */
  redactor?: SecretRedactor
  /**
   * Time source, called on every read. Without it the provider reads `Date.now()` at most once per
   * millisecond (a coarse clock kept by an unref'd timer). @default Date.now
   */
  clock?: () => number
  /** Random source in [0, 1), used for jitter. @default Math.random */
  random?: () => number
  /** Where warnings go. If its `warn()` throws, the warning goes to `process.emitWarning` instead. @default process.emitWarning */
  logger?: SecretLogger
}

/** What `describe()` tells about a cached secret. Never the value. */
export interface SecretInfo {
  name: string
  source: string
  version: string
  loadedAt: number
  expiresAt: number
  /** True when the value is past its expiry and is being served because reloads fail. */
  stale: boolean
  pinned: boolean
  /** The content type the source reported for the value, when it reports one (Azure Key Vault). */
  contentType?: string
}

/** Counters since the provider was created. */
export interface CacheStats {
  hits: number
  misses: number
  loads: number
  failures: number
  staleServed: number
  rotations: number
  evictions: number
  size: number
}

/** Payload of the `'rotate'` event. */
export interface RotateEvent {
  name: string
  oldVersion: string
  newVersion: string
}

/** Payload of the `'refresh'` event: a reload finished with the same version. */
export interface RefreshEvent {
  name: string
  version: string
  forced: boolean
}

/** Payload of the `'stale'` event: a reload failed and the last good value is still served. */
export interface StaleEvent {
  name: string
  error: Error
  /** When the value stops being served, in clock time. */
  staleUntil: number
}

/**
 * Payload of the `'error'` event: a failure no caller saw — a background reload (refresh-ahead,
 * a pinned entry's timer, a file change) or a handle's field that no longer parses. Failures of a
 * `getSecret`, `preload` or `refresh` reject that call instead.
 */
export interface ErrorEvent {
  name: string
  error: Error
  /**
   * `true` when `error` is an access denial answered to a reload of a held value that is still being
   * served while the denial is confirmed (see the `confirmDenial` option); the value is dropped if
   * the denial persists past that window.
   */
  heldUnderDenial?: boolean
}

/** Events a provider emits, with their payloads. */
export interface SecretEvents {
  rotate: RotateEvent
  refresh: RefreshEvent
  stale: StaleEvent
  error: ErrorEvent
}
