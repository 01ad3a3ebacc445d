import type { CachedSecretProvider } from '@latchkey/core'
import { sequelizeBeforeConnect } from '@latchkey/pg'
import { type PoolOptions, Sequelize } from 'sequelize'

/**
 * Sequelize with each new connection's credentials set from the secret in its `beforeConnect`
 * hook, and the hook's `validate` as the pool's, so a connection made with old credentials is
 * destroyed at its next checkout instead of being reused.
 */
export function sequelizeDb(provider: CachedSecretProvider, secret: string, pool: PoolOptions = {}) {
  const beforeConnect = sequelizeBeforeConnect(provider, secret)
  return new Sequelize({
    dialect: 'postgres',
    logging: false,
    pool: { max: 10, idle: 30_000, validate: beforeConnect.validate, ...pool },
    hooks: { beforeConnect },
  })
}
