/**
 * `@latchkey/lambda`: latchkey for AWS Lambda handlers — `withSecrets(handler)`, `secrets()` for
 * middy, a one-call `getSecret()`, and `LambdaExtensionSource` for the Parameters and Secrets
 * Lambda Extension.
 *
 * @packageDocumentation
 */
export type { LambdaContextLike, SecretHandles, WithSecretsContext } from './context.js'
export {
  configureDefaultProvider,
  DEFAULT_PROVIDER_KEY,
  defaultProvider,
  type GetSecretOptions,
  getJson,
  getSecret,
} from './default-provider.js'
export { DEFAULT_EXTENSION_PORT, type LambdaExtensionSourceOptions } from './lambda-extension/options.js'
export { LambdaExtensionSource, PARAMETER_PREFIX } from './lambda-extension/source.js'
export { type MiddySecretsMiddleware, secrets } from './middy.js'
export type { LambdaSecretsOptions } from './options.js'
export { type SecretsHandler, withSecrets } from './with-secrets.js'
