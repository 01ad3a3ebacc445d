import { serializeError } from './serialize-error.js'
import { serializeRequest, serializeResponse } from './serialize-http.js'

/** The serializers `redactSecrets()` installs: `err`, `req` and `res`. None of them ever throws. */
export const serializers: Readonly<{
  err: (value: unknown) => unknown
  req: (value: unknown) => unknown
  res: (value: unknown) => unknown
}> = Object.freeze({ err: serializeError, req: serializeRequest, res: serializeResponse })
