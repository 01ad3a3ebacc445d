import { createHmac, randomBytes } from 'node:crypto'
import { type CacheSettings, MAX_TIMER_MS, resolveCacheOptions } from './cache-options.js'
import { ProviderClock } from './clock.js'
import { loadProbe, publishEvict, publishRotate, publishStale } from './diagnostics.js'
import { type Entry, heldParts, newEntry } from './entry.js'
import { EntryState } from './entry-state.js'
import {
  ErrorCode,
  InvalidOptionsError,
  ProviderClosedError,
  SecretError,
  SecretPreloadError,
  SecretTooLargeError,
  SecretUnavailableError,
  toSecretError,
} from './errors.js'
import { Emitter, reportListenerError } from './events.js'
import { SecretHandle, updateHandle } from './handle.js'
import { buildHealth, type SecretsHealth } from './health.js'
import { parseSecretJson, selectField } from './json.js'
import { MAX_SECRET_BYTES } from './limits.js'
import { parseSecretRef } from './names.js'
import { type PreloadOptions, preloadRequired, resolvePreloadOptions, settlePaced } from './preload-pacing.js'
import type { SecretProviderLike } from './provider-like.js'
import { type SecretRedactor, sharedRedactor } from './redactor.js'
import { backoffDelay, KeepAlive, LoadScope, withRetry } from './retry.js'
import { secretParts } from './secret-parts.js'
import type {
  CacheOptions,
  CacheStats,
  LoadContext,
  LoadedSecret,
  SecretEvents,
  SecretInfo,
  SecretProvider,
  SecretSource,
} from './types.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')
const BRAND = Symbol.for('@latchkey/core.CachedSecretProvider')
const LONGEST_BACKGROUND_RETRY = 30_000

/** Reloads that confirm an access denial of a held value, one every quarter of `confirmDenial`. */
const CONFIRMING_RELOADS = 4
/**
 * A version for sources without one: a keyed hash, so that a version seen in a log or an event
 * cannot be used to test guesses of a weak value offline. The key is per provider.
 */
function contentVersion(key: Buffer, value: string): string {
  return `hmac:${createHmac('sha256', key).update(value).digest('hex').slice(0, 16)}`
}

/**
 * Checks what a source returned: anything but `{ value: string | Uint8Array, version?: string,
 * ttlMs?: number }` is a malformed answer, which is transient (the next load may be fine).
 */
function checkLoaded(loaded: unknown, secretName: string, source: string): asserts loaded is LoadedSecret {
  const ok =
    typeof loaded === 'object' &&
    loaded !== null &&
    (typeof (loaded as LoadedSecret).value === 'string' ||
      (loaded as LoadedSecret).value instanceof Uint8Array) &&
    ((loaded as LoadedSecret).version === undefined ||
      typeof (loaded as LoadedSecret).version === 'string') &&
    ((loaded as LoadedSecret).ttlMs === undefined || typeof (loaded as LoadedSecret).ttlMs === 'number')
  if (!ok) {
    throw new SecretUnavailableError(
      { secretName, source },
      `source ${source} returned a malformed result for secret "${secretName}" (expected { value: string | Uint8Array, version?: string, ttlMs?: number })`,
    )
  }
}

/** The load context for `entry`: with `current` when the cache holds a value (see {@link LoadContext.current}). */
function withCurrent(ctx: LoadContext, entry: Entry): LoadContext {
  if (entry.value === undefined) return ctx
  const current = { version: entry.version, value: entry.value }
  // `ctx.signal` is a getter that makes the signal on first use: delegate, do not copy
  return {
    get signal() {
      return ctx.signal
    },
    current,
  }
}

