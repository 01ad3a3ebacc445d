import { CachedSecretProvider } from '@latchkey/core'
import { type PoolRotateEvent, RotatingPool } from '@latchkey/pg'
import { assertNoCanary, rotatingPoolHooks, rotatingPoolScenario } from '@latchkey/test-support'
import { startParameterStoreEmulator, startPostgres } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AwsParameterStoreSource } from '../index.js'

const PARAMETER = '/app/prod/db/credentials'
// The shared RotatingPool scenario (rotatingPoolScenario in @latchkey/test-support), on this store's emulator.
const env = rotatingPoolHooks(startParameterStoreEmulator, startPostgres, 'ssm')

describe('RotatingPool on Parameter Store', () => {
  it('survives a password rotation (SecureString PutParameter with Overwrite) under load with 0 failed queries', async () => {
    const { emulator, postgres, role } = env
    const poolErrors: string[] = []
    const poolRotations: PoolRotateEvent[] = []
    const rotations: Array<[string | undefined, string | undefined]> = []
    let written = false
    const { load } = await rotatingPoolScenario({
      label: 'ssm-pg',
      role,
      postgres,
      secret: PARAMETER,
      // A SecureString first, then the parameter's new version.
      setSecret: (credentials) => {
        if (written) emulator.rotate(PARAMETER, credentials)
        else emulator.putParameter(PARAMETER, credentials, { type: 'SecureString' })
        written = true
      },
      start: (connection) => {
        const provider = new CachedSecretProvider(new AwsParameterStoreSource({ ...emulator.clientConfig }), {
          minRefreshInterval: 0,
          logger: { warn: () => undefined },
        })
        const pool = new RotatingPool({
          provider,
          secret: PARAMETER,
          ...connection,
        })
        pool.on('error', (error) => poolErrors.push(String((error as { code?: string }).code)))
        pool.on('rotate', (event) => poolRotations.push(event))
        provider.on('rotate', (event) => rotations.push([event.oldVersion, event.newVersion]))
        return { provider, pool }
      },
    })

    expect(load.failures).toEqual([])
    expect(poolErrors).toEqual([])
    expect(rotations).toEqual([['1', '2']])
    expect(poolRotations).toHaveLength(1)
    assertNoCanary(JSON.stringify(poolRotations), "the pool's 'rotate' event")
  })
})
