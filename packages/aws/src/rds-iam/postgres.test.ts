import { setTimeout as sleep } from 'node:timers/promises'
import { Signer } from '@aws-sdk/rds-signer'
import { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { assertNoCanary, canary, printed, queryLoad, sqlLiteral } from '@latchkey/test-support'
import { type RunningPostgres, startPostgres } from '@latchkey/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RdsIamAuthSource } from '../index.js'

// The test plays RDS: a real Signer mints each token (local SigV4), the token's X-Amz-Expires is
// cut to 2 s so many expiries happen in seconds (RDS counts from X-Amz-Date, whole seconds, so a
// token lives 1–2 s from its mint), and the role's password is set to every token
// before the source hands it out — a connection can only log in with the token just minted.

let postgres: RunningPostgres
const ROLE = 'iam_user'

beforeAll(async () => {
  postgres = await startPostgres()
  await postgres.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD ${sqlLiteral(canary('initial'))}`)
}, 120_000)

afterAll(async () => {
  await postgres?.stop()
})

function cloudSigner() {
  const tokens: string[] = []
  return {
    tokens,
    async getAuthToken() {
      // A fresh session per token (as an assumed role's credentials would be), so two tokens minted
      // in one second still differ.
      const signer = new Signer({
        hostname: postgres.host,
        port: postgres.port,
        username: ROLE,
        region: 'us-east-1',
        credentials: {
          accessKeyId: 'ASIAEXAMPLE',
          secretAccessKey: canary('iam-key'),
          sessionToken: `session-${tokens.length}`,
        },
      })
      const token = (await signer.getAuthToken()).replace('X-Amz-Expires=900', 'X-Amz-Expires=2')
      await postgres.query(`ALTER ROLE ${ROLE} PASSWORD ${sqlLiteral(token)}`)
      tokens.push(token)
      return token
    },
  }
}

function tokenPool(signer: ReturnType<typeof cloudSigner>, extra: object = {}) {
  const source = new RdsIamAuthSource({
    hostname: postgres.host,
    port: postgres.port,
    username: ROLE,
    signer,
    expiryMarginMs: 300,
  })
  const logged: string[] = []
  const provider = new CachedSecretProvider(source, {
    minRefreshInterval: 100,
    logger: { warn: (msg, meta) => logged.push(printed({ msg, meta })) },
  })
  const pool = new RotatingPool({
    provider,
    secret: 'rds',
    database: postgres.database,
    max: 10,
    connectionTimeoutMillis: 10_000,
    ...extra,
  })
  const poolErrors: string[] = []
  pool.on('error', (error) => poolErrors.push(printed(error)))
  let connections = 0
  pool.on('connect', () => connections++)
  return {
    provider,
    pool,
    poolErrors,
    logged,
    get connections() {
      return connections
    },
  }
}

describe('RdsIamAuthSource + RotatingPool on real PostgreSQL (token expiries under load)', () => {
  it('0 failed queries across ≥ 20 token expiries under 50 concurrent clients; one token per lifetime', async () => {
    const signer = cloudSigner()
    const env = tokenPool(signer, { maxLifetimeMillis: 200 })
    const rotations: string[] = []
    env.provider.on('rotate', (event) => rotations.push(event.newVersion))
    const load = queryLoad(async () => {
      const { rows } = await env.pool.query<{ v: number }>('SELECT 1 AS v')
      return rows[0]?.v === 1
    }, 50)
    const started = Date.now()
    while (signer.tokens.length < 22 && Date.now() - started < 60_000) await sleep(100)
    await load.stop()
    const seconds = (Date.now() - started) / 1000
    await env.pool.end()
    await env.provider.close()
    expect(load.failures).toEqual([])
    // Every one of the 50 clients got answers throughout (far more than one query per client per token).
    expect(load.ok).toBeGreaterThan(50 * signer.tokens.length)
    expect(signer.tokens.length).toBeGreaterThanOrEqual(22)
    expect(rotations.length).toBeGreaterThanOrEqual(20)
    // Each token lives 1–2 s from its mint and is cached that less the 300 ms margin (≥ 700 ms),
    // refreshed ahead at ≥ 560 ms: about one mint per cached lifetime, a few forced refreshes at most — and far fewer mints than connections.
    expect(signer.tokens.length).toBeLessThanOrEqual(Math.ceil(seconds / 0.4) + 4)
    expect(env.connections).toBeGreaterThan(signer.tokens.length * 2)
    expect(new Set(signer.tokens).size).toBe(signer.tokens.length)
    for (const text of [...env.poolErrors, ...env.logged]) {
      for (const token of signer.tokens) expect(text).not.toContain(token)
      assertNoCanary(text)
    }
    console.info(
      `[rds-iam] ${load.ok} queries, 0 failed, ${signer.tokens.length} tokens, ${rotations.length} rotations, ${env.connections} connections in ${seconds.toFixed(1)} s`,
    )
  }, 90_000)

  it('a connection made with an expired token is retired on release, not reused', async () => {
    const signer = cloudSigner()
    const env = tokenPool(signer)
    const held = await env.pool.connect()
    const removed: unknown[] = []
    env.pool.on('remove', (client) => removed.push(client))
    const first = signer.tokens.length
    // Keep the secret in use so refresh-ahead mints the next token while the client is checked out.
    while (signer.tokens.length === first) {
      await env.provider.getSecret('rds')
      await sleep(50)
    }
    expect((await held.query<{ v: number }>('SELECT 1 AS v')).rows[0]?.v).toBe(1)
    held.release()
    await sleep(50)
    expect(removed).toContain(held)
    const next = await env.pool.connect()
    expect(next).not.toBe(held)
    expect((await next.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u).toBe(ROLE)
    next.release()
    await env.pool.end()
    await env.provider.close()
  }, 30_000)

  it('a signer that stops minting: transient ERR_SECRET_UNAVAILABLE, and the pool keeps serving on its current connections', async () => {
    const signer = cloudSigner()
    let broken = false
    const failing = {
      tokens: signer.tokens,
      getAuthToken: () => (broken ? Promise.reject(new Error('no credentials')) : signer.getAuthToken()),
    }
    const env = tokenPool(failing, { idleTimeoutMillis: 0 })
    const clients = await Promise.all(Array.from({ length: 4 }, () => env.pool.connect()))
    for (const client of clients) client.release()
    broken = true
    const states: string[] = []
    env.provider.on('error', (event) => states.push(String((event.error as { code?: string }).code)))
    const results = await Promise.all(
      Array.from(
        { length: 40 },
        async () => (await env.pool.query<{ v: number }>('SELECT 1 AS v')).rows[0]?.v,
      ),
    )
    expect(results).toEqual(Array(40).fill(1))
    await sleep(2200)
    // The pool's 4 warm connections still serve once the token has expired and minting fails.
    const after = await Promise.all(
      Array.from(
        { length: 4 },
        async () => (await env.pool.query<{ v: number }>('SELECT 1 AS v')).rows[0]?.v,
      ),
    )
    expect(after).toEqual([1, 1, 1, 1])
    expect(states.length).toBeGreaterThan(0)
    expect(states.every((code) => code === 'ERR_SECRET_UNAVAILABLE')).toBe(true)
    await env.pool.end()
    await env.provider.close()
  }, 30_000)
})
