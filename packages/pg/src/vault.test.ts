import { setTimeout as sleep } from 'node:timers/promises'
import { startVaultEmulator, type VaultEmulator } from '@latchkey/testing'
import { VaultDatabaseSource } from '@latchkey/vault'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseUrl, server } from '../test/support.js'
import { type PoolRotateEvent, RotatingPool } from './index.js'

const LEASE_SECONDS = 3

let vault: VaultEmulator

beforeAll(async () => {
  vault = await startVaultEmulator()
  vault.database.configure({ connectionString: databaseUrl() })
  vault.database.createRole({ name: 'app', defaultTtl: LEASE_SECONDS, maxTtl: 60 })
})

afterAll(async () => {
  await vault?.close()
})

describe('Vault dynamic database credentials', () => {
  it('moves to new credentials before each lease is revoked, with zero failed queries under load', async () => {
    const pool = new RotatingPool({
      source: new VaultDatabaseSource({
        endpoint: vault.endpoint,
        auth: { type: 'token', token: vault.token },
      }),
      secret: 'creds/app',
      ...server(),
      max: 4,
      connectionTimeoutMillis: 10_000,
    })
    const poolErrors: string[] = []
    pool.on('error', (error) => poolErrors.push(String((error as { code?: string }).code)))
    // When each rotation happens, the lease it replaces must still be live (not yet revoked).
    const rotations: Array<{ event: PoolRotateEvent; oldLeaseLive: boolean; msLeft: number }> = []
    pool.on('rotate', (event) => {
      const old = vault.database.leases().find((lease) => lease.leaseId === event.oldVersion)
      rotations.push({ event, oldLeaseLive: old !== undefined, msLeft: (old?.expiresAt ?? 0) - Date.now() })
    })

    // `SELECT current_user` fails with 42704 in a session whose role was dropped (see "What happens on a rotation" in the README),
    // so a connection that outlived its lease would show up as a failed query.
    let running = true
    let ok = 0
    const failures: string[] = []
    const users = new Set<string>()
    const workers = Array.from({ length: 50 }, async () => {
      while (running) {
        try {
          const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who')
          users.add(rows[0]?.who ?? '')
          ok++
        } catch (error) {
          failures.push(String((error as { code?: string }).code ?? (error as Error).message))
        }
      }
    })
    await sleep(LEASE_SECONDS * 2_500)
    running = false
    await Promise.all(workers)
    await pool.end()

    expect(failures).toEqual([])
    expect(poolErrors).toEqual([])
    expect(rotations.length).toBeGreaterThanOrEqual(2)
    for (const rotation of rotations) {
      expect(rotation.oldLeaseLive).toBe(true)
      expect(rotation.msLeft).toBeGreaterThan(0)
    }
    expect(users.size).toBe(rotations.length + 1)
    for (const user of users) expect(user).toMatch(/^v-/)
    expect(ok).toBeGreaterThan(1_000)
    expect(vault.database.revocationErrors).toEqual([])
  })
})
