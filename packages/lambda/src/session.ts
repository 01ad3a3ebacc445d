import {
  type SecretHandleLike,
  type SecretHealth,
  SecretPreloadError,
  type SecretProviderLike,
  SecretTimeoutError,
  SecretUnavailableError,
} from '@latchkey/core'
import { logStartup, resolveProvider, toSecretError } from '@latchkey/core/internal'
import type { LambdaContextLike, SecretHandles } from './context.js'
import { refreshDue } from './freshness.js'
import { INTEGRATION, type ResolvedLambdaOptions } from './options.js'

/** A source that says whether it can be read during Lambda's init phase (`LambdaExtensionSource` cannot). */
interface InitAware {
  availableDuringInit?: boolean
}

/**
 * What `withSecrets()` and `secrets()` share: the provider, one handle per key, the init-phase
 * preload, and the per-invocation freshness check bounded by the invocation's remaining time.
 */
export class InvocationSecrets<Key extends string> {
  readonly provider: SecretProviderLike
  #handles: SecretHandles<Key> | undefined
  readonly #names: string[]
  readonly #settings: ResolvedLambdaOptions
  /** `Date.now()` before which every secret is fresh and short of its refresh point: no check needed. */
  #quietUntil = 0
  /**
   * When the first load started (`performance.now()`), until the startup line is written; `NaN`
   * once written, or from the start when there is no startup line to write (then `performance`,
   * whose first read loads Node.js's perf_hooks, is never read).
   */
  #firstLoadStarted: number | undefined
  /**
   * The init-phase load while it runs (it never rejects). The first invocation usually arrives
   * before it ends and waits for it first, so its check finds the secrets loaded instead of
   * joining the load through the reload-until-servable path.
   */
  #initLoad: Promise<void> | undefined

  constructor(settings: ResolvedLambdaOptions) {
    this.#settings = settings
    this.provider = resolveProvider(withExactClock(settings.providerOptions) as never, INTEGRATION).provider
    this.#names = [...new Set(settings.names.values())]
    // any change of a secret's times (a reload, a rotation, a failure) makes the next invocation check again
    const recheck = () => {
      this.#quietUntil = 0
    }
    for (const event of ['refresh', 'rotate', 'stale', 'error'] as const) this.provider.on(event, recheck)
    const atInit = settings.preloadAtInit ?? (this.provider.source as InitAware).availableDuringInit !== false
    // Started in the init phase (a handle starts loading when it is made, and preload pins the
    // names); a failure is not an unhandled rejection, and the first invocation loads again.
    if (atInit) {
      this.#firstLoadStarted = this.#now()
      this.#handles = this.#makeHandles()
      this.#initLoad = this.provider.preload(this.#names).then(
        () => {
          this.#initLoad = undefined
          this.#announce()
        },
        () => {
          this.#initLoad = undefined
          // the first invocation loads again and times its own load
          if (!Number.isNaN(this.#firstLoadStarted)) this.#firstLoadStarted = undefined
        },
      )
    }
  }

  /** The start of the first load for the startup line, `NaN` when no startup line is written. */
  #now(): number {
    return this.#settings.startupLog === undefined ? Number.NaN : performance.now()
  }

  /** Writes the startup line once, when every secret has loaded the first time. */
  #announce(): void {
    const started = this.#firstLoadStarted
    if (started === undefined || Number.isNaN(started)) return
    this.#firstLoadStarted = Number.NaN
    logStartup(this.#settings.startupLog, INTEGRATION, this.provider, this.#names.length, started)
  }

  /** One handle per key; made at the first invocation when nothing is loaded at init. */
  get handles(): SecretHandles<Key> {
    this.#handles ??= this.#makeHandles()
    return this.#handles
  }

  #makeHandles(): SecretHandles<Key> {
    const handles: Record<string, SecretHandleLike> = {}
    for (const [key, name] of this.#settings.names) handles[key] = this.provider.handle(name)
    return Object.freeze(handles) as SecretHandles<Key>
  }

