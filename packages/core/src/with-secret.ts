import { describeType } from './describe-type.js'
import { InvalidOptionsError } from './errors.js'

/** The part of a provider {@link withSecret} uses: `CachedSecretProvider` fits. */
export interface RefreshingProvider {
  getSecret(name: string): Promise<string>
  refresh(name: string): Promise<void>
}

/** Options for {@link withSecret}. */
export interface WithSecretOptions {
  /**
   * Says whether a failure of `call` means the credential was refused — an HTTP 401 or 403, a
   * driver's auth error code. Only then is the secret refreshed and the call retried, once. A
   * predicate that throws counts as "not refused" (the call's own error is rethrown).
   */
  isRefused: (error: unknown) => boolean
}

function checkArguments(provider: unknown, name: unknown, call: unknown, options: unknown): void {
  const p = provider as Partial<RefreshingProvider> | null
  if (describeType(p) !== 'object' || typeof p?.getSecret !== 'function' || typeof p.refresh !== 'function') {
    throw new InvalidOptionsError(
      'withSecret: { provider } must have getSecret() and refresh() (a CachedSecretProvider)',
    )
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOptionsError(
      `withSecret: { name } must be a non-empty string, got ${describeType(name)}`,
    )
  }
  if (typeof call !== 'function') {
    throw new InvalidOptionsError(`withSecret: { call } must be a function, got ${describeType(call)}`)
  }
  if (describeType(options) !== 'object') {
    throw new InvalidOptionsError(`withSecret: options must be an object, got ${describeType(options)}`)
  }
  const record = options as Record<string, unknown>
  const unknown = Object.keys(record).find((key) => key !== 'isRefused')
  if (unknown !== undefined) {
    throw new InvalidOptionsError(
      `withSecret: unknown option { ${unknown.slice(0, 64)} }; known options: isRefused`,
    )
  }
  if (typeof record.isRefused !== 'function') {
    throw new InvalidOptionsError(
      `withSecret: { isRefused } must be a function, got ${describeType(record.isRefused)}`,
    )
  }
}

function refused(options: WithSecretOptions, error: unknown): boolean {
  try {
    return options.isRefused(error) === true
  } catch {
    return false
  }
}

/**
 * Runs `call` with the current value of secret `name`. When it fails and `options.isRefused` says
 * the credential was refused (the key was rotated), forces one `provider.refresh(name)` — shared
 * with concurrent callers and rate-limited by the provider's `minRefreshInterval`, so a storm of
 * 401s costs one reload — and, if that gave a different value, retries `call` once with it.
 * Otherwise the original error is rethrown, as it is.
 *
 * For API keys (Stripe, OpenAI, internal services) and drivers latchkey does not wrap.
 *
 * @example
 * const res = await withSecret(provider, 'stripe/key', (key) => api.charge(key, order), {
 *   isRefused: (error) => (error as { status?: number }).status === 401,
 * })
 * @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong argument or option.
 */
export async function withSecret<T>(
  provider: RefreshingProvider,
  name: string,
  call: (value: string) => T | Promise<T>,
  options: WithSecretOptions,
): Promise<T> {
  checkArguments(provider, name, call, options)
  const value = await provider.getSecret(name)
  try {
    return await call(value)
  } catch (error) {
    if (!refused(options, error)) throw error
    try {
      await provider.refresh(name)
    } catch {
      throw error
    }
    const next = await provider.getSecret(name).catch(() => value)
    if (next === value) throw error
    return await call(next)
  }
}
