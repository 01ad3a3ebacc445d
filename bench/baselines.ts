/**
 * Baselines the benchmarks compare latchkey against, written the way teams write them today.
 */
import { LRUCache } from 'lru-cache'

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

/**
 * lru-cache 11 set up the way its docs suggest for a secrets cache: `fetch` with a `fetchMethod`,
 * `allowStale` and `allowStaleOnFetchRejection` (serve the old value while a reload runs or after it
 * fails), so it is the best general-purpose peer for stale-while-revalidate.
 */
export function lruSecretCache(
  load: (name: string, signal: AbortSignal) => Promise<string>,
  options: { max: number; ttl: number },
): LRUCache<string, string> {
  return new LRUCache<string, string>({
    max: options.max,
    ttl: options.ttl,
    allowStale: true,
    allowStaleOnFetchRejection: true,
    fetchMethod: (name, _stale, { signal }) => load(name, signal),
  })
}
