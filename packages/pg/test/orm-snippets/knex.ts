import type { CachedSecretProvider } from '@latchkey/core'
import { knexConnection } from '@latchkey/pg'
import knex, { type Knex } from 'knex'

/** knex with its connection settings from the secret (a function knex calls again when they change). */
export function knexDb(provider: CachedSecretProvider, secret: string, pool: Knex.PoolConfig = {}) {
  return knex({
    client: 'pg',
    connection: knexConnection(provider, secret),
    pool: { min: 0, max: 10, idleTimeoutMillis: 30_000, ...pool },
  })
}
