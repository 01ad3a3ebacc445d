export {
  createKeyCensor,
  DEFAULT_REDACT_KEYS,
  DEFAULT_REDACT_PATHS,
  type KeyCensor,
  type KeyCensorOptions,
  redactPathsFor,
} from './key-censor.js'
export { createLineKeyCensor } from './line-key-censor.js'
export {
  type RedactorProvider,
  type RedactSecretsInput,
  type RedactSecretsOptions,
  redactSecrets,
} from './redact-secrets.js'
export { CREDENTIAL_HEADERS, CREDENTIAL_KEY_WORDS, isCredentialKey } from './sensitive-keys.js'
export { type SerializedError, serializeError } from './serialize-error.js'
export {
  createHttpSerializers,
  type HttpSerializerOptions,
  SENSITIVE_HEADERS,
  type SerializedRequest,
  type SerializedResponse,
  serializeRequest,
  serializeResponse,
} from './serialize-http.js'
export { serializers } from './serializers.js'
