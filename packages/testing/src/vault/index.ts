export type { VaultDatabaseConnectionOptions, VaultDatabaseRoleOptions, VaultLease } from './database.js'
export {
  startVaultEmulator,
  type VaultDatabaseHelpers,
  type VaultEmulator,
  type VaultEmulatorOptions,
  type VaultKvHelpers,
  type VaultKvOptions,
} from './emulator.js'
export type {
  VaultCall,
  VaultCalls,
  VaultCustomFault,
  VaultFaultKind,
  VaultFaultOptions,
  VaultFaults,
} from './faults.js'
export type { KvData as VaultKvData } from './kv.js'
export type { VaultAppRoleOptions, VaultKubernetesRoleOptions } from './login.js'
export type { VaultCapability, VaultPolicyRule, VaultTokenOptions } from './tokens.js'
