import { type SecretError, SecretNotLoadedError } from './errors.js'
import { parseSecretJson } from './json.js'
import type { RotateEvent } from './types.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** State the provider pushes into a handle; internal to `@latchkey/core`. */
export interface HandleState {
  value: string | undefined
  version: string | undefined
  error: SecretError | undefined
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
export class SecretHandle {
  /** The name this handle was created with, `#field` included. */
  readonly name: string
  #value: string | undefined
  #version: string | undefined
  #error: SecretError | undefined
  #parsed: { for: string; json: unknown } | undefined
  #listeners: Set<(event: RotateEvent) => void> | undefined
  readonly #load: () => Promise<unknown>

  static {
    writeState = (handle, state) => {
      const oldVersion = handle.#version
      const rotated = handle.#value !== undefined && state.value !== undefined && oldVersion !== state.version
      handle.#value = state.value
      handle.#version = state.version
      handle.#error = state.error
      if (rotated && handle.#listeners !== undefined) {
        const event = { name: handle.name, oldVersion: oldVersion ?? '', newVersion: state.version ?? '' }
        for (const listener of handle.#listeners) listener(event)
      }
    }
  }

  /** @internal Handles come from `provider.handle(name)`. */
  constructor(name: string, load: () => Promise<unknown>) {
    this.name = name
    this.#load = load
  }

  /**
   * The current value. Synchronous and cheap. Throws {@link SecretNotLoadedError} before the first
   * load, or the permanent error (not found, access denied) that removed the secret.
   */
  reveal(): string {
    const value = this.#value
    if (value !== undefined) return value
    throw this.#error ?? new SecretNotLoadedError({ secretName: this.name })
  }

  /** The current value parsed as JSON (parsed once per version). */
  json<T = unknown>(): T {
    const value = this.reveal()
    if (this.#parsed?.for !== value) {
      this.#parsed = { for: value, json: parseSecretJson(value, { secretName: this.name }) }
    }
    return this.#parsed.json as T
  }

  /** The version of the value `reveal()` returns, or `undefined` before the first load. */
  get version(): string | undefined {
    return this.#version
  }

  /** True once a value is available. */
  get loaded(): boolean {
    return this.#value !== undefined
  }

  /** Resolves once the secret is loaded; rejects if the load fails. */
  async ready(): Promise<this> {
    if (this.#value === undefined) await this.#load()
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
