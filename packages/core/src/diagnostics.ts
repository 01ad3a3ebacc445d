import { channel, tracingChannel } from 'node:diagnostics_channel'
import type { SecretError } from './errors.js'

/*
 * `node:diagnostics_channel` publishing. Channels are looked up by name in a process-wide table
 * that Node.js owns, so every copy of @latchkey/core (ESM and CommonJS) publishes to the same
 * channels and one subscriber sees every provider. Each publisher checks `hasSubscribers` before
 * it builds a message: with nobody subscribed, publishing costs one property read.
 *
 * Messages carry names, source names, versions, counts, times and error codes — never a value.
 */

/**
 * The names of the diagnostics channels `@latchkey/core` publishes to (public API: see the README's
 * Diagnostics section for every message's fields).
 */
export const DIAGNOSTICS_CHANNELS = Object.freeze({
  /** `LoadStartMessage`: a source load begins (one per load, however many attempts it takes). */
  loadStart: 'latchkey:load:start',
  /** `LoadEndMessage`: a source load succeeded. */
  loadEnd: 'latchkey:load:end',
  /** `LoadErrorMessage`: a source load failed (after its retries). */
  loadError: 'latchkey:load:error',
  /** `StaleMessage`: a value past its expiry was served because reloads fail. */
  stale: 'latchkey:stale',
  /** `RotateMessage`: a reload brought a new version. */
  rotate: 'latchkey:rotate',
  /** `EvictMessage`: an entry was evicted to keep the cache within `maxEntries`. */
  evict: 'latchkey:evict',
  /**
   * The `TracingChannel` of source loads (`tracing:latchkey:load:start`, `:end`, `:asyncStart`,
   * `:asyncEnd`, `:error`); its context is a `LoadTraceContext`. Loads run inside `start`, so an
   * APM's `bindStore` context reaches the source's own calls.
   */
  loadTrace: 'latchkey:load',
})

/** Published on `latchkey:load:start`. */
export interface LoadStartMessage {
  /** The secret's name; for a batch (`loadMany`), the names joined with `,`. */
  readonly name: string
  /** Every name the load is for (one, or a batch's). */
  readonly names: readonly string[]
  /** The source's `name` ('aws-secrets-manager', 'env', …). */
  readonly source: string
  /** True for a `loadMany` batch. */
  readonly batch: boolean
  /** Why the load runs: a caller waits for it, or it runs in the background (refresh-ahead, a watch, a handle). */
  readonly background: boolean
}

/** Published on `latchkey:load:end`. */
export interface LoadEndMessage extends LoadStartMessage {
  /** Attempts made (1 when the first succeeded). */
  readonly attempts: number
  /** Milliseconds from start to end (`performance.now()`). */
  readonly durationMs: number
  /** The version now held (a single load; `undefined` for a batch). */
  readonly version: string | undefined
}

/** Published on `latchkey:load:error`. */
export interface LoadErrorMessage extends LoadStartMessage {
  /** Attempts made before giving up. */
  readonly attempts: number
  /** Milliseconds from start to failure. */
  readonly durationMs: number
  /** The error's stable code (`ERR_SECRET_UNAVAILABLE`, …). */
  readonly code: string
  /** Whether the failure was transient (the last good value may still be served). */
  readonly transient: boolean
}

/** Published on `latchkey:stale` each time a value past its expiry is served. */
export interface StaleMessage {
  readonly name: string
  readonly source: string
  /** The version served. */
  readonly version: string
  /** When the value expired (ms since the epoch): it has been served stale since. */
  readonly staleSince: number
  /** Until when it may be served (ms since the epoch). */
  readonly staleUntil: number
  /** Code of the last failed reload, if one failed. */
  readonly code: string | undefined
}

/** Published on `latchkey:rotate`. */
export interface RotateMessage {
  readonly name: string
  readonly source: string
  readonly oldVersion: string
  readonly newVersion: string
}

/** Published on `latchkey:evict`. */
export interface EvictMessage {
  readonly name: string
  readonly source: string
  /** The version evicted, if a value was held. */
  readonly version: string | undefined
}

/**
 * The context object of the `latchkey:load` tracing channel. It is filled in as the load goes:
 * `attempts` counts up, then `version` (success) or `code` (failure) is set before `asyncEnd` /
 * `error` are published. On failure Node.js adds `error` (the `SecretError`, which never holds a
 * value); on success `result` is `undefined` — the loaded value is never put in it.
 */
export interface LoadTraceContext {
  readonly name: string
  readonly names: readonly string[]
  readonly source: string
  readonly batch: boolean
  readonly background: boolean
  attempts: number
  version: string | undefined
  code: string | undefined
  error?: unknown
  result?: undefined
}

