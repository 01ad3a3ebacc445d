import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'
import { isSecretFailure, UNAVAILABLE_BODY } from './errors.js'

/**
 * An Express error handler that answers secret failures with `503` and the generic JSON body
 * `{ "error": "Service Unavailable", "code": "ERR_SECRET_UNAVAILABLE" }`: no secret name, no
 * message, no stack. Every other error goes on to the next error handler. Mount it after your routes.
 */
export function secretsErrorHandler(): ErrorRequestHandler {
  return (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent || !isSecretFailure(error)) next(error)
    else res.status(503).json(UNAVAILABLE_BODY)
  }
}
