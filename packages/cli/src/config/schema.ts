/** A source the config names: its `type` picks the latchkey source class the CLI builds. */
export type SourceConfig =
  | AwsSecretsManagerConfig
  | AwsParameterStoreConfig
  | VaultKvConfig
  | GoogleSecretManagerConfig
  | AzureKeyVaultConfig
  | EnvConfig
  | FileConfig

/** AWS account facts the `policy` command writes into ARNs. */
interface AwsPolicyFacts {
  /** Region. @default the SDK's (AWS_REGION), 'us-east-1' in policies when unset */
  region?: string
  /** Endpoint override (an emulator). @default the SDK's */
  endpoint?: string
  /** Account id for ARNs in `policy`. @default '*' (any account) */
  accountId?: string
  /** ARN partition for `policy`. @default 'aws' */
  partition?: string
  /** The customer managed KMS key the values are encrypted with; adds `kms:Decrypt` to the policy. */
  kmsKeyArn?: string
}

/** `@latchkey/aws` `AwsSecretsManagerSource`. */
export interface AwsSecretsManagerConfig extends AwsPolicyFacts {
  type: 'aws-secrets-manager'
}

/** `@latchkey/aws` `AwsParameterStoreSource`. */
export interface AwsParameterStoreConfig extends AwsPolicyFacts {
  type: 'aws-parameter-store'
}

/** `@latchkey/vault` `VaultKvSource`, token auth. */
export interface VaultKvConfig {
  type: 'vault-kv'
  /** Vault address. @default process.env.VAULT_ADDR */
  endpoint?: string
  /** KV mount. @default 'secret' */
  mount?: string
  /** KV engine version. @default 2 */
  kvVersion?: 1 | 2
  /** The environment variable holding the token (never the token itself). @default 'VAULT_TOKEN' */
  tokenEnv?: string
  /** Vault Enterprise namespace. */
  namespace?: string
}

/** `@latchkey/google` `GoogleSecretManagerSource`. */
export interface GoogleSecretManagerConfig {
  type: 'google-secret-manager'
  /** Project id. */
  project: string
  /** The member `policy` binds, such as `serviceAccount:app@p.iam.gserviceaccount.com`. */
  member?: string
  /**
   * An `http(s)://host:port` URL to send requests to over the REST transport (an emulator, a
   * private endpoint). @default the SDK's (gRPC to secretmanager.googleapis.com)
   */
  endpoint?: string
  /**
   * The environment variable holding an OAuth 2 access token (never the token itself), as
   * `gcloud auth print-access-token` prints one. @default unset: Application Default Credentials
   */
  tokenEnv?: string
}

/** `@latchkey/azure` `AzureKeyVaultSource`. */
export interface AzureKeyVaultConfig {
  type: 'azure-key-vault'
  /** `https://<vault>.vault.azure.net`. */
  vaultUrl: string
  /** Subscription id, for role assignment scopes in `policy`. */
  subscriptionId?: string
  /** Resource group of the vault, for role assignment scopes in `policy`. */
  resourceGroup?: string
  /** Object id of the principal `policy` assigns the role to. */
  principalId?: string
  /**
   * The environment variable holding a Key Vault access token (never the token itself), as
   * `az account get-access-token --resource https://vault.azure.net` prints one.
   * @default unset: `DefaultAzureCredential` from `@azure/identity`
   */
  tokenEnv?: string
}

/** `@latchkey/core` `EnvSource`. */
export interface EnvConfig {
  type: 'env'
  prefix?: string
  envFile?: string
}

/** `@latchkey/core` `FileSource`. */
export interface FileConfig {
  type: 'file'
  /** Directory of secret files, relative to the config file. */
  dir: string
}

/** One secret the app uses. */
export interface SecretConfig {
  /** The name the app asks for (`db/creds`, `api-key`); a `#field` suffix is kept for loading. */
  name: string
  /** Which source (a key of `sources`). @default the only source, when there is one */
  source: string
}

/** The cache options `check` loads with (the app's). */
export interface CacheConfig {
  timeout?: number
  retry?: { retries?: number; baseDelay?: number; maxDelay?: number }
}

/** A validated config file. */
export interface LatchkeyConfig {
  /** The file it was read from. */
  file: string
  /** The directory relative paths resolve from. */
  dir: string
  sources: Record<string, SourceConfig>
  secrets: SecretConfig[]
  cache: CacheConfig
}

/** Fields each source type takes, each a string unless listed in NUMBERS. */
export const SOURCE_FIELDS: Record<SourceConfig['type'], { required: string[]; optional: string[] }> = {
  'aws-secrets-manager': {
    required: [],
    optional: ['region', 'endpoint', 'accountId', 'partition', 'kmsKeyArn'],
  },
  'aws-parameter-store': {
    required: [],
    optional: ['region', 'endpoint', 'accountId', 'partition', 'kmsKeyArn'],
  },
  'vault-kv': { required: [], optional: ['endpoint', 'mount', 'kvVersion', 'tokenEnv', 'namespace'] },
  'google-secret-manager': { required: ['project'], optional: ['member', 'endpoint', 'tokenEnv'] },
  'azure-key-vault': {
    required: ['vaultUrl'],
    optional: ['subscriptionId', 'resourceGroup', 'principalId', 'tokenEnv'],
  },
  env: { required: [], optional: ['prefix', 'envFile'] },
  file: { required: ['dir'], optional: [] },
}
