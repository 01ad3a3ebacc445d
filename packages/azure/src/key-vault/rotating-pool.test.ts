import { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { rotatingPoolHooks, rotatingPoolScenario } from '@latchkey/test-support'
import { startKeyVaultEmulator, startPostgres } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AzureKeyVaultSource } from '../index.js'

// The shared RotatingPool scenario (rotatingPoolScenario in @latchkey/test-support), on this store's emulator.
const env = rotatingPoolHooks(startKeyVaultEmulator, startPostgres, 'kv')

describe('RotatingPool on Azure Key Vault', () => {
  it('survives a password rotation under load with 0 failed queries', async () => {
    const { emulator: kv, postgres, role } = env
    const rotations: string[] = []
    const { second, load } = await rotatingPoolScenario({
      label: 'kv-pg',
      role,
      postgres,
      secret: 'app/db',
      setSecret: (credentials) => kv.setSecret('app--db', credentials, { contentType: 'application/json' }),
      // This store's provider and pool wiring, alike in each store's test on purpose so each reads alone.
      start: (connection) => {
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
          ...connection,
        })
        pool.on('error', () => undefined)
        provider.on('rotate', (event) => rotations.push(event.newVersion))
        return { provider, pool }
      },
    })

    expect(rotations).toEqual([second.version])
    expect(load.failed).toBe(0)
  })
})
