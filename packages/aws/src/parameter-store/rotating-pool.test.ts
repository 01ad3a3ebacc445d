import { randomBytes } from 'node:crypto'
import { CachedSecretProvider } from '@latchkey/core'
import { type PoolRotateEvent, RotatingPool } from '@latchkey/pg'
import { assertNoCanary, canary, queryLoad, sqlLiteral } from '@latchkey/test-support'
import {
  type ParameterStoreEmulator,
  type RunningPostgres,
  startParameterStoreEmulator,
  startPostgres,
} from '@latchkey/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AwsParameterStoreSource } from '../index.js'

const PARAMETER = '/app/prod/db/credentials'
// Deliberately the same scenario as the other stores' RotatingPool tests, on this store's emulator.
let emulator: ParameterStoreEmulator
let postgres: RunningPostgres
const role = `ssm_${randomBytes(4).toString('hex')}`

const credentials = (password: string) => JSON.stringify({ username: role, password })

beforeAll(async () => {
  ;[emulator, postgres] = await Promise.all([startParameterStoreEmulator(), startPostgres()])
}, 120_000)
afterAll(async () => {
  await postgres?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined)
  await Promise.all([emulator?.close(), postgres?.stop()])
})

describe('RotatingPool on Parameter Store', () => {
  it('survives a password rotation (SecureString PutParameter with Overwrite) under load with 0 failed queries', async () => {
    const first = canary('ssm-pg-1')
    await postgres.query(`CREATE ROLE ${role} LOGIN PASSWORD ${sqlLiteral(first)}`)
    emulator.putParameter(PARAMETER, credentials(first), { type: 'SecureString' })
    const provider = new CachedSecretProvider(new AwsParameterStoreSource({ ...emulator.clientConfig }), {
      minRefreshInterval: 0,
      logger: { warn: () => undefined },
    })
    const pool = new RotatingPool({
      provider,
      secret: PARAMETER,
      host: postgres.host,
      port: postgres.port,
      database: postgres.database,
      max: 4,
    })
    const poolErrors: string[] = []
    pool.on('error', (error) => poolErrors.push(String((error as { code?: string }).code)))
    const poolRotations: PoolRotateEvent[] = []
    pool.on('rotate', (event) => poolRotations.push(event))
    const rotations: Array<[string | undefined, string | undefined]> = []
    provider.on('rotate', (event) => rotations.push([event.oldVersion, event.newVersion]))

    const load = queryLoad(async () => {
      const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who')
      return rows[0]?.who === role
    })
    await expect.poll(() => load.ok, { timeout: 10_000 }).toBeGreaterThan(20)

    // Single-user rotation: the database first, then the parameter's new version.
    const second = canary('ssm-pg-2')
    await postgres.query(`ALTER ROLE ${role} PASSWORD ${sqlLiteral(second)}`)
    emulator.rotate(PARAMETER, credentials(second))
    await provider.refresh(PARAMETER)
    const afterRotation = load.ok
    await expect.poll(() => load.ok - afterRotation, { timeout: 10_000 }).toBeGreaterThan(50)
    await load.stop()
    await pool.end()
    await provider.close()

    expect(load.failures).toEqual([])
    expect(poolErrors).toEqual([])
    expect(rotations).toEqual([['1', '2']])
    expect(poolRotations).toHaveLength(1)
    assertNoCanary(JSON.stringify(poolRotations), "the pool's 'rotate' event")
  })
})
