// Re-exported so apps can type what this package accepts without importing @latchkey/core;
// every adapter repeats this block on purpose (each is installed without the others).
export type {
  ProviderLikeOptions,
  SecretHandleLike,
  SecretProviderLike,
  SecretRedactorLike,
} from '@latchkey/core'
export { AUTH_FAILURE_CODES, isAuthFailure } from './auth-errors.js'
export type { AuthRetryOptions } from './auth-retry.js'
export { type KnexConnectionFunction, type KnexPgConnection, knexConnection } from './knex.js'
export type { RotatingPoolConfig, RotatingPoolOptions, RotatingPoolSettings } from './options.js'
export type { OrmCredentials, OrmCredentialsProvider } from './orm-credentials.js'
export {
  installedPgVersions,
  type PgVersions,
  poolInternalsProblems,
  UnsupportedPgPoolError,
} from './pool-internals.js'
export { type PoolRotateEvent, RotatingPool } from './rotating-pool.js'
export {
  type SequelizeBeforeConnectHook,
  type SequelizeConnectionConfig,
  sequelizeBeforeConnect,
} from './sequelize.js'
