import { describe, it } from 'vitest'
import { expectRotationRun, figures, ormRotationScenario } from '../test/orm-scenario.js'
import { typeormDataSource } from '../test/orm-snippets/typeorm.js'
import { adminForFile, server } from '../test/support.js'

const file = adminForFile()

describe('RotatingPool under TypeORM (real PostgreSQL, rotation + alternating users + token expiries)', () => {
  it('DataSource with { driver: { Pool: RotatingPool } }: 0 failed queries', async () => {
    const run = await ormRotationScenario(file.db, 'tyo', async (provider) => {
      const dataSource = typeormDataSource(provider, 'db', server(), { max: 5, maxLifetimeMillis: 200 })
      await dataSource.initialize()
      return {
        query: async () =>
          String((await dataSource.query<{ u: string }[]>('SELECT current_user AS u'))[0]?.u),
        close: () => dataSource.destroy(),
      }
    })
    console.info(figures('typeorm', run))
    expectRotationRun(run)
  }, 90_000)
})
