export {
  type EmulatedSecretVersion,
  type GoogleEmulatorClientOptions,
  type GoogleSecretManagerEmulator,
  type GoogleSecretManagerEmulatorOptions,
  type ProjectOption,
  startGoogleSecretManagerEmulator,
} from './emulator.js'
export { GoogleSecretManagerEmulatorError, type GoogleStatus } from './errors.js'
export type {
  GoogleCustomFault,
  GoogleFaultKind,
  GoogleFaultOptions,
  GoogleSecretManagerFaults,
  GoogleSecretManagerRpc,
} from './faults.js'
export type { GoogleRecordedCall } from './handler.js'
export type { VersionState as GoogleSecretVersionState } from './store.js'
