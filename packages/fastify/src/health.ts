import { type HealthReporter, InvalidOptionsError, type SecretsHealth } from '@latchkey/core'
import { describeType } from '@latchkey/core/internal'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** Options of {@link secretsHealthHandler}. */
export interface SecretsHealthHandlerOptions {
  /**
   * The provider to report on (either build of `@latchkey/core`).
   * @default the provider the `latchkey` plugin decorated as `fastify[decorator]`
   */
  provider?: HealthReporter
  /**
   * The decorator the provider is read from when `provider` is not given.
   * @default 'secrets'
   */
  decorator?: string
  /**
   * The secrets to check, all required. Without them every cached secret is reported and the pinned
   * ones (preloaded, handles) are required.
   * @default undefined
   */
  names?: readonly string[]
}

/**
 * A Fastify route handler answering with core's `SecretsHealth` report as JSON: per secret fresh,
 * stale (and since when), expired, failing or missing, with names, versions, ages and error codes —
 * never a value. The status is 503 only when a required secret has no servable value (`down`), 200
 * otherwise (`ok` or `degraded`), with `cache-control: no-store`.
 *
 * ```ts
 * app.get('/health/secrets', secretsHealthHandler({ names: ['db/password'] }))
 * ```
 */
export function secretsHealthHandler(
  options: SecretsHealthHandlerOptions = {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<SecretsHealth> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `secretsHealthHandler(options): options must be an object (got ${describeType(options)})`,
    )
  }
  const { provider, decorator = 'secrets', names } = options
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
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) {
    throw new InvalidOptionsError(
      `secretsHealthHandler: option "names" must be an array of secret names (got ${describeType(names)})`,
    )
  }
  return async (request, reply) => {
    const target =
      provider ?? (request.server as unknown as Record<string, HealthReporter | undefined>)[decorator]
    if (typeof target?.health !== 'function') {
      throw new InvalidOptionsError(
        `secretsHealthHandler: fastify.${decorator} is not a latchkey provider (register the latchkey plugin first, or pass { provider })`,
      )
    }
    const report = target.health(names)
    reply.code(report.status === 'down' ? 503 : 200).header('cache-control', 'no-store')
    return report
  }
}