const loadStart = channel(DIAGNOSTICS_CHANNELS.loadStart)
const loadEnd = channel(DIAGNOSTICS_CHANNELS.loadEnd)
const loadError = channel(DIAGNOSTICS_CHANNELS.loadError)
const staleChannel = channel(DIAGNOSTICS_CHANNELS.stale)
const rotateChannel = channel(DIAGNOSTICS_CHANNELS.rotate)
const evictChannel = channel(DIAGNOSTICS_CHANNELS.evict)
const loadTrace = tracingChannel<unknown, LoadTraceContext>(DIAGNOSTICS_CHANNELS.loadTrace)

/** `TracingChannel.hasSubscribers` is newer than Node.js 20.0; this works on every 20.x. */
function tracing(): boolean {
  return (
    loadTrace.start.hasSubscribers ||
    loadTrace.end.hasSubscribers ||
    loadTrace.asyncStart.hasSubscribers ||
    loadTrace.asyncEnd.hasSubscribers ||
    loadTrace.error.hasSubscribers
  )
}

/**
 * One load as the diagnostics channels see it. Made only when something subscribes (see
 * {@link loadProbe}); the cache counts attempts on it and settles it once.
 */
export class LoadProbe {
  readonly context: LoadTraceContext
  readonly #started = performance.now()

  constructor(names: readonly string[], source: string, batch: boolean, background: boolean) {
    this.context = {
      name: names.join(','),
      names,
      source,
      batch,
      background,
      attempts: 0,
      version: undefined,
      code: undefined,
    }
  }

  /**
   * Runs `load` as one traced load: `start`, then `end` or `error`. `attempts` counts the attempts
   * made (read when the load settles) and `version` the version it left in the cache. The traced
   * promise resolves to `undefined`, so no value reaches the trace context's `result`.
   */
  run(
    load: () => Promise<void>,
    attempts: { readonly attempts: number },
    version: () => string | undefined,
  ): Promise<void> {
    const context = this.context
    const { name, names, source, batch, background } = context
    if (loadStart.hasSubscribers) loadStart.publish({ name, names, source, batch, background })
    const traced = (): Promise<void> =>
      load().then(
        () => {
          context.attempts = attempts.attempts
          context.version = version()
        },
        (error: unknown) => {
          context.attempts = attempts.attempts
          context.code = String((error as Partial<SecretError>).code ?? 'ERR_SECRET_UNAVAILABLE')
          throw error
        },
      )
    const settled = tracing() ? loadTrace.tracePromise(traced, context) : traced()
    return settled.then(
      () => this.#end(),
      (error: unknown) => {
        this.#error(error)
        throw error
      },
    )
  }

  /** What `load:end` and `load:error` share: who loaded what, how many attempts, how long. */
  #settled() {
    const { name, names, source, batch, background, attempts } = this.context
    return { name, names, source, batch, background, attempts, durationMs: performance.now() - this.#started }
  }

  #end(): void {
    if (!loadEnd.hasSubscribers) return
    loadEnd.publish({ ...this.#settled(), version: this.context.version } satisfies LoadEndMessage)
  }

  #error(error: unknown): void {
    if (!loadError.hasSubscribers) return
    loadError.publish({
      ...this.#settled(),
      code: this.context.code ?? 'ERR_SECRET_UNAVAILABLE',
      transient: (error as Partial<SecretError>).transient === true,
    } satisfies LoadErrorMessage)
  }
}

/** A probe for one load, or `undefined` when no load channel has a subscriber (the usual case). */
export function loadProbe(
  names: readonly string[],
  source: string,
  batch: boolean,
  background: boolean,
): LoadProbe | undefined {
  if (!loadStart.hasSubscribers && !loadEnd.hasSubscribers && !loadError.hasSubscribers && !tracing()) {
    return undefined
  }
  return new LoadProbe(names, source, batch, background)
}

/** Publishes a stale serve; builds the message only when subscribed. */
export function publishStale(
  name: string,
  source: string,
  version: string,
  staleSince: number,
  staleUntil: number,
  error: SecretError | undefined,
): void {
  if (!staleChannel.hasSubscribers) return
  staleChannel.publish({
    name,
    source,
    version,
    staleSince,
    staleUntil,
    code: error?.code,
  } satisfies StaleMessage)
}

/** Publishes a rotation; builds the message only when subscribed. */
export function publishRotate(name: string, source: string, oldVersion: string, newVersion: string): void {
  if (!rotateChannel.hasSubscribers) return
  rotateChannel.publish({ name, source, oldVersion, newVersion } satisfies RotateMessage)
}

/** Publishes an eviction; builds the message only when subscribed. */
export function publishEvict(name: string, source: string, version: string | undefined): void {
  if (!evictChannel.hasSubscribers) return
  evictChannel.publish({ name, source, version } satisfies EvictMessage)
}
