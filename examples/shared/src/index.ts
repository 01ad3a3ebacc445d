export { keyMatches } from './api-key.js'
export { type AwsBackend, startAwsBackend } from './aws.js'
export { type ExampleArgs, type OpenedSource, openSource, readArgs, SECRET_NAMES } from './source.js'
