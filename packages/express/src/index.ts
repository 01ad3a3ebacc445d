// Re-exported so apps can type what this package accepts without importing @latchkey/core;
// every adapter repeats this block on purpose (each is installed without the others).
export type {
  ProviderLikeOptions,
  SecretHandleLike,
  SecretProviderLike,
  SecretRedactorLike,
} from '@latchkey/core'
export {
  type ErrorHandlerLogger,
  type SecretsErrorHandlerOptions,
  secretsErrorHandler,
} from './error-handler.js'
export { isSecretFailure, SecretServiceUnavailableError, UNAVAILABLE_BODY } from './errors.js'
export { type SecretsHealthHandlerOptions, secretsHealthHandler } from './health.js'
export { type ExpressSecretsOptions, type SecretsMiddleware, secrets } from './middleware.js'
export { requireSecrets } from './require-secrets.js'
