import { CachedSecretProvider, SecretError } from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf } from '@latchkey/test-support'
import { startVaultEmulator, type VaultEmulator } from '@latchkey/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { VaultDatabaseSource, VaultKvSource, VaultRequestError } from './index.js'

let emulator: VaultEmulator

beforeAll(async () => {
  emulator = await startVaultEmulator()
})
afterEach(() => {
  emulator.faults.reset()
})
afterAll(async () => {
  await emulator.close()
})

const NO_RETRY = { retry: { retries: 0 } }

describe('Vault error causes keep the status and Vault’s own error names, never body text', () => {
  it('a body echoing a value reaches neither err.message nor err.cause nor inspect output', async () => {
    const echoed = canary('echoed-by-proxy')
    const provider = new CachedSecretProvider(
      new VaultKvSource({ endpoint: emulator.endpoint, auth: { type: 'token', token: emulator.token } }),
      NO_RETRY,
    )
    try {
      for (const [status, message] of [
        [500, `upstream said: ${echoed}`],
        [400, `invalid value ${echoed}`],
        [403, `1 error occurred:\n\t* permission denied for ${echoed}\n\n`],
        [502, echoed],
      ] as const) {
        // A name per case: a permanent failure stays with its name in the cache.
        emulator.faults.fail({ status, message }, { path: `secret/data/echo-${status}` })
        const error = await rejectionOf(provider.getSecret(`echo-${status}`), SecretError)
        const cause = error.cause as VaultRequestError
        expect(cause).toBeInstanceOf(VaultRequestError)
        expect(cause.statusCode).toBe(status)
        expect(cause.code).toBe('ERR_VAULT_REQUEST')
        // in the catalogue: a SecretError that keeps its name, transient as its status is
        expect(cause).toBeInstanceOf(SecretError)
        expect(cause.name).toBe('VaultRequestError')
        expect(cause.transient).toBe(status >= 500)
        assertNoCanary(printed(error), `a ${status} whose body echoes a value`)
        expect(error.message).not.toContain(echoed)
        expect(cause.message).not.toContain(echoed)
      }
      emulator.faults.fail(
        { status: 403, message: `1 error occurred:\n\t* permission denied for ${echoed}\n\n` },
        { path: 'secret/data/echo-again' },
      )
      const denied = await rejectionOf(provider.getSecret('echo-again'), SecretError)
      expect(denied.cause).toMatchObject({ statusCode: 403, errors: ['permission denied'] })
      expect((denied.cause as Error).message).toBe('Vault answered 403 (permission denied)')
    } finally {
      await provider.close()
    }
  })

  it('keeps Vault’s own texts as names: sealed, rate limit, unknown role', async () => {
    const provider = new CachedSecretProvider(
      new VaultKvSource({ endpoint: emulator.endpoint, auth: { type: 'token', token: emulator.token } }),
      NO_RETRY,
    )
    try {
      emulator.faults.fail('sealed', { path: 'secret/data/named' })
      const sealed = await rejectionOf(provider.getSecret('named'), SecretError)
      expect(sealed.cause).toMatchObject({ statusCode: 503, errors: ['Vault is sealed'] })
      expect((sealed.cause as Error).message).toBe('Vault answered 503 (Vault is sealed)')
      emulator.faults.fail('rateLimited', { path: 'secret/data/named' })
      const limited = await rejectionOf(provider.getSecret('named'), SecretError)
      expect(limited).toMatchObject({ code: 'ERR_SECRET_THROTTLED' })
      expect(limited.cause).toMatchObject({ statusCode: 429, errors: ['rate limit quota exceeded'] })
    } finally {
      await provider.close()
    }
  })

  it('a warning logged for a refused revocation carries no echoed text', async () => {
    const echoed = canary('echoed-on-revoke')
    const warnings: Array<[string, unknown]> = []
    const db = new VaultDatabaseSource({
      endpoint: emulator.endpoint,
      auth: { type: 'token', token: emulator.token },
      logger: { warn: (message, meta) => warnings.push([message, meta]) },
    })
    // No database is configured: creds fail, so hand the source a lease through a faked answer.
    emulator.faults.fail(
      {
        status: 200,
        body: JSON.stringify({
          lease_id: 'database/creds/x/abc',
          lease_duration: 60,
          data: { username: 'u', password: canary('pw') },
        }),
      },
      { path: 'database/creds/x' },
    )
    await db.load('creds/x', { signal: new AbortController().signal })
    emulator.faults.fail(
      { status: 500, message: `revocation failed: ${echoed}` },
      { path: 'sys/leases/revoke' },
    )
    await db.close()
    expect(warnings.length).toBe(1)
    expect(warnings[0]?.[0]).toContain(
      'could not revoke 1 of 1 Vault leases on close: Vault answered 500 (other error text not kept)',
    )
    assertNoCanary(printed(warnings), 'a revocation warning')
  })
})
