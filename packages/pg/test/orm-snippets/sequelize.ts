import type { CachedSecretProvider } from '@latchkey/core'
import { sequelizeBeforeConnect } from '@latchkey/pg'
import { type PoolOptions, Sequelize } from 'sequelize'

/** Sequelize with each new connection's credentials set from the secret in its `beforeConnect` hook. */
export function sequelizeDb(provider: CachedSecretProvider, secret: string, pool: PoolOptions = {}) {
  return new Sequelize({
    dialect: 'postgres',
    logging: false,
    pool: { max: 10, idle: 30_000, maxUses: 1_000, ...pool },
    hooks: { beforeConnect: sequelizeBeforeConnect(provider, secret) },
  })
}
