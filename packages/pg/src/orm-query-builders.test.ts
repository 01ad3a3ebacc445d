import { setTimeout as sleep } from 'node:timers/promises'
import { CachedSecretProvider, type LoadedSecret, type SecretSource } from '@latchkey/core'
import { queryLoad } from '@latchkey/test-support'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { Kysely, sql as ksql, PostgresDialect } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Admin, admin, credentialsJson, server } from '../test/support.js'
import { RotatingPool } from './index.js'

let db: Admin
beforeAll(() => {
  db = admin()
})
afterAll(async () => {
  await db.close()
})

/**
 * A source whose value the test sets (as a rotation Lambda would) and whose entries expire every
 * 300 ms like a short-lived token, so the cache reloads while queries run.
 */
function settableSource(initial: string) {
  let current = initial
  let loads = 0
  const source: SecretSource = {
    name: 'settable',
    async load(): Promise<LoadedSecret> {
      loads++
      return { value: current, ttlMs: 300 }
    },
  }
  return {
    source,
    set(value: string) {
      current = value
    },
    get loads() {
      return loads
    },
  }
}

/** Runs `query` from 20 loops while the password rotates, then the user alternates, then entries expire. */
async function rotationScenario(
  label: string,
  build: (pool: RotatingPool) => { query: () => Promise<string>; close(): Promise<void> },
) {
  const users = [await db.createRole(`${label}a`), await db.createRole(`${label}b`)] as const
  const settable = settableSource(credentialsJson(users[0].name, users[0].password))
  const provider = new CachedSecretProvider(settable.source, { minRefreshInterval: 100 })
  const pool = new RotatingPool({ provider, secret: 'db', ...server(), max: 5, maxLifetimeMillis: 200 })
  const poolErrors: unknown[] = []
  pool.on('error', (error) => poolErrors.push(error))
  const orm = build(pool)
  const seen = new Set<string>()
  const load = queryLoad(async () => {
    const who = await orm.query()
    seen.add(who)
    return who === users[0].name || who === users[1].name
  }, 20)
  await sleep(200)
  // Stored-password rotation of the first user: the database first, then the secret.
  users[0].password = await db.rotatePassword(users[0].name)
  await sleep(50)
  settable.set(credentialsJson(users[0].name, users[0].password))
  await sleep(400)
  // Alternating users: switch to the second, then rotate the first's password away.
  users[1].password = await db.rotatePassword(users[1].name)
  settable.set(credentialsJson(users[1].name, users[1].password))
  users[0].password = await db.rotatePassword(users[0].name)
  // Several 300 ms expiries while the load runs.
  await sleep(1_000)
  await load.stop()
  const last = await orm.query()
  await orm.close()
  await provider.close()
  return { load, seen, last, poolErrors, loads: settable.loads, users }
}

describe('RotatingPool under query builders (real PostgreSQL, rotation + alternating users + expiries)', () => {
  it('Drizzle (drizzle-orm/node-postgres): 0 failed queries', async () => {
    const run = await rotationScenario('drz', (pool) => {
      const orm = drizzle({ client: pool })
      return {
        query: async () => {
          const result = await orm.execute<{ u: string }>(sql`SELECT current_user AS u`)
          return String(result.rows[0]?.u)
        },
        close: () => pool.end(),
      }
    })
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.poolErrors).toEqual([])
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
    expect(run.loads).toBeGreaterThanOrEqual(4)
  }, 30_000)

  it('Kysely (PostgresDialect): 0 failed queries', async () => {
    const run = await rotationScenario('ksy', (pool) => {
      const orm = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) })
      return {
        query: async () => {
          const result = await ksql<{ u: string }>`SELECT current_user AS u`.execute(orm)
          return String(result.rows[0]?.u)
        },
        close: () => orm.destroy(),
      }
    })
    expect(run.load.failures).toEqual([])
    expect(run.load.ok).toBeGreaterThan(100)
    expect(run.poolErrors).toEqual([])
    expect(run.seen).toEqual(new Set([run.users[0].name, run.users[1].name]))
    expect(run.last).toBe(run.users[1].name)
    expect(run.loads).toBeGreaterThanOrEqual(4)
  }, 30_000)
})
