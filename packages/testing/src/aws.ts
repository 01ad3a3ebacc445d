/**
 * `@latchkey/testing/aws`: the AWS emulators only — Secrets Manager (with its EventBridge change
 * events), Parameter Store, SQS and the Lambda Parameters and Secrets Extension. Loads neither the other backends' emulators nor PostgreSQL.
 *
 * @packageDocumentation
 */

export * from './lambda-extension/index.js'
export * from './parameter-store/index.js'
export * from './secrets-manager/index.js'
export * from './sqs/index.js'
