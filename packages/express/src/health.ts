import { type HealthReporter, InvalidOptionsError } from '@latchkey/core'
import { describeType } from '@latchkey/core/internal'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

/** Options of {@link secretsHealthHandler}. */
export interface SecretsHealthHandlerOptions {
  /**
   * The provider to report on (either build of `@latchkey/core`).
   * @default `req.secrets`, set by the `secrets()` middleware
   */
  provider?: HealthReporter
  /**
   * The secrets to check, all required. Without them every cached secret is reported and the pinned
   * ones (preloaded, handles) are required.
   * @default undefined
   */
  names?: readonly string[]
}

/**
 * An Express handler answering with core's `SecretsHealth` report as JSON: per secret fresh, stale
 * (and since when), expired, failing or missing, with names, versions, ages and error codes — never
 * a value. The status is 503 only when a required secret has no servable value (`down`), 200
 * otherwise (`ok` or `degraded`), with `cache-control: no-store`. Works with Express 4 and 5.
 *
 * ```ts
 * app.get('/health/secrets', secretsHealthHandler({ provider, names: ['db/password'] }))
 * ```
 */
export function secretsHealthHandler(options: SecretsHealthHandlerOptions = {}): RequestHandler {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `secretsHealthHandler(options): options must be an object (got ${describeType(options)})`,
    )
  }
  const { provider, names } = options
  if (provider !== undefined && typeof provider?.health !== 'function') {
    throw new InvalidOptionsError(
      `secretsHealthHandler: option "provider" must be a CachedSecretProvider (got ${describeType(provider)})`,
    )
  }
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) {
    throw new InvalidOptionsError(
      `secretsHealthHandler: option "names" must be an array of secret names (got ${describeType(names)})`,
    )
  }
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      const target = provider ?? (req as Request & { secrets?: HealthReporter }).secrets
      if (typeof target?.health !== 'function') {
        throw new InvalidOptionsError(
          'secretsHealthHandler: req.secrets is not a latchkey provider (use the secrets() middleware first, or pass { provider })',
        )
      }
      const report = target.health(names)
      res
        .status(report.status === 'down' ? 503 : 200)
        .set('cache-control', 'no-store')
        .json(report)
    } catch (error) {
      next(error)
    }
  }
}
