import { CachedSecretProvider, isCachedSecretProvider } from './cache.js'
import { InvalidOptionsError } from './errors.js'
import type { ProviderLikeOptions } from './provider-like.js'
import type { CacheOptions, SecretSource } from './types.js'

/**
 * How every integration is configured: a provider the app built (the app closes it), or a source
 * plus cache options (the integration builds the provider and closes it on shutdown).
 */
export type ProviderOptions =
  | { provider: CachedSecretProvider; source?: never }
  | ({ source: SecretSource; provider?: never } & CacheOptions)

/** A provider and whether the integration that asked for it owns (and so closes) it. */
export interface ResolvedProvider {
  provider: CachedSecretProvider
  owned: boolean
}

/**
 * Turns {@link ProviderOptions} (or the structural {@link ProviderLikeOptions} the integrations
 * declare) into a provider; throws a clear error when neither or both are given, or when
 * `provider` is not a `CachedSecretProvider` of either build.
 */
export function resolveProvider(
  options: ProviderLikeOptions | undefined,
  integration: string,
): ResolvedProvider {
  const given = options as { provider?: unknown; source?: unknown } | undefined
  if (given?.provider !== undefined && given.source !== undefined) {
    throw new InvalidOptionsError(`${integration}: pass either { provider } or { source }, not both`)
  }
  if (given?.provider !== undefined) {
    const cacheOptions = Object.keys(given).filter((key) => key !== 'provider' && key !== 'source')
    if (cacheOptions.length > 0) {
      throw new InvalidOptionsError(
        `${integration}: cache options (${cacheOptions
          .slice(0, 5)
          .map((k) => `"${k.slice(0, 64)}"`)
          .join(', ')}) apply only with { source }; ` +
          'with { provider }, set them where you build the CachedSecretProvider',
      )
    }
    if (!isCachedSecretProvider(given.provider)) {
      throw new InvalidOptionsError(
        `${integration}: { provider } must be a CachedSecretProvider from @latchkey/core`,
      )
    }
    return { provider: given.provider, owned: false }
  }
  if (given?.source !== undefined) {
    const { source, ...cacheOptions } = options as { source: SecretSource } & CacheOptions
    return { provider: new CachedSecretProvider(source, cacheOptions), owned: true }
  }
  throw new InvalidOptionsError(
    `${integration}: pass { provider } (a CachedSecretProvider) or { source } (a SecretSource such as new EnvSource())`,
  )
}
