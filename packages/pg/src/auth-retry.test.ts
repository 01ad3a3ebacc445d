import { createServer } from 'node:net'
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Admin, admin, credentialsJson, server } from '../test/support.js'
import { RotatingPool, type RotatingPoolOptions } from './index.js'

let db: Admin

beforeAll(() => {
  db = admin()
})

afterAll(async () => {
  await db.close()
})

function setup(secret: string, options: Partial<RotatingPoolOptions> = {}) {
  const source = new MemorySource({ 'db/creds': secret })
  const provider = new CachedSecretProvider(source, { minRefreshInterval: 0 })
  const refresh = vi.spyOn(provider, 'refresh')
  const pool = new RotatingPool({
    provider,
    secret: 'db/creds',
    ...server(),
    max: 2,
    ...options,
  } as RotatingPoolOptions)
  pool.on('error', () => undefined)
  return { source, provider, refresh, pool }
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

describe('a login refused at connect', () => {
  it('28P01: forces a refresh and retries until the new password arrives; the query waits', async () => {
    const role = await db.createRole('p28p01')
    const { source, provider, refresh, pool } = setup(credentialsJson(role.name, role.password))
    await provider.preload(['db/creds'])
    // The database changes first; the secret store follows 300 ms later.
    const newPassword = await db.rotatePassword(role.name)
    setTimeout(() => source.set('db/creds', credentialsJson(role.name, newPassword)), 300)
    const { rows } = await pool.query('SELECT current_user AS who')
    expect(rows[0].who).toBe(role.name)
    expect(refresh).toHaveBeenCalledWith('db/creds')
    expect(pool.authRetries).toBeGreaterThanOrEqual(1)
    expect(pool.totalCount).toBe(1)
    await pool.end()
  })

  it('28000: a role that may not log in forces a refresh and the retry uses the new role', async () => {
    const blocked = await db.createRole('p28000')
    await db.query(`ALTER ROLE ${pg.escapeIdentifier(blocked.name)} NOLOGIN`)
    const next = await db.createRole('pnext')
    const { source, refresh, pool } = setup(credentialsJson(blocked.name, blocked.password))
    const probe = new pg.Client({ ...server(), user: blocked.name, password: blocked.password })
    const error = await probe.connect().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: '28000' })
    setTimeout(() => source.set('db/creds', credentialsJson(next.name, next.password)), 200)
    const { rows } = await pool.query('SELECT current_user AS who')
    expect(rows[0].who).toBe(next.name)
    expect(refresh).toHaveBeenCalled()
    await pool.end()
  })

  it('fails with the database error once the retry deadline passes', async () => {
    const role = await db.createRole('pdeadline')
    const { refresh, pool } = setup(credentialsJson(role.name, 'not-the-password'), {
      authRetry: { timeout: 400, baseDelay: 20, maxDelay: 50 },
    })
    const started = Date.now()
    const error = await pool.query('SELECT 1').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: '28P01' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(350)
    expect(refresh.mock.calls.length).toBeGreaterThanOrEqual(2)
    expect(pool.totalCount).toBe(0)
    await pool.end()
  })

  it('is not retried when authRetry is false', async () => {
    const role = await db.createRole('pnoretry')
    const { refresh, pool } = setup(credentialsJson(role.name, 'not-the-password'), { authRetry: false })
    await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: '28P01' })
    expect(refresh).not.toHaveBeenCalled()
    expect(pool.authRetries).toBe(0)
    await pool.end()
  })

  it('other errors are not retried: unknown database (3D000) and a refused TCP connection', async () => {
    const role = await db.createRole('pother')
    const missingDb = setup(credentialsJson(role.name, role.password, { dbname: 'no_such_database' }))
    await expect(missingDb.pool.query('SELECT 1')).rejects.toMatchObject({ code: '3D000' })
    expect(missingDb.refresh).not.toHaveBeenCalled()
    await missingDb.pool.end()

    const refused = setup(credentialsJson(role.name, role.password, { port: await closedPort() }))
    await expect(refused.pool.query('SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    expect(refused.refresh).not.toHaveBeenCalled()
    expect(refused.pool.authRetries).toBe(0)
    await refused.pool.end()
  })

  it('a checkout waiting on a retry fails with the refusal when the pool ends', async () => {
    const role = await db.createRole('pending')
    const { pool } = setup(credentialsJson(role.name, 'not-the-password'), {
      authRetry: { baseDelay: 5_000, maxDelay: 5_000, timeout: 20_000 },
      random: () => 0.99,
    })
    const query = pool.query('SELECT 1').catch((e: unknown) => e)
    await vi.waitFor(() => expect(pool.authRetries).toBe(1))
    const started = Date.now()
    await pool.end()
    expect(await query).toMatchObject({ code: '28P01' })
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('with connectionTimeoutMillis, every caller gets exactly one answer, including queued ones', async () => {
    const role = await db.createRole('ponce')
    const { pool } = setup(credentialsJson(role.name, 'not-the-password'), {
      max: 1,
      connectionTimeoutMillis: 300,
      authRetry: { baseDelay: 20, maxDelay: 50 },
    })
    const answers: string[][] = [[], [], []]
    for (const answer of answers) {
      pool.query('SELECT 1', (error) =>
        answer.push(String((error as { code?: string }).code ?? error?.message)),
      )
    }
    await vi.waitFor(() => expect(answers.every((answer) => answer.length > 0)).toBe(true), {
      timeout: 3_000,
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(answers.map((answer) => answer.length)).toEqual([1, 1, 1])
    expect(answers[0]).toEqual(['28P01'])
    for (const answer of answers.slice(1))
      expect(answer[0]).toMatch(/^(28P01|timeout exceeded when trying to connect)$/)
    expect(pool.totalCount).toBe(0)
    await pool.end()
  })
})
