import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import { assertNoCanary } from '@latchkey/test-support'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Admin, admin, credentialsJson, once, server } from '../test/support.js'
import { type PoolRotateEvent, RotatingPool, type RotatingPoolOptions } from './index.js'

let db: Admin
let first: { name: string; password: string }
let second: { name: string; password: string }

beforeAll(async () => {
  db = admin()
  first = await db.createRole('rfirst')
  second = await db.createRole('rsecond')
})

afterAll(async () => {
  await db.close()
})

function setup(options: Partial<RotatingPoolOptions> = {}) {
  const source = new MemorySource({ 'db/creds': credentialsJson(first.name, first.password) })
  const provider = new CachedSecretProvider(source, { minRefreshInterval: 0 })
  const pool = new RotatingPool({
    provider,
    secret: 'db/creds',
    ...server(),
    max: 3,
    ...options,
  } as RotatingPoolOptions)
  pool.on('error', () => undefined)
  const rotate = async (user: { name: string; password: string }) => {
    source.set('db/creds', credentialsJson(user.name, user.password))
    const event = once<PoolRotateEvent>(pool, 'rotate')
    await provider.refresh('db/creds')
    return event
  }
  return { source, provider, pool, rotate }
}

/** Opens `count` connections at once and returns them to the pool. */
async function warm(pool: RotatingPool, count: number): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: count }, () => pool.connect()))
  const pids = clients.map((client) => (client as unknown as { processID: number }).processID)
  for (const client of clients) client.release()
  return pids
}

async function whoAmI(client: pg.PoolClient | RotatingPool): Promise<string> {
  const { rows } = await client.query<{ who: string }>('SELECT current_user AS who')
  return rows[0]?.who ?? ''
}

describe('on rotation', () => {
  it("emits 'rotate' with versions only, closes idle old connections, and new ones use the new user", async () => {
    const { pool, rotate } = setup()
    const oldPids = await warm(pool, 3)
    expect(pool.idleCount).toBe(3)
    const removed: pg.PoolClient[] = []
    pool.on('remove', (client) => removed.push(client))

    const event = await rotate(second)
    expect(event).toEqual({ name: 'db/creds', oldVersion: 'v1', newVersion: 'v2' })
    assertNoCanary(JSON.stringify(event), "the 'rotate' event")
    expect(pool.idleCount).toBe(0)
    expect(pool.totalCount).toBe(0)
    await expect.poll(() => removed.length).toBe(3)

    const client = await pool.connect()
    expect(oldPids).not.toContain((client as unknown as { processID: number }).processID)
    expect(await whoAmI(client)).toBe(second.name)
    client.release()
    await pool.end()
  })

  it('retires a busy connection when it is released, and it keeps working until then', async () => {
    const { pool, rotate } = setup()
    const busy = await pool.connect()
    await rotate(second)
    expect(await whoAmI(busy)).toBe(first.name)
    expect(pool.totalCount).toBe(1)
    const removed = once<pg.PoolClient>(pool, 'remove')
    busy.release()
    expect(await removed).toBe(busy)
    expect(pool.totalCount).toBe(0)
    expect(await whoAmI(pool)).toBe(second.name)
    expect(pool.idleCount).toBe(1)
    await pool.end()
  })

  it('keeps old connections when retireOnRotate is false', async () => {
    const { pool, rotate } = setup({ retireOnRotate: false })
    await warm(pool, 2)
    const busy = await pool.connect()
    await rotate(second)
    expect(pool.idleCount).toBe(1)
    busy.release()
    expect(pool.idleCount).toBe(2)
    expect(await whoAmI(pool)).toBe(first.name)
    await pool.end()
  })

  it('maxLifetimeMillis closes connections after their lifetime', async () => {
    const { pool } = setup({ maxLifetimeMillis: 150 })
    expect(pool.options.maxLifetimeSeconds).toBe(0.15)
    await warm(pool, 2)
    const removed: pg.PoolClient[] = []
    pool.on('remove', (client) => removed.push(client))
    await expect.poll(() => removed.length, { timeout: 2_000 }).toBe(2)
    expect(pool.totalCount).toBe(0)
    await pool.end()
  })

  it('stops following rotations after end()', async () => {
    const { pool, source, provider } = setup()
    await warm(pool, 1)
    await pool.end()
    const events: unknown[] = []
    pool.on('rotate', (event) => events.push(event))
    const providerRotations: unknown[] = []
    provider.on('rotate', (event) => providerRotations.push(event))
    source.set('db/creds', credentialsJson(second.name, second.password))
    await provider.refresh('db/creds')
    expect(providerRotations).toHaveLength(1)
    expect(events).toEqual([])
    expect(provider.closed).toBe(false)
  })
})
