export { CachedSecretProvider, isCachedSecretProvider, MAX_SECRET_BYTES } from './cache.js'
export { CACHE_OPTION_KEYS } from './cache-options.js'
export {
  ErrorCode,
  InvalidOptionsError,
  InvalidSecretJsonError,
  InvalidSecretNameError,
  isTransient,
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
  toSecretError,
} from './errors.js'
export { SecretHandle } from './handle.js'
export { parseSecretJson, selectField } from './json.js'
export { MAX_NAME_LENGTH, parseSecretRef, type SecretRef } from './names.js'
export { type ProviderOptions, type ResolvedProvider, resolveProvider } from './provider-options.js'
export { type RedactorOptions, SecretRedactor, sharedRedactor } from './redactor.js'
export { backoffDelay } from './retry.js'
export { parseDotenv } from './sources/dotenv.js'
export { EnvSource, type EnvSourceOptions, envVariableName } from './sources/env.js'
export { FileSource, type FileSourceOptions } from './sources/file.js'
export { MemorySource } from './sources/memory.js'
export type {
  CacheOptions,
  CacheStats,
  ErrorEvent,
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
