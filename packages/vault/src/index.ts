export {
  DEFAULT_JWT_PATH,
  type TokenLife,
  type TokenReplacedListener,
  type VaultAppRoleAuth,
  type VaultAuth,
  VaultAuthenticator,
  type VaultKubernetesAuth,
  type VaultTokenAuth,
} from './auth.js'
export { VaultDatabaseSource, type VaultDatabaseSourceOptions } from './database-source.js'
export { classifyVaultError, VaultRequestError } from './errors.js'
export { kvValue, VaultKvSource, type VaultKvSourceOptions } from './kv-source.js'
export type { NodeVaultClient, VaultConnectionOptions, VaultRequestOptions } from './session.js'
