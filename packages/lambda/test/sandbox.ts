import { vi } from 'vitest'

/** What one invocation did, in the sandbox's (fake) time. */
export interface Invocation<Result> {
  ok: boolean
  result?: Result
  error?: unknown
  /** Milliseconds from the invocation's start to its end (or to the give-up point). */
  elapsed: number
  /** True when it ran past its deadline (Lambda would have killed it). */
  timedOut: boolean
}

/**
 * Runs a handler the way Lambda does, under vitest's fake timers: while an invocation runs, time
 * passes and timers fire (in 10 ms steps); between invocations the sandbox is frozen — the clock
 * jumps and no timer fires — and the next invocation starts straight away, before any timer that
 * came due during the freeze, as an I/O event does after a thaw.
 */
export class FrozenSandbox<Event, Result> {
  readonly #handler: (event: Event, context: object) => Promise<Result>
  readonly #timeout: number

  constructor(handler: (event: Event, context: object) => Promise<Result>, timeoutMs: number) {
    this.#handler = handler
    this.#timeout = timeoutMs
  }

  /** Freezes the sandbox for `ms`: the wall clock jumps, nothing runs. */
  freeze(ms: number): void {
    vi.setSystemTime(Date.now() + ms)
  }

  async invoke(event: Event): Promise<Invocation<Result>> {
    const start = Date.now()
    const deadline = start + this.#timeout
    const context = { getRemainingTimeInMillis: () => deadline - Date.now(), awsRequestId: `req-${start}` }
    let outcome: { ok: boolean; result?: Result; error?: unknown } | undefined
    this.#handler(event, context).then(
      (result) => {
        outcome = { ok: true, result }
      },
      (error: unknown) => {
        outcome = { ok: false, error }
      },
    )
    await vi.advanceTimersByTimeAsync(0)
    while (outcome === undefined && Date.now() < deadline) await vi.advanceTimersByTimeAsync(10)
    const elapsed = Date.now() - start
    if (outcome === undefined) return { ok: false, elapsed, timedOut: true }
    return { ...outcome, elapsed, timedOut: elapsed > this.#timeout }
  }
}
