import { ErrorCode, ProviderClosedError, type SecretErrorCode, SecretTimeoutError } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { toAwsSecretError } from './errors.js'

/** An error shaped like the SDK's (name, optional HTTP status and socket code). */
function awsError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  const error = new Error(`${name} happened`)
  return Object.assign(error, {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    ...extra,
  })
}

const context = { secretName: 'app/db', source: 'aws-secrets-manager' }

describe('toAwsSecretError (the names the emulator cannot produce)', () => {
  const cases: Array<[string, Error, SecretErrorCode]> = [
    ['TooManyRequestsException', awsError('TooManyRequestsException', 400), ErrorCode.THROTTLED],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded', 400), ErrorCode.THROTTLED],
    [
      'ECONNREFUSED',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      ErrorCode.UNAVAILABLE,
    ],
    [
      'ENOTFOUND',
      Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
      ErrorCode.UNAVAILABLE,
    ],
    ['InternalServiceError at 400', awsError('InternalServiceError', 400), ErrorCode.UNAVAILABLE],
    ['InternalFailure', awsError('InternalFailure', 500), ErrorCode.UNAVAILABLE],
    ['501 NotImplemented', awsError('NotImplemented', 501), ErrorCode.UNAVAILABLE],
    ['ExpiredTokenException', awsError('ExpiredTokenException', 400), ErrorCode.UNAVAILABLE],
    ['CredentialsProviderError', awsError('CredentialsProviderError'), ErrorCode.UNAVAILABLE],
    ['UnrecognizedClientException', awsError('UnrecognizedClientException', 400), ErrorCode.ACCESS_DENIED],
    ['an unknown 403', awsError('Unknown', 403), ErrorCode.ACCESS_DENIED],
    ['ValidationException', awsError('ValidationException', 400), ErrorCode.INVALID_NAME],
    ['a thrown string', 'boom' as unknown as Error, ErrorCode.UNAVAILABLE],
  ]
  for (const [what, error, code] of cases) {
    it(`${what} → ${code}`, () => {
      const mapped = toAwsSecretError(error, context)
      expect(mapped.code).toBe(code)
      expect(mapped.secretName).toBe('app/db')
      expect(mapped.source).toBe('aws-secrets-manager')
      // the cause keeps the service error's name, code and status, never its message text
      const cause = mapped.cause as Error & { code?: string }
      expect(cause).not.toBe(error)
      expect(cause.name).toBe(typeof error === 'string' ? 'Error' : error.name)
      expect(cause.code).toBe((error as { code?: string }).code)
      expect(cause.message).not.toMatch(/happened|connect|getaddrinfo|boom/)
    })
  }

  it('when the load signal fired, returns its reason (the core timeout or close)', () => {
    const timeout = new SecretTimeoutError(50, context)
    const controller = new AbortController()
    controller.abort(timeout)
    const abortError = awsError('AbortError')
    expect(toAwsSecretError(abortError, { ...context, signal: controller.signal })).toBe(timeout)
    const closing = new AbortController()
    closing.abort(new ProviderClosedError())
    expect(toAwsSecretError(abortError, { ...context, signal: closing.signal }).code).toBe(
      ErrorCode.PROVIDER_CLOSED,
    )
    const plain = new AbortController()
    plain.abort()
    const mapped = toAwsSecretError(abortError, { ...context, signal: plain.signal })
    expect(mapped.code).toBe(ErrorCode.UNAVAILABLE)
    expect(mapped.message).toContain('aborted')
  })

  it('drops a parse failure of a 2xx reply from the cause, since its body may hold the value', () => {
    const value = canary('parse')
    const syntax = Object.assign(new SyntaxError(`Unexpected end of JSON input near "${value}"`), {
      $metadata: { httpStatusCode: 200 },
    })
    Object.defineProperty(syntax, '$responseBodyText', { value: `{"SecretString":"${value}` })
    const mapped = toAwsSecretError(syntax, context)
    expect(mapped.code).toBe(ErrorCode.UNAVAILABLE)
    expect(mapped.cause).not.toBe(syntax)
    assertNoCanary(String((mapped.cause as Error).message), 'the replacement cause')
    assertNoCanary(mapped.message, 'the message')
  })

  it('keeps a parse failure of an error reply (an HTML 503) as a cause of name and status only', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token <'), {
      $metadata: { httpStatusCode: 503 },
    })
    const mapped = toAwsSecretError(syntax, context)
    expect(mapped.code).toBe(ErrorCode.UNAVAILABLE)
    expect(mapped.cause).toMatchObject({ name: 'SyntaxError', $metadata: { httpStatusCode: 503 } })
    expect((mapped.cause as Error).message).toBe('SyntaxError, HTTP 503')
  })
})
