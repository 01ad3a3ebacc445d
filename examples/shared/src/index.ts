export { keyMatches } from './api-key.js'
export { type AwsBackend, startAwsBackend } from './aws.js'
export {
  type CloudBackend,
  startGoogleBackend,
  startKeyVaultBackend,
  startParameterStoreBackend,
} from './cloud.js'
export {
  type Backend,
  type ExampleArgs,
  type OpenedSource,
  openSource,
  readArgs,
  SECRET_NAMES,
  SOURCES,
} from './source.js'
