// Re-exported so apps can type what this package accepts without importing @latchkey/core;
// every adapter repeats this block on purpose (each is installed without the others).
export type {
  ProviderLikeOptions,
  SecretHandleLike,
  SecretProviderLike,
  SecretRedactorLike,
} from '@latchkey/core'
export { getSecretToken, Secret } from './secret.decorator.js'
export { SECRET_TOKEN_PREFIX } from './secrets.constants.js'
export {
  SecretsHealthIndicator,
  type SecretsHealthIndicatorOptions,
  type SecretsHealthIndicatorResult,
} from './secrets.health.js'
export {
  type SecretMap,
  type SecretsConfigFactory,
  type SecretsLoaderOptions,
  type SecretValues,
  secretsLoader,
} from './secrets.loader.js'
export { SecretsModule } from './secrets.module.js'
export {
  SECRETS_MODULE_OPTIONS,
  type SecretsModuleAsyncOptions,
  type SecretsModuleExtras,
  type SecretsModuleOptions,
  type SecretsModuleRootOptions,
} from './secrets.module-definition.js'
export { SecretsService } from './secrets.service.js'
