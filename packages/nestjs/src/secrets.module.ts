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
  type OnModuleInit,
  Scope,
} from '@nestjs/common'
import { ModulesContainer } from '@nestjs/core'
import { declaredSecretNames, getSecretToken } from './secret.decorator.js'
import { SECRETS_PRELOADED, SECRETS_RESOLVED_PROVIDER } from './secrets.constants.js'
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

/** Preloads `names`; on failure closes a provider the module owns, then rethrows the `SecretPreloadError`. */
async function preloadOrClose(resolved: ResolvedProvider, names: string[]): Promise<void> {
  try {
    await resolved.provider.preload(names)
  } catch (error) {
    if (resolved.owned) await resolved.provider.close()
    throw error
  }
}

/**
 * Loads `preload` and every secret the app's providers, controllers and enhancers inject, in one
 * batch, before any of them is created. Resolves to the names it loaded.
 */
async function preloadSecrets(
  resolved: ResolvedProvider,
  options: SecretsModuleOptions,
  modules: ModulesContainer,
): Promise<ReadonlySet<string>> {
  const names = [...(options.preload ?? []), ...[...findInjectedSecretNames(modules)].sort()]
  await preloadOrClose(resolved, names)
  return new Set(names)
}

/**
 * The handle for one name. Transient, so Nest only calls the factory for classes that inject it:
 * a name declared by code this app does not use (another app in the process) is never loaded.
 * It waits for the startup preload, so a handle is loaded when it is injected.
 */
function handleProvider(name: string): FactoryProvider<SecretHandle> {
  return {
    provide: getSecretToken(name),
    scope: Scope.TRANSIENT,
    useFactory: (provider: CachedSecretProvider) => provider.handle(name),
    inject: [CachedSecretProvider, SECRETS_PRELOADED],
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
export class SecretsModule extends SecretsConfigurableModule implements OnModuleInit, OnApplicationShutdown {
  readonly #resolved: ResolvedProvider
  readonly #preloaded: ReadonlySet<string>
  readonly #modules: ModulesContainer

  constructor(resolved: ResolvedProvider, preloaded: ReadonlySet<string>, modules: ModulesContainer) {
    super()
    this.#resolved = resolved
    this.#preloaded = preloaded
    this.#modules = modules
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

  /** Middleware is created after providers (at `app.init()`); load what it injects before the app serves. */
  async onModuleInit(): Promise<void> {
    const late = [...findInjectedSecretNames(this.#modules)].filter((name) => !this.#preloaded.has(name))
    if (late.length > 0) await preloadOrClose(this.#resolved, late.sort())
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.#resolved.owned) await this.#resolved.provider.close()
  }
}

// Decorators applied as calls, so the source compiles with any TypeScript setup (no experimentalDecorators needed).
Inject(SECRETS_RESOLVED_PROVIDER)(SecretsModule, undefined, 0)
Inject(SECRETS_PRELOADED)(SecretsModule, undefined, 1)
Inject(ModulesContainer)(SecretsModule, undefined, 2)
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
      provide: SECRETS_PRELOADED,
      useFactory: preloadSecrets,
      inject: [SECRETS_RESOLVED_PROVIDER, SECRETS_MODULE_OPTIONS, ModulesContainer],
    },
  ],
  exports: [CachedSecretProvider, SecretsService],
})(SecretsModule)
