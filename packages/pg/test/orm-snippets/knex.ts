import type { CachedSecretProvider } from '@latchkey/core'
import { knexConnection } from '@latchkey/pg'
import knex, { type Knex } from 'knex'

/**
 * knex with its connection settings from the secret (a function knex calls again when they
 * change), and its `validate` as the pool's, so a connection made with old credentials (a token
 * that has since been replaced) is destroyed at its next checkout instead of being reused.
 */
export function knexDb(provider: CachedSecretProvider, secret: string, pool: Knex.PoolConfig = {}) {
  const connection = knexConnection(provider, secret)
  return knex({
    client: 'pg',
    connection,
    pool: { min: 0, max: 10, idleTimeoutMillis: 30_000, validate: connection.validate, ...pool },
  })
}
