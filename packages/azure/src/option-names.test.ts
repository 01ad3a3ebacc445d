import { InvalidOptionsError } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { EntraDatabaseTokenSource } from './entra/source.js'
import { AzureKeyVaultSource } from './key-vault/source.js'

const credential = { getToken: async () => null }

describe('unknown option names (azure)', () => {
  it.each([
    [
      'AzureKeyVaultSource',
      () =>
        new AzureKeyVaultSource({ vaultUrl: 'https://kv.vault.azure.net', credentail: credential } as never),
      'credentail',
      'credential',
    ],
    [
      'AzureKeyVaultSource',
      () => new AzureKeyVaultSource({ vaultURL: 'https://kv.vault.azure.net' } as never),
      'vaultURL',
      'vaultUrl',
    ],
    [
      'EntraDatabaseTokenSource',
      () => new EntraDatabaseTokenSource({ username: 'app', credential, scopes: 'x' } as never),
      'scopes',
      'scope',
    ],
  ])('%s({ %s }) is ERR_SECRET_INVALID_OPTIONS naming the nearest option', (owner, build, key, nearest) => {
    const error = thrownBy(build, InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`${owner}: unknown option "${key}"; did you mean "${nearest}"?`)
  })

  it('accept every declared option', () => {
    expect(
      () =>
        new AzureKeyVaultSource({
          vaultUrl: 'https://kv.vault.azure.net',
          credential,
          version: 'latest',
          sdkRetries: false,
          clientOptions: {},
          clock: () => Date.now(),
        } as never),
    ).not.toThrow()
    expect(
      () => new EntraDatabaseTokenSource({ username: 'app', credential, scope: 'x', expiryMarginMs: 1 }),
    ).not.toThrow()
  })
})
