import { CachedSecretProvider, SecretError } from '@latchkey/core'
import { canary, printed, thrownBy } from '@latchkey/test-support'
import { startVaultEmulator, type VaultEmulator } from '@latchkey/testing'
import vault from 'node-vault'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { VaultDatabaseSource, VaultKvSource } from './index.js'

let emulator: VaultEmulator
const auth = { type: 'token', token: 'hvs.options-test' } as const

beforeAll(async () => {
  emulator = await startVaultEmulator()
})
afterEach(() => {
  vi.unstubAllEnvs()
})
afterAll(async () => {
  await emulator.close()
})

/** The error a constructor throws, checked to be ERR_SECRET_INVALID_OPTIONS. */
function optionsError(build: () => unknown): SecretError {
  const error = thrownBy(build, SecretError)
  expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
  return error
}

describe('options are checked when a Vault source is built', () => {
  it('refuses an endpoint of the wrong type or without an http(s) scheme, naming the option (not a TypeError from node-vault)', () => {
    for (const Source of [VaultKvSource, VaultDatabaseSource]) {
      for (const endpoint of [42, {}, '', 'localhost:8200', 'vault.internal', 'ftp://vault:21', 'http://']) {
        const error = optionsError(() => new Source({ endpoint: endpoint as never, auth }))
        expect(error.message).toContain('option endpoint must be an http:// or https:// URL')
      }
      expect(() => new Source({ endpoint: 'https://vault.internal:8200', auth })).not.toThrow()
    }
  })

  it('checks VAULT_ADDR when no endpoint is given, naming where it came from', () => {
    vi.stubEnv('VAULT_ADDR', 'vault.internal:8200')
    const error = optionsError(() => new VaultKvSource({ auth }))
    expect(error.message).toContain('endpoint (from VAULT_ADDR)')
    vi.stubEnv('VAULT_ADDR', 'http://127.0.0.1:8200')
    expect(() => new VaultKvSource({ auth })).not.toThrow()
  })

  it('names every mistyped option', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['namespace', { namespace: 7 }],
      ['namespace', { namespace: '' }],
      ['logger', { logger: { warn: 'no' } }],
      ['logger', { logger: 'console' }],
      ['client', { client: { read: 1 }, endpoint: undefined }],
      ['mount', { mount: 5 }],
      ['auth.token', { auth: { type: 'token', token: 12 } }],
      ['auth.renew', { auth: { type: 'token', token: 't', renew: 'yes' } }],
      ['auth.roleId', { auth: { type: 'approle', roleId: null } }],
      ['auth.secretId', { auth: { type: 'approle', roleId: 'r', secretId: 3 } }],
      ['auth.mount', { auth: { type: 'approle', roleId: 'r', mount: [] } }],
      ['auth.role', { auth: { type: 'kubernetes' } }],
      ['auth.jwt', { auth: { type: 'kubernetes', role: 'r', jwt: {} } }],
      ['auth.jwtPath', { auth: { type: 'kubernetes', role: 'r', jwtPath: 1 } }],
    ]
    for (const [option, given] of cases) {
      const error = optionsError(
        () => new VaultKvSource({ endpoint: emulator.endpoint, auth, ...given } as never),
      )
      expect(error.message, option).toContain(`option ${option} must be`)
    }
    const kv = optionsError(
      () => new VaultKvSource({ endpoint: emulator.endpoint, auth, kvVersion: '2' as never }),
    )
    expect(kv.message).toContain('option kvVersion must be 1 or 2')
    const revoke = optionsError(
      () => new VaultDatabaseSource({ endpoint: emulator.endpoint, auth, revokeOnClose: 'no' as never }),
    )
    expect(revoke.message).toContain('option revokeOnClose must be true or false')
  })

  it('never quotes a token given in the wrong place', () => {
    const token = canary('misplaced-token')
    for (const options of [
      { endpoint: token, auth },
      { endpoint: emulator.endpoint, auth, namespace: { token } },
      { endpoint: emulator.endpoint, auth: { type: 'approle', roleId: 'r', secretId: [token] } },
    ]) {
      const error = optionsError(() => new VaultKvSource(options as never))
      expect(printed(error)).not.toContain(token)
    }
  })
})

describe('namespace: the option wins over VAULT_NAMESPACE', () => {
  async function namespaceSent(options: { namespace?: string }): Promise<string | undefined> {
    emulator.kv.write('ns/app', { value: canary('ns-value') })
    const source = new VaultKvSource({
      endpoint: emulator.endpoint,
      auth: { type: 'token', token: emulator.token },
      ...options,
    })
    const provider = new CachedSecretProvider(source)
    try {
      emulator.calls.reset()
      await provider.getSecret('ns/app').catch(() => undefined)
      const calls = emulator.calls.log.filter((c) => c.path === 'secret/data/ns/app')
      expect(calls.length).toBe(1)
      return calls[0]?.namespace
    } finally {
      await provider.close()
    }
  }

  it('option set, VAULT_NAMESPACE set to another: every call carries the option', async () => {
    vi.stubEnv('VAULT_NAMESPACE', 'other-ns/')
    expect(await namespaceSent({ namespace: 'team-a/' })).toBe('team-a/')
  })

  it('option set, no VAULT_NAMESPACE: the option', async () => {
    vi.stubEnv('VAULT_NAMESPACE', undefined)
    expect(await namespaceSent({ namespace: 'team-a/' })).toBe('team-a/')
  })

  it('option unset, VAULT_NAMESPACE set: the variable applies, as for the Vault CLI', async () => {
    vi.stubEnv('VAULT_NAMESPACE', 'other-ns/')
    expect(await namespaceSent({})).toBe('other-ns/')
  })

  it('neither: no namespace header', async () => {
    vi.stubEnv('VAULT_NAMESPACE', undefined)
    expect(await namespaceSent({})).toBeUndefined()
  })

  it('namespaces separate data: the namespaced secret reads with the option and is not found without it', async () => {
    vi.stubEnv('VAULT_NAMESPACE', undefined)
    const value = canary('team-a-only')
    emulator.kv.write('team/key', { value }, { namespace: 'team-a/' })
    const token = { type: 'token', token: emulator.token } as const
    const inside = new CachedSecretProvider(
      new VaultKvSource({ endpoint: emulator.endpoint, auth: token, namespace: 'team-a/' }),
    )
    const outside = new CachedSecretProvider(
      new VaultKvSource({ endpoint: emulator.endpoint, auth: token }),
      { retry: { retries: 0 } },
    )
    try {
      expect(await inside.getSecret('team/key')).toBe(value)
      const error = await outside.getSecret('team/key').catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' })
    } finally {
      await Promise.all([inside.close(), outside.close()])
    }
  })

  it('a given client built under another namespace is refused with a namespace option that differs', () => {
    vi.stubEnv('VAULT_NAMESPACE', 'other-ns/')
    const client = vault({ endpoint: emulator.endpoint })
    const error = optionsError(() => new VaultKvSource({ client, auth, namespace: 'team-a/' }))
    expect(error.message).toContain('option namespace is "team-a/" but the given client sends "other-ns/"')
    expect(() => new VaultKvSource({ client, auth, namespace: 'other-ns/' })).not.toThrow()
    expect(() => new VaultKvSource({ client, auth })).not.toThrow()
  })
})
