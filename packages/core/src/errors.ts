/**
 * The error catalogue. Every error latchkey throws is a {@link SecretError} with a stable `code`.
 * Messages name the secret and the source, never a secret value.
 */

import { scrubErrorText, type TextRedactor } from './error-causes.js'

const BRAND = Symbol.for('@latchkey/core.SecretError')

/** Every error code latchkey uses. */
export const ErrorCode = {
  NOT_FOUND: 'ERR_SECRET_NOT_FOUND',
  ACCESS_DENIED: 'ERR_SECRET_ACCESS_DENIED',
  INVALID_NAME: 'ERR_SECRET_INVALID_NAME',
  INVALID_JSON: 'ERR_SECRET_INVALID_JSON',
  NOT_LOADED: 'ERR_SECRET_NOT_LOADED',
  PROVIDER_CLOSED: 'ERR_PROVIDER_CLOSED',
  TOO_LARGE: 'ERR_SECRET_TOO_LARGE',
  INVALID_OPTIONS: 'ERR_SECRET_INVALID_OPTIONS',
  UNAVAILABLE: 'ERR_SECRET_UNAVAILABLE',
  THROTTLED: 'ERR_SECRET_THROTTLED',
  TIMEOUT: 'ERR_SECRET_TIMEOUT',
  PRELOAD: 'ERR_SECRET_PRELOAD',
  /** `@latchkey/pg`'s `UnsupportedPgPoolError`: the installed pg-pool lacks what `RotatingPool` relies on. */
  PG_POOL_UNSUPPORTED: 'ERR_PG_POOL_UNSUPPORTED',
  /** `@latchkey/vault`'s `VaultRequestError`: one HTTP exchange with Vault, kept as the `cause` of a classified error. */
  VAULT_REQUEST: 'ERR_VAULT_REQUEST',
} as const

/** A code from {@link ErrorCode}. */
export type SecretErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Context attached to a {@link SecretError}. */
export interface SecretErrorOptions {
  /** The secret the error is about (a name, never a value). */
  secretName?: string
  /** The `name` of the source that raised it, such as `'vault-kv'`. */
  source?: string
  /** The underlying error. Sources must not put secret values in it. */
  cause?: unknown
}

/**
 * Base class of every latchkey error. `instanceof` works across an ESM and a CommonJS copy of
 * `@latchkey/core` loaded in one process: it matches on a global brand and the `code`.
 */
export class SecretError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: SecretErrorCode
  /** The secret this error is about, when there is one. */
  readonly secretName?: string
  /** The source that raised the error, when known. */
  readonly source?: string
  /** `true` when retrying later may succeed (network, 5xx, throttling, timeouts). */
  readonly transient: boolean
  /** The code each subclass carries; used by `instanceof` across module copies. */
  static readonly code: SecretErrorCode | undefined = undefined

  constructor(code: SecretErrorCode, message: string, transient: boolean, options: SecretErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.transient = transient
    if (options.secretName !== undefined) this.secretName = options.secretName
    if (options.source !== undefined) this.source = options.source
    Object.defineProperty(this, BRAND, { value: true })
  }

  override get name(): string {
    return this.constructor.name
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
      return false
    }
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being tested against
    const wanted = (this as unknown as typeof SecretError).code
    return wanted === undefined || (value as SecretError).code === wanted
  }
}

function describe(name: string | undefined, source: string | undefined): string {
  const what = name === undefined ? 'secret' : `secret "${name}"`
  return source === undefined ? what : `${what} (source ${source})`
}

// The catalogue: one class per code, deliberately alike and spelled out (not made by a factory) so
// each has its own TSDoc, `instanceof` and static `code`.

/** The source has no secret of that name (or that version). Permanent. */
export class SecretNotFoundError extends SecretError {
  static override readonly code = ErrorCode.NOT_FOUND
  constructor(options: SecretErrorOptions = {}, message?: string) {
    super(
      ErrorCode.NOT_FOUND,
      message ?? `${describe(options.secretName, options.source)} was not found`,
      false,
      options,
    )
  }
}

/** The credentials in use may not read the secret. Permanent. */
export class SecretAccessDeniedError extends SecretError {
  static override readonly code = ErrorCode.ACCESS_DENIED
  constructor(options: SecretErrorOptions = {}, message?: string) {
    super(
      ErrorCode.ACCESS_DENIED,
      message ?? `access to ${describe(options.secretName, options.source)} was denied`,
      false,
      options,
    )
  }
}

/** A secret name that cannot be used: empty, too long, control characters, traversal. Permanent. */
export class InvalidSecretNameError extends SecretError {
  static override readonly code = ErrorCode.INVALID_NAME
  constructor(reason: string, options: SecretErrorOptions = {}) {
    super(ErrorCode.INVALID_NAME, `invalid secret name: ${reason}`, false, options)
  }
}

