import { CachedSecretProvider } from '@latchkey/core'
import { assertNoCanary, printed } from '@latchkey/test-support'
import {
  type RunningPostgres,
  startPostgres,
  startVaultEmulator,
  type VaultEmulator,
} from '@latchkey/testing'
import { VaultDatabaseSource } from '@latchkey/vault'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PoolRotateEvent, RotatingPool } from './index.js'

let postgres: RunningPostgres
let emulator: VaultEmulator
/** The database lease (30 s) outlives each login token (3 s) many times over. */
const LEASE_SECONDS = 30
const TOKEN_RULES = ['database/creds/*', { path: 'sys/leases/revoke', capabilities: ['update' as const] }]

beforeAll(async () => {
  postgres = await startPostgres()
  emulator = await startVaultEmulator()
  emulator.database.configure({ connectionString: postgres.connectionString })
  emulator.database.createRole({ name: 'app', defaultTtl: LEASE_SECONDS, maxTtl: 120 })
}, 120_000)

afterAll(async () => {
  await emulator?.close()
  await postgres?.stop()
})

async function roleExists(name: string): Promise<boolean> {
  return (await postgres.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1
}

const ctx = () => ({ signal: new AbortController().signal })

describe('VaultDatabaseSource: a lease ends with the token that obtained it', () => {
  it('gives ttlMs = the shorter of the lease and the token’s remaining life', async () => {
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'ttl-check',
      token: { ttl: 3, renewable: false, allow: TOKEN_RULES },
    })
    const db = new VaultDatabaseSource({
      endpoint: emulator.endpoint,
      auth: { type: 'approle', roleId, secretId },
    })
    try {
      const loaded = await db.load('creds/app', ctx())
      const lease = emulator.database.leases().find((l) => l.leaseId === loaded.version)
      expect(lease).toBeDefined()
      expect(lease?.expiresAt).toBeGreaterThan(Date.now() + (LEASE_SECONDS - 2) * 1000)
      // The token (3 s) ends long before the lease (30 s): the usable life is the token's.
      expect(loaded.ttlMs).toBeGreaterThan(0)
      expect(loaded.ttlMs).toBeLessThanOrEqual(3_000)
      expect(Date.now() + (loaded.ttlMs ?? 0)).toBeLessThanOrEqual((lease?.tokenExpiresAt ?? 0) + 50)
    } finally {
      await db.close()
    }
  })

  it('looks a fixed token up first (also with renew: false), so its end bounds ttlMs too', async () => {
    for (const renew of [true, false]) {
      const token = emulator.createToken({ ttl: 4, renewable: false, allow: TOKEN_RULES })
      const db = new VaultDatabaseSource({
        endpoint: emulator.endpoint,
        auth: { type: 'token', token, renew },
      })
      try {
        emulator.calls.reset()
        const loaded = await db.load('creds/app', ctx())
        expect(emulator.calls.log.map((c) => c.path)).toEqual([
          'auth/token/lookup-self',
          'database/creds/app',
        ])
        expect(loaded.ttlMs).toBeGreaterThan(0)
        expect(loaded.ttlMs).toBeLessThanOrEqual(4_000)
        expect(db.activeLeases()).toEqual([loaded.version])
      } finally {
        await db.close()
      }
    }
  })

  it('reloads the credentials obtained under a token as soon as a new login replaces it, before that token ends', async () => {
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'reload-check',
      token: { ttl: 3, renewable: false, allow: TOKEN_RULES },
    })
    const source = new VaultDatabaseSource({
      endpoint: emulator.endpoint,
      auth: { type: 'approle', roleId, secretId },
    })
    // No refresh-ahead and no reads: only the token replacement (the re-login at 2/3 of the
    // token's 3 s) can make the cache reload.
    const cache = new CachedSecretProvider(source, { refreshAhead: 0 })
    try {
      emulator.calls.reset()
      await cache.preload(['creds/app'])
      const handle = cache.handle('creds/app')
      const first = emulator.database.leases().find((l) => l.leaseId === handle.version)
      expect(first).toBeDefined()
      const rotated = await new Promise<{ newVersion: string; at: number }>((resolve) =>
        cache.on('rotate', (e) => resolve({ newVersion: e.newVersion, at: Date.now() })),
      )
      expect(rotated.at).toBeLessThan(first?.tokenExpiresAt ?? 0)
      const second = emulator.database.leases().find((l) => l.leaseId === rotated.newVersion)
      expect(second?.tokenExpiresAt).toBeGreaterThan(first?.tokenExpiresAt ?? Number.POSITIVE_INFINITY)
      expect(handle.version).toBe(rotated.newVersion)
      expect(
        emulator.calls.log.filter((c) => c.path === 'auth/approle/login' && c.status === 200).length,
      ).toBeGreaterThanOrEqual(2)
    } finally {
      await cache.close()
    }
  })

  for (const { label, token } of [
    { label: 'non-renewable (token_ttl 3 s)', token: { ttl: 3, renewable: false } },
    // Renewed at 2 s up to its max TTL (4 s): capped, so a new login follows at 3.3 s.
    { label: 'renewable but capped (token_ttl 3 s, token_max_ttl 4 s)', token: { ttl: 3, maxTtl: 4 } },
  ]) {
    it(`behind a RotatingPool under load over a ${label} AppRole token: 0 failed queries across token replacements, credentials never older than their token`, async () => {
      const { roleId, secretId } = emulator.addAppRole({
        roleName: `pool-${token.ttl}-${token.maxTtl ?? 'x'}`,
        token: { ...token, allow: TOKEN_RULES },
      })
      emulator.calls.reset()
      const pool = new RotatingPool({
        source: new VaultDatabaseSource({
          endpoint: emulator.endpoint,
          auth: { type: 'approle', roleId, secretId },
        }),
        secret: 'creds/app',
        host: postgres.host,
        port: postgres.port,
        database: postgres.database,
        max: 4,
        connectionTimeoutMillis: 10_000,
      })
      const poolErrors: unknown[] = []
      pool.on('error', (error) => poolErrors.push(error))
      // At each rotation the credentials being replaced must still be alive: lease and token.
      const rotations: Array<{ event: PoolRotateEvent; msLeft: number }> = []
      pool.on('rotate', (event) => {
        const old = emulator.database.leases().find((l) => l.leaseId === event.oldVersion)
        const end = old === undefined ? 0 : Math.min(old.expiresAt, old.tokenExpiresAt)
        rotations.push({ event, msLeft: end - Date.now() })
      })

      // A session whose role was dropped fails `SELECT current_user` (42704), so a connection
      // kept past its token's end shows up as a failed query, as does a login with dead credentials.
      let running = true
      let ok = 0
      let checked = 0
      const failures: string[] = []
      const stale: string[] = []
      const users: string[] = []
      const workers = Array.from({ length: 50 }, async (_, worker) => {
        while (running) {
          try {
            const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who')
            const who = rows[0]?.who ?? ''
            if (!users.includes(who)) users.push(who)
            ok++
            // Sampled: the credentials that just answered belong to a lease whose token still lives.
            if (worker < 5) {
              checked++
              const lease = emulator.database.leases().find((l) => l.username === who)
              if (lease === undefined || lease.tokenExpiresAt <= Date.now()) stale.push(who)
            }
          } catch (error) {
            failures.push(String((error as { code?: string }).code ?? (error as Error).name))
          }
        }
      })
      await new Promise((resolve) => setTimeout(resolve, 12_000))
      running = false
      await Promise.all(workers)
      await pool.end()

      const logins = emulator.calls.log.filter(
        (c) => c.path === 'auth/approle/login' && c.status === 200,
      ).length
      expect(failures).toEqual([])
      expect(poolErrors).toEqual([])
      expect(stale).toEqual([])
      expect(checked).toBeGreaterThan(100)
      // 12 s of 3–4-second tokens: at least three replacements, each followed by a credentials rotation.
      expect(logins).toBeGreaterThanOrEqual(4)
      expect(rotations.length).toBeGreaterThanOrEqual(3)
      for (const rotation of rotations) expect(rotation.msLeft).toBeGreaterThan(0)
      expect(users.length).toBe(rotations.length + 1)
      expect(ok).toBeGreaterThan(1_000)
      // The credentials of replaced tokens are revoked with them (the 30 s leases notwithstanding).
      for (const user of users.slice(0, -2)) {
        await expect.poll(() => roleExists(user), { timeout: 6_000, interval: 100 }).toBe(false)
      }
      expect(emulator.database.revocationErrors).toEqual([])
      assertNoCanary(printed(rotations), 'rotation events')
    })
  }
})
