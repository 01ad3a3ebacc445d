import { type SecretError, SecretNotLoadedError, SecretUnavailableError } from './errors.js'
import { callListener } from './events.js'
import { deepFreeze, parseSecretJson } from './json.js'
import type { SecretHandleLike } from './provider-like.js'
import type { RotateEvent } from './types.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** State the provider pushes into a handle; internal to `@latchkey/core`. */
export interface HandleState {
  value: string | undefined
  version: string | undefined
  error: SecretError | undefined
  /**
   * When the value stops being usable, in clock time: the end of a lease (a source `ttlMs`), or
   * `Infinity` for values without one.
   */
  notAfter: number
}

/** What a handle needs from its provider; internal to `@latchkey/core`. */
export interface HandleHooks {
  /** Loads the secret (the provider's `getSecret`). */
  load: () => Promise<unknown>
  /** Reports an `onChange` listener that threw. Must not throw. */
  report: (error: unknown) => void
  /** The provider's clock, for lease ends. */
  clock: () => number
  /** The source's name, for errors. */
  source: string
}

let writeState: (handle: SecretHandle, state: HandleState) => void

/** Internal: the provider's way to update a handle. Not exported from the package. */
export function updateHandle(handle: SecretHandle, state: HandleState): void {
  writeState(handle, state)
}

/**
 * A live, synchronous view of one secret. `reveal()` returns the current value without I/O; after a
 * rotation it returns the new value. Printing a handle (`util.inspect`, `String()`, template
 * literals, `JSON.stringify`) shows `[REDACTED <name>]`, never the value.
 */
export class SecretHandle implements SecretHandleLike {
  /** The name this handle was created with, `#field` included. */
  readonly name: string
  #value: string | undefined
  #version: string | undefined
  #error: SecretError | undefined
  #parsed: { for: string; json: unknown } | undefined
  #notAfter = Number.POSITIVE_INFINITY
  #listeners: Set<(event: RotateEvent) => void> | undefined
  readonly #hooks: HandleHooks

  static {
    writeState = (handle, state) => {
      const oldVersion = handle.#version
      const rotated = handle.#value !== undefined && state.value !== undefined && oldVersion !== state.version
      handle.#value = state.value
      handle.#version = state.version
      handle.#error = state.error
      handle.#notAfter = state.notAfter
      if (rotated && handle.#listeners !== undefined) {
        const event = { name: handle.name, oldVersion: oldVersion ?? '', newVersion: state.version ?? '' }
        // a listener that throws is reported and skipped: later listeners, sibling handles and the
        // provider are not affected
        for (const listener of handle.#listeners) callListener(listener, event, handle.#hooks.report)
      }
    }
  }

  /** @internal Handles come from `provider.handle(name)`. */
  constructor(name: string, hooks: HandleHooks) {
    this.name = name
    this.#hooks = hooks
  }

  /**
   * The current value. Synchronous and cheap. Throws {@link SecretNotLoadedError} before the first
   * load, the permanent error (not found, access denied) that removed the secret, or — for a value
   * with a lease (a source `ttlMs`) — a transient {@link SecretUnavailableError} once the lease has
   * ended and no new value has arrived.
   */
  reveal(): string {
    const value = this.#value
    if (value !== undefined && (this.#notAfter === Number.POSITIVE_INFINITY || this.#usable())) return value
    throw this.#failure()
  }

  /**
   * The current value parsed as JSON, parsed once per version and deeply frozen: every call for one
   * version returns the same read-only object (use `structuredClone` for a copy to change).
   */
  json<T = unknown>(): T {
    const value = this.reveal()
    if (this.#parsed?.for !== value) {
      const json = parseSecretJson(value, { secretName: this.name, source: this.#hooks.source }, true)
      this.#parsed = { for: value, json: deepFreeze(json) }
    }
    return this.#parsed.json as T
  }

  #usable(): boolean {
    return this.#hooks.clock() < this.#notAfter
  }

  #failure(): SecretError {
    if (this.#value !== undefined) {
      return new SecretUnavailableError(
        { secretName: this.name, source: this.#hooks.source },
        `the lease of secret "${this.name}" (source ${this.#hooks.source}) has ended and no new value has arrived yet`,
      )
    }
    return this.#error ?? new SecretNotLoadedError({ secretName: this.name })
  }

  /** The version of the value `reveal()` returns, or `undefined` before the first load. */
  get version(): string | undefined {
    return this.#version
  }

  /** True while `reveal()` returns a value. */
  get loaded(): boolean {
    return this.#value !== undefined && (this.#notAfter === Number.POSITIVE_INFINITY || this.#usable())
  }

  /** Resolves once the secret is loaded (and its lease, if any, has not ended); rejects if the load fails. */
  async ready(): Promise<this> {
    if (!this.loaded) await this.#hooks.load()
    return this
  }

  /** Calls `listener` after each rotation, once `reveal()` already returns the new value. */
  onChange(listener: (event: RotateEvent) => void): () => void {
    if (this.#listeners === undefined) this.#listeners = new Set()
    this.#listeners.add(listener)
    return () => {
      this.#listeners?.delete(listener)
    }
  }

  toString(): string {
    return `[REDACTED ${this.name}]`
  }

  toJSON(): string {
    return this.toString()
  }

  [Symbol.toPrimitive](): string {
    return this.toString()
  }

  [INSPECT](): string {
    return `SecretHandle { name: ${JSON.stringify(this.name)}, value: [REDACTED], loaded: ${this.loaded} }`
  }
}
