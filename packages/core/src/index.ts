/**
 * `@latchkey/core`: the public API. Everything exported here is documented in the README and
 * covered by semver; helpers shared by the adapters live in `./internal.ts` (`@latchkey/core/internal`).
 *
 * @packageDocumentation
 */
export { CachedSecretProvider, isCachedSecretProvider } from './cache.js'
export {
  DIAGNOSTICS_CHANNELS,
  type EvictMessage,
  type LoadEndMessage,
  type LoadErrorMessage,
  type LoadStartMessage,
  type LoadTraceContext,
  type RotateMessage,
  type StaleMessage,
} from './diagnostics.js'
export {
  ErrorCode,
  InvalidOptionsError,
  InvalidSecretJsonError,
  InvalidSecretNameError,
  ProviderClosedError,
  SecretAccessDeniedError,
  SecretError,
  type SecretErrorCode,
  type SecretErrorOptions,
  SecretNotFoundError,
  SecretNotLoadedError,
  SecretPreloadError,
  SecretThrottledError,
  SecretTimeoutError,
  SecretTooLargeError,
  SecretUnavailableError,
} from './errors.js'
export { SecretHandle } from './handle.js'
export {
  type HealthReporter,
  type SecretHealth,
  type SecretHealthStatus,
  type SecretsHealth,
  secretsHealth,
} from './health.js'
export {
  type LoadingHealthReporter,
  type SecretsHealthAnswer,
  type SecretsHealthAnswerOptions,
  secretsHealthAnswer,
} from './health-answer.js'
export type { PreloadOptions } from './preload-pacing.js'
export type {
  ProviderLikeOptions,
  SecretHandleLike,
  SecretProviderLike,
  SecretRedactorLike,
} from './provider-like.js'
export type { ProviderOptions } from './provider-options.js'
export { type RedactorOptions, SecretRedactor, sharedRedactor } from './redactor.js'
export { EnvSource, type EnvSourceOptions } from './sources/env.js'
export { FileSource, type FileSourceOptions } from './sources/file.js'
export { MemorySource } from './sources/memory.js'
export type { StartupLogger } from './startup-line.js'
export type {
  CacheOptions,
  CacheStats,
  ErrorEvent,
  HeldSecret,
  LoadContext,
  LoadedSecret,
  RefreshEvent,
  RetryOptions,
  RotateEvent,
  SecretEvents,
  SecretInfo,
  SecretLogger,
  SecretProvider,
  SecretSource,
  StaleEvent,
} from './types.js'
export { type RefreshingProvider, type WithSecretOptions, withSecret } from './with-secret.js'
