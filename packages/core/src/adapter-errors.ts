/**
 * How the HTTP adapters (Express, Fastify) tell a secret failure from a bug, and the body they
 * answer a secret failure with. One home, `@latchkey/core/internal`; the adapters re-export
 * {@link isSecretFailure} and {@link UNAVAILABLE_BODY} as their own public names.
 */
import { ErrorCode, SecretError } from './errors.js'

/** Codes that mean a mistake in the app (bad options, a malformed name) rather than a secret that cannot be had. */
export const PROGRAMMING_ERRORS: ReadonlySet<string> = new Set<string>([
  ErrorCode.INVALID_OPTIONS,
  ErrorCode.INVALID_NAME,
])

/** The JSON body an adapter's error handler answers a secret failure with. It never names a secret. */
export const UNAVAILABLE_BODY: Readonly<{ error: string; code: string }> = Object.freeze({
  error: 'Service Unavailable',
  code: ErrorCode.UNAVAILABLE,
})

/**
 * True for a latchkey error that means a secret could not be had right now (not found, denied,
 * unavailable, throttled, timed out, invalid JSON, provider closed, failed preload). Option and
 * name mistakes are not: they are bugs in the app and stay 500s.
 */
export function isSecretFailure(error: unknown): error is SecretError {
  return error instanceof SecretError && !PROGRAMMING_ERRORS.has(error.code)
}
