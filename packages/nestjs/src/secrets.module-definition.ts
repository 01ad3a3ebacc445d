import type { ProviderLikeOptions, StartupLogger } from '@latchkey/core'
import { ConfigurableModuleBuilder } from '@nestjs/common'

/**
 * Options of `SecretsModule.forRoot()`: `{ provider }` (a `CachedSecretProvider` the app built and
 * closes) or `{ source, ...CacheOptions }` (the module builds the provider and closes it on shutdown),
 * plus the names to load at startup.
 */
export type SecretsModuleOptions = ProviderLikeOptions & {
  /**
   * Secrets to load before the app finishes bootstrapping, besides the ones injected with
   * `@Secret()` (those are always loaded). A missing one fails startup.
   * @default []
   */
  preload?: string[]
  /**
   * How long the startup preload may take, in ms; past it, startup fails with a `SecretPreloadError`
   * naming each secret still loading (`ERR_SECRET_TIMEOUT`). Nest has no startup limit of its own;
   * without this option the provider's retry policy alone bounds `app.init()` (with the default
   * cache options, 4 attempts of up to 5 s each plus backoff).
   * @default undefined
   */
  preloadTimeout?: number
  /**
   * The startup line, written once the startup preload has loaded: `@latchkey/nestjs: 3 secrets
   * loaded from aws-secrets-manager in 42 ms` (how many, the source's kind, how long — never a
   * value or a secret name), through Nest's `Logger` (context `SecretsModule`, so `app.useLogger()`
   * applies). `false` turns it off; a logger with an `info(message, meta)` method receives it
   * instead. Nothing is written when nothing was preloaded.
   * @default true
   */
  startupLog?: boolean | StartupLogger
}

/** Options `SecretsModule.forRoot()` takes besides {@link SecretsModuleOptions}. */
export interface SecretsModuleExtras {
  /**
   * Registers the module globally, so feature modules can inject handles, `SecretsService` and the
   * provider without importing it.
   * @default false
   */
  isGlobal?: boolean
}

export const {
  ConfigurableModuleClass: SecretsConfigurableModule,
  MODULE_OPTIONS_TOKEN: SECRETS_MODULE_OPTIONS,
  OPTIONS_TYPE: SECRETS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SECRETS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SecretsModuleOptions>({ moduleName: 'Secrets' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSecretsOptions')
  .setExtras<SecretsModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build()

/** What `SecretsModule.forRoot()` takes: {@link SecretsModuleOptions} plus `isGlobal`. */
export type SecretsModuleRootOptions = typeof SECRETS_OPTIONS_TYPE

/** What `SecretsModule.forRootAsync()` takes: `imports`, `inject` and `useFactory` (or `useClass`/`useExisting`), plus `isGlobal`. */
export type SecretsModuleAsyncOptions = typeof SECRETS_ASYNC_OPTIONS_TYPE
