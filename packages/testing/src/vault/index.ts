export type { VaultDatabaseConnectionOptions, VaultDatabaseRoleOptions, VaultLease } from './database.js'
export type { VaultDatabaseStaticRoleOptions } from './database-static.js'
export { startVaultEmulator } from './emulator.js'
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
export type {
  VaultDatabaseHelpers,
  VaultEmulator,
  VaultEmulatorOptions,
  VaultKvHelpers,
  VaultKvOptions,
} from './types.js'
