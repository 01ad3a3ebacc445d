export {
  type EmulatedSecret,
  type EmulatedVersion,
  type EmulatorCredentials,
  type RegionOption,
  type SecretsManagerEmulator,
  type SecretsManagerEmulatorOptions,
  startSecretsManagerEmulator,
} from './emulator.js'
export { SecretsManagerEmulatorError } from './errors.js'
export {
  eventBridgeEvent,
  type SecretChange,
  type SecretsManagerEventName,
  type SecretsManagerEventTarget,
} from './events.js'

export type {
  SecretsManagerCustomFault,
  SecretsManagerFaultKind,
  SecretsManagerFaultOptions,
  SecretsManagerFaults,
} from './faults.js'

export { MAX_REQUEST_BYTES as SECRETS_MANAGER_MAX_REQUEST_BYTES, type RecordedCall } from './handler.js'
export type { SecretsManagerOperation } from './operations.js'
export { MAX_SECRET_SIZE as SECRETS_MANAGER_MAX_SECRET_SIZE } from './store.js'
