/**
 * A cheap stand-in for `Date.now()` on the hot path: the first read takes `Date.now()` and every
 * read in the next millisecond reuses it (an unref'd timer forgets it). A warm `getSecret` then
 * costs a field read instead of a ~35 ns system clock call. It can lag real time by as long as the
 * event loop is blocked, which only ever makes a value look younger by that much.
 * One per provider; nothing is shared between providers.
 */
export class CoarseClock {
  #now = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #stopped = false
  readonly #forget = () => {
    this.#now = 0
    this.#timer = undefined
  }

  /** The time in ms since the epoch, to about a millisecond. */
  readonly now = (): number => {
    if (this.#now !== 0) return this.#now
    const now = Date.now()
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
