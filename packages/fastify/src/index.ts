import { latchkey } from './plugin.js'

export { isSecretFailure, secretsErrorHandler, UNAVAILABLE_BODY } from './error-handler.js'
export { type SecretsHealthHandlerOptions, secretsHealthHandler } from './health.js'

export { type LatchkeyFastifyOptions, latchkey } from './plugin.js'
export type {
  ProviderLikeOptions,
  SecretHandleLike,
  SecretProviderLike,
  SecretRedactorLike,
} from './provider-like.js'
export default latchkey
