import type { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool, type RotatingPoolConfig } from '@latchkey/pg'
import { MikroORM, type Options } from '@mikro-orm/postgresql'
import { PostgresDialect } from 'kysely'

/**
 * MikroORM 7 (its SQL drivers run on Kysely) given a ready dialect over a RotatingPool through
 * `driverOptions`, so it does not build a pg.Pool of its own.
 */
export function mikroOrm(
  provider: CachedSecretProvider,
  secret: string,
  options: Options,
  pool: Omit<RotatingPoolConfig, 'secret' | 'passwordSecret'> = {},
): Promise<MikroORM> {
  return MikroORM.init({
    ...options,
    driverOptions: new PostgresDialect({ pool: new RotatingPool({ provider, secret, max: 10, ...pool }) }),
  })
}
