/**
 * Baselines the benchmarks compare latchkey against, written the way teams write them today.
 */

/** The hand-rolled TTL cache: a Map of { value, expiresAt } in front of an async loader. */
export class NaiveTtlCache {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>()
  readonly #load: (name: string) => Promise<string>
  readonly #ttl: number

  constructor(load: (name: string) => Promise<string>, ttl: number) {
    this.#load = load
    this.#ttl = ttl
  }

  async get(name: string): Promise<string> {
    const entry = this.#entries.get(name)
    if (entry && entry.expiresAt > Date.now()) return entry.value
    const value = await this.#load(name)
    this.#entries.set(name, { value, expiresAt: Date.now() + this.#ttl })
    return value
  }
}
