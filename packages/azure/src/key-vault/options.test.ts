import { SecretClient } from '@azure/keyvault-secrets'
import { ErrorCode, SecretError } from '@latchkey/core'
import { describe, expect, it } from 'vitest'
import { AzureKeyVaultSource, defaultCredential } from '../index.js'

const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) }
const vaultUrl = 'https://my-vault.vault.azure.net'

function invalid(build: () => unknown): SecretError {
  try {
    build()
  } catch (error) {
    expect(error).toBeInstanceOf(SecretError)
    expect((error as SecretError).code).toBe(ErrorCode.INVALID_OPTIONS)
    return error as SecretError
  }
  throw new Error('expected InvalidOptionsError')
}

describe('options', () => {
  it.each([
    [{}, 'vaultUrl', 'got undefined'],
    [{ vaultUrl: 'my-vault' }, 'vaultUrl', 'got string "my-vault"'],
    [{ vaultUrl: 'ftp://x' }, 'vaultUrl', 'got string'],
    [{ vaultUrl: 'localhost:4599' }, 'vaultUrl', 'got string "localhost:4599"'],
    [{ vaultUrl: 42 }, 'vaultUrl', 'got number 42'],
    [{ vaultUrl: 'https://user:pw@my-vault.vault.azure.net' }, 'vaultUrl', 'no credentials'],
    [{ vaultUrl: 'https://my-vault.vault.azure.net/?x=1' }, 'vaultUrl', 'query'],
    [{ vaultUrl, credential: {} }, 'credential', 'got object'],
    [{ vaultUrl, sdkRetries: 'yes' }, 'sdkRetries', 'got string "yes"'],
    [{ vaultUrl, version: 'not a version' }, 'version', 'letters and digits'],
    [{ vaultUrl, version: { a: 42 } }, 'version["a"]', 'got number 42'],
    [{ vaultUrl, clientOptions: { retryOptions: { maxRetries: 3 } } }, 'retryOptions', 'sdkRetries'],
    [{ vaultUrl, clock: 5 }, 'clock', 'got number 5'],
  ])('%j → InvalidOptionsError naming %s', (options, option, detail) => {
    const error = invalid(() => new AzureKeyVaultSource(options as never))
    expect(error.message).toContain(option)
    expect(error.message).toContain(detail)
  })

  it('rejects build options next to { client }', () => {
    const client = new SecretClient(vaultUrl, credential)
    const error = invalid(() => new AzureKeyVaultSource({ client, credential }))
    expect(error.message).toContain('credential configure a client the source builds')
    expect(new AzureKeyVaultSource({ client }).vaultUrl).toBe(vaultUrl)
  })

  it('prints and serialises without credentials', () => {
    const source = new AzureKeyVaultSource({ vaultUrl, credential })
    expect(JSON.stringify(source)).toBe(`{"name":"azure-key-vault","vaultUrl":"${vaultUrl}","closed":false}`)
  })
})

describe('default credential', () => {
  it('builds a DefaultAzureCredential from @azure/identity', async () => {
    const made = await defaultCredential()
    expect(made.constructor.name).toBe('DefaultAzureCredential')
  })

  it('a missing @azure/identity → InvalidOptionsError saying to install it or pass { credential }', async () => {
    const missing = Object.assign(new Error("Cannot find package '@azure/identity'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    })
    const error = await defaultCredential(() => Promise.reject(missing)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretError)
    expect((error as SecretError).code).toBe(ErrorCode.INVALID_OPTIONS)
    expect((error as SecretError).transient).toBe(false)
    expect((error as Error).message).toContain('npm install @azure/identity')
    expect((error as Error).message).toContain('{ credential }')
  })
})
