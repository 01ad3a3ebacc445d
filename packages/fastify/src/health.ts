import {
  InvalidOptionsError,
  type LoadingHealthReporter,
  type SecretsHealthAnswer,
  secretsHealthAnswer,
} from '@latchkey/core'
import { describeType, resolveHealthOptions } from '@latchkey/core/internal'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** Options of {@link secretsHealthHandler}. */
export interface SecretsHealthHandlerOptions {
  /**
   * The provider to report on (either build of `@latchkey/core`).
   * @default the provider the `latchkey` plugin decorated as `fastify[decorator]`
   */
  provider?: LoadingHealthReporter
  /**
   * The decorator the provider is read from when `provider` is not given.
   * @default 'secrets'
   */
  decorator?: string
  /**
   * The secrets to check, all required; one never loaded is loaded by the check (within
   * `timeout`). Without them every cached secret is checked and the preloaded ones (the plugin's
   * `preload`) are required.
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
 * A Fastify route handler answering a secrets health check. Like Spring Boot Actuator's default
 * (`show-details: never`) the body is the status only — `{"status":"ok"}`, `"degraded"` or
 * `"down"` — unless `details: true`. The status is 503 only when a required secret has no
 * servable value (`down`), 200 otherwise (`ok` or `degraded`), with `cache-control: no-store`.
 *
 * ```ts
 * app.get('/health/secrets', secretsHealthHandler({ names: ['db/password'] }))
 * ```
 */
export function secretsHealthHandler(
  options: SecretsHealthHandlerOptions = {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<SecretsHealthAnswer['body']> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `secretsHealthHandler(options): options must be an object (got ${describeType(options)})`,
    )
  }
  const { provider, decorator = 'secrets' } = options
  if (provider !== undefined && typeof provider?.health !== 'function') {
    throw new InvalidOptionsError(
      `secretsHealthHandler: option "provider" must be a CachedSecretProvider (got ${describeType(provider)})`,
    )
  }
  if (typeof decorator !== 'string' || decorator.length === 0) {
    throw new InvalidOptionsError(
      `secretsHealthHandler: option "decorator" must be a non-empty string (got ${describeType(decorator)})`,
    )
  }
  const checked = resolveHealthOptions('secretsHealthHandler', options)
  return async (request, reply) => {
    const target =
      provider ?? (request.server as unknown as Record<string, LoadingHealthReporter | undefined>)[decorator]
    if (typeof target?.health !== 'function') {
      throw new InvalidOptionsError(
        `secretsHealthHandler: fastify.${decorator} is not a latchkey provider (register the latchkey plugin first, or pass { provider })`,
      )
    }
    const answer = await secretsHealthAnswer(target, checked)
    reply.code(answer.statusCode).header('cache-control', 'no-store')
    return answer.body
  }
}
