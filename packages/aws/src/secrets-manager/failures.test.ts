import { inspect } from 'node:util'
import { type CachedSecretProvider, type CacheOptions, ErrorCode, type SecretErrorCode } from '@latchkey/core'
import { assertNoCanary, canary, emulatorHooks } from '@latchkey/test-support'
import {
  type SecretsManagerCustomFault,
  type SecretsManagerEmulator,
  type SecretsManagerFaultKind,
  startSecretsManagerEmulator,
} from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import {
  expectMapped,
  expectTimedOut,
  failure as mappedFailure,
  RETRIES,
  retryingProvider,
} from '../../test/support.js'
import { AwsSecretsManagerSource } from '../index.js'

const NAME = 'app/failures'

let emulator: SecretsManagerEmulator
let value: string
const providers: CachedSecretProvider[] = []

emulatorHooks(startSecretsManagerEmulator, {
  started: (started) => {
    emulator = started
    value = canary('failures')
    emulator.createSecret(NAME, value)
  },
  providers,
})

function provider(options: CacheOptions = {}, versionCheck?: boolean) {
  const source = new AwsSecretsManagerSource({
    ...emulator.clientConfig,
    ...(versionCheck === undefined ? {} : { versionCheck }),
  })
  return retryingProvider(source, providers, options)
}

const failure = (promise: Promise<unknown>) => mappedFailure(promise, 'a mapped AWS error')

describe('each failure maps to its code and is retried only when transient', () => {
  const cases: Array<{
    what: string
    fault: SecretsManagerFaultKind | SecretsManagerCustomFault | 'drop'
    code: SecretErrorCode
    transient: boolean
    cause: string
  }> = [
    {
      what: 'AccessDeniedException',
      fault: 'accessDenied',
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
      cause: 'AccessDeniedException',
    },
    {
      what: 'DecryptionFailure',
      fault: { status: 400, type: 'DecryptionFailure', message: 'cannot decrypt' },
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
      cause: 'DecryptionFailure',
    },
    {
      what: 'InvalidParameterException',
      fault: { status: 400, type: 'InvalidParameterException', message: 'bad id' },
      code: ErrorCode.INVALID_NAME,
      transient: false,
      cause: 'InvalidParameterException',
    },
    {
      what: 'ThrottlingException (400)',
      fault: 'throttling',
      code: ErrorCode.THROTTLED,
      transient: true,
      cause: 'ThrottlingException',
    },
    {
      what: 'LimitExceededException',
      fault: { status: 400, type: 'LimitExceededException', message: 'quota' },
      code: ErrorCode.THROTTLED,
      transient: true,
      cause: 'LimitExceededException',
    },
    {
      what: '429 with an empty body',
      fault: { status: 429 },
      code: ErrorCode.THROTTLED,
      transient: true,
      cause: 'Unknown',
    },
    {
      what: 'InternalServiceError (500)',
      fault: 'internal',
      code: ErrorCode.UNAVAILABLE,
      transient: true,
      cause: 'InternalServiceError',
    },
    {
      what: '503 with an HTML body',
      fault: 'unavailable',
      code: ErrorCode.UNAVAILABLE,
      transient: true,
      cause: 'SyntaxError',
    },
    // The SDK names ECONNRESET, EPIPE and ETIMEDOUT socket errors 'TimeoutError' (code kept).
    {
      what: 'a dropped connection',
      fault: 'drop',
      code: ErrorCode.UNAVAILABLE,
      transient: true,
      cause: 'TimeoutError',
    },
  ]

  for (const c of cases) {
    it(`${c.what} → ${c.code} after ${c.transient ? RETRIES + 1 : 1} request(s)`, async () => {
      if (c.fault === 'drop') emulator.faults.drop({ times: Number.POSITIVE_INFINITY })
      else emulator.faults.fail(c.fault, { times: Number.POSITIVE_INFINITY })
      const error = await failure(provider().getSecret(NAME))
      // SDK retries are off: every HTTP request is the SDK's first and only attempt.
      expectMapped(
        error,
        { ...c, secretName: NAME, source: 'aws-secrets-manager' },
        emulator.calls('GetSecretValue'),
      )
    })
  }

  it('a dropped connection keeps the socket error code on the cause', async () => {
    emulator.faults.drop({ times: Number.POSITIVE_INFINITY })
    const error = await failure(provider({ retry: { retries: 0 } }).getSecret(NAME))
    expect((error.cause as { code?: string }).code).toBe('ECONNRESET')
  })

  it('a missing secret → ERR_SECRET_NOT_FOUND after one request', async () => {
    const error = await failure(provider().getSecret('app/never-created'))
    expect(error.code).toBe(ErrorCode.NOT_FOUND)
    expect((error.cause as Error).name).toBe('ResourceNotFoundException')
    expect(emulator.callCount('GetSecretValue')).toBe(1)
  })

  it('a secret scheduled for deletion (InvalidRequestException) → ERR_SECRET_NOT_FOUND after one request', async () => {
    emulator.createSecret('app/scheduled', canary('scheduled'))
    emulator.deleteSecret('app/scheduled')
    const error = await failure(provider().getSecret('app/scheduled'))
    expect(error.code).toBe(ErrorCode.NOT_FOUND)
    expect(error.message).toContain('scheduled for deletion')
    expect((error.cause as Error).name).toBe('InvalidRequestException')
    expect(emulator.callCount('GetSecretValue')).toBe(1)
  })

  it('a transient failure that clears before retries run out is invisible to the caller', async () => {
    emulator.faults.fail('internal', { times: 2 })
    expect(await provider().getSecret(NAME)).toBe(value)
    expect(emulator.calls('GetSecretValue').map((c) => c.status)).toEqual([500, 500, 200])
  })

  it('a reply slower than the timeout → ERR_SECRET_TIMEOUT, and the HTTP request is aborted', async () => {
    emulator.faults.setLatency(2_000)
    const error = await failure(provider({ timeout: 50, retry: { retries: 0 } }).getSecret(NAME))
    expectTimedOut(error, emulator.calls('GetSecretValue'))
  })
})

