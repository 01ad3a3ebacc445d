export { type AwsErrorContext, toAwsSecretError } from './errors.js'
export type { AwsSecretsManagerSourceOptions } from './options.js'
export { AwsSecretsManagerSource } from './source.js'
