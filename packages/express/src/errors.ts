import { ErrorCode, SecretError } from '@latchkey/core'
import { isSecretFailure } from '@latchkey/core/internal'

export { isSecretFailure, UNAVAILABLE_BODY } from '@latchkey/core/internal'

const BRAND = Symbol.for('@latchkey/express.SecretServiceUnavailableError')

/**
 * What the middleware passes to `next(err)` when a request cannot get its secrets. It carries
 * `status`/`statusCode` 503 and `expose: false`, so Express's default handler answers
 * `503 Service Unavailable` (in production, with no stack). The message names the secrets and
 * their error codes, never a value; the original error is the `cause`.
 */
export class SecretServiceUnavailableError extends SecretError {
  static override readonly code = ErrorCode.UNAVAILABLE
  /** HTTP status for Express's default error handler and http-errors-style handlers. */
  readonly status = 503
  /** Same as {@link status}, for handlers that read `statusCode`. */
  readonly statusCode = 503
  /** The message is for logs, not for clients. */
  readonly expose = false

  constructor(cause: SecretError) {
    super(
      ErrorCode.UNAVAILABLE,
      `a secret this request needs is unavailable: ${cause.message}`,
      cause.transient,
      {
        cause,
        ...(cause.secretName === undefined ? {} : { secretName: cause.secretName }),
        ...(cause.source === undefined ? {} : { source: cause.source }),
      },
    )
    Object.defineProperty(this, BRAND, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
  }
}

/** Wraps a secret failure for `next(err)`; anything else passes through unchanged. */
export function toRequestError(error: unknown): unknown {
  if (error instanceof SecretServiceUnavailableError || !isSecretFailure(error)) return error
  return new SecretServiceUnavailableError(error)
}
