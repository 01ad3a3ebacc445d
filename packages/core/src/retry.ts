import { ProviderClosedError, type SecretError, SecretTimeoutError, toSecretError } from './errors.js'
import type { LoadContext } from './types.js'

/** Resolved retry settings. */
export interface RetryPolicy {
  retries: number
  baseDelay: number
  maxDelay: number
  timeout: number
  random: () => number
}

/** Full-jitter backoff: a random delay between 0 and `min(maxDelay, baseDelay × 2^attempt)`. */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelay' | 'maxDelay' | 'random'>,
): number {
  return Math.floor(policy.random() * Math.min(policy.maxDelay, policy.baseDelay * 2 ** attempt))
}

type Timer = ReturnType<typeof setTimeout>

/**
 * Decides whether the timers of one load (its per-attempt timeout and its retry sleeps) keep the
 * process alive. A load nobody awaits (refresh-ahead, a watch, a deferred retry) must not hold a
 * short script open; once a caller awaits it, `hold()` refs the current timer and every later one.
 */
export class KeepAlive {
  #held: boolean
  #timer: Timer | undefined
  /** Attempts started so far for this load (read by the diagnostics channels). */
  attempts = 0

  constructor(held: boolean) {
    this.#held = held
  }

  /** True once a caller awaits the load. */
  get held(): boolean {
    return this.#held
  }

  /** A caller awaits this load now: keep the process alive until it settles. */
  hold(): void {
    if (this.#held) return
    this.#held = true
    this.#timer?.ref?.()
  }

  /** @internal */
  track(timer: Timer): void {
    this.#timer = timer
    if (!this.#held) timer.unref?.()
  }

  /** @internal */
  untrack(timer: Timer): void {
    if (this.#timer === timer) this.#timer = undefined
  }
}

/** Something in progress that `close()` ends at once. */
interface Pending {
  end(reason: SecretError): void
}

/**
 * The attempts and retry sleeps in progress for one provider, so that `close()` can end them at
 * once — also when a source ignores its `AbortSignal` — without a listener on a shared signal
 * per attempt (removing one of many listeners from an `AbortSignal` is linear).
 */
export class LoadScope {
  #closed = false
  readonly #pending = new Set<Pending>()

  get closed(): boolean {
    return this.#closed
  }

  /** Ends every attempt (rejecting it with `ProviderClosedError`) and every sleep. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    const reason = new ProviderClosedError()
    for (const pending of this.#pending) pending.end(reason)
    this.#pending.clear()
  }

  /** @internal */
  add(pending: Pending): void {
    this.#pending.add(pending)
  }

  /** @internal */
  delete(pending: Pending): void {
    this.#pending.delete(pending)
  }
}

/**
 * One attempt: the `ctx` the source receives (its `signal` is made only when the source reads it),
 * a timeout, and a way for `close()` to end it.
 */
class Attempt<T> implements LoadContext, Pending {
  #controller: AbortController | undefined
  #reason: SecretError | undefined
  #settled = false
  #timer: Timer | undefined
  readonly #resolve: (value: T) => void
  readonly #reject: (error: unknown) => void
  readonly #scope: LoadScope
  readonly #keepAlive: KeepAlive
  readonly #context: { secretName: string; source: string }

  constructor(
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
    scope: LoadScope,
    keepAlive: KeepAlive,
    context: { secretName: string; source: string },
  ) {
    this.#resolve = resolve
    this.#reject = reject
    this.#scope = scope
    this.#keepAlive = keepAlive
    this.#context = context
  }

  /** Aborted when the attempt times out or the provider closes. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#reason !== undefined) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  start(run: (ctx: LoadContext) => Promise<T>, timeout: number): void {
    this.#scope.add(this)
    const timer = setTimeout(() => this.end(new SecretTimeoutError(timeout, this.#context)), timeout)
    this.#timer = timer
    this.#keepAlive.track(timer)
    let result: Promise<T>
    try {
      result = run(this)
    } catch (error) {
      this.#settle()
      this.#reject(error)
      return
    }
    Promise.resolve(result).then(
      (value) => {
        if (this.#settle()) this.#resolve(value)
      },
      (error: unknown) => {
        if (this.#settle()) this.#reject(error)
      },
    )
  }

  end(reason: SecretError): void {
    if (!this.#settle()) return
    this.#reason =
      reason instanceof ProviderClosedError
        ? new ProviderClosedError({ secretName: this.#context.secretName })
        : reason
    this.#controller?.abort(this.#reason)
    this.#reject(this.#reason)
  }

  /** Marks the attempt done; false when it already was. */
  #settle(): boolean {
    if (this.#settled) return false
    this.#settled = true
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#keepAlive.untrack(this.#timer)
    }
    this.#scope.delete(this)
    return true
  }
}

/** A retry sleep that `close()` cuts short. */
class Sleep implements Pending {
  readonly #done: () => void
  readonly #timer: Timer
  readonly #scope: LoadScope
  readonly #keepAlive: KeepAlive

  constructor(ms: number, done: () => void, scope: LoadScope, keepAlive: KeepAlive) {
    this.#done = done
    this.#scope = scope
    this.#keepAlive = keepAlive
    this.#timer = setTimeout(() => this.end(), ms)
    keepAlive.track(this.#timer)
    scope.add(this)
  }

  end(): void {
    clearTimeout(this.#timer)
    this.#keepAlive.untrack(this.#timer)
    this.#scope.delete(this)
    this.#done()
  }
}

function attempt<T>(
  run: (ctx: LoadContext) => Promise<T>,
  timeout: number,
  scope: LoadScope,
  keepAlive: KeepAlive,
  context: { secretName: string; source: string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    new Attempt<T>(resolve, reject, scope, keepAlive, context).start(run, timeout)
  })
}

function sleep(ms: number, scope: LoadScope, keepAlive: KeepAlive): Promise<void> {
  return new Promise((resolve) => {
    new Sleep(ms, resolve, scope, keepAlive)
  })
}

/**
 * Calls `run` until it succeeds, a permanent error occurs, retries run out, or `scope` closes
 * (then it rejects with `ProviderClosedError` at once, whatever the source does with its signal).
 * Every failure is normalised to a {@link SecretError}. Timers keep the process alive only while
 * `keepAlive` is held.
 */
export async function withRetry<T>(
  run: (ctx: LoadContext) => Promise<T>,
  policy: RetryPolicy,
  scope: LoadScope,
  context: { secretName: string; source: string },
  keepAlive: KeepAlive,
): Promise<T> {
  for (let n = 0; ; n++) {
    if (scope.closed) throw new ProviderClosedError({ secretName: context.secretName })
    keepAlive.attempts++
    try {
      return await attempt(run, policy.timeout, scope, keepAlive, context)
    } catch (raw) {
      const error = toSecretError(raw, context.secretName, context.source)
      if (!error.transient || n >= policy.retries) throw error
      if (scope.closed) throw new ProviderClosedError({ secretName: context.secretName })
      await sleep(backoffDelay(n, policy), scope, keepAlive)
    }
  }
}
