/**
 * `@latchkey/testing/google`: the Google Secret Manager emulator only (its REST API).
 *
 * @packageDocumentation
 */
export * from './google-secret-manager/index.js'
