import { MAX_TIMER_MS } from './cache-options.js'
import { describeValue } from './describe-type.js'
import { InvalidOptionsError } from './errors.js'
import type { HealthReporter, SecretsHealth } from './health.js'

/** What a health endpoint needs of a provider: its report, and `getSecret` to load a named secret never loaded. */
export interface LoadingHealthReporter extends HealthReporter {
  getSecret?(name: string): Promise<string>
}

/** Options of {@link secretsHealthAnswer} and of the health endpoints built on it. */
export interface SecretsHealthAnswerOptions {
  /**
   * The secrets to check, all required. A named secret never loaded is loaded by the check
   * (bounded by `timeout`), not reported missing forever. Without names every cached secret is
   * checked and the **preloaded** ones are required (`preload()`, the integrations' `preload`
   * option, Nest's `@Secret()` names); secrets only a route guard (`requireSecrets`) pins are not.
   * @default undefined
   */
  names?: readonly string[]
  /**
   * Answer with the whole report — secret names, versions, times, error codes — instead of the
   * status only. **Names and versions describe your infrastructure** (per-tenant names, ARNs with
   * the account id, Google project ids, Vault lease ids): enable it only on a route that is not
   * reachable by strangers (an internal port, or behind authentication).
   * @default false
   */
  details?: boolean
  /**
   * How long the check waits for the loads of named secrets never loaded, in ms (a whole number
   * from 1 to 2,147,483,647); past it the check answers with what it has.
   * @default 2_000
   */
  timeout?: number
}

/** A health answer: the HTTP status and the JSON body. */
export interface SecretsHealthAnswer {
  /** 503 when a required secret has no servable value (`down`), else 200 (`ok`, `degraded`). */
  statusCode: 200 | 503
  /** `{ status }` only, or with `details` the whole {@link SecretsHealth} report. */
  body: { status: SecretsHealth['status'] } | SecretsHealth
}

/** {@link SecretsHealthAnswerOptions}, checked, with defaults. */
export interface ResolvedHealthOptions {
  names: readonly string[] | undefined
  details: boolean
  timeout: number
}

/** Checks health options; throws `ERR_SECRET_INVALID_OPTIONS` naming `owner` and the option. */
export function resolveHealthOptions(
  owner: string,
  options: SecretsHealthAnswerOptions,
): ResolvedHealthOptions {
  const { names, details = false, timeout = 2_000 } = options
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) {
    throw new InvalidOptionsError(
      `${owner}: option "names" must be an array of secret names (got ${describeValue(names)})`,
    )
  }
  if (typeof details !== 'boolean') {
    throw new InvalidOptionsError(
      `${owner}: option "details" must be true or false (got ${describeValue(details)})`,
    )
  }
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMER_MS) {
    throw new InvalidOptionsError(
      `${owner}: option "timeout" must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (got ${describeValue(timeout)})`,
    )
  }
  return { names, details, timeout }
}

/** Loads the named secrets that were never loaded, waiting at most `timeout` ms. Never rejects. */
async function loadMissing(
  provider: LoadingHealthReporter,
  names: readonly string[],
  timeout: number,
): Promise<void> {
  const getSecret = provider.getSecret
  if (typeof getSecret !== 'function') return
  const missing = provider
    .health(names)
    .secrets.filter((secret) => secret.status === 'missing')
    .map((secret) => secret.name)
  if (missing.length === 0) return
  const loads = missing.map((name) => {
    try {
      return Promise.resolve(getSecret.call(provider, name)).then(
        () => undefined,
        () => undefined,
      )
    } catch {
      return Promise.resolve()
    }
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeout)
    timer.unref?.()
  })
  await Promise.race([Promise.all(loads), expired])
  clearTimeout(timer)
}

/**
 * The answer of a secrets health endpoint, shared by `@latchkey/express`, `@latchkey/fastify` and
 * `@latchkey/nestjs`. Like Spring Boot Actuator's default (`show-details: never`) the body is the
 * status only, `{ "status": "ok" }`; `details: true` gives the whole report (see the warning on
 * {@link SecretsHealthAnswerOptions.details}). Named secrets never loaded are loaded first,
 * bounded by `timeout`.
 */
export async function secretsHealthAnswer(
  provider: LoadingHealthReporter,
  options: SecretsHealthAnswerOptions = {},
): Promise<SecretsHealthAnswer> {
  if (typeof provider?.health !== 'function') {
    throw new InvalidOptionsError(
      `secretsHealthAnswer(provider): provider must be a CachedSecretProvider (got ${describeValue(provider)})`,
    )
  }
  const resolved = resolveHealthOptions('secretsHealthAnswer', options)
  if (resolved.names !== undefined) await loadMissing(provider, resolved.names, resolved.timeout)
  const report = provider.health(resolved.names)
  return {
    statusCode: report.status === 'down' ? 503 : 200,
    body: resolved.details ? report : { status: report.status },
  }
}
