import { describe, expect, it } from 'vitest'
import { expectRotationRun, figures, ormRotationScenario } from '../test/orm-scenario.js'
import { mikroOrm } from '../test/orm-snippets/mikro-orm.js'
import { adminForFile, server } from '../test/support.js'

const file = adminForFile()

describe('RotatingPool under MikroORM (real PostgreSQL, rotation + alternating users + token expiries)', () => {
  it('PostgreSqlDriver with { driverOptions: new PostgresDialect({ pool: RotatingPool }) }: 0 failed queries', async () => {
    let timestampType = ''
    const run = await ormRotationScenario(file.db, 'mko', async (provider) => {
      const { host, port, database } = server()
      const orm = await mikroOrm(
        provider,
        'db',
        { dbName: database, entities: [], discovery: { warnWhenNoEntities: false } },
        { host, port, database, max: 5, maxLifetimeMillis: 200 },
      )
      // MikroORM's convention, kept by the pool's type parsers: timestamps arrive as strings.
      const [row] = await orm.em.fork().execute<{ t: unknown }[]>('SELECT now() AS t')
      timestampType = typeof row?.t
      return {
        query: async () =>
          String((await orm.em.fork().execute<{ u: string }[]>('SELECT current_user AS u'))[0]?.u),
        close: () => orm.close(true),
      }
    })
    console.info(figures('mikro-orm', run))
    expect(timestampType).toBe('string')
    expectRotationRun(run)
  }, 90_000)
})
