export {
  type ParameterStoreEmulator,
  type ParameterStoreEmulatorOptions,
  type ParameterStoreRegionOption,
  type ParameterVersionInfo,
  type PutParameterOptions,
  startParameterStoreEmulator,
} from './emulator.js'
export { ParameterStoreEmulatorError } from './errors.js'
export type {
  ParameterStoreCustomFault,
  ParameterStoreFaultKind,
  ParameterStoreFaultOptions,
  ParameterStoreFaults,
} from './faults.js'
export { MAX_REQUEST_BYTES as PARAMETER_STORE_MAX_REQUEST_BYTES, type ParameterStoreCall } from './handler.js'
export type { ParameterStoreOperation } from './operations.js'
export type { ParameterTier, ParameterType } from './store.js'
