import { randomBytes } from 'node:crypto'
import { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { canary, queryLoad, sqlLiteral } from '@latchkey/test-support'
import {
  type KeyVaultEmulator,
  type RunningPostgres,
  startKeyVaultEmulator,
  startPostgres,
} from '@latchkey/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AzureKeyVaultSource } from './index.js'

// Deliberately the same scenario as the other stores' RotatingPool tests, on this store's emulator.
let kv: KeyVaultEmulator
let postgres: RunningPostgres
const role = `kv_${randomBytes(4).toString('hex')}`

const credentials = (password: string) => JSON.stringify({ username: role, password })

beforeAll(async () => {
  ;[kv, postgres] = await Promise.all([startKeyVaultEmulator(), startPostgres()])
}, 120_000)
afterAll(async () => {
  await postgres?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined)
  await Promise.all([kv?.close(), postgres?.stop()])
})

describe('RotatingPool on Azure Key Vault', () => {
  it('survives a password rotation under load with 0 failed queries', async () => {
    const first = canary('kv-pg-1')
    await postgres.query(`CREATE ROLE ${role} LOGIN PASSWORD ${sqlLiteral(first)}`)
    kv.setSecret('app--db', credentials(first), { contentType: 'application/json' })
    const source = new AzureKeyVaultSource({
      vaultUrl: kv.vaultUrl,
      credential: kv.credential,
      clientOptions: kv.clientOptions,
    })
    const provider = new CachedSecretProvider(source, {
      minRefreshInterval: 0,
      logger: { warn: () => undefined },
    })
    const pool = new RotatingPool({
      provider,
      secret: 'app/db',
      host: postgres.host,
      port: postgres.port,
      database: postgres.database,
      max: 4,
    })
    pool.on('error', () => undefined)
    const rotations: string[] = []
    provider.on('rotate', (event) => rotations.push(event.newVersion))

    const load = queryLoad(async () => {
      const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who')
      return rows[0]?.who === role
    })
    await expect.poll(() => load.ok, { timeout: 10_000 }).toBeGreaterThan(20)

    // The rotation order of a single-user rotation: the database first, then the vault.
    const second = canary('kv-pg-2')
    await postgres.query(`ALTER ROLE ${role} PASSWORD ${sqlLiteral(second)}`)
    const { version } = kv.setSecret('app--db', credentials(second), { contentType: 'application/json' })
    await provider.refresh('app/db')
    const afterRotation = load.ok
    await expect.poll(() => load.ok - afterRotation, { timeout: 10_000 }).toBeGreaterThan(50)
    await load.stop()
    await pool.end()
    await provider.close()

    expect(rotations).toEqual([version])
    expect(load.failed).toBe(0)
  })
})