/** True for a {@link CachedSecretProvider}, also across two copies of `@latchkey/core`. */
export function isCachedSecretProvider(value: unknown): value is CachedSecretProvider {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/**
 * The cached, rotation-aware provider: TTL with jitter, refresh-ahead, single-flight loads,
 * stale-if-error, retries with backoff, rotation events, rate-limited forced refresh, an LRU bound,
 * and a redactor that knows every value it has handed out.
 */
export class CachedSecretProvider implements SecretProvider, SecretProviderLike {
  /** Scrubs every value this provider has loaded (and recently rotated out) from text. */
  readonly redactor: SecretRedactor
  /** The source secrets are loaded from. */
  readonly source: SecretSource

  readonly #entries = new Map<string, Entry>()
  readonly #handles = new Map<string, SecretHandle>()
  readonly #events: Emitter<SecretEvents>
  readonly #scope = new LoadScope()
  /** Loads in flight and whether each keeps the process alive (a caller awaits it). */
  readonly #keepAlives = new Map<Entry, KeepAlive>()
  /**
   * The key of {@link contentVersion}, made on the first value a source returns without a version
   * (most sources give one: no random bytes are drawn on the way to their first secret).
   */
  #versionKey: Buffer | undefined
  /** Names already reported as holding a value too short to scrub everywhere. */
  readonly #shortReported = new Set<string>()
  /** Every time inside the provider is in this clock's terms; a time leaves it through `wall()`. */
  readonly #clock: ProviderClock
  readonly #settings: CacheSettings
  readonly #stats = { hits: 0, misses: 0, loads: 0, failures: 0, staleServed: 0, rotations: 0, evictions: 0 }
  #closed = false

  constructor(source: SecretSource, options: CacheOptions = {}) {
    if (typeof source !== 'object' || source === null || typeof source.load !== 'function') {
      throw new InvalidOptionsError('CachedSecretProvider needs a source with a load(name, ctx) method')
    }
    this.source = source
    const settings = resolveCacheOptions(options)
    this.#settings = settings
    this.#clock = new ProviderClock(settings.clock)
    this.#events = new Emitter(this.#settings.logger)
    const redactor = options.redactor ?? sharedRedactor()
    if (typeof redactor?.add !== 'function' || typeof redactor.release !== 'function') {
      throw new InvalidOptionsError(
        `option "redactor" must be a SecretRedactor (got ${redactor === null ? 'null' : typeof redactor})`,
      )
    }
    this.redactor = redactor
    Object.defineProperty(this, BRAND, { value: true })
  }

  /** Resolves to the secret's value; `'name#field'` selects a field of a JSON secret. */
  getSecret(name: string): Promise<string> {
    let entry = this.#entries.get(name)
    let field: string | undefined
    if (entry === undefined) {
      try {
        if (this.#closed) throw new ProviderClosedError({ secretName: name })
        const ref = parseSecretRef(name)
        field = ref.field
        entry = this.#entries.get(ref.secret)
        if (entry === undefined) return this.#getSlow(ref.secret, field, undefined)
      } catch (error) {
        return Promise.reject(error)
      }
    }
    // inline #isFresh and #reloadDue: this is the hot path
    if (entry.state <= EntryState.RELOADING) {
      const now = this.#clock.now()
      if (now < entry.expiresAt) {
        entry.used = true
        this.#stats.hits++
        if (entry.state === EntryState.HELD && now >= entry.refreshAt && entry.inflight === undefined) {
          this.#reloadInBackground(entry)
        }
        // made on the first warm read of each value, so entries nobody reads again cost no promise
        if (field === undefined) {
          // every state up to RELOADING holds a value
          if (entry.resolved === undefined) entry.resolved = Promise.resolve(entry.value as string)
          return entry.resolved
        }
        try {
          return this.#fieldPromise(entry, field)
        } catch (error) {
          return Promise.reject(error)
        }
      }
    }
    return this.#getSlow(entry.name, field, entry)
  }

  /** The secret parsed as JSON (a fresh object each call). */
  async getJson<T = unknown>(name: string): Promise<T> {
    const value = await this.getSecret(name)
    return parseSecretJson(value, { secretName: name, source: this.source.name }, true) as T
  }

  /**
   * A live handle: `reveal()` is synchronous and follows rotations. The secret is pinned (never
   * evicted) and kept fresh in the background. Loading starts now; await `handle.ready()` or
   * `preload()` before the first `reveal()`.
   */
  handle(name: string): SecretHandle {
    this.#assertOpen(name)
    const existing = this.#handles.get(name)
    if (existing !== undefined) return existing
    const ref = parseSecretRef(name)
    const entry = this.#entry(ref.secret)
    const handle = new SecretHandle(name, {
      load: () => this.getSecret(name),
      report: (error) =>
        reportListenerError(this.#settings.logger, `an onChange listener of "${name}"`, error),
      clock: this.#clock.exact,
      source: this.source.name,
    })
    this.#handles.set(name, handle)
    entry.handles ??= new Set()
    entry.handles.add(handle)
    this.#pin(entry)
    if (entry.value !== undefined) this.#pushToHandle(entry, handle)
    else this.#loadInBackground(entry)
    return handle
  }

  /**
   * Loads every name (one batch call when the source has `loadMany`) and pins them. Rejects once,
   * with a {@link SecretPreloadError} whose `errors` name every failure. With `concurrency` or
   * `ratePerSecond` (see {@link PreloadOptions}) the names load one by one, paced, so a fleet
   * starting together spreads its reads.
   */
  async preload(names: Iterable<string>, options?: PreloadOptions): Promise<void> {
    this.#assertOpen()
    // without options (the integrations' init-phase preload) neither check is compiled or run
    const pacing = options === undefined ? undefined : resolvePreloadOptions(options)
    const required = options === undefined || preloadRequired(options)
    const refs: Array<{ name: string; secret: string; field: string | undefined }> = []
    const failures: SecretError[] = []
    for (const name of new Set(names)) {
      try {
        refs.push({ name, ...parseSecretRef(name) })
      } catch (error) {
        failures.push(toSecretError(error, String(name), this.source.name))
      }
    }
    const entries = [...new Set(refs.map((ref) => this.#entry(ref.secret)))]
    for (const entry of entries) {
      this.#pin(entry)
      if (required) entry.required = true
    }
    const now = this.#clock.now()
    const cold = entries.filter((e) => e.inflight === undefined && !this.#isFresh(e, now))
    if (pacing === undefined && cold.length > 1 && this.source.loadMany !== undefined) {
      await this.#loadBatch(cold)
    }
    const outcomes =
      pacing === undefined
        ? await Promise.allSettled(entries.map((entry) => this.#ensure(entry)))
        : await settlePaced(
            entries,
            pacing,
            (entry) => this.#ensure(entry),
            () => this.#closed,
          )
    const failed = new Set<string>()
    outcomes.forEach((outcome, i) => {
      const entry = entries[i] as Entry
      if (outcome.status === 'rejected') {
        failed.add(entry.name)
        failures.push(toSecretError(outcome.reason, entry.name, this.source.name))
      }
    })
    for (const ref of refs) {
      if (ref.field === undefined || failed.has(ref.secret)) continue
      try {
        this.#field(this.#entries.get(ref.secret) as Entry, ref.field)
      } catch (error) {
        failures.push(toSecretError(error, ref.name, this.source.name))
      }
    }
    if (failures.length > 0) throw new SecretPreloadError(failures)
  }

  /**
   * Reloads a secret now, for callers that know it is stale (a database said "password
   * authentication failed"). Shares a load already in flight, and runs at most once per
   * `minRefreshInterval` per name; calls inside that window share the last result.
   */
  async refresh(name: string): Promise<void> {
    this.#assertOpen(name)
    const entry = this.#entry(parseSecretRef(name).secret)
    if (entry.inflight !== undefined) {
      this.#keepAlives.get(entry)?.hold()
      return entry.inflight
    }
    const now = this.#clock.now()
    if (entry.value !== undefined && now - entry.lastForced < this.#settings.minRefreshInterval) return
    entry.lastForced = now
    entry.forced = true
    entry.error = undefined
    if (entry.state === EntryState.FAILED) entry.moveTo(EntryState.EMPTY)
    return this.#load(entry, true)
  }

  /** Marks one secret (or all) as expired: the next `getSecret` loads it again. Handles keep their value until then. */
  invalidate(name?: string): void {
    const targets =
      name === undefined ? [...this.#entries.values()] : [this.#entries.get(parseSecretRef(name).secret)]
    for (const entry of targets) {
      if (entry === undefined) continue
      if (entry.state === EntryState.CLOSED) continue
      // expired as of now: a failing reload may still serve it within maxStale
      entry.expiresAt = Math.min(entry.expiresAt, this.#clock.now())
      entry.error = undefined
      entry.moveTo(entry.value === undefined ? EntryState.EMPTY : EntryState.INVALIDATED)
      if (entry.pinned && !this.#closed) this.#loadInBackground(entry)
    }
  }

  /** What is known about a cached secret: version and times, never the value. */
  describe(name: string): SecretInfo | undefined {
    const entry = this.#entries.get(parseSecretRef(name).secret)
    if (entry === undefined || entry.value === undefined) return undefined
    return {
      name: entry.name,
      source: this.source.name,
      version: entry.version,
      loadedAt: this.#clock.wall(entry.loadedAt),
      expiresAt: this.#clock.wall(entry.expiresAt),
      stale: entry.stale,
      pinned: entry.pinned,
      ...(entry.contentType === undefined ? {} : { contentType: entry.contentType }),
    }
  }

  /**
   * Where each secret stands — fresh, stale (since when), expired, failing or missing — with its
   * version, age and last error code; never a value. Without `names` every cached secret is
   * reported and the pinned ones (handles, preloaded names) are required; with `names` exactly
   * those, all required. `status` is `'down'` only when a required secret has no servable value.
   */
  health(names?: Iterable<string>): SecretsHealth {
    return buildHealth(
      {
        source: this.source.name,
        now: this.#clock.wall(this.#clock.exact()),
        epoch: this.#clock.epoch,
        entries: this.#entries,
        staleUntil: (entry) => this.#staleUntil(entry),
      },
      names,
    )
  }

  /** Subscribes to `'rotate'`, `'refresh'`, `'stale'` or `'error'`. Returns the unsubscribe function. */
  on<K extends keyof SecretEvents>(event: K, listener: (payload: SecretEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  /** Counters since creation. */
  stats(): CacheStats {
    return { ...this.#stats, size: this.#entries.size }
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Stops timers and watchers, aborts loads in flight, closes the source, and makes later calls
   * reject with {@link ProviderClosedError}. Handles keep returning their last value.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#scope.close()
    this.#clock.stop()
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.timer)
      entry.unwatch?.()
      // sends every later read down the slow path, which rejects
      entry.moveTo(EntryState.CLOSED)
      // handles keep returning their last value after close, so theirs stay held
      if (entry.value !== undefined && entry.handles === undefined) this.#letGo(entry)
    }
    this.#events.clear()
    await this.source.close?.()
  }

  [INSPECT](): string {
    return `CachedSecretProvider { source: ${JSON.stringify(this.source.name)}, size: ${this.#entries.size}, closed: ${this.#closed} }`
  }

  toJSON(): object {
    return { source: this.source.name, size: this.#entries.size, closed: this.#closed }
  }

  async #getSlow(secret: string, field: string | undefined, known: Entry | undefined): Promise<string> {
    this.#assertOpen(secret)
    const entry = known ?? this.#entry(secret)
    await this.#ensure(entry)
    return field === undefined ? (entry.value as string) : this.#field(entry, field)
  }

  /** Makes sure the entry has a value that may be served: fresh, or stale within `maxStale` after a transient failure. */
  async #ensure(entry: Entry): Promise<void> {
    const now = this.#clock.now()
    if (this.#isFresh(entry, now)) {
      this.#stats.hits++
      return
    }
    if (this.#answersError(entry, now)) throw entry.error
    if (entry.value !== undefined && now < this.#staleUntil(entry) && this.#mayServeStale(entry)) {
      this.#stats.staleServed++
      this.#publishStale(entry)
      if (this.#reloadDue(entry, now)) this.#reloadInBackground(entry)
      return
    }
    this.#stats.misses++
    try {
      await this.#load(entry, true)
    } catch (error) {
      if (!(error instanceof SecretError) || (!error.transient && !this.#underDenial(entry))) throw error
      if (entry.value === undefined || this.#clock.now() >= this.#staleUntil(entry)) throw error
      this.#stats.staleServed++
      this.#publishStale(entry)
      // under a denial, #holdUnderDenial has scheduled the confirming reload
      if (!this.#underDenial(entry)) this.#deferRetry(entry)
    }
  }

  /**
   * Whether a reader past expiry (within `maxStale`) gets the last good value at once instead of
   * waiting: a reload has failed since the last success, or a background reload is already under
   * way. Nobody waits on a backend that is known to be failing. Emits `'stale'` on the way in.
   */
  #mayServeStale(entry: Entry): boolean {
    if (entry.stale) return true
    if (entry.error !== undefined) {
      entry.stale = true
      this.#events.emit('stale', {
        name: entry.name,
        error: entry.error,
        staleUntil: this.#clock.wall(this.#staleUntil(entry)),
      })
      return true
    }
    return entry.inflight !== undefined && this.#keepAlives.get(entry)?.held === false
  }

  /** Tells the `latchkey:stale` diagnostics channel about a stale serve (names, versions and times only). */
  #publishStale(entry: Entry): void {
    publishStale(
      entry.name,
      this.source.name,
      entry.version,
      this.#clock.wall(entry.expiresAt),
      this.#clock.wall(this.#staleUntil(entry)),
      entry.error,
    )
  }

  /** Whether the entry holds a value that may be served without a load (see {@link EntryState}). */
  #isFresh(entry: Entry, now: number): boolean {
    return entry.state <= EntryState.RELOADING && now < entry.expiresAt
  }

  /** Whether a `FAILED` entry still answers its permanent error without a new load. */
  #answersError(entry: Entry, now: number): boolean {
    return entry.state === EntryState.FAILED && now < entry.errorUntil
  }

  /** Whether a reader should start a background reload of the held value now. */
  #reloadDue(entry: Entry, now: number): boolean {
    if (entry.inflight !== undefined) return false
    return (
      entry.state === EntryState.INVALIDATED || (entry.state === EntryState.HELD && now >= entry.refreshAt)
    )
  }

  /**
   * Until when the entry's value may be served past expiry while reloads fail: `maxStale` past
   * expiry, or not at all for a value with a lease (a source `ttlMs`) — it is useless after it.
   */
  #staleUntil(entry: Entry): number {
    return entry.leaseEnd === Number.POSITIVE_INFINITY
      ? entry.expiresAt + this.#settings.maxStale
      : entry.expiresAt
  }

  #entry(name: string): Entry {
    let entry = this.#entries.get(name)
    if (entry !== undefined) return entry
    if (this.#entries.size >= this.#settings.maxEntries) this.#evict()
    entry = newEntry(name)
    this.#entries.set(name, entry)
    return entry
  }

  /** Evicts until the cache is within `maxEntries` again (after a burst of new names settles). */
  #trim(): void {
    while (this.#entries.size > this.#settings.maxEntries && this.#evict());
  }

  /**
   * Evicts one entry, chosen by CLOCK (second chance) in the Map's order — amortised O(1), close to
   * LRU: an entry read since eviction last passed over it, or a pinned one, moves to the back.
   * Entries with a load in flight are skipped. Returns false when nothing could be evicted.
   */
  #evict(): boolean {
    let victim: Entry | undefined
    let budget = this.#entries.size * 2
    for (const entry of this.#entries.values()) {
      if (budget-- <= 0) break
      if (entry.inflight !== undefined) continue
      if (entry.pinned || entry.used) {
        entry.used = false
        this.#entries.delete(entry.name)
        this.#entries.set(entry.name, entry)
        continue
      }
      victim = entry
      break
    }
    if (victim === undefined) return false
    if (victim.value !== undefined) this.#letGo(victim)
    clearTimeout(victim.timer)
    victim.unwatch?.()
    this.#entries.delete(victim.name)
    this.#stats.evictions++
    publishEvict(victim.name, this.source.name, victim.value === undefined ? undefined : victim.version)
    return true
  }

  #pin(entry: Entry): void {
    if (entry.pinned) return
    entry.pinned = true
    if (entry.value !== undefined) this.#schedule(entry)
  }

  #assertOpen(secretName?: string): void {
    if (this.#closed) throw new ProviderClosedError(secretName === undefined ? {} : { secretName })
  }

  #fieldPromise(entry: Entry, field: string): Promise<string> {
    const cached = entry.fields?.get(field)
    if (cached !== undefined) return cached.resolved
    return Promise.resolve(this.#field(entry, field))
  }

  #field(entry: Entry, field: string): string {
    const cached = entry.fields?.get(field)
    if (cached !== undefined) return cached.value
    const value = entry.value as string
    const context = { secretName: `${entry.name}#${field}`, source: this.source.name }
    if (entry.parsed?.for !== value) entry.parsed = { for: value, json: parseSecretJson(value, context) }
    const selected = selectField(entry.parsed.json, field, context, value)
    entry.fields ??= new Map()
    entry.fields.set(field, { value: selected, resolved: Promise.resolve(selected) })
    return selected
  }

  /** One single-flight load of `entry`, with retries. Rejects with a {@link SecretError}. */
  #load(entry: Entry, awaited: boolean): Promise<void> {
    if (entry.inflight !== undefined) {
      if (awaited) this.#keepAlives.get(entry)?.hold()
      return entry.inflight
    }
    const keepAlive = new KeepAlive(awaited)
    this.#keepAlives.set(entry, keepAlive)
    const probe = loadProbe([entry.name], this.source.name, false, !awaited)
    const run =
      probe === undefined
        ? this.#runLoad(entry, keepAlive)
        : probe.run(
            () => this.#runLoad(entry, keepAlive),
            keepAlive,
            () => entry.version,
          )
    const flight = run.finally(() => {
      entry.inflight = undefined
      this.#keepAlives.delete(entry)
      // a burst of new names can push the cache past maxEntries while every entry is loading
      if (this.#entries.size > this.#settings.maxEntries) this.#trim()
    })
    entry.inflight = flight
    return flight
  }

  async #runLoad(entry: Entry, keepAlive: KeepAlive): Promise<void> {
    this.#stats.loads++
    const context = { secretName: entry.name, source: this.source.name }
    try {
      const loaded = await withRetry(
        (ctx) => this.source.load(entry.name, withCurrent(ctx, entry)),
        this.#settings.retry,
        this.#scope,
        context,
        keepAlive,
      )
      this.#accept(entry, loaded)
    } catch (raw) {
      throw this.#fail(entry, toSecretError(raw, entry.name, this.source.name, this.redactor))
    }
  }

  /**
   * One `loadMany` call for many cold entries. Each entry's flight waits for the batch and then
   * falls back to a single load (with its own retries) when the batch did not give it a value.
   */
  async #loadBatch(entries: Entry[]): Promise<void> {
    const loadMany = this.source.loadMany?.bind(this.source)
    if (loadMany === undefined) return
    const names = entries.map((e) => e.name)
    this.#stats.loads++
    const keepAlive = new KeepAlive(true)
    let results: unknown
    const fetchBatch = async (): Promise<void> => {
      results = await withRetry(
        (ctx) => loadMany(names, ctx),
        this.#settings.retry,
        this.#scope,
        { secretName: names.join(','), source: this.source.name },
        keepAlive,
      )
    }
    const probe = loadProbe(names, this.source.name, true, false)
    const fetched = probe === undefined ? fetchBatch() : probe.run(fetchBatch, keepAlive, () => undefined)
    const processed = fetched.then(
      () => {
        // anything but a Map is a malformed answer: every entry falls back to a single load
        if (!(results instanceof Map)) return
        for (const entry of entries) this.#acceptBatchResult(entry, results.get(entry.name))
      },
      () => undefined,
    )
    for (const entry of entries) {
      const flight = processed.then(() => {
        entry.inflight = undefined
        const now = this.#clock.now()
        if (this.#isFresh(entry, now)) return
        if (this.#answersError(entry, now)) throw entry.error
        return this.#load(entry, true)
      })
      flight.catch(() => undefined)
      entry.inflight = flight
    }
    await processed
  }

  #acceptBatchResult(entry: Entry, result: LoadedSecret | Error | undefined): void {
    if (result === undefined) return
    if (typeof result !== 'object' || result === null || result instanceof Error) {
      const error = toSecretError(result, entry.name, this.source.name, this.redactor)
      if (!error.transient) this.#fail(entry, error)
      return
    }
    try {
      this.#accept(entry, result)
    } catch (error) {
      this.#fail(entry, toSecretError(error, entry.name, this.source.name))
    }
  }

  /**
   * Takes a loaded value into `entry`: checks it, stores it with its timings, and tells everyone
   * who depends on it (the redactor, handles, the refresh timer, listeners). Each step has one home.
   */
  #accept(entry: Entry, loaded: LoadedSecret): void {
    if (this.#closed) throw new ProviderClosedError({ secretName: entry.name })
    const { value, version, sourceTtl } = this.#checkLoaded(entry, loaded)
    const oldValue = entry.value
    const oldVersion = entry.version
    this.#store(entry, value, version)
    entry.contentType = typeof loaded.contentType === 'string' ? loaded.contentType : undefined
    this.#setTimes(entry, sourceTtl)
    if (oldValue !== value) this.#rekeyRedactor(entry, oldValue, loaded)
    this.#watch(entry)
    if (entry.handles !== undefined) for (const handle of entry.handles) this.#pushToHandle(entry, handle)
    if (entry.pinned) this.#schedule(entry)
    // a first value is no reload: nothing to announce (the forced flag of a refresh() of an empty entry ends)
    if (oldValue === undefined) entry.forced = false
    else this.#announce(entry, oldVersion)
  }

  /**
   * What a source returned, as the cache keeps it: a string value (binary as base64) within
   * {@link MAX_SECRET_BYTES}, a version (the content's keyed hash when the source has none), and
   * the source's lifetime if it imposes one. Throws on a malformed or oversized answer.
   */
  #checkLoaded(entry: Entry, loaded: LoadedSecret): { value: string; version: string; sourceTtl?: number } {
    checkLoaded(loaded, entry.name, this.source.name)
    const raw = loaded.value
    const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength
    if (size > MAX_SECRET_BYTES) {
      throw new SecretTooLargeError(size, MAX_SECRET_BYTES, {
        secretName: entry.name,
        source: this.source.name,
      })
    }
    const value =
      typeof raw === 'string'
        ? raw
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
    const version = loaded.version ?? contentVersion(this.#contentKey(), value)
    const sourceTtl = loaded.ttlMs !== undefined && loaded.ttlMs > 0 ? loaded.ttlMs : undefined
    return { value, version, sourceTtl }
  }

  /** The key of {@link contentVersion}, drawn the first time a value comes without a version. */
  #contentKey(): Buffer {
    if (this.#versionKey === undefined) this.#versionKey = randomBytes(32)
    return this.#versionKey
  }

  /** Stores a good value: derived forms of an old value are dropped, any error or staleness is over. */
  #store(entry: Entry, value: string, version: string): void {
    if (entry.value !== value) {
      entry.value = value
      entry.resolved = undefined
      entry.fields = undefined
    }
    entry.version = version
    // A value with a source-imposed lifetime (a lease) is useless after it: no stale serving.
    entry.recovered()
  }

  /**
   * Timing maths for a fresh value: the lease end a source imposed, expiry after the TTL (shortened
   * by the lease), and the refresh-ahead point with jitter so a fleet does not reload in lockstep.
   * The refresh-ahead point is rounded down to a whole millisecond (timers have no finer grain),
   * so it stays a small integer V8 keeps inline instead of a boxed double per entry.
   */
  #setTimes(entry: Entry, sourceTtl: number | undefined): void {
    const now = this.#clock.now()
    const { refreshAhead, jitter } = this.#settings
    const ttl = sourceTtl === undefined ? this.#settings.ttl : Math.min(this.#settings.ttl, sourceTtl)
    entry.leaseEnd = sourceTtl === undefined ? Number.POSITIVE_INFINITY : now + sourceTtl
    entry.loadedAt = now
    entry.expiresAt = now + ttl
    entry.refreshAt =
      refreshAhead > 0
        ? now + Math.floor(Math.max(0, ttl * refreshAhead - ttl * jitter * this.#settings.random()))
        : entry.expiresAt
    entry.moveTo(EntryState.HELD)
  }

  /**
   * Redactor bookkeeping on a value change (`entry.value` is already the new value): hold the new
   * value's parts, let go of the old one's. The entry records what it holds — a flag when that is
   * the value alone, a list otherwise — so no per-entry array or map row is kept for the common case.
   */
  #rekeyRedactor(entry: Entry, oldValue: string | undefined, loaded: LoadedSecret): void {
    const old = heldParts(entry, oldValue)
    const value = entry.value as string
    // not sensitive (the source or `notSensitive` says so): served, never registered, never warned about
    const sensitive = loaded.sensitive !== false && !this.#settings.notSensitive.has(entry.name)
    const parts = sensitive ? secretParts(value, loaded.publicFields) : []
    this.#hold(entry.name, parts)
    const alone = parts.length === 1 && parts[0] === value
    entry.holdsValue = alone
    entry.heldParts = alone || parts.length === 0 ? undefined : parts
    if (old !== undefined) this.#release(old)
  }

  /** Subscribes once to the source's change notifications for this name (sources with `watch`). */
  #watch(entry: Entry): void {
    if (entry.unwatch !== undefined || this.source.watch === undefined) return
    entry.unwatch = this.source.watch(entry.name, () => {
      if (!this.#closed) this.#loadInBackground(entry)
    })
  }

  /** After a reload (not the first load): `'rotate'` when the version changed, `'refresh'` otherwise. */
  #announce(entry: Entry, oldVersion: string): void {
    const forced = entry.forced
    entry.forced = false
    const version = entry.version
    if (oldVersion !== version) {
      this.#stats.rotations++
      publishRotate(entry.name, this.source.name, oldVersion, version)
      this.#events.emit('rotate', { name: entry.name, oldVersion, newVersion: version })
    } else {
      this.#events.emit('refresh', { name: entry.name, version, forced })
    }
  }

  /** Records a failed load; a permanent failure removes the value (stale data never hides it). */
  #fail(entry: Entry, error: SecretError): SecretError {
    this.#stats.failures++
    const now = this.#clock.now()
    if (this.#holdUnderDenial(entry, error, now)) return error
    if (!error.transient && !(error instanceof ProviderClosedError)) {
      entry.deniedSince = undefined
      entry.error = error
      entry.errorUntil = now + this.#settings.minRefreshInterval
      this.#clear(entry, error, EntryState.FAILED)
    } else if (entry.value !== undefined) {
      // remembered so that readers arriving at expiry get the stale value at once (#mayServeStale)
      entry.error = error
      if (now >= this.#staleUntil(entry)) {
        this.#clear(entry, error, EntryState.EMPTY)
      } else if (now >= entry.expiresAt) {
        entry.stale = true
        this.#events.emit('stale', {
          name: entry.name,
          error,
          staleUntil: this.#clock.wall(this.#staleUntil(entry)),
        })
      }
    } else if (error.transient) {
      // nothing to fall back on: remembered for health() only (never answered without a new load)
      entry.error = error
      entry.moveTo(EntryState.EMPTY)
    }
    return error
  }

  /**
   * An access denial answered to a reload of a held value keeps the value until the denial is
   * confirmed: the load is tried again every quarter of `confirmDenial`, and a denial still answered
   * once `confirmDenial` has passed since the first one — or answered to all four confirming
   * reloads, whatever an injected clock says — drops the value (returns `false`).
   */
  #holdUnderDenial(entry: Entry, error: SecretError, now: number): boolean {
    const window = this.#settings.confirmDenial
    if (window === 0 || error.code !== ErrorCode.ACCESS_DENIED || entry.value === undefined) return false
    if (entry.deniedSince === undefined) {
      entry.deniedSince = now
      entry.denials = 0
    }
    entry.denials++
    const confirmBy = entry.deniedSince + window
    if (now >= confirmBy || entry.denials > CONFIRMING_RELOADS) return false
    entry.error = error
    const delay = Math.max(1, Math.min(Math.ceil(window / 4), confirmBy - now))
    entry.refreshAt = now + delay
    entry.moveTo(EntryState.HELD)
    this.#scheduleAt(entry, delay)
    return true
  }

  /** Whether the entry's held value is being served under an unconfirmed access denial. */
  #underDenial(entry: Entry): boolean {
    return entry.deniedSince !== undefined && entry.value !== undefined
  }

  /**
   * Registers `parts` — every string a value can hand out (the value, its JSON fields; see
   * `secretParts`) — with the redactor, one hold each: a value shared with another secret, or a field that survived a rotation, stays
   * scrubbed while anything holds it.
   */
  #hold(name: string, parts: readonly string[]): void {
    const minLength = this.#settings.minRedactLength
    for (const part of parts) {
      if (part.length < minLength && !this.#shortReported.has(name)) {
        this.#shortReported.add(name)
        this.#settings.logger.warn(
          `latchkey: ${name} holds a value shorter than ${minLength} characters; it is scrubbed from logs only where it stands whole`,
          { secretName: name },
        )
      }
      this.redactor.add(part, name, minLength)
    }
  }

  /** Lets go of the holds {@link #hold} took for the entry's current value; the redactor's retention starts for those no longer held. */
  #letGo(entry: Entry): void {
    const parts = heldParts(entry, entry.value)
    entry.holdsValue = false
    entry.heldParts = undefined
    if (parts !== undefined) this.#release(parts)
  }

  #release(parts: readonly string[]): void {
    for (const part of parts) this.redactor.release(part, this.#settings.redactRetention)
  }

  /** Drops the value (the entry moves to `next`): callers and handles get `error` until a load succeeds. */
  #clear(entry: Entry, error: SecretError, next: typeof EntryState.EMPTY | typeof EntryState.FAILED): void {
    entry.moveTo(next)
    const hadValue = entry.value !== undefined
    if (entry.value !== undefined) this.#letGo(entry)
    entry.value = undefined
    entry.resolved = undefined
    entry.fields = undefined
    entry.parsed = undefined
    entry.stale = false
    if (hadValue && entry.handles !== undefined) {
      for (const handle of entry.handles)
        updateHandle(handle, {
          value: undefined,
          version: undefined,
          error,
          notAfter: Number.POSITIVE_INFINITY,
        })
    }
  }

  #pushToHandle(entry: Entry, handle: SecretHandle): void {
    const hash = handle.name.indexOf('#')
    if (hash === -1) {
      updateHandle(handle, {
        value: entry.value,
        version: entry.version,
        error: undefined,
        notAfter: entry.leaseEnd,
      })
      return
    }
    try {
      const value = this.#field(entry, handle.name.slice(hash + 1))
      updateHandle(handle, { value, version: entry.version, error: undefined, notAfter: entry.leaseEnd })
    } catch (raw) {
      const error = toSecretError(raw, handle.name, this.source.name)
      updateHandle(handle, {
        value: undefined,
        version: undefined,
        error,
        notAfter: Number.POSITIVE_INFINITY,
      })
      this.#events.emit('error', { name: handle.name, error })
    }
  }

  #loadInBackground(entry: Entry): void {
    this.#load(entry, false).catch((error: SecretError) => this.#backgroundFailed(entry, error))
  }

  #reloadInBackground(entry: Entry): void {
    // Until this reload settles, callers keep the current value; a failure pushes the next try back.
    if (entry.value !== undefined) entry.moveTo(EntryState.RELOADING)
    this.#loadInBackground(entry)
  }

  /** After a failed reload, waits (with growing back-off) before the next background attempt. */
  #deferRetry(entry: Entry): number {
    entry.backgroundFailures++
    const delay = Math.max(
      this.#settings.minRefreshInterval,
      backoffDelay(entry.backgroundFailures, {
        ...this.#settings.retry,
        // never wait longer than one TTL (and 30 s) between background attempts
        maxDelay: Math.min(LONGEST_BACKGROUND_RETRY, this.#settings.ttl),
      }),
    )
    entry.refreshAt = this.#clock.now() + delay
    if (entry.value !== undefined) entry.moveTo(EntryState.HELD)
    return delay
  }

  #backgroundFailed(entry: Entry, error: SecretError): void {
    if (this.#closed) return
    if (this.#underDenial(entry)) {
      // #holdUnderDenial has scheduled the confirming reload
      this.#events.emit('error', { name: entry.name, error, heldUnderDenial: true })
      return
    }
    const delay = this.#deferRetry(entry)
    this.#events.emit('error', { name: entry.name, error })
    if (entry.pinned && error.transient) this.#scheduleAt(entry, delay)
  }

  /** Arms the pinned entry's timer for its next reload: at `refreshAt`, at once when invalidated, none while one runs. */
  #schedule(entry: Entry): void {
    if (entry.state === EntryState.RELOADING) {
      clearTimeout(entry.timer)
      return
    }
    const delay = entry.state === EntryState.INVALIDATED ? 0 : entry.refreshAt - this.#clock.now()
    this.#scheduleAt(entry, delay)
  }

  #scheduleAt(entry: Entry, delay: number): void {
    clearTimeout(entry.timer)
    if (this.#closed) return
    entry.timer = setTimeout(
      () => {
        entry.timer = undefined
        if (!this.#closed && entry.inflight === undefined) this.#reloadInBackground(entry)
      },
      Math.max(0, Math.min(delay, MAX_TIMER_MS)),
    )
    entry.timer.unref?.()
  }
}
