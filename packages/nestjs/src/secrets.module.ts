import {
  CachedSecretProvider,
  InvalidOptionsError,
  type ResolvedProvider,
  resolveProvider,
  type SecretHandle,
} from '@latchkey/core'
import {
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common'
import { ModulesContainer } from '@nestjs/core'
import { declaredSecretNames, getSecretToken } from './secret.decorator.js'
import { SECRETS_INJECTED_NAMES, SECRETS_RESOLVED_PROVIDER } from './secrets.constants.js'
import {
  SECRETS_MODULE_OPTIONS,
  SecretsConfigurableModule,
  type SecretsModuleAsyncOptions,
  type SecretsModuleOptions,
  type SecretsModuleRootOptions,
} from './secrets.module-definition.js'
import { findInjectedSecretNames } from './secrets.scanner.js'
import { SecretsService } from './secrets.service.js'

const INTEGRATION = '@latchkey/nestjs SecretsModule'

function resolve(options: SecretsModuleOptions): ResolvedProvider {
  const { preload, ...providerOptions } = options
  if (preload !== undefined && !Array.isArray(preload)) {
    throw new InvalidOptionsError(`${INTEGRATION}: preload must be an array of secret names`)
  }
  return resolveProvider(providerOptions, INTEGRATION)
}

/** Loads `preload` and every secret the app injects, in one batch; startup fails naming every failure. */
async function preloadSecrets(
  resolved: ResolvedProvider,
  options: SecretsModuleOptions,
  modules: ModulesContainer,
): Promise<ReadonlySet<string>> {
  const injected = findInjectedSecretNames(modules)
  try {
    await resolved.provider.preload([...(options.preload ?? []), ...[...injected].sort()])
  } catch (error) {
    if (resolved.owned) await resolved.provider.close()
    throw error
  }
  return injected
}

function handleProvider(name: string): FactoryProvider<SecretHandle | undefined> {
  return {
    provide: getSecretToken(name),
    // A name declared by code this app does not use (another app in the process) gets no handle, so it is never loaded.
    useFactory: (provider: CachedSecretProvider, injected: ReadonlySet<string>) =>
      injected.has(name) ? provider.handle(name) : undefined,
    inject: [CachedSecretProvider, SECRETS_INJECTED_NAMES],
  }
}

/**
 * Adds one handle provider per `@Secret` name. The lists are read when Nest scans the module, after
 * every file the app imports has run its decorators.
 */
function withHandleProviders(definition: DynamicModule): DynamicModule {
  const providers = definition.providers ?? []
  const exports = definition.exports ?? []
  return Object.defineProperties(
    { ...definition },
    {
      providers: {
        enumerable: true,
        get: () => [...providers, ...declaredSecretNames().map(handleProvider)],
      },
      exports: { enumerable: true, get: () => [...exports, ...declaredSecretNames().map(getSecretToken)] },
    },
  )
}

/**
 * Secrets for a Nest app: provides `CachedSecretProvider`, `SecretsService` and a `SecretHandle` for
 * every `@Secret(name)`, loads them all before bootstrap completes, and closes a provider it built
 * on shutdown (never one it was given).
 */
export class SecretsModule extends SecretsConfigurableModule implements OnApplicationShutdown {
  readonly #resolved: ResolvedProvider

  constructor(resolved: ResolvedProvider) {
    super()
    this.#resolved = resolved
  }

  /** `{ provider }` or `{ source, ...CacheOptions }`, `preload`, `isGlobal`. */
  static override forRoot(options: SecretsModuleRootOptions): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: super keeps `this` = SecretsModule, which the builder uses as `module`
    return withHandleProviders(super.forRoot(options))
  }

  /** Options from a factory: `{ imports, inject, useFactory }`, `useClass` or `useExisting`, and `isGlobal`. */
  static override forRootAsync(options: SecretsModuleAsyncOptions): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: super keeps `this` = SecretsModule, which the builder uses as `module`
    return withHandleProviders(super.forRootAsync(options))
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.#resolved.owned) await this.#resolved.provider.close()
  }
}

// Decorators applied as calls, so the source compiles with any TypeScript setup (no experimentalDecorators needed).
Inject(SECRETS_RESOLVED_PROVIDER)(SecretsModule, undefined, 0)
Module({
  providers: [
    { provide: SECRETS_RESOLVED_PROVIDER, useFactory: resolve, inject: [SECRETS_MODULE_OPTIONS] },
    {
      provide: CachedSecretProvider,
      useFactory: (resolved: ResolvedProvider) => resolved.provider,
      inject: [SECRETS_RESOLVED_PROVIDER],
    },
    {
      provide: SecretsService,
      useFactory: (provider: CachedSecretProvider) => new SecretsService(provider),
      inject: [CachedSecretProvider],
    },
    {
      provide: SECRETS_INJECTED_NAMES,
      useFactory: preloadSecrets,
      inject: [SECRETS_RESOLVED_PROVIDER, SECRETS_MODULE_OPTIONS, ModulesContainer],
    },
  ],
  exports: [CachedSecretProvider, SecretsService],
})(SecretsModule)
