export {
  type LambdaExtensionEmulator,
  type LambdaExtensionEmulatorOptions,
  startLambdaExtensionEmulator,
} from './emulator.js'
export type {
  LambdaExtensionCustomFault,
  LambdaExtensionFaultKind,
  LambdaExtensionFaultOptions,
  LambdaExtensionFaults,
  LambdaExtensionOperation,
} from './faults.js'
export type { LambdaExtensionCall } from './handler.js'
export type { ExtensionParameterType } from './store.js'
