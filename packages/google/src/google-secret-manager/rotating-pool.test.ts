import { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { rotatingPoolHooks, rotatingPoolScenario } from '@latchkey/test-support'
import { startGoogleSecretManagerEmulator, startPostgres } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { emulatorSource } from '../../test/support.js'

// The shared RotatingPool scenario (rotatingPoolScenario in @latchkey/test-support), on this store's emulator.
const env = rotatingPoolHooks(startGoogleSecretManagerEmulator, startPostgres, 'gsm')

describe('RotatingPool on Google Secret Manager', () => {
  it('survives a password rotation under load with 0 failed queries', async () => {
    const { emulator, postgres, role } = env
    const rotations: Array<[string | undefined, string]> = []
    let created = false
    const { first, second, load } = await rotatingPoolScenario({
      label: 'gsm-pg',
      role,
      postgres,
      secret: 'app/db',
      // A new secret first, then a new secret version.
      setSecret: (credentials) => {
        if (created) return emulator.addVersion('app__db', credentials)
        created = true
        return emulator.createSecret('app__db', credentials).version
      },
      // This store's provider and pool wiring, alike in each store's test on purpose so each reads alone.
      start: (connection) => {
        const provider = new CachedSecretProvider(emulatorSource(emulator), {
          minRefreshInterval: 0,
          logger: { warn: () => undefined },
        })
        const pool = new RotatingPool({
          provider,
          secret: 'app/db',
          ...connection,
        })
        pool.on('error', () => undefined)
        provider.on('rotate', (event) => rotations.push([event.oldVersion, event.newVersion]))
        return { provider, pool }
      },
    })

    expect(rotations).toEqual([[first?.name, second?.name]])
    expect(load.failed).toBe(0)
  })
})
