import type { SecretLogger } from './types.js'

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

  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    for (const listener of set) {
      try {
        ;(listener as (payload: Events[K]) => void)(payload)
      } catch (error) {
        this.#logger.warn(`latchkey: a '${String(event)}' listener threw`, {
          error: error instanceof Error ? error.name : typeof error,
        })
      }
    }
  }

  clear(): void {
    this.#listeners.clear()
  }
}
