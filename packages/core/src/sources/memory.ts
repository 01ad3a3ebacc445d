import { describeType } from '../describe-type.js'
import { InvalidOptionsError, InvalidSecretNameError, SecretNotFoundError } from '../errors.js'
import type { LoadContext, LoadedSecret, SecretSource } from '../types.js'

/**
 * Secrets held in memory. `set()` changes a value by hand, which is how tests and examples
 * rotate; every `set()` of a new value gets a new version (`v1`, `v2`, …).
 *
 * It takes secret names and values, not an options object, so there are no option names to check;
 * what it checks instead is that `initial` is an object and every value a string or a `Uint8Array`
 * (`new MemorySource({ ttl: 1000 })`, cache options given to the source by mistake, is an
 * `ERR_SECRET_INVALID_OPTIONS` naming `initial["ttl"]`, not a secret named `ttl`). Errors name the
 * secret and the value's type, never the value.
 */
export class MemorySource implements SecretSource {
  readonly name = 'memory'
  readonly #values = new Map<string, { value: string | Uint8Array; version: string }>()
  #counter = 0
  /** How many times `load` was called; handy for proving that a cache works. */
  loads = 0

  /**
   * @param initial - secret names and their values, stored as version `v1`, `v2`, … in order.
   * @default {}
   */
  constructor(initial: Record<string, string> = {}) {
    if (typeof initial !== 'object' || initial === null || Array.isArray(initial)) {
      throw new InvalidOptionsError(
        `MemorySource: initial must be an object of secret names and values (got ${describeType(initial)})`,
      )
    }
    for (const [name, value] of Object.entries(initial)) {
      checkValue(value, `initial[${JSON.stringify(name)}]`)
      this.set(name, value)
    }
  }

  /** Stores (or rotates) a secret. Returns the new version. */
  set(name: string, value: string | Uint8Array): string {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidSecretNameError('the name is empty')
    checkValue(value, `the value of ${JSON.stringify(name)}`)
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

function checkValue(value: unknown, what: string): void {
  if (typeof value === 'string' || value instanceof Uint8Array) return
  throw new InvalidOptionsError(
    `MemorySource: ${what} must be a string or a Uint8Array (got ${describeType(value)}); MemorySource takes secret names and values, not options`,
  )
}
