import { setTimeout as sleep } from 'node:timers/promises'
import {
  CachedSecretProvider,
  InvalidOptionsError,
  type LoadedSecret,
  type SecretSource,
} from '@latchkey/core'
import { assertNoCanary, printed, queryLoad, rejectionOf, thrownBy } from '@latchkey/test-support'
import knex from 'knex'
import { QueryTypes, Sequelize } from 'sequelize'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Admin, admin, credentialsJson, server } from '../test/support.js'
import { knexConnection, sequelizeBeforeConnect } from './index.js'

let db: Admin
beforeAll(() => {
  db = admin()
})
afterAll(async () => {
  await db.close()
})

/** A source the test sets, whose entries expire every 300 ms like short-lived tokens. */
function settableSource(initial: string) {
  let current = initial
  const source: SecretSource = {
    name: 'settable',
    async load(): Promise<LoadedSecret> {
      return { value: current, ttlMs: 300 }
    },
  }
  return { source, set: (value: string) => (current = value) }
}

/** 20 loops of `query` across an alternating-users rotation (the old user's password then changes) and expiries. */
async function alternatingScenario(
  label: string,
  build: (provider: CachedSecretProvider) => { query: () => Promise<string>; close(): Promise<void> },
) {
  const users = [await db.createRole(`${label}a`), await db.createRole(`${label}b`)] as const
  const settable = settableSource(
    credentialsJson(users[0].name, users[0].password, { ...server(), dbname: server().database }),
  )
  const provider = new CachedSecretProvider(settable.source, { minRefreshInterval: 100 })
  const orm = build(provider)
  const seen = new Set<string>()
  const load = queryLoad(async () => {
    const who = await orm.query()
    seen.add(who)
    return who === users[0].name || who === users[1].name
  }, 20)
  await sleep(500)
  users[1].password = await db.rotatePassword(users[1].name)
  settable.set(credentialsJson(users[1].name, users[1].password, { ...server(), dbname: server().database }))
  // Wait past the cache entry's 300 ms life and the pools' idle timeouts, then retire the old user's password.
  await sleep(600)
  users[0].password = await db.rotatePassword(users[0].name)
  await sleep(800)
  await load.stop()
  // Busy connections keep their login (neither pool retires them); once idle ones are reaped, new ones log in anew.
  await sleep(500)
  const last = await orm.query()
  await orm.close()
  await provider.close()
  return { load, seen, last, users }
}

describe('knexConnection and sequelizeBeforeConnect (real PostgreSQL, alternating users, expiries)', () => {
  it('knex (connection function + expirationChecker): 0 failed queries; new connections use the new user', async () => {
    const run = await alternatingScenario('knx', (provider) => {
      const k = knex({
        client: 'pg',
        connection: knexConnection(provider, 'db'),
        pool: { min: 0, max: 5, idleTimeoutMillis: 200, reapIntervalMillis: 50 },
      })
      return {
        query: async () =>
          String((await k.raw<{ rows: { u: string }[] }>('SELECT current_user AS u')).rows[0]?.u),
        close: () => k.destroy(),
      }
    })
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
  }, 30_000)

  it('Sequelize (beforeConnect hook): 0 failed queries; new connections use the new user', async () => {
    const run = await alternatingScenario('sqz', (provider) => {
      const s = new Sequelize('', '', '', {
        dialect: 'postgres',
        logging: false,
        pool: { max: 5, min: 0, idle: 200, evict: 50, maxUses: 50 },
        hooks: { beforeConnect: sequelizeBeforeConnect(provider, 'db') as never },
      })
      return {
        query: async () =>
          String(
            (await s.query<{ u: string }>('SELECT current_user AS u', { type: QueryTypes.SELECT }))[0]?.u,
          ),
        close: () => s.close(),
      }
    })
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
  }, 30_000)

  it('bad arguments and a secret of the wrong shape: ERR_SECRET_INVALID_OPTIONS naming it, never the value', async () => {
    const provider = new CachedSecretProvider(
      settableSource(JSON.stringify({ username: 'u', pass: 'x-value-x' })).source,
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
