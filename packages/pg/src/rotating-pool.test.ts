import { inspect } from 'node:util'
import { CachedSecretProvider, MemorySource, type SecretSource } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import pg from 'pg'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { adminForFile, credentialsJson, deepText, once, server } from '../test/support.js'
import { RotatingPool } from './index.js'

const file = adminForFile()
let app: { name: string; password: string }

beforeAll(async () => {
  app = await file.db.createRole('app')
})

function memoryPool(
  secretValue: string,
  options: Partial<ConstructorParameters<typeof RotatingPool>[0]> = {},
) {
  const source = new MemorySource({ 'db/creds': secretValue })
  const provider = new CachedSecretProvider(source, { minRefreshInterval: 0 })
  const pool = new RotatingPool({ provider, secret: 'db/creds', ...server(), max: 3, ...options } as never)
  pool.on('error', () => undefined)
  return { source, provider, pool }
}

describe('RotatingPool', () => {
  it('is a pg.Pool and logs in with the credentials from the secret', async () => {
    const { pool, provider } = memoryPool(credentialsJson(app.name, app.password))
    expect(pool).toBeInstanceOf(pg.Pool)
    const { rows } = await pool.query('SELECT current_user AS who')
    expect(rows[0].who).toBe(app.name)
    expect(pool.totalCount).toBe(1)
    expect(pool.idleCount).toBe(1)
    expect(pool.waitingCount).toBe(0)
    const client = await pool.connect()
    expect(pool.idleCount).toBe(0)
    client.release()
    await pool.end()
    expect(provider.closed).toBe(false)
  })

  it('takes host, port and dbname from the secret over the config', async () => {
    const { host, port, database } = server()
    const secret = credentialsJson(app.name, app.password, { host, port: String(port), dbname: database })
    const { pool } = memoryPool(secret, { host: 'db.invalid', port: 1, database: 'nodb' })
    const { rows } = await pool.query('SELECT current_database() AS db')
    expect(rows[0].db).toBe(database)
    await pool.end()
  })

  it('logs in with a password secret and a fixed user', async () => {
    const source = new MemorySource({ 'db/password': app.password })
    const pool = new RotatingPool({ source, passwordSecret: 'db/password', user: app.name, ...server() })
    pool.on('error', () => undefined)
    const { rows } = await pool.query('SELECT current_user AS who')
    expect(rows[0].who).toBe(app.name)
    await pool.end()
  })

  it('closes a provider it built from a source when it ends', async () => {
    const source = new MemorySource({ 'db/creds': credentialsJson(app.name, app.password) })
    const close = vi.fn(async () => undefined)
    const pool = new RotatingPool({
      source: Object.assign(source, { close }),
      secret: 'db/creds',
      ...server(),
    })
    await pool.query('SELECT 1')
    await pool.end()
    expect(close).toHaveBeenCalledTimes(1)
    expect(pool.provider.closed).toBe(true)
  })

  it('never shows the password in util.inspect of the pool, its clients or its events', async () => {
    const { host, port, database } = server()
    const { pool } = memoryPool(credentialsJson(app.name, app.password), {
      connectionString: `postgres://someone:${canary('in-url')}@${host}:${port}/${database}`,
    })
    const seen: unknown[] = []
    for (const event of ['connect', 'acquire', 'release', 'remove', 'rotate'] as const) {
      pool.on(event as 'connect', (...args: unknown[]) => seen.push(args))
    }
    const client = await pool.connect()
    await client.query('SELECT 1')
    assertNoCanary(inspect(pool, { depth: 6 }), 'util.inspect(pool)')
    assertNoCanary(inspect(client, { depth: 6 }), 'util.inspect(client)')
    assertNoCanary(JSON.stringify(Object.keys(client)), 'client keys')
    client.release()
    await pool.end()
    assertNoCanary(inspect(seen, { depth: 4 }), 'emitted events')
  })

  it('keeps no password on a client once it has logged in, even on non-enumerable properties', async () => {
    const { pool } = memoryPool(credentialsJson(app.name, app.password))
    const client = await pool.connect()
    assertNoCanary(deepText(client), 'every own property of a connected client')
    assertNoCanary(deepText(pool), 'every own property of the pool')
    client.release()
    await pool.end()
  })

  it("an idle connection killed by the server gives an 'error' event whose error holds no password", async () => {
    const { pool } = memoryPool(credentialsJson(app.name, app.password))
    const client = await pool.connect()
    const pid = (client as unknown as { processID: number }).processID
    client.release()
    const failed = once<Error>(pool, 'error')
    await file.db.query('SELECT pg_terminate_backend($1)', [pid])
    const error = await failed
    expect(error).toMatchObject({ code: '57P01' })
    assertNoCanary(deepText(error), 'every own property of the error (its client included)')
    assertNoCanary(
      inspect(error, { depth: 8, showHidden: true }),
      'util.inspect(error, { showHidden: true })',
    )
    await pool.end()
  })

  it('rejects a checkout with a typed error naming the missing field, never the value', async () => {
    const { pool } = memoryPool(JSON.stringify({ username: app.name, pass: app.password }))
    const error = await pool.query('SELECT 1').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({
      code: 'ERR_SECRET_INVALID_JSON',
      field: 'password',
      secretName: 'db/creds',
    })
    assertNoCanary(`${String(error)} ${inspect(error)}`, 'the error')
    await pool.end()
  })

  it('rejects a secret that is not JSON with a typed error that does not quote it', async () => {
    const { pool } = memoryPool(app.password)
    const error = await pool.query('SELECT 1').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_SECRET_INVALID_JSON' })
    assertNoCanary(`${String(error)} ${inspect(error)}`, 'the error')
    await pool.end()
  })

  it('builds its connections on a Client class given as the `Client` option', async () => {
    class TaggedClient extends pg.Client {
      readonly tagged = true
    }
    const { pool } = memoryPool(credentialsJson(app.name, app.password), { Client: TaggedClient })
    const client = await pool.connect()
    expect(client).toBeInstanceOf(TaggedClient)
    expect(await client.query('SELECT current_user AS who')).toMatchObject({ rows: [{ who: app.name }] })
    client.release()
    await pool.end()
  })

  it('honours connectionTimeoutMillis while the first load of the secret is slow', async () => {
    const value = credentialsJson(app.name, app.password)
    const slow: SecretSource = {
      name: 'slow',
      load: () => new Promise((resolve) => setTimeout(() => resolve({ value }), 400)),
    }
    const pool = new RotatingPool({
      source: slow,
      secret: 'db/creds',
      ...server(),
      connectionTimeoutMillis: 100,
    })
    // The first load ends a tenth before pg-pool's timer, naming the secret. When the event loop
    // lags past both timers (a loaded machine), pg's timeout error wins the race and carries ours
    // as its cause: either way the caller learns which secret was slow.
    const error = await pool.query('SELECT 1').then(
      () => undefined,
      (e: Error & { cause?: unknown }) => e,
    )
    const timeout = (error as { code?: unknown })?.code === undefined ? error?.cause : error
    expect(timeout).toMatchObject({
      code: 'ERR_SECRET_TIMEOUT',
      secretName: 'db/creds',
      message: 'loading secret "db/creds" (source slow) timed out after 90 ms',
    })
    if (timeout !== error) expect(error?.message).toBe('Connection terminated due to connection timeout')
    expect(pool.totalCount).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await pool.query('SELECT 1 AS one')).toMatchObject({ rows: [{ one: 1 }] })
    await pool.end()
  })
})
