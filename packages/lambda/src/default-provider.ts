import {
  CachedSecretProvider,
  InvalidOptionsError,
  type ProviderLikeOptions,
  type SecretProviderLike,
} from '@latchkey/core'
import { resolveProvider } from '@latchkey/core/internal'
import { LambdaExtensionSource } from './lambda-extension/source.js'
import { INTEGRATION } from './options.js'
import { withExactClock } from './session.js'

/**
 * The global slot of the process-wide default provider: `Symbol.for`, so every copy of this
 * package (ESM and CommonJS, or two bundled versions) shares one provider and one cache.
 */
export const DEFAULT_PROVIDER_KEY = Symbol.for('@latchkey/lambda.defaultProvider.v1')

interface Slot {
  provider: SecretProviderLike
}

type Global = typeof globalThis & { [DEFAULT_PROVIDER_KEY]?: Slot }

/**
 * Sets the provider `getSecret()` and `getJson()` use: `{ provider }`, or `{ source, ...cacheOptions }`
 * to build one. Call it at module scope, before the first `getSecret()`. Returns the provider.
 */
export function configureDefaultProvider(options: ProviderLikeOptions): SecretProviderLike {
  const { provider } = resolveProvider(withExactClock(options) as never, INTEGRATION)
  ;(globalThis as Global)[DEFAULT_PROVIDER_KEY] = { provider }
  return provider
}

/**
 * The process-wide default provider; the first call without `configureDefaultProvider()` builds
 * one over `new LambdaExtensionSource()` with core's cache defaults (which throws
 * `InvalidOptionsError` when `AWS_SESSION_TOKEN` is not set).
 */
export function defaultProvider(): SecretProviderLike {
  const global = globalThis as Global
  let slot = global[DEFAULT_PROVIDER_KEY]
  if (slot === undefined) {
    slot = { provider: new CachedSecretProvider(new LambdaExtensionSource(), { clock: () => Date.now() }) }
    global[DEFAULT_PROVIDER_KEY] = slot
  }
  return slot.provider
}

/** Options of {@link getSecret} and {@link getJson}, as Powertools' `getSecret` users know them. */
export interface GetSecretOptions {
  /**
   * Seconds a cached value may be used before this call loads it again (Powertools' unit); on a
   * failing store the last good value is served within the provider's `maxStale`.
   * @default the provider's `ttl` (5 minutes with core's defaults)
   */
  maxAge?: number
  /** Load the value again now, whatever its age (concurrent calls still share one load). @default false */
  forceFetch?: boolean
}

function checkOptions(fn: string, options: unknown): GetSecretOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError(`${INTEGRATION}: ${fn} options must be an object`)
  }
  const given = options as Record<string, unknown>
  const unknown = Object.keys(given).filter((key) => key !== 'maxAge' && key !== 'forceFetch')
  if (unknown.length > 0) {
    throw new InvalidOptionsError(
      `${INTEGRATION}: ${fn} got unknown option ${unknown.map((k) => `{ ${k} }`).join(', ')} (it takes maxAge and forceFetch)`,
    )
  }
  const { maxAge, forceFetch } = given
  if (maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge < 0)) {
    const got = typeof maxAge === 'number' ? `number ${maxAge}` : typeof maxAge
    throw new InvalidOptionsError(
      `${INTEGRATION}: ${fn} option { maxAge } must be a number of seconds ≥ 0; got ${got}`,
    )
  }
  if (forceFetch !== undefined && typeof forceFetch !== 'boolean') {
    throw new InvalidOptionsError(`${INTEGRATION}: ${fn} option { forceFetch } must be true or false`)
  }
  return given as GetSecretOptions
}

/** Marks `name` expired when `options` ask for a newer value than the one held (a reload in flight is joined). */
function expireIfOld(provider: SecretProviderLike, name: string, options: GetSecretOptions): void {
  if (!options.forceFetch && options.maxAge === undefined) return
  const report = provider.health([name])
  const held = report.secrets[0]
  if (held === undefined || held.loading || held.loadedAt === undefined) return
  if (options.forceFetch || report.checkedAt - held.loadedAt >= (options.maxAge as number) * 1000) {
    provider.invalidate(name)
  }
}

/**
 * One call for the simplest handlers: the value of `name` (`'name#field'` selects a JSON field)
 * from the process-wide default provider, cached, single-flight, stale-if-error.
 */
export async function getSecret(name: string, options?: GetSecretOptions): Promise<string> {
  const checked = checkOptions('getSecret(name, options)', options)
  const provider = defaultProvider()
  expireIfOld(provider, name, checked)
  return provider.getSecret(name)
}

/** Like {@link getSecret}, parsed as JSON (`InvalidSecretJsonError` says where parsing failed, never the text). */
export async function getJson<T = unknown>(name: string, options?: GetSecretOptions): Promise<T> {
  const checked = checkOptions('getJson(name, options)', options)
  const provider = defaultProvider()
  expireIfOld(provider, name, checked)
  return provider.getJson<T>(name)
}