  /**
   * The handles at once when no secret can need a check yet (the warm path: one clock read),
   * else `undefined` and the caller awaits {@link prepare}.
   */
  quick(): SecretHandles<Key> | undefined {
    return Date.now() < this.#quietUntil ? this.#handles : undefined
  }

  /**
   * Brings the secrets up to date for one invocation, within its remaining time less
   * `deadlineMargin`. Resolves when every secret has a value that may be served (fresh, or stale
   * within `maxStale`); rejects with a `SecretPreloadError` naming each one that has none.
   */
  async prepare(context: LambdaContextLike | undefined): Promise<SecretHandles<Key>> {
    const handles = this.handles
    if (Date.now() < this.#quietUntil) return handles
    this.#firstLoadStarted ??= this.#now()
    const remaining = remainingTime(context)
    const budget =
      remaining === undefined ? undefined : Math.max(0, remaining - this.#settings.deadlineMargin)
    const left = this.#initLoad === undefined ? budget : await waitWithin(this.#initLoad, budget)
    const outcome = await refreshDue(this.provider, this.#names, this.#settings.refreshAhead, left)
    const failures = outcome.failures
    const report = outcome.report ?? this.provider.health(this.#names)
    const missing = report.secrets.filter((s) => !s.servable)
    if (missing.length === 0) {
      this.#announce()
      this.#quietUntil = Date.now() + quietFor(report.secrets, report.checkedAt, this.#settings.refreshAhead)
      return handles
    }
    const source = this.provider.source.name
    throw new SecretPreloadError(
      missing.map((s) => {
        const failure = failures.get(s.name)
        if (failure !== undefined) return toSecretError(failure, s.name, source)
        return new SecretTimeoutError(budget ?? 0, {
          secretName: s.name,
          source,
          cause: new SecretUnavailableError(
            { secretName: s.name, source },
            'the invocation deadline (less deadlineMargin) came before the load ended',
          ),
        })
      }),
    )
  }
}

/**
 * `{ source }` options with an exact clock unless one is given: core's default clock caches
 * `Date.now()` for a millisecond behind a timer, and a sandbox frozen inside that millisecond would
 * wake with a reading from before the freeze. A provider passed in keeps its own clock.
 */
export function withExactClock<T extends object>(options: T): T {
  const given = options as { source?: unknown; clock?: unknown }
  if (given.source === undefined || given.clock !== undefined) return options
  return { ...options, clock: () => Date.now() }
}

/** How long from `now` until the first secret reaches its refresh point (0 when one is not fresh). */
function quietFor(secrets: readonly SecretHealth[], now: number, refreshAhead: number): number {
  let quiet = Number.POSITIVE_INFINITY
  for (const s of secrets) {
    if (s.status !== 'fresh' || s.loadedAt === undefined || s.expiresAt === undefined) return 0
    const life = s.expiresAt - s.loadedAt
    const refreshAt = refreshAhead > 0 ? s.loadedAt + life * refreshAhead : s.expiresAt
    quiet = Math.min(quiet, refreshAt - now)
  }
  return Math.max(0, quiet)
}

/** Waits for `load` (which never rejects) for at most `budget` ms; resolves with the budget left (`undefined`: no bound). */
async function waitWithin(load: Promise<void>, budget: number | undefined): Promise<number | undefined> {
  if (budget === undefined) {
    await load
    return undefined
  }
  const started = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budget)
  })
  try {
    await Promise.race([load, deadline])
  } finally {
    clearTimeout(timer)
  }
  return Math.max(0, budget - (Date.now() - started))
}

function remainingTime(context: LambdaContextLike | undefined): number | undefined {
  const read = context?.getRemainingTimeInMillis
  if (typeof read !== 'function') return undefined
  const left = read.call(context)
  return typeof left === 'number' && Number.isFinite(left) ? left : undefined
}
