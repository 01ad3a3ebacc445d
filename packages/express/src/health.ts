import { InvalidOptionsError, type LoadingHealthReporter, secretsHealthAnswer } from '@latchkey/core'
import { describeType, resolveHealthOptions } from '@latchkey/core/internal'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

/** Options of {@link secretsHealthHandler}. */
export interface SecretsHealthHandlerOptions {
  /**
   * The provider to report on (either build of `@latchkey/core`).
   * @default `req.secrets`, set by the `secrets()` middleware
   */
  provider?: LoadingHealthReporter
  /**
   * The secrets to check, all required; one never loaded is loaded by the check (within
   * `timeout`). Without them every cached secret is checked and the preloaded ones (the
   * `secrets()` middleware's `preload`) are required — not those only a `requireSecrets()` guard
   * pins: its own routes answer 503 for them.
   * @default undefined
   */
  names?: readonly string[]
  /**
   * Answer with the whole report (names, versions, times, error codes) instead of `{ status }`.
   * **Warning:** names and versions describe your infrastructure; enable it only on a route
   * strangers cannot reach (an internal port, or behind authentication).
   * @default false
   */
  details?: boolean
  /**
   * How long the check waits for named secrets never loaded, in ms (1 to 2,147,483,647).
   * @default 2_000
   */
  timeout?: number
}

/**
 * An Express handler answering a secrets health check. Like Spring Boot Actuator's default
 * (`show-details: never`) the body is the status only — `{"status":"ok"}`, `"degraded"` or
 * `"down"` — unless `details: true`. The status is 503 only when a required secret has no
 * servable value (`down`), 200 otherwise (`ok` or `degraded`), with `cache-control: no-store`.
 * Works with Express 4 and 5.
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
  const { provider } = options
  if (provider !== undefined && typeof provider?.health !== 'function') {
    throw new InvalidOptionsError(
      `secretsHealthHandler: option "provider" must be a CachedSecretProvider (got ${describeType(provider)})`,
    )
  }
  const checked = resolveHealthOptions('secretsHealthHandler', options)
  return (req: Request, res: Response, next: NextFunction) => {
    const target = provider ?? (req as Request & { secrets?: LoadingHealthReporter }).secrets
    if (typeof target?.health !== 'function') {
      next(
        new InvalidOptionsError(
          'secretsHealthHandler: req.secrets is not a latchkey provider (use the secrets() middleware first, or pass { provider })',
        ),
      )
      return
    }
    secretsHealthAnswer(target, checked).then(
      (answer) => {
        res.status(answer.statusCode).set('cache-control', 'no-store').json(answer.body)
      },
      (error: unknown) => next(error),
    )
  }
}
