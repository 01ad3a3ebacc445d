export { defaultCredential, type IdentityImporter } from './credential.js'
export {
  EntraDatabaseTokenSource,
  type EntraDatabaseTokenSourceOptions,
  type EntraTokenCredential,
  OSS_RDBMS_SCOPE,
} from './entra-token-source.js'
export { type AzureErrorContext, toAzureSecretError } from './errors.js'
export { fromKeyVaultName, type KeyVaultName, NAME_RULE, toKeyVaultName } from './names.js'
export type { AzureKeyVaultSourceOptions, AzureTokenCredential } from './options.js'
export { AzureKeyVaultSource, type AzureSecretProperties } from './source.js'
