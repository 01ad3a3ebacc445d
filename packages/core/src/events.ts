import type { SecretLogger } from './types.js'

/**
 * Reports that a listener threw, through `logger.warn` — and through `process.emitWarning` when
 * the logger itself throws. Only the error's class name is reported, never its message (a
 * listener's error may quote a value). Never throws.
 */
export function reportListenerError(logger: SecretLogger, what: string, error: unknown): void {
  const meta = { error: error instanceof Error ? error.name : typeof error }
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
    for (const listener of set) {
      try {
        ;(listener as (payload: Events[K]) => void)(payload)
      } catch (error) {
        reportListenerError(this.#logger, `a '${String(event)}' listener`, error)
      }
    }
  }

  clear(): void {
    this.#listeners.clear()
  }
}
