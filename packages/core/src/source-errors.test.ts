import { describe, expect, it } from 'vitest'
import {
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretThrottledError,
  SecretTimeoutError,
  SecretUnavailableError,
} from './errors.js'
import { commonSourceError, secretLabel, settledSecretError } from './source-errors.js'

const options = { secretName: 'db/password', source: 'test-source' }
const what = secretLabel('db/password', 'test-source')

describe('settledSecretError', () => {
  it('lets a latchkey error through as the same object', () => {
    const thrown = new SecretNotFoundError(options)
    expect(settledSecretError(thrown, undefined)).toBe(thrown)
  })

  it("answers the load signal's reason when it fired with a latchkey error (a timeout)", () => {
    const controller = new AbortController()
    const timeout = new SecretTimeoutError(5_000, options)
    controller.abort(timeout)
    expect(settledSecretError(new Error('socket hang up'), controller.signal)).toBe(timeout)
  })

  it('leaves a service error to the mapper: no signal, a live signal, or an abort with another reason', () => {
    const service = Object.assign(new Error('boom'), { name: 'ThrottlingException' })
    const aborted = new AbortController()
    aborted.abort(new Error('not ours'))
    expect(settledSecretError(service, undefined)).toBeUndefined()
    expect(settledSecretError(service, new AbortController().signal)).toBeUndefined()
    expect(settledSecretError(service, aborted.signal)).toBeUndefined()
    expect(settledSecretError('a string thrown', undefined)).toBeUndefined()
  })
})

describe('commonSourceError', () => {
  it('words denied, throttled and unavailable alike for every source, with the code and no more', () => {
    const denied = commonSourceError('denied', options, what, 'AccessDeniedException')
    expect(denied).toBeInstanceOf(SecretAccessDeniedError)
    expect(denied.message).toBe(
      'access to secret "db/password" (source test-source) was denied (AccessDeniedException)',
    )
    const throttled = commonSourceError('throttled', options, what, 'HTTP 429')
    expect(throttled).toBeInstanceOf(SecretThrottledError)
    expect(throttled).toMatchObject({ transient: true, secretName: 'db/password', source: 'test-source' })
    expect(throttled.message).toBe(
      'loading secret "db/password" (source test-source) was throttled (HTTP 429)',
    )
    const unavailable = commonSourceError(
      'unavailable',
      options,
      what,
      'HTTP 503',
      new AbortController().signal,
    )
    expect(unavailable).toBeInstanceOf(SecretUnavailableError)
    expect(unavailable.message).toBe('secret "db/password" (source test-source) is unavailable (HTTP 503)')
  })

  it('says an unavailable load was aborted when its signal fired', () => {
    const controller = new AbortController()
    controller.abort()
    const error = commonSourceError('unavailable', options, what, 'ECONNRESET', controller.signal)
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(error.message).toBe('loading secret "db/password" (source test-source) was aborted')
  })

  it('keeps the cause it is given', () => {
    const cause = new Error('ThrottlingException')
    expect(commonSourceError('throttled', { ...options, cause }, what, 'x').cause).toBe(cause)
  })
})
