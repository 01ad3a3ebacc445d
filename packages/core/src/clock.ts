/** Marks "no time cached"; a real reading is never exactly this (and if it were, it is only read again). */
const NONE = -1

/**
 * A cheap stand-in for `Date.now() - epoch` on the hot path: the first read takes `Date.now()` and
 * every read in the next millisecond reuses it (an unref'd timer forgets it). A warm `getSecret`
 * then costs a field read instead of a ~35 ns system clock call. It can lag real time by as long as
 * the event loop is blocked, which only ever makes a value look younger by that much.
 * One per provider; nothing is shared between providers.
 */
export class CoarseClock {
  #now = NONE
  #timer: ReturnType<typeof setTimeout> | undefined
  #stopped = false
  readonly #forget = () => {
    this.#now = NONE
    this.#timer = undefined
  }
  readonly #epoch: number

  /** Readings are milliseconds since `epoch` (a `Date.now()` value). */
  constructor(epoch: number) {
    this.#epoch = epoch
  }

  /** {@link read} as a function of its own. */
  readonly now = (): number => this.read()

  /** Milliseconds since `epoch`, to about a millisecond. A method, so the hot path can inline it. */
  read(): number {
    if (this.#now !== NONE) return this.#now
    const now = Date.now() - this.#epoch
    if (this.#stopped) return now
    this.#now = now
    this.#timer = setTimeout(this.#forget, 1)
    this.#timer.unref?.()
    return now
  }

  /** Clears the timer; later reads call `Date.now()` directly. */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#forget()
  }
}
