export {
  ATTRIBUTES,
  INSTRUMENTATION_NAME,
  type InstrumentedProvider,
  type InstrumentSecretsOptions,
  instrumentSecrets,
  METRICS,
  type SecretsInstrumentation,
} from './instrument.js'
