import { latchkey } from './plugin.js'

// Re-exported so apps can type what this package accepts without importing @latchkey/core;
// every adapter repeats this block on purpose (each is installed without the others).
export type {
  ProviderLikeOptions,
  SecretHandleLike,
  SecretProviderLike,
  SecretRedactorLike,
} from '@latchkey/core'
export { isSecretFailure, secretsErrorHandler, UNAVAILABLE_BODY } from './error-handler.js'
export { type SecretsHealthHandlerOptions, secretsHealthHandler } from './health.js'
export { type LatchkeyFastifyOptions, latchkey } from './plugin.js'
export default latchkey
