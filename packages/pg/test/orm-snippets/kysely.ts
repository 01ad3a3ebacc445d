import type { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool, type RotatingPoolConfig } from '@latchkey/pg'
import { Kysely, PostgresDialect } from 'kysely'

/** Kysely with a RotatingPool as its dialect's pool; `db.destroy()` closes it. */
export function kyselyDb<Database>(
  provider: CachedSecretProvider,
  secret: string,
  pool: Omit<RotatingPoolConfig, 'secret' | 'passwordSecret'> = {},
) {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new RotatingPool({ provider, secret, max: 10, ...pool }) }),
  })
}
