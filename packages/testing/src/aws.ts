/**
 * `@latchkey/testing/aws`: the AWS emulators only — Secrets Manager (with its EventBridge change
 * events), Parameter Store and SQS. Loads neither the other backends' emulators nor PostgreSQL.
 *
 * @packageDocumentation
 */
export * from './parameter-store/index.js'
export * from './secrets-manager/index.js'
export * from './sqs/index.js'
