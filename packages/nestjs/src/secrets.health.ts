import {
  type LoadingHealthReporter,
  type SecretHealth,
  type SecretsHealth,
  type SecretsHealthAnswerOptions,
  secretsHealthAnswer,
} from '@latchkey/core'

/**
 * What {@link SecretsHealthIndicator.isHealthy} resolves to: a `@nestjs/terminus`
 * `HealthIndicatorResult` (declared here, so this package needs no `@nestjs/terminus` at run time).
 * `status` is `'down'` only when a required secret has no servable value. With `details: true`,
 * `health` keeps the finer `'ok' | 'degraded' | 'down'` of core's report and `secrets` the
 * per-secret entries; by default neither is there.
 */
export type SecretsHealthIndicatorResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; health?: SecretsHealth['status']; secrets?: SecretHealth[] }
>

/** Options of {@link SecretsHealthIndicator.isHealthy}: `details` and `timeout` of core's health answer. */
export type SecretsHealthIndicatorOptions = Pick<SecretsHealthAnswerOptions, 'details' | 'timeout'>

/**
 * A `@nestjs/terminus` health indicator for the module's secrets. Like Spring Boot Actuator's
 * default (`show-details: never`) it reports the status only; `{ details: true }` adds the
 * secret names, versions, times and error codes — **names and versions describe your
 * infrastructure: enable details only on a route strangers cannot reach.** Injectable wherever
 * `SecretsModule` is; use it in a `HealthCheckService.check([...])` call. Terminus answers 503
 * when it reports `down`, which happens only when a required secret has no servable value; a
 * `degraded` report (something stale or failing) stays `up` so a load balancer keeps the
 * instance, which still serves the last good values.
 */
export class SecretsHealthIndicator {
  readonly #provider: LoadingHealthReporter

  constructor(provider: LoadingHealthReporter) {
    this.#provider = provider
  }

  /**
   * Checks the secrets and resolves to a terminus result under `key`.
   * @param key the key in terminus's `info`/`error`/`details`. @default 'secrets'
   * @param names the secrets to check, all required; one never loaded is loaded by the check
   *   (within `options.timeout`). Without them every cached secret is checked and the preloaded
   *   ones (the module's secrets, `@Secret()` names) are required. @default undefined
   * @param options `details` (@default false) and `timeout` (ms, @default 2_000).
   */
  async isHealthy<const Key extends string = 'secrets'>(
    key: Key = 'secrets' as Key,
    names?: Iterable<string>,
    options: SecretsHealthIndicatorOptions = {},
  ): Promise<SecretsHealthIndicatorResult<Key>> {
    const answer = await secretsHealthAnswer(this.#provider, {
      ...options,
      ...(names === undefined ? {} : { names: [...names] }),
    })
    const body = answer.body
    const status = answer.statusCode === 503 ? 'down' : 'up'
    const result = 'secrets' in body ? { status, health: body.status, secrets: body.secrets } : { status }
    return { [key]: result } as SecretsHealthIndicatorResult<Key>
  }
}
