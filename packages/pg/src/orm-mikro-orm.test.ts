import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figures, ormRotationScenario } from '../test/orm-scenario.js'
import { mikroOrm } from '../test/orm-snippets/mikro-orm.js'
import { type Admin, admin, server } from '../test/support.js'

let db: Admin
beforeAll(() => {
  db = admin()
})
afterAll(async () => {
  await db.close()
})

describe('RotatingPool under MikroORM (real PostgreSQL, rotation + alternating users + token expiries)', () => {
  it('PostgreSqlDriver with { driverOptions: new PostgresDialect({ pool: RotatingPool }) }: 0 failed queries', async () => {
    let timestampType = ''
    const run = await ormRotationScenario(db, 'mko', async (provider) => {
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
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
    expect(run.expiries).toBeGreaterThanOrEqual(20)
    expect(run.mintsPerLifetime).toBeLessThanOrEqual(3)
  }, 90_000)
})
