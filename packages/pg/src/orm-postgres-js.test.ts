import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figures, ormRotationScenario } from '../test/orm-scenario.js'
import { postgresJs } from '../test/orm-snippets/postgres-js.js'
import { type Admin, admin, server } from '../test/support.js'

let db: Admin
beforeAll(() => {
  db = admin()
})
afterAll(async () => {
  await db.close()
})

describe('postgres.js with a password function (real PostgreSQL, single-user rotation + token expiries)', () => {
  it('password from the provider, each query retried once on a refused login: 0 failed queries', async () => {
    const run = await ormRotationScenario(
      db,
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
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.seen).toEqual(new Set([run.users[0].name]))
    expect(run.last).toBe(run.users[0].name)
    expect(run.expiries).toBeGreaterThanOrEqual(20)
    expect(run.mintsPerLifetime).toBeLessThanOrEqual(3)
  }, 90_000)
})
