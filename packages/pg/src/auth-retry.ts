import { backoffDelay } from '@latchkey/core/internal'
import { isAuthFailure } from './auth-errors.js'
import type { PendingItem, PoolCallback } from './pool-internals.js'

/** How a new connection refused for its credentials is retried. */
export interface AuthRetryOptions {
  /** First backoff delay in ms (full jitter, doubling per attempt). @default 50 */
  baseDelay?: number
  /** Longest backoff delay in ms. @default 1_000 */
  maxDelay?: number
  /**
   * How long, in ms from the first attempt, a checkout keeps retrying before it fails with the
   * database's error. @default the pool's `connectionTimeoutMillis`, or 30_000 when that is 0
   */
  timeout?: number
}

/** Resolved retry settings. */
export interface AuthRetryPolicy {
  baseDelay: number
  maxDelay: number
  timeout: number
  random: () => number
  clock: () => number
}

/** What the retrier needs from its pool. */
export interface RetryHost {
  /** Forces a reload of the credentials secret. */
  refresh(): Promise<void>
  /** Version of the current credentials. */
  version(): string | undefined
  /** Puts a checkout at the head of the pool's queue and serves the queue. */
  requeue(item: PendingItem): void
  /** Takes a checkout out of the pool's queue; false when it was no longer there. */
  unqueue(item: PendingItem): boolean
  /** True once the pool is ending. */
  ending(): boolean
}

interface Attempt {
  readonly deliver: PoolCallback
  readonly deadline: number
  tries: number
  triedVersion: string | undefined
  lastError: Error | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * Keeps a checkout alive when its new connection is refused with SQLSTATE 28P01 or 28000: it
 * forces one refresh of the secret, waits a jittered backoff (cut short by a rotation), and puts
 * the checkout back at the head of the pool's queue, until the deadline passes. Any other error,
 * and the last refusal after the deadline, reaches the caller unchanged.
 */
export class AuthRetrier {
  readonly #policy: AuthRetryPolicy
  readonly #host: RetryHost
  readonly #attempts = new WeakMap<PendingItem, Attempt>()
  readonly #backingOff = new Map<PendingItem, Attempt>()
  /** Refusals that were retried, since the pool was created. */
  retries = 0

  constructor(policy: AuthRetryPolicy, host: RetryHost) {
    this.#policy = policy
    this.#host = host
  }

  /** Called each time the pool opens a connection for `item`. */
  track(item: PendingItem): void {
    let attempt = this.#attempts.get(item)
    if (attempt === undefined) {
      const created: Attempt = {
        deliver: item.callback,
        deadline: this.#policy.clock() + this.#policy.timeout,
        tries: 0,
        triedVersion: undefined,
        lastError: undefined,
        timer: undefined,
      }
      attempt = created
      this.#attempts.set(item, created)
      item.callback = (error, client, release) => this.#settle(item, created, error, client, release)
    }
    attempt.triedVersion = this.#host.version()
  }

  /** New credentials arrived: every checkout backing off tries again now. */
  wake(): void {
    for (const [item, attempt] of [...this.#backingOff]) this.#resume(item, attempt)
  }

  /** The pool is ending: checkouts backing off fail with the refusal they last got. */
  close(): void {
    for (const [item, attempt] of [...this.#backingOff]) {
      this.#backingOff.delete(item)
      clearTimeout(attempt.timer)
      this.#giveUp(item, attempt)
    }
  }

  #settle(
    item: PendingItem,
    attempt: Attempt,
    error: Error | undefined,
    client?: Parameters<PoolCallback>[1],
    release?: Parameters<PoolCallback>[2],
  ): void {
    clearTimeout(attempt.timer)
    attempt.timer = undefined
    if (
      error === undefined ||
      !isAuthFailure(error) ||
      item.timedOut === true ||
      this.#host.ending() ||
      this.#policy.clock() >= attempt.deadline
    ) {
      attempt.deliver(error, client, release)
      return
    }
    attempt.tries++
    attempt.lastError = error
    // The first connect of a pool loads the secret itself, so its version is only known now.
    attempt.triedVersion ??= this.#host.version()
    this.retries++
    this.#backingOff.set(item, attempt)
    this.#host
      .refresh()
      .catch(() => undefined)
      .then(() => {
        if (!this.#backingOff.has(item)) return
        if (this.#host.version() !== attempt.triedVersion) return this.#resume(item, attempt)
        const backoff = backoffDelay(attempt.tries - 1, this.#policy)
        const delay = Math.max(0, Math.min(backoff, attempt.deadline - this.#policy.clock()))
        attempt.timer = setTimeout(() => this.#resume(item, attempt), delay)
      })
  }

  #resume(item: PendingItem, attempt: Attempt): void {
    if (!this.#backingOff.delete(item)) return
    clearTimeout(attempt.timer)
    attempt.timer = undefined
    if (item.timedOut === true) return
    if (this.#host.ending()) {
      this.#giveUp(item, attempt)
      return
    }
    // While it waits in the queue for a free slot, the deadline still applies.
    const remaining = attempt.deadline - this.#policy.clock()
    attempt.timer = setTimeout(
      () => {
        attempt.timer = undefined
        if (this.#host.unqueue(item)) this.#giveUp(item, attempt)
      },
      Math.max(0, remaining),
    )
    attempt.timer.unref?.()
    this.#host.requeue(item)
  }

  /** Fails the checkout with the last refusal, unless pg-pool already gave its caller a timeout. */
  #giveUp(item: PendingItem, attempt: Attempt): void {
    if (item.timedOut !== true) attempt.deliver(attempt.lastError)
  }
}
