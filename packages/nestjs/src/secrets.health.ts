import type { HealthReporter, SecretHealth, SecretsHealth } from '@latchkey/core'

/**
 * What {@link SecretsHealthIndicator.isHealthy} returns: a `@nestjs/terminus` `HealthIndicatorResult`
 * (declared here, so this package needs no `@nestjs/terminus` at run time). `status` is `'down'`
 * only when a required secret has no servable value; `health` keeps the finer `'ok' | 'degraded' |
 * 'down'` of core's report.
 */
export type SecretsHealthIndicatorResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; health: SecretsHealth['status']; secrets: SecretHealth[] }
>

/**
 * A `@nestjs/terminus` health indicator for the module's secrets: per secret fresh, stale (and since
 * when), expired, failing or missing — names, versions, ages and error codes, never a value.
 * Injectable wherever `SecretsModule` is; use it in a `HealthCheckService.check([...])` call.
 * Terminus answers 503 when it reports `down`, which happens only when a required secret has no
 * servable value; a `degraded` report (something stale or failing) stays `up` so a load balancer
 * keeps the instance, which still serves the last good values.
 */
export class SecretsHealthIndicator {
  readonly #provider: HealthReporter

  constructor(provider: HealthReporter) {
    this.#provider = provider
  }

  /**
   * Checks the secrets and returns a terminus result under `key`.
   * @param key the key in terminus's `info`/`error`/`details`. @default 'secrets'
   * @param names the secrets to check, all required; without them every cached secret is reported
   *   and the pinned ones (preloaded, injected with `@Secret()`) are required. @default undefined
   */
  isHealthy<const Key extends string = 'secrets'>(
    key: Key = 'secrets' as Key,
    names?: Iterable<string>,
  ): SecretsHealthIndicatorResult<Key> {
    const report = this.#provider.health(names)
    return {
      [key]: {
        status: report.status === 'down' ? 'down' : 'up',
        health: report.status,
        secrets: report.secrets,
      },
    } as SecretsHealthIndicatorResult<Key>
  }
}
