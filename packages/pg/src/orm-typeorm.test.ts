import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figures, ormRotationScenario } from '../test/orm-scenario.js'
import { typeormDataSource } from '../test/orm-snippets/typeorm.js'
import { type Admin, admin, server } from '../test/support.js'

let db: Admin
beforeAll(() => {
  db = admin()
})
afterAll(async () => {
  await db.close()
})

describe('RotatingPool under TypeORM (real PostgreSQL, rotation + alternating users + token expiries)', () => {
  it('DataSource with { driver: { Pool: RotatingPool } }: 0 failed queries', async () => {
    const run = await ormRotationScenario(db, 'tyo', async (provider) => {
      const dataSource = typeormDataSource(provider, 'db', server(), { max: 5, maxLifetimeMillis: 200 })
      await dataSource.initialize()
      return {
        query: async () =>
          String((await dataSource.query<{ u: string }[]>('SELECT current_user AS u'))[0]?.u),
        close: () => dataSource.destroy(),
      }
    })
    console.info(figures('typeorm', run))
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
    expect(run.expiries).toBeGreaterThanOrEqual(20)
    expect(run.mintsPerLifetime).toBeLessThanOrEqual(3)
  }, 90_000)
})
