import type { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool, type RotatingPoolConfig } from '@latchkey/pg'
import { createPostgreSqlTypeParsers, MikroORM, type Options } from '@mikro-orm/postgresql'
import { PostgresDialect } from 'kysely'
import pg from 'pg'
import { parse as parseArray } from 'postgres-array'

/**
 * MikroORM 7 (its SQL drivers run on Kysely) given a ready dialect over a RotatingPool through
 * `driverOptions`, so it does not build a pg.Pool of its own. The pool gets the type parsers
 * MikroORM's own pool would have (dates, timestamps and intervals kept as strings).
 */
export function mikroOrm(
  provider: CachedSecretProvider,
  secret: string,
  options: Options,
  pool: Omit<RotatingPoolConfig, 'secret' | 'passwordSecret'> = {},
): Promise<MikroORM> {
  const types = new pg.TypeOverrides()
  for (const [oid, parser] of Object.entries(createPostgreSqlTypeParsers(parseArray))) {
    types.setTypeParser(Number(oid), parser)
  }
  const rotatingPool = new RotatingPool({ provider, secret, max: 10, types, ...pool })
  return MikroORM.init({ ...options, driverOptions: new PostgresDialect({ pool: rotatingPool }) })
}
