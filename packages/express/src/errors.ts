import { ErrorCode, SecretError } from '@latchkey/core'

const BRAND = Symbol.for('@latchkey/express.SecretServiceUnavailableError')

/** Codes that mean a mistake in the app (bad options, a malformed name) rather than a secret that cannot be had. */
const PROGRAMMING_ERRORS = new Set<string>([ErrorCode.INVALID_OPTIONS, ErrorCode.INVALID_NAME])

/** The JSON body {@link secretsErrorHandler} answers with. It never names a secret. */
export const UNAVAILABLE_BODY = Object.freeze({ error: 'Service Unavailable', code: ErrorCode.UNAVAILABLE })

/**
 * True for a latchkey error that means a secret could not be had right now (not found, denied,
 * unavailable, throttled, timed out, invalid JSON, provider closed, failed preload). Option and
 * name mistakes are not: they are bugs in the app and stay 500s.
 */
export function isSecretFailure(error: unknown): error is SecretError {
  return error instanceof SecretError && !PROGRAMMING_ERRORS.has(error.code)
}

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
