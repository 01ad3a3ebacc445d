export {
  EntraDatabaseTokenSource,
  type EntraDatabaseTokenSourceOptions,
  type EntraTokenCredential,
  OSS_RDBMS_SCOPE,
} from './entra/source.js'
export { type AzureErrorContext, toAzureSecretError } from './errors.js'
export { defaultCredential, type IdentityImporter } from './key-vault/credential.js'
export { fromKeyVaultName, type KeyVaultName, NAME_RULE, toKeyVaultName } from './key-vault/names.js'
export type { AzureKeyVaultSourceOptions, AzureTokenCredential } from './key-vault/options.js'
export { AzureKeyVaultSource, type AzureSecretProperties } from './key-vault/source.js'
