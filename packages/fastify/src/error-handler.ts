import { isSecretFailure, UNAVAILABLE_BODY } from '@latchkey/core/internal'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

export { isSecretFailure, UNAVAILABLE_BODY } from '@latchkey/core/internal'

const LOG_MESSAGE = 'latchkey: a secret this request needs is unavailable; answered 503'

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
