export {
  type SqsCustomFault,
  type SqsEmulator,
  type SqsEmulatorOptions,
  type SqsFault,
  type SqsFaultOptions,
  type SqsFaults,
  type SqsMessage,
  type SqsOperation,
  type SqsRecordedCall,
  startSqsEmulator,
} from './emulator.js'
