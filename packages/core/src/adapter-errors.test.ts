import { describe, expect, it } from 'vitest'
import { isSecretFailure, PROGRAMMING_ERRORS, UNAVAILABLE_BODY } from './adapter-errors.js'
import {
  ErrorCode,
  InvalidOptionsError,
  InvalidSecretNameError,
  SecretNotFoundError,
  SecretUnavailableError,
} from './errors.js'

describe('isSecretFailure', () => {
  it('is true for a secret that cannot be had, false for app mistakes and foreign errors', () => {
    expect(isSecretFailure(new SecretNotFoundError({ secretName: 'db' }))).toBe(true)
    expect(isSecretFailure(new SecretUnavailableError({ secretName: 'db' }))).toBe(true)
    expect(isSecretFailure(new InvalidOptionsError('option "ttl" must be a number'))).toBe(false)
    expect(isSecretFailure(new InvalidSecretNameError('empty'))).toBe(false)
    expect(isSecretFailure(new Error('plain'))).toBe(false)
    expect(isSecretFailure({ code: ErrorCode.UNAVAILABLE })).toBe(false)
    expect(isSecretFailure(null)).toBe(false)
  })

  it('treats exactly the option and name codes as programming errors', () => {
    expect([...PROGRAMMING_ERRORS].sort()).toEqual([ErrorCode.INVALID_NAME, ErrorCode.INVALID_OPTIONS].sort())
  })
})

describe('UNAVAILABLE_BODY', () => {
  it('is a frozen generic body with the unavailable code', () => {
    expect(UNAVAILABLE_BODY).toEqual({ error: 'Service Unavailable', code: ErrorCode.UNAVAILABLE })
    expect(Object.isFrozen(UNAVAILABLE_BODY)).toBe(true)
  })
})
