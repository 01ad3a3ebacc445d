import { sql } from 'drizzle-orm'
import { sql as ksql } from 'kysely'
import { describe, it } from 'vitest'
import { expectFrontRun, expectRotationRun, figures, ormRotationScenario } from '../test/orm-scenario.js'
import { drizzleDb } from '../test/orm-snippets/drizzle.js'
import { kyselyDb } from '../test/orm-snippets/kysely.js'
import { adminForFile, server } from '../test/support.js'

const file = adminForFile()

describe('RotatingPool under query builders (real PostgreSQL, rotation + alternating users + token expiries)', () => {
  it('Drizzle (drizzle-orm/node-postgres): 0 failed queries', async () => {
    const run = await ormRotationScenario(file.db, 'drz', (provider) => {
      const orm = drizzleDb(provider, 'db', { ...server(), max: 5, maxLifetimeMillis: 200 })
      return {
        query: async () => {
          const result = await orm.execute<{ u: string }>(sql`SELECT current_user AS u`)
          return String(result.rows[0]?.u)
        },
        close: () => orm.$client.end(),
      }
    })
    console.info(figures('drizzle', run))
    expectRotationRun(run)
  }, 90_000)

  it('Kysely (PostgresDialect): 0 failed queries', async () => {
    const run = await ormRotationScenario(file.db, 'ksy', (provider) => {
      const orm = kyselyDb<Record<string, never>>(provider, 'db', {
        ...server(),
        max: 5,
        maxLifetimeMillis: 200,
      })
      return {
        query: async () => {
          const result = await ksql<{ u: string }>`SELECT current_user AS u`.execute(orm)
          return String(result.rows[0]?.u)
        },
        close: () => orm.destroy(),
      }
    })
    console.info(figures('kysely', run))
    expectRotationRun(run)
  }, 90_000)

  it('Drizzle through the RDS IAM front (every unexpired token accepted, as on RDS): 0 failed, 0 refused, none past its token', async () => {
    const run = await ormRotationScenario(
      file.db,
      'drf',
      (provider) => {
        const orm = drizzleDb(provider, 'db', { ...server(), max: 5, maxLifetimeMillis: 200 })
        return {
          query: async () => {
            const result = await orm.execute<{ u: string; pid: number }>(
              sql`SELECT current_user AS u, pg_backend_pid() AS pid`,
            )
            return { user: String(result.rows[0]?.u), pid: Number(result.rows[0]?.pid) }
          },
          close: () => orm.$client.end(),
        }
      },
      { tokens: 'front' },
    )
    console.info(figures('drizzle via RDS IAM front', run))
    expectFrontRun(run)
  }, 90_000)
})