/** A secret that should be JSON is not, or lacks a requested field. The message never quotes the text. */
export class InvalidSecretJsonError extends SecretError {
  static override readonly code = ErrorCode.INVALID_JSON
  /** Character offset where parsing failed, when known. */
  readonly position?: number
  /** The missing or unusable field, when that is the problem. */
  readonly field?: string
  constructor(reason: string, options: SecretErrorOptions & { position?: number; field?: string } = {}) {
    super(
      ErrorCode.INVALID_JSON,
      `${describe(options.secretName, options.source)}: ${reason}`,
      false,
      options,
    )
    if (options.position !== undefined) this.position = options.position
    if (options.field !== undefined) this.field = options.field
  }
}

/** `SecretHandle.reveal()` before the secret was ever loaded. Permanent. */
export class SecretNotLoadedError extends SecretError {
  static override readonly code = ErrorCode.NOT_LOADED
  constructor(options: SecretErrorOptions = {}) {
    super(
      ErrorCode.NOT_LOADED,
      `${describe(options.secretName, options.source)} has not been loaded yet; await provider.preload([...]) or handle.ready() first`,
      false,
      options,
    )
  }
}

/** A call on a provider (or source) after `close()`. Permanent. */
export class ProviderClosedError extends SecretError {
  static override readonly code = ErrorCode.PROVIDER_CLOSED
  constructor(options: SecretErrorOptions = {}) {
    super(ErrorCode.PROVIDER_CLOSED, 'the secret provider has been closed', false, options)
  }
}

/** A source returned a value larger than {@link MAX_SECRET_BYTES}. Permanent. */
export class SecretTooLargeError extends SecretError {
  static override readonly code = ErrorCode.TOO_LARGE
  /** Size of the rejected value in bytes. */
  readonly size: number
  constructor(size: number, limit: number, options: SecretErrorOptions = {}) {
    super(
      ErrorCode.TOO_LARGE,
      `${describe(options.secretName, options.source)} is ${size} bytes; the limit is ${limit}`,
      false,
      options,
    )
    this.size = size
  }
}

/** Options that cannot work, thrown at construction. Permanent. */
export class InvalidOptionsError extends SecretError {
  static override readonly code = ErrorCode.INVALID_OPTIONS
  constructor(message: string, options: SecretErrorOptions = {}) {
    super(ErrorCode.INVALID_OPTIONS, message, false, options)
  }
}

/** The backend could not be reached or failed (network, 5xx, sealed). Transient. */
export class SecretUnavailableError extends SecretError {
  static override readonly code = ErrorCode.UNAVAILABLE
  constructor(options: SecretErrorOptions = {}, message?: string) {
    super(
      ErrorCode.UNAVAILABLE,
      message ?? `${describe(options.secretName, options.source)} is unavailable`,
      true,
      options,
    )
  }
}

/** The backend asked us to slow down. Transient. */
export class SecretThrottledError extends SecretError {
  static override readonly code = ErrorCode.THROTTLED
  constructor(options: SecretErrorOptions = {}, message?: string) {
    super(
      ErrorCode.THROTTLED,
      message ?? `loading ${describe(options.secretName, options.source)} was throttled`,
      true,
      options,
    )
  }
}

/** One load attempt took longer than the configured timeout. Transient. */
export class SecretTimeoutError extends SecretError {
  static override readonly code = ErrorCode.TIMEOUT
  constructor(timeoutMs: number, options: SecretErrorOptions = {}) {
    super(
      ErrorCode.TIMEOUT,
      `loading ${describe(options.secretName, options.source)} timed out after ${timeoutMs} ms`,
      true,
      options,
    )
  }
}

/** `preload()` failed for one or more names; `errors` holds one error per failed name. */
export class SecretPreloadError extends SecretError {
  static override readonly code = ErrorCode.PRELOAD
  /** One error per secret that failed, in the order the names were given. */
  readonly errors: readonly SecretError[]
  constructor(errors: readonly SecretError[], options: SecretErrorOptions = {}) {
    const list = errors.map((e) => `${e.secretName ?? '?'} (${e.code})`).join(', ')
    super(
      ErrorCode.PRELOAD,
      `failed to load ${errors.length} secret${errors.length === 1 ? '' : 's'}: ${list}`,
      errors.some((e) => e.transient),
      options,
    )
    this.errors = errors
  }
}

/** True for an error that latchkey may retry. */
export function isTransient(error: unknown): boolean {
  return error instanceof SecretError && error.transient
}

/**
 * Turns anything a source threw into a {@link SecretError}. A `SecretError` passes through
 * (with the name and source filled in); anything else becomes a transient
 * {@link SecretUnavailableError} whose message is generic and whose `cause` is the original.
 * Either way the error's text and its cause's free text are scrubbed ({@link scrubErrorText}) with
 * the process's redactor and `redactor`.
 */
export function toSecretError(
  error: unknown,
  secretName: string,
  source: string,
  redactor?: TextRedactor,
): SecretError {
  if (error instanceof SecretError) {
    if (error.secretName === undefined)
      Object.defineProperty(error, 'secretName', { value: secretName, enumerable: true })
    if (error.source === undefined)
      Object.defineProperty(error, 'source', { value: source, enumerable: true })
    scrubErrorText(error, redactor)
    return error
  }
  const wrapped = new SecretUnavailableError({ secretName, source, cause: error })
  scrubErrorText(wrapped, redactor)
  return wrapped
}
