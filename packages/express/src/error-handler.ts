import { InvalidOptionsError } from '@latchkey/core'
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'
import { isSecretFailure, UNAVAILABLE_BODY } from './errors.js'

/** A logger the handler can write to: pino's (and pino-http's `req.log`) shape, `error(object, message)`. */
export interface ErrorHandlerLogger {
  error(object: object, message: string): void
}

/** Options of {@link secretsErrorHandler}. */
export interface SecretsErrorHandlerOptions {
  /**
   * Where a secret failure is logged when the request has no `req.log` (pino-http and
   * nestjs-pino set one). Logged as `logger.error({ err }, message)`; the error names secrets and
   * codes, never a value. Without either, the failure is answered without being logged.
   * @default undefined
   */
  logger?: ErrorHandlerLogger
}

const LOG_MESSAGE = 'latchkey: a secret this request needs is unavailable; answered 503'

function requestLogger(req: Request): ErrorHandlerLogger | undefined {
  const log = (req as Request & { log?: unknown }).log
  return typeof log === 'object' && log !== null && typeof (log as ErrorHandlerLogger).error === 'function'
    ? (log as ErrorHandlerLogger)
    : undefined
}

/**
 * An Express error handler that answers secret failures with `503` and the generic JSON body
 * `{ "error": "Service Unavailable", "code": "ERR_SECRET_UNAVAILABLE" }`: no secret name, no
 * message, no stack. Before answering it logs the error to `req.log` (pino-http, nestjs-pino) when
 * the request has one, else to `options.logger`. Every other error goes on to the next error
 * handler. Mount it after your routes.
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when `logger` has no `error` method.
 */
export function secretsErrorHandler(options: SecretsErrorHandlerOptions = {}): ErrorRequestHandler {
  const fallback = options.logger
  if (
    fallback !== undefined &&
    typeof (fallback as Partial<ErrorHandlerLogger> | null)?.error !== 'function'
  ) {
    throw new InvalidOptionsError(
      `secretsErrorHandler: option "logger" must have an error(object, message) method, as pino loggers do (got ${fallback === null ? 'null' : typeof fallback})`,
    )
  }
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent || !isSecretFailure(error)) {
      next(error)
      return
    }
    const logger = requestLogger(req) ?? fallback
    try {
      logger?.error({ err: error }, LOG_MESSAGE)
    } catch {
      // A failing logger must not turn a 503 into a hung request.
    }
    res.status(503).json(UNAVAILABLE_BODY)
  }
}
