import { CachedSecretProvider, SecretError } from '@latchkey/core'
import { canary, rejectionOf } from '@latchkey/test-support'
import { startVaultEmulator, type VaultEmulator } from '@latchkey/testing'
import vault from 'node-vault'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VaultKvSource } from './index.js'

let emulator: VaultEmulator

beforeAll(async () => {
  emulator = await startVaultEmulator()
})
afterAll(async () => {
  await emulator.close()
})

function provider(): CachedSecretProvider {
  return new CachedSecretProvider(
    new VaultKvSource({ endpoint: emulator.endpoint, auth: { type: 'token', token: emulator.token } }),
    { retry: { retries: 0 } },
  )
}

describe('KV v2 delete_version_after (a deletion_time on new versions)', () => {
  it('a version whose deletion_time is ahead is served until then, never past it; after it, not found', async () => {
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    // Through the API as an operator would: the metadata first (creating the key), then a version.
    await client.write('secret/metadata/app/expiring', { delete_version_after: '2s' })
    const value = canary('expiring-kv')
    const written = Date.now()
    await client.write('secret/data/app/expiring', { data: { value } })
    const cache = provider()
    try {
      expect(await cache.getSecret('app/expiring')).toBe(value)
      const info = cache.describe('app/expiring')
      expect(info?.version).toBe('1')
      // The cache's entry ends at the deletion_time at the latest (2 s after the write), not after its 5-minute TTL.
      expect(info?.expiresAt).toBeLessThanOrEqual(written + 2_000 + 50)
      expect(info?.expiresAt).toBeGreaterThan(Date.now())
      const handle = cache.handle('app/expiring')
      expect(handle.reveal()).toBe(value)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, written + 2_100 - Date.now())))
      const gone = await rejectionOf(cache.getSecret('app/expiring'), SecretError)
      expect(gone.code).toBe('ERR_SECRET_NOT_FOUND')
      expect(gone.message).toContain('version 1 was deleted')
      expect(() => handle.reveal()).toThrow()
    } finally {
      await cache.close()
    }
  })

  it('a version whose deletion_time has passed is not found on the first read', async () => {
    emulator.kv.setMetadata('app/short', { deleteVersionAfter: 1 })
    emulator.kv.write('app/short', { value: canary('short-kv') })
    await new Promise((resolve) => setTimeout(resolve, 1_050))
    const cache = provider()
    try {
      const error = await rejectionOf(cache.getSecret('app/short'), SecretError)
      expect(error).toMatchObject({ code: 'ERR_SECRET_NOT_FOUND', transient: false })
      expect(error.message).toContain('version 1 was deleted')
    } finally {
      await cache.close()
    }
  })
})
