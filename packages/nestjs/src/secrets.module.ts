import { CachedSecretProvider, type SecretHandle } from '@latchkey/core'
import {
  checkBudget,
  checkOptionNames,
  checkPreload,
  checkStartupLog,
  integrationOptionKeys,
  logStartup,
  type ResolvedProvider,
  resolveProvider,
  startupLogger,
} from '@latchkey/core/internal'
import {
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  Scope,
} from '@nestjs/common'
import { DiscoveryModule, DiscoveryService, ModulesContainer } from '@nestjs/core'
import { declaredSecretNames, getSecretToken } from './secret.decorator.js'
import { SECRETS_PRELOADED, SECRETS_RESOLVED_PROVIDER } from './secrets.constants.js'
import { SecretsHealthIndicator } from './secrets.health.js'
import {
  SECRETS_MODULE_OPTIONS,
  SecretsConfigurableModule,
  type SecretsModuleAsyncOptions,
  type SecretsModuleOptions,
  type SecretsModuleRootOptions,
} from './secrets.module-definition.js'
import { findInjectedSecretNames } from './secrets.scanner.js'
import { SecretsService } from './secrets.service.js'
import { findLoaders, preloadGroups, type SecretGroup } from './startup.js'

const INTEGRATION = '@latchkey/nestjs SecretsModule'
/** `isGlobal` is the builder's extra; some Nest releases leave it in the options object. */
const OPTION_KEYS = integrationOptionKeys(['preload', 'preloadTimeout', 'startupLog', 'isGlobal'])

function resolve(options: SecretsModuleOptions): ResolvedProvider {
  if (typeof options === 'object' && options !== null) checkOptionNames(options, OPTION_KEYS, INTEGRATION)
  const {
    preload,
    preloadTimeout,
    startupLog,
    isGlobal: _isGlobal,
    ...providerOptions
  } = options as SecretsModuleOptions & { isGlobal?: unknown }
  checkPreload(INTEGRATION, preload)
  checkStartupLog(INTEGRATION, startupLog)
  if (preloadTimeout !== undefined) budgetOf(options)
  return resolveProvider(providerOptions, INTEGRATION)
}

function budgetOf(options: SecretsModuleOptions): number | undefined {
  return options.preloadTimeout === undefined
    ? undefined
    : checkBudget(INTEGRATION, 'preloadTimeout', options.preloadTimeout)
}

/**
 * Loads `preload`, every secret the app's providers, controllers and enhancers inject, and the
 * secrets of every `secretsLoader()` in the app, before any of those providers is created; fails
 * with one `SecretPreloadError` naming every failure of all of them. Resolves to the names it
 * loaded for the module.
 */
async function preloadSecrets(
  resolved: ResolvedProvider,
  options: SecretsModuleOptions,
  discovery: DiscoveryService,
  modules: ModulesContainer,
): Promise<ReadonlySet<string>> {
  const names = [...(options.preload ?? []), ...[...findInjectedSecretNames(discovery, modules)].sort()]
  const loaders = findLoaders(discovery)
  const groups: SecretGroup[] = [
    { provider: resolved.provider, names, budget: budgetOf(options) },
    ...loaders,
  ]
  // Registered before any load can end, so a failing loader throws this combined report too.
  const report = preloadGroups(groups)
  for (const loader of loaders) loader.reports.add(report)
  let failure: Awaited<typeof report>
  const startedAt = performance.now()
  try {
    failure = await report
  } finally {
    for (const loader of loaders) loader.reports.delete(report)
  }
  if (failure !== undefined) {
    if (resolved.owned) await resolved.provider.close()
    throw failure
  }
  const preloaded = new Set(names)
  const log = startupLogger(checkStartupLog(INTEGRATION, options.startupLog), nestInfo())
  logStartup(log, '@latchkey/nestjs', resolved.provider, preloaded.size, startedAt)
  return preloaded
}

/** Nest's `Logger` (the app's logger, `app.useLogger()`) as a `StartupLogger`. */
function nestInfo(): { info(message: string): void } {
  const logger = new Logger('SecretsModule')
  return { info: (message) => logger.log(message) }
}

/** Preloads `names` (secrets only middleware injects); on failure closes a provider the module owns. */
async function preloadOrClose(
  resolved: ResolvedProvider,
  names: string[],
  budget: number | undefined,
): Promise<void> {
  const failure = await preloadGroups([{ provider: resolved.provider, names, budget }])
  if (failure === undefined) return
  if (resolved.owned) await resolved.provider.close()
  throw failure
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
  readonly #options: SecretsModuleOptions
  readonly #discovery: DiscoveryService
  readonly #modules: ModulesContainer

  constructor(
    resolved: ResolvedProvider,
    preloaded: ReadonlySet<string>,
    options: SecretsModuleOptions,
    discovery: DiscoveryService,
    modules: ModulesContainer,
  ) {
    super()
    this.#resolved = resolved
    this.#preloaded = preloaded
    this.#options = options
    this.#discovery = discovery
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
    const late = [...findInjectedSecretNames(this.#discovery, this.#modules)].filter(
      (name) => !this.#preloaded.has(name),
    )
    if (late.length > 0) await preloadOrClose(this.#resolved, late.sort(), budgetOf(this.#options))
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.#resolved.owned) await this.#resolved.provider.close()
  }
}

// Decorators applied as calls, so the source compiles with any TypeScript setup (no experimentalDecorators needed).
Inject(SECRETS_RESOLVED_PROVIDER)(SecretsModule, undefined, 0)
Inject(SECRETS_PRELOADED)(SecretsModule, undefined, 1)
Inject(SECRETS_MODULE_OPTIONS)(SecretsModule, undefined, 2)
Inject(DiscoveryService)(SecretsModule, undefined, 3)
Inject(ModulesContainer)(SecretsModule, undefined, 4)
Module({
  imports: [DiscoveryModule],
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
      provide: SecretsHealthIndicator,
      useFactory: (provider: CachedSecretProvider) => new SecretsHealthIndicator(provider),
      inject: [CachedSecretProvider],
    },
    {
      provide: SECRETS_PRELOADED,
      useFactory: preloadSecrets,
      inject: [SECRETS_RESOLVED_PROVIDER, SECRETS_MODULE_OPTIONS, DiscoveryService, ModulesContainer],
    },
  ],
  exports: [CachedSecretProvider, SecretsService, SecretsHealthIndicator],
})(SecretsModule)
