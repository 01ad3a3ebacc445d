export type { VaultDatabaseConnectionOptions, VaultDatabaseRoleOptions, VaultLease } from './database.js'
export {
  type VaultCall,
  type VaultCalls,
  type VaultCustomFault,
  type VaultFaultKind,
  type VaultFaultOptions,
  type VaultFaults,
} from './faults.js'
export type { VaultAppRoleOptions, VaultKubernetesRoleOptions } from './login.js'
export {
  startVaultEmulator,
  type VaultDatabaseHelpers,
  type VaultEmulator,
  type VaultEmulatorOptions,
  type VaultKvHelpers,
  type VaultKvOptions,
} from './emulator.js'
export type { KvData as VaultKvData } from './kv.js'
export type { VaultCapability, VaultPolicyRule, VaultTokenOptions } from './tokens.js'