describe('no secret value in errors', () => {
  it('a truncated 200 reply that contains the value leaves no trace of it in the error or its cause', async () => {
    const leaked = canary('truncated')
    emulator.faults.fail(
      { status: 200, body: `{"Name":"${NAME}","SecretString":"${leaked}` },
      { times: Number.POSITIVE_INFINITY },
    )
    const error = await failure(provider({ retry: { retries: 0 } }).getSecret(NAME))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    const cause = error.cause as Error
    assertNoCanary(inspect(cause, { showHidden: true, depth: 8 }), 'the cause of a parse failure')
    assertNoCanary(JSON.stringify(Object.getOwnPropertyDescriptors(cause)), 'the properties of the cause')
    expect(cause.message).toBe(`${cause.name}, HTTP 200`)
  })

  it('errors after a good load (the value was cached and is now expired) never contain the value', async () => {
    let now = 0
    // GetSecretValue's errors on a reload: version checks (DescribeSecret first) are off here
    const p = provider(
      {
        clock: () => now,
        ttl: 1_000,
        maxStale: 0,
        minRefreshInterval: 0,
        retry: { retries: 0 },
      },
      false,
    )
    const events: string[] = []
    p.on('error', (event) => events.push(inspect(event, { depth: 8 })))
    const expected = {
      accessDenied: ErrorCode.ACCESS_DENIED,
      throttling: ErrorCode.THROTTLED,
      internal: ErrorCode.UNAVAILABLE,
      unavailable: ErrorCode.UNAVAILABLE,
    } as const
    for (const [fault, code] of Object.entries(expected) as Array<
      [SecretsManagerFaultKind, SecretErrorCode]
    >) {
      now += 1_000
      expect(await p.getSecret(NAME)).toBe(value)
      emulator.faults.fail(fault)
      now += 1_000
      const error = await failure(p.getSecret(NAME))
      expect(error.code).toBe(code)
    }
    expect(emulator.calls('GetSecretValue').map((c) => c.status)).toEqual([
      200, 400, 200, 400, 200, 500, 200, 503,
    ])
    for (const text of events) assertNoCanary(text, 'an error event')
  })
})
