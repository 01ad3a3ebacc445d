/** Marks "no time cached"; a real reading is never exactly this (and if it were, it is only read again). */
const NONE = -1

/**
 * A provider's one clock. Every time inside the provider is milliseconds since the provider
 * started ({@link epoch}, read from the injected clock or `Date.now`): small integers, which V8
 * stores inline in each entry instead of boxing a double per time field. A time leaves the
 * provider (`describe()`, `health()`, `'stale'`, diagnostics) through {@link wall}.
 *
 * Without an injected clock, {@link now} is coarse: the first read takes `Date.now()` and every read
 * in the next millisecond reuses it (an unref'd timer forgets it), so a warm `getSecret` costs a
 * field read instead of a ~35 ns system clock call. It can lag real time by as long as the event
 * loop is blocked, which only ever makes a value look younger by that much. {@link exact} is always
 * a fresh reading (handles check lease ends with it, to the millisecond). One per provider; nothing
 * is shared between providers.
 */
export class ProviderClock {
  /** The absolute time (injected clock or `Date.now`) the provider started at. */
  readonly epoch: number
  readonly #absolute: () => number
  readonly #coarse: boolean
  #cached = NONE
  #timer: ReturnType<typeof setTimeout> | undefined
  #stopped = false
  readonly #forget = () => {
    this.#cached = NONE
    this.#timer = undefined
  }

  /** `injected` is `CacheOptions.clock`; without one the clock reads `Date.now`, coarsely. */
  constructor(injected: (() => number) | undefined) {
    this.#absolute = injected ?? Date.now
    this.#coarse = injected === undefined
    this.epoch = this.#absolute()
  }

  /** Milliseconds since {@link epoch}: to about a millisecond without an injected clock. A method, so the hot path can inline it. */
  now(): number {
    if (this.#cached !== NONE) return this.#cached
    const now = this.#absolute() - this.epoch
    if (!this.#coarse || this.#stopped) return now
    this.#cached = now
    this.#timer = setTimeout(this.#forget, 1)
    this.#timer.unref?.()
    return now
  }

  /** Milliseconds since {@link epoch}, read afresh. */
  readonly exact = (): number => this.#absolute() - this.epoch

  /** A provider time as an absolute one (in the injected clock's terms, or ms since the Unix epoch). */
  wall(time: number): number {
    return time + this.epoch
  }

  /** Clears the coarse reading's timer; later reads take a fresh reading each. */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#forget()
  }
}
