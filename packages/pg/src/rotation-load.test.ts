import { setTimeout as sleep } from 'node:timers/promises'
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Admin, admin, credentialsJson, once, server } from '../test/support.js'
import { RotatingPool } from './index.js'

const WORKERS = 50
const ROTATIONS = 12

let db: Admin

beforeAll(() => {
  db = admin()
})

afterAll(async () => {
  await db.close()
})

/** 50 clients querying in a loop until `stop()`; failures are counted by error code, never thrown. */
function load(pool: RotatingPool, sql: string) {
  let running = true
  const failures: string[] = []
  const seen = new Map<string, number>()
  let ok = 0
  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      try {
        const { rows } = await pool.query<{ v: string }>(sql)
        const value = String(rows[0]?.v)
        seen.set(value, (seen.get(value) ?? 0) + 1)
        ok++
      } catch (error) {
        failures.push(String((error as { code?: string }).code ?? (error as Error).message))
      }
    }
  })
  return {
    failures,
    seen,
    get ok() {
      return ok
    },
    async stop() {
      running = false
      await Promise.all(workers)
    },
  }
}

function churningPool(provider: CachedSecretProvider) {
  const pool = new RotatingPool({
    provider,
    secret: 'db/creds',
    ...server(),
    max: 4,
    maxLifetimeMillis: 150,
    connectionTimeoutMillis: 10_000,
  })
  const poolErrors: string[] = []
  pool.on('error', (error) => poolErrors.push(String((error as { code?: string }).code)))
  let rotations = 0
  pool.on('rotate', () => rotations++)
  return {
    pool,
    poolErrors,
    get rotations() {
      return rotations
    },
  }
}

describe('rotation under load (50 concurrent clients, connections churning)', () => {
  it('single user, database changed before the secret: zero failed queries', async () => {
    const role = await db.createRole('single')
    const source = new MemorySource({ 'db/creds': credentialsJson(role.name, role.password) })
    const provider = new CachedSecretProvider(source, { minRefreshInterval: 250 })
    const churning = churningPool(provider)
    const { pool, poolErrors } = churning
    const run = load(pool, 'SELECT 1 AS v')
    await sleep(200)
    for (let i = 0; i < ROTATIONS; i++) {
      const rotated = once(pool, 'rotate')
      const password = await db.rotatePassword(role.name)
      await sleep(100)
      source.set('db/creds', credentialsJson(role.name, password))
      await rotated
      await sleep(100)
    }
    await run.stop()
    await pool.end()
    expect(run.failures).toEqual([])
    expect(poolErrors).toEqual([])
    expect(churning.rotations).toBe(ROTATIONS)
    expect(pool.authRetries).toBeGreaterThan(0)
    expect(run.ok).toBeGreaterThan(1_000)
  })

  it('alternating users: zero failed queries, and new connections use the new role', async () => {
    const users = [await db.createRole('alta'), await db.createRole('altb')] as const
    let active: 0 | 1 = 0
    const source = new MemorySource({ 'db/creds': credentialsJson(users[0].name, users[0].password) })
    const provider = new CachedSecretProvider(source, { minRefreshInterval: 250 })
    const churning = churningPool(provider)
    const { pool, poolErrors } = churning
    const run = load(pool, 'SELECT current_user AS v')
    await sleep(200)
    for (let i = 0; i < ROTATIONS; i++) {
      const previous = users[active]
      active = active === 0 ? 1 : 0
      const next = users[active]
      const rotated = once(pool, 'rotate')
      next.password = await db.rotatePassword(next.name)
      source.set('db/creds', credentialsJson(next.name, next.password))
      // The role that was just switched away from gets a new password too.
      previous.password = await db.rotatePassword(previous.name)
      await rotated
      // Once every connection opened before the switch has outlived maxLifetimeMillis:
      await sleep(250)
      const who = await Promise.all(
        Array.from({ length: 4 }, () => pool.query<{ v: string }>('SELECT current_user AS v')),
      )
      expect(who.map((r) => r.rows[0]?.v)).toEqual(Array(4).fill(next.name))
    }
    await run.stop()
    await pool.end()
    expect(run.failures).toEqual([])
    expect(poolErrors).toEqual([])
    expect(churning.rotations).toBe(ROTATIONS)
    expect(run.seen.get(users[0].name)).toBeGreaterThan(0)
    expect(run.seen.get(users[1].name)).toBeGreaterThan(0)
  })
})
