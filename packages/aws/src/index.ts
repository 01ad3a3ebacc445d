export { type AwsErrorContext, toAwsSecretError } from './errors.js'
export type {
  AwsParameterStoreSourceOptions,
  ParameterStoreClient,
  ParameterStoreCredentials,
} from './parameter-store/options.js'
export { AwsParameterStoreSource } from './parameter-store/source.js'
export type { RdsAuthTokenSigner, RdsIamAuthSourceOptions } from './rds-iam/options.js'
export { RdsIamAuthSource } from './rds-iam/source.js'
export type { SecretsScope } from './secrets-manager/events.js'
export type { AwsSecretsManagerSourceOptions } from './secrets-manager/options.js'
export { AwsSecretsManagerSource, type AwsSecretsManagerStats } from './secrets-manager/source.js'
export {
  type RefreshableProvider,
  type SecretsManagerEventWatcher,
  type SqsClientLike,
  type WatchedEvent,
  type WatcherErrorContext,
  type WatchSecretsManagerEventsOptions,
  watchSecretsManagerEvents,
} from './secrets-manager/watcher.js'
