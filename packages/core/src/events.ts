import type { SecretLogger } from './types.js'

/**
 * Reports that a listener threw, through `logger.warn` — and through `process.emitWarning` when
 * the logger itself throws. Only the error's class name is reported, never its message (a
 * listener's error may quote a value). Never throws.
 */
export function reportListenerError(logger: SecretLogger, what: string, error: unknown): void {
  const meta = { error: errorClassName(error) }
  const message = `latchkey: ${what} threw; the error was ignored`
  try {
    logger.warn(message, meta)
  } catch {
    try {
      process.emitWarning(message, { code: 'LATCHKEY', detail: `${meta.error} (the logger threw too)` })
    } catch {
      // nothing left to report to
    }
  }
}

/**
 * The class name of a thrown value, or its `typeof`. Never throws: a thrown Proxy (revoked or with
 * throwing traps) or an error whose `name` getter throws is described as `'unknown'`.
 */
function errorClassName(error: unknown): string {
  try {
    if (!(error instanceof Error)) return typeof error
    const name: unknown = error.name
    return typeof name === 'string' ? name.slice(0, 64) : 'Error'
  } catch {
    return 'unknown'
  }
}

/**
 * Calls one listener and reports what it throws — synchronously, or later through the rejection of
 * a thenable it returns (an `async` listener) — to `report`. Never throws and never leaves a
 * rejection unhandled. The thrown value is never touched beyond a guarded `instanceof` / `name`.
 */
export function callListener<T>(
  listener: (payload: T) => unknown,
  payload: T,
  report: (error: unknown) => void,
): void {
  let result: unknown
  try {
    result = listener(payload)
  } catch (error) {
    safeReport(report, error)
    return
  }
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return
  try {
    const then: unknown = (result as { then?: unknown }).then
    if (typeof then !== 'function') return
    then.call(result, undefined, (error: unknown) => safeReport(report, error))
  } catch (error) {
    safeReport(report, error)
  }
}

function safeReport(report: (error: unknown) => void, error: unknown): void {
  try {
    report(error)
  } catch {
    // a reporter must not throw; if it does, there is nothing left to report to
  }
}

/** A minimal typed emitter. A listener that throws is reported to the logger, never to the emitter's caller. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>()
  readonly #logger: SecretLogger

  constructor(logger: SecretLogger) {
    this.#logger = logger
  }

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener as (payload: never) => void)
    return () => {
      set.delete(listener as (payload: never) => void)
    }
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    const report = (error: unknown): void =>
      reportListenerError(this.#logger, `a '${String(event)}' listener`, error)
    for (const listener of set) callListener(listener as (payload: Events[K]) => unknown, payload, report)
  }

  clear(): void {
    this.#listeners.clear()
  }
}
