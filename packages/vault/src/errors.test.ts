import { ErrorCode, SecretError } from '@latchkey/core'
import { describe, expect, it } from 'vitest'
import { classifyVaultError, VaultRequestError } from './index.js'

const context = { secretName: 'app/db', source: 'vault-kv' }

describe('VaultRequestError in the catalogue', () => {
  it('is a SecretError with code ERR_VAULT_REQUEST, transient as its status is', () => {
    const cases: Array<[number | undefined, boolean]> = [
      [undefined, true],
      [400, false],
      [403, false],
      [404, false],
      [408, true],
      [412, true],
      [429, true],
      [500, true],
      [503, true],
    ]
    for (const [statusCode, transient] of cases) {
      const error = new VaultRequestError('Vault answered', statusCode === undefined ? {} : { statusCode })
      expect(error).toBeInstanceOf(SecretError)
      expect(error.code).toBe(ErrorCode.VAULT_REQUEST)
      expect(error.name).toBe('VaultRequestError')
      expect(error.transient, `status ${statusCode}`).toBe(transient)
    }
  })

  it('is classified by its status, not passed through as the classification', () => {
    const cases: Array<[number | undefined, string]> = [
      [404, ErrorCode.NOT_FOUND],
      [403, ErrorCode.ACCESS_DENIED],
      [429, ErrorCode.THROTTLED],
      [503, ErrorCode.UNAVAILABLE],
      [undefined, ErrorCode.UNAVAILABLE],
    ]
    for (const [statusCode, code] of cases) {
      const raw = new VaultRequestError('Vault answered', statusCode === undefined ? {} : { statusCode })
      const classified = classifyVaultError(raw, context)
      expect(classified.code, `status ${statusCode}`).toBe(code)
      expect(classified.cause).toBe(raw)
      expect(classified).toMatchObject(context)
    }
  })

  it('passes any other SecretError through unchanged', () => {
    const error = new SecretError(ErrorCode.TIMEOUT, 'timed out', true, context)
    expect(classifyVaultError(error, context)).toBe(error)
  })
})
