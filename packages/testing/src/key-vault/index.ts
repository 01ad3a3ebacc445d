export {
  EMULATOR_VAULT_DOMAIN,
  KEY_VAULT_API_VERSIONS,
  type KeyVaultEmulator,
  type KeyVaultEmulatorCredential,
  type KeyVaultEmulatorOptions,
  type KeyVaultSecretProperties,
  type KeyVaultSecretVersion,
  type KeyVaultTokenRequest,
  startKeyVaultEmulator,
} from './emulator.js'
export {
  KEY_VAULT_OPERATIONS,
  type KeyVaultCustomFault,
  type KeyVaultFaultKind,
  type KeyVaultFaultOptions,
  type KeyVaultFaults,
  type KeyVaultOperation,
} from './faults.js'
export { KEY_VAULT_MAX_REQUEST_BYTES, type KeyVaultCall } from './handler.js'
