import { serializeError } from './serialize-error.js'
import { serializeRequest, serializeResponse } from './serialize-http.js'

/**
 * The serializers `redactSecrets()` installs by default: `err`, and `req`/`res` that log what
 * Fastify logs by default (no headers). None of them ever throws.
 */
export const serializers: Readonly<{
  err: (value: unknown) => unknown
  req: (value: unknown) => unknown
  res: (value: unknown) => unknown
}> = Object.freeze({ err: serializeError, req: serializeRequest, res: serializeResponse })
