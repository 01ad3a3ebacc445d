import {
  CachedSecretProvider,
  InvalidOptionsError,
  type LoadedSecret,
  type SecretSource,
} from '@latchkey/core'
import { assertNoCanary, printed, rejectionOf, thrownBy } from '@latchkey/test-support'
import { QueryTypes } from 'sequelize'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figures, ormRotationScenario } from '../test/orm-scenario.js'
import { knexDb } from '../test/orm-snippets/knex.js'
import { sequelizeDb } from '../test/orm-snippets/sequelize.js'
import { type Admin, admin } from '../test/support.js'
import { knexConnection, sequelizeBeforeConnect } from './index.js'

let db: Admin
beforeAll(() => {
  db = admin()
})
afterAll(async () => {
  await db.close()
})

/** A source of one fixed value (for the argument checks). */
function fixedSource(value: string): SecretSource {
  return { name: 'fixed', load: async (): Promise<LoadedSecret> => ({ value }) }
}

// Neither knex nor Sequelize can retry a refused login, so the scenario skips what only a retry
// survives (see docs/orm.md): the single-user rotation made database-first, and the token phase
// (our one-password-per-role stand-in for RDS refuses the previous token at once). Alternating
// users, with cache entries expiring every 300 ms.
const HELPER_SCENARIO = { fullSecret: true, singleUserFirst: false, tokens: false, settleMs: 500 } as const

describe('knexConnection and sequelizeBeforeConnect (real PostgreSQL, alternating users, expiries)', () => {
  it('knex (connection function + expirationChecker): 0 failed queries; new connections use the new user', async () => {
    const run = await ormRotationScenario(
      db,
      'knx',
      (provider) => {
        const k = knexDb(provider, 'db', { max: 5, idleTimeoutMillis: 200, reapIntervalMillis: 50 })
        return {
          query: async () =>
            String((await k.raw<{ rows: { u: string }[] }>('SELECT current_user AS u')).rows[0]?.u),
          close: () => k.destroy(),
        }
      },
      HELPER_SCENARIO,
    )
    console.info(figures('knex', run))
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
    expect(run.tokens).toBe(0)
  }, 90_000)

  it('Sequelize (beforeConnect hook): 0 failed queries; new connections use the new user', async () => {
    const run = await ormRotationScenario(
      db,
      'sqz',
      (provider) => {
        const s = sequelizeDb(provider, 'db', { max: 5, min: 0, idle: 200, evict: 50, maxUses: 50 })
        return {
          query: async () =>
            String(
              (await s.query<{ u: string }>('SELECT current_user AS u', { type: QueryTypes.SELECT }))[0]?.u,
            ),
          close: () => s.close(),
        }
      },
      HELPER_SCENARIO,
    )
    console.info(figures('sequelize', run))
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
    expect(run.tokens).toBe(0)
  }, 90_000)

  it('bad arguments and a secret of the wrong shape: ERR_SECRET_INVALID_OPTIONS naming it, never the value', async () => {
    const provider = new CachedSecretProvider(
      fixedSource(JSON.stringify({ username: 'u', pass: 'x-value-x' })),
    )
    expect(thrownBy(() => knexConnection({} as never, 'db'), InvalidOptionsError).message).toContain(
      'provider',
    )
    expect(thrownBy(() => sequelizeBeforeConnect(provider, ''), InvalidOptionsError).message).toContain(
      'secret',
    )
    const error = await rejectionOf(knexConnection(provider, 'db')(), InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toContain('password')
    expect(printed(error)).not.toContain('x-value-x')
    assertNoCanary(printed(error))
    await provider.close()
  })
})
