import { InvalidSecretNameError, SecretNotFoundError } from '../errors.js'
import type { LoadContext, LoadedSecret, SecretSource } from '../types.js'

/**
 * Secrets held in memory. `set()` changes a value by hand, which is how tests and examples
 * rotate; every `set()` of a new value gets a new version (`v1`, `v2`, …).
 */
export class MemorySource implements SecretSource {
  readonly name = 'memory'
  readonly #values = new Map<string, { value: string | Uint8Array; version: string }>()
  #counter = 0
  /** How many times `load` was called; handy for proving that a cache works. */
  loads = 0

  constructor(initial: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(initial)) this.set(name, value)
  }

  /** Stores (or rotates) a secret. Returns the new version. */
  set(name: string, value: string | Uint8Array): string {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidSecretNameError('the name is empty')
    const version = `v${++this.#counter}`
    this.#values.set(name, { value, version })
    return version
  }

  /** Removes a secret; later loads fail with `ERR_SECRET_NOT_FOUND`. */
  delete(name: string): boolean {
    return this.#values.delete(name)
  }

  /** True when `name` is stored. */
  has(name: string): boolean {
    return this.#values.has(name)
  }

  async load(name: string, _ctx?: LoadContext): Promise<LoadedSecret> {
    this.loads++
    const stored = this.#values.get(name)
    if (stored === undefined) throw new SecretNotFoundError({ secretName: name, source: this.name })
    return { value: stored.value, version: stored.version }
  }
}
