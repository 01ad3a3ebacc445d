import { type CachedSecretProvider, InvalidOptionsError, type ProviderLikeOptions } from '@latchkey/core'
import { checkBudget, parseSecretRef, preloadWithin, resolveProvider } from '@latchkey/core/internal'
import { LOADER_STATE, type LoaderState, loaderFailure } from './startup.js'

const INTEGRATION = '@latchkey/nestjs secretsLoader'

/** Config keys mapped to secret names (`'db/password'`, `'db/creds#username'`), nested as deep as you like. */
export interface SecretMap {
  readonly [key: string]: string | SecretMap
}

/** The config object a loader produces: the same keys, each leaf the secret's current value. */
export type SecretValues<M extends SecretMap> = {
  readonly [K in keyof M]: M[K] extends string ? string : M[K] extends SecretMap ? SecretValues<M[K]> : never
}

/** Options of {@link secretsLoader}: `{ provider }` or `{ source, ...CacheOptions }`, and the secrets. */
export type SecretsLoaderOptions<M extends SecretMap = SecretMap> = ProviderLikeOptions & {
  /**
   * The key the values are registered under (`'database'` → `config.get('database.password')`), as
   * `registerAs('database', …)` does; the factory then has a `KEY` for `@Inject(factory.KEY)`.
   * Without it every top-level entry of `secrets` must be a group.
   * @default undefined
   */
  namespace?: string
  /** Config keys mapped to secret names. */
  secrets: M
  /**
   * How long loading the secrets may take, in ms; past it, startup fails with a `SecretPreloadError`
   * naming each secret still loading (`ERR_SECRET_TIMEOUT`). Nest has no startup limit of its own;
   * without this option the provider's retry policy alone bounds the wait.
   * @default undefined
   */
  preloadTimeout?: number
}

/** A `@nestjs/config` config factory for `ConfigModule.forRoot({ load: [...] })` or `ConfigModule.forFeature()`. */
export interface SecretsConfigFactory<T> {
  (): Promise<T>
  /** The injection token of the namespaced config (`CONFIGURATION(<namespace>)`), when `namespace` is set. */
  readonly KEY?: string
}

function collectNames(map: SecretMap, path: string, names: Set<string>): void {
  for (const [key, entry] of Object.entries(map)) {
    const where = path === '' ? key : `${path}.${key}`
    if (typeof entry === 'string') {
      parseSecretRef(entry)
      names.add(entry)
    } else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
      collectNames(entry, where, names)
    } else {
      throw new InvalidOptionsError(
        `${INTEGRATION}: secrets.${where} must be a secret name or an object of them`,
      )
    }
  }
}

/** Builds the config tree: groups are plain objects, leaves are non-enumerable getters over live handles. */
function bind(map: SecretMap, provider: CachedSecretProvider): object {
  const target = {}
  for (const [key, entry] of Object.entries(map)) {
    if (typeof entry === 'string') {
      const handle = provider.handle(entry)
      Object.defineProperty(target, key, { get: () => handle.reveal(), enumerable: false })
    } else {
      Object.defineProperty(target, key, { value: bind(entry, provider), enumerable: true })
    }
  }
  return target
}

/**
 * A config factory that puts secrets into `ConfigService`: it loads every secret (startup fails with
 * one `SecretPreloadError` naming all that are missing, together with those a `SecretsModule` in the
 * same app is missing) and returns an object whose leaves read live
 * handles, so `config.get('database.password')` returns the current value after a rotation.
 *
 * Values are non-enumerable: `JSON.stringify`, spreading or logging the config object shows no secret.
 * With `{ source }` the loader builds a provider that lives as long as the process (its timers never
 * hold the process open); pass `{ provider }` to share one with `SecretsModule`.
 *
 * Needs no import of `@nestjs/config`; the factory has the shape `registerAs()` gives.
 *
 * @example
 * ConfigModule.forRoot({
 *   load: [secretsLoader({ provider, namespace: 'database', secrets: { password: 'db/password' } })],
 * })
 */
export function secretsLoader<const M extends SecretMap>(
  options: SecretsLoaderOptions<M>,
): SecretsConfigFactory<SecretValues<M>> {
  const { namespace, secrets, preloadTimeout, ...providerOptions } =
    options ?? ({} as SecretsLoaderOptions<M>)
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw new InvalidOptionsError(
      `${INTEGRATION}: pass secrets, an object mapping config keys to secret names`,
    )
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length === 0)) {
    throw new InvalidOptionsError(`${INTEGRATION}: namespace must be a non-empty string`)
  }
  if (namespace === undefined) {
    for (const [key, entry] of Object.entries(secrets)) {
      if (typeof entry === 'string') {
        throw new InvalidOptionsError(
          `${INTEGRATION}: without a namespace, ConfigModule copies top-level values once, so "${key}" would not follow rotations; ` +
            `set namespace, or put it in a group (secrets: { database: { ${key}: '${entry}' } })`,
        )
      }
    }
  }
  const names = new Set<string>()
  collectNames(secrets, '', names)
  if (names.size === 0) throw new InvalidOptionsError(`${INTEGRATION}: secrets names no secret`)
  const budget =
    preloadTimeout === undefined ? undefined : checkBudget(INTEGRATION, 'preloadTimeout', preloadTimeout)
  const { provider } = resolveProvider(providerOptions, INTEGRATION)
  const state: LoaderState = { provider, names: [...names], budget, reports: new Set() }

  const factory = async (): Promise<SecretValues<M>> => {
    try {
      await preloadWithin(provider, state.names, budget, 'preloadTimeout')
    } catch (error) {
      // With a SecretsModule in the app, one error names what both are missing.
      throw await loaderFailure(state, error)
    }
    return bind(secrets, provider) as SecretValues<M>
  }
  Object.defineProperty(factory, LOADER_STATE, { value: state })
  if (namespace !== undefined) {
    // The two properties `registerAs(namespace, factory)` from @nestjs/config defines.
    Object.defineProperty(factory, 'PARTIAL_CONFIGURATION_KEY', { value: namespace })
    Object.defineProperty(factory, 'KEY', { value: `CONFIGURATION(${namespace})` })
  }
  return factory
}
