import { ErrorCode, SecretError } from '@latchkey/core'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/** Codes that mean a mistake in the app (bad options, a malformed name) rather than a secret that cannot be had. */
const PROGRAMMING_ERRORS = new Set<string>([ErrorCode.INVALID_OPTIONS, ErrorCode.INVALID_NAME])

/** The JSON body {@link secretsErrorHandler} answers with. It never names a secret. */
export const UNAVAILABLE_BODY: Readonly<{ error: string; code: string }> = Object.freeze({
  error: 'Service Unavailable',
  code: ErrorCode.UNAVAILABLE,
})

const LOG_MESSAGE = 'latchkey: a secret this request needs is unavailable; answered 503'

/**
 * True for a latchkey error that means a secret could not be had right now (not found, denied,
 * unavailable, throttled, timed out, invalid JSON, provider closed, failed preload). Option and
 * name mistakes are not: they are bugs in the app and stay 500s.
 */
export function isSecretFailure(error: unknown): error is SecretError {
  return error instanceof SecretError && !PROGRAMMING_ERRORS.has(error.code)
}

/**
 * A Fastify error handler (`app.setErrorHandler(secretsErrorHandler())`) that answers secret
 * failures with `503` and the generic JSON body
 * `{ "error": "Service Unavailable", "code": "ERR_SECRET_UNAVAILABLE" }`: no secret name, no
 * message, no stack. It logs the error with `request.log.error({ err }, …)` first (the error names
 * secrets and codes, never a value). Any other error is rethrown, so Fastify's default handling
 * (its status code, body and log line) applies as if this handler were not there.
 */
export function secretsErrorHandler(): (
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply {
  return function latchkeyErrorHandler(error, request, reply) {
    if (!isSecretFailure(error)) throw error
    request.log.error({ err: error }, LOG_MESSAGE)
    return reply.code(503).type('application/json; charset=utf-8').send(UNAVAILABLE_BODY)
  }
}
