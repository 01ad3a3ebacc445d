import { randomBytes } from 'node:crypto'
import { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { canary, queryLoad, sqlLiteral } from '@latchkey/test-support'
import {
  type GoogleSecretManagerEmulator,
  type RunningPostgres,
  startGoogleSecretManagerEmulator,
  startPostgres,
} from '@latchkey/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emulatorSource } from '../test/support.js'

// Deliberately the same scenario as the other stores' RotatingPool tests, on this store's emulator.
let emulator: GoogleSecretManagerEmulator
let postgres: RunningPostgres
const role = `gsm_${randomBytes(4).toString('hex')}`

const credentials = (password: string) => JSON.stringify({ username: role, password })

beforeAll(async () => {
  ;[emulator, postgres] = await Promise.all([startGoogleSecretManagerEmulator(), startPostgres()])
}, 120_000)
afterAll(async () => {
  await postgres?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined)
  await Promise.all([emulator?.close(), postgres?.stop()])
})

describe('RotatingPool on Google Secret Manager', () => {
  it('survives a password rotation under load with 0 failed queries', async () => {
    const first = canary('gsm-pg-1')
    await postgres.query(`CREATE ROLE ${role} LOGIN PASSWORD ${sqlLiteral(first)}`)
    const { version: v1 } = emulator.createSecret('app__db', credentials(first))
    const provider = new CachedSecretProvider(emulatorSource(emulator), {
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
    const rotations: Array<[string | undefined, string]> = []
    provider.on('rotate', (event) => rotations.push([event.oldVersion, event.newVersion]))

    const load = queryLoad(async () => {
      const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who')
      return rows[0]?.who === role
    })
    await expect.poll(() => load.ok, { timeout: 10_000 }).toBeGreaterThan(20)

    // A single-user rotation: the database first, then a new secret version.
    const second = canary('gsm-pg-2')
    await postgres.query(`ALTER ROLE ${role} PASSWORD ${sqlLiteral(second)}`)
    const v2 = emulator.addVersion('app__db', credentials(second))
    await provider.refresh('app/db')
    const afterRotation = load.ok
    await expect.poll(() => load.ok - afterRotation, { timeout: 10_000 }).toBeGreaterThan(50)
    await load.stop()
    await pool.end()
    await provider.close()

    expect(rotations).toEqual([[v1?.name, v2.name]])
    expect(load.failed).toBe(0)
  })
})
