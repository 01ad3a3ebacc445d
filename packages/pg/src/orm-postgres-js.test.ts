import { describe, it } from 'vitest'
import { expectRotationRun, figures, ormRotationScenario } from '../test/orm-scenario.js'
import { postgresJs } from '../test/orm-snippets/postgres-js.js'
import { adminForFile, server } from '../test/support.js'

const file = adminForFile()

describe('postgres.js with a password function (real PostgreSQL, single-user rotation + token expiries)', () => {
  it('password from the provider, each query retried once on a refused login: 0 failed queries', async () => {
    const run = await ormRotationScenario(
      file.db,
      'pjs',
      (provider, user) => {
        const { sql, retrying } = postgresJs(provider, 'db', {
          ...server(),
          username: user,
          max: 5,
          max_lifetime: 1,
          idle_timeout: 0.5,
          onnotice: () => undefined,
        })
        return {
          query: () =>
            retrying(async (db) => String((await db<{ u: string }[]>`SELECT current_user AS u`)[0]?.u)),
          close: () => sql.end({ timeout: 5 }),
        }
      },
      { alternate: false },
    )
    console.info(figures('postgres.js', run))
    expectRotationRun(run, { alternate: false })
  }, 90_000)
})
