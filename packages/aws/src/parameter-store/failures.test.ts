import { inspect } from 'node:util'
import { CachedSecretProvider, type CacheOptions, ErrorCode, type SecretErrorCode } from '@latchkey/core'
import { assertNoCanary, canary, emulatorHooks } from '@latchkey/test-support'
import {
  type ParameterStoreCustomFault,
  type ParameterStoreEmulator,
  type ParameterStoreFaultKind,
  startParameterStoreEmulator,
} from '@latchkey/testing'
import { describe, expect, it, vi } from 'vitest'
import {
  expectMapped,
  expectTimedOut,
  failure as mappedFailure,
  retryingProvider,
} from '../../test/support.js'
import { AwsParameterStoreSource } from '../index.js'

const NAME = '/app/failures'
const PATH = '/app/failing-tree/'

let emulator: ParameterStoreEmulator
let value: string
const providers: CachedSecretProvider[] = []

emulatorHooks(startParameterStoreEmulator, {
  started: (started) => {
    emulator = started
    value = canary('failures')
    emulator.putParameter(NAME, value, { type: 'SecureString' })
    for (let i = 0; i < 12; i++)
      emulator.putParameter(`${PATH}leaf${i}`, canary(`tree${i}`), { type: 'SecureString' })
  },
  providers,
})

function provider(options: CacheOptions = {}) {
  return retryingProvider(new AwsParameterStoreSource({ ...emulator.clientConfig }), providers, options)
}

const failure = (promise: Promise<unknown>) => mappedFailure(promise, 'a mapped Parameter Store error')

describe('each failure maps to its code and is retried only when transient', () => {
  const cases: Array<{
    fault: ParameterStoreFaultKind | ParameterStoreCustomFault
    code: SecretErrorCode
    transient: boolean
    cause: string
  }> = [
    { fault: 'throttling', code: ErrorCode.THROTTLED, transient: true, cause: 'ThrottlingException' },
    { fault: 'tooManyUpdates', code: ErrorCode.THROTTLED, transient: true, cause: 'TooManyUpdates' },
    {
      fault: 'accessDenied',
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
      cause: 'AccessDeniedException',
    },
    {
      fault: 'kmsAccessDenied',
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
      cause: 'AccessDeniedException',
    },
    {
      fault: { status: 400, type: 'KMSAccessDeniedException', message: 'kms says no' },
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
      cause: 'KMSAccessDeniedException',
    },
    {
      fault: { status: 400, type: 'InvalidKeyId' },
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
      cause: 'InvalidKeyId',
    },
    {
      fault: { status: 400, type: 'ParameterVersionNotFound' },
      code: ErrorCode.NOT_FOUND,
      transient: false,
      cause: 'ParameterVersionNotFound',
    },
    { fault: 'internal', code: ErrorCode.UNAVAILABLE, transient: true, cause: 'InternalServerError' },
    { fault: { status: 502 }, code: ErrorCode.UNAVAILABLE, transient: true, cause: 'Unknown' },
    { fault: 'unavailable', code: ErrorCode.UNAVAILABLE, transient: true, cause: 'SyntaxError' },
  ]
  for (const c of cases) {
    const label =
      typeof c.fault === 'string' ? c.fault : `${c.fault.status} ${c.fault.type ?? '(empty body)'}`
    it(`${label} → ${c.code}`, async () => {
      emulator.faults.fail(c.fault, { times: Number.POSITIVE_INFINITY })
      const error = await failure(provider().getSecret(NAME))
      expectMapped(
        error,
        { ...c, secretName: NAME, source: 'aws-parameter-store' },
        emulator.calls('GetParameter'),
      )
    })
  }

  it('KMS access denied says so', async () => {
    emulator.faults.fail('kmsAccessDenied')
    const error = await failure(provider().getSecret(NAME))
    expect(error.message).toContain('denied by KMS')
  })

  it('a dropped connection → ERR_SECRET_UNAVAILABLE with the socket error code on the cause', async () => {
    emulator.faults.drop({ times: Number.POSITIVE_INFINITY })
    const error = await failure(provider({ retry: { retries: 0 } }).getSecret(NAME))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect((error.cause as { code?: string }).code).toBe('ECONNRESET')
  })

  it('an unreachable endpoint → ERR_SECRET_UNAVAILABLE, not a hang', async () => {
    const closed = await startParameterStoreEmulator()
    const endpoint = closed.endpoint
    await closed.close()
    const p = new CachedSecretProvider(new AwsParameterStoreSource({ ...emulator.clientConfig, endpoint }), {
      retry: { retries: 0 },
      logger: { warn: () => undefined },
    })
    providers.push(p)
    const error = await failure(p.getSecret(NAME))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
  })

  it('credentials that cannot be found → ERR_SECRET_ACCESS_DENIED (permanent, the cause in the message) without a request', async () => {
    const source = new AwsParameterStoreSource({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        })
      },
    })
    const p = new CachedSecretProvider(source, { retry: { retries: 0 }, logger: { warn: () => undefined } })
    providers.push(p)
    const error = await failure(p.getSecret(NAME))
    expect(error.code).toBe(ErrorCode.ACCESS_DENIED)
    expect(error.transient).toBe(false)
    expect(error.message).toMatch(/no AWS credentials were found \(CredentialsProviderError\)/)
    expect((error.cause as Error).name).toBe('CredentialsProviderError')
    expect(emulator.callCount()).toBe(0)
  })

  it('a failure in the middle of a paged hierarchy read fails the read (no partial object), and a retry starts over', async () => {
    emulator.faults.fail('throttling', { operation: 'GetParametersByPath' })
    emulator.resetCalls()
    const p = provider()
    const tree = JSON.parse(await p.getSecret(PATH)) as Record<string, string>
    expect(Object.keys(tree)).toHaveLength(12)
    expect(emulator.calls('GetParametersByPath').map((c) => c.status)).toEqual([400, 200, 200])
  })

  it('a reply slower than the timeout → ERR_SECRET_TIMEOUT, and the HTTP request is aborted', async () => {
    emulator.faults.setLatency(2_000)
    const error = await failure(provider({ timeout: 50, retry: { retries: 0 } }).getSecret(NAME))
    expectTimedOut(error, emulator.calls('GetParameter'))
  })

  it('an aborted signal passed to load() aborts the request', async () => {
    emulator.faults.setLatency(2_000)
    const source = new AwsParameterStoreSource({ ...emulator.clientConfig })
    const controller = new AbortController()
    const loading = source.load(NAME, { signal: controller.signal })
    await vi.waitFor(() => expect(emulator.callCount('GetParameter')).toBe(1))
    controller.abort(new Error('stop'))
    const error = await failure(loading)
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.message).toContain('aborted')
    await source.close()
  })
})

describe('malformed answers are transient and never quoted', () => {
  const bodies: Array<[string, (leaked: string) => string]> = [
    ['a truncated 200 reply', (leaked) => `{"Parameter":{"Name":"${NAME}","Value":"${leaked}`],
    ['a 200 reply without Parameter', () => '{}'],
    ['a 200 reply whose Value is not a string', () => '{"Parameter":{"Name":"x","Value":42}}'],
    ['an HTML 200 page', () => '<html>ok</html>'],
  ]
  for (const [what, body] of bodies) {
    it(`${what} → ERR_SECRET_UNAVAILABLE`, async () => {
      const leaked = canary('malformed')
      emulator.faults.fail({ status: 200, body: body(leaked) }, { times: Number.POSITIVE_INFINITY })
      const error = await failure(provider({ retry: { retries: 1 } }).getSecret(NAME))
      expect(error.code).toBe(ErrorCode.UNAVAILABLE)
      expect(error.transient).toBe(true)
      assertNoCanary(inspect(error.cause, { showHidden: true, depth: 8 }), 'the cause of a malformed answer')
      expect(emulator.callCount('GetParameter')).toBe(2)
    })
  }

  it('a hierarchy page that lists a parameter outside the path → ERR_SECRET_UNAVAILABLE', async () => {
    emulator.faults.fail(
      {
        status: 200,
        body: JSON.stringify({
          Parameters: [{ Name: '/elsewhere/x', Value: canary('elsewhere'), Version: 1 }],
        }),
      },
      { times: Number.POSITIVE_INFINITY },
    )
    const error = await failure(provider({ retry: { retries: 0 } }).getSecret(PATH))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.message).toContain('outside the path')
  })

  it('under the root path "/", a name outside every hierarchy keeps its whole name', async () => {
    const body = JSON.stringify({
      Parameters: [
        { Name: '/app/x', Value: 'one', Version: 1, Type: 'String' },
        { Name: 'plain', Value: 'two', Version: 3, Type: 'String' },
      ],
    })
    emulator.faults.fail({ status: 200, body }, { operation: 'GetParametersByPath' })
    expect(JSON.parse(await provider().getSecret('/'))).toEqual({ 'app/x': 'one', plain: 'two' })
  })

  it('a service that repeats its NextToken → ERR_SECRET_UNAVAILABLE instead of paging forever', async () => {
    const page = JSON.stringify({
      Parameters: [{ Name: `${PATH}loop`, Value: canary('loop'), Version: 1, Type: 'String' }],
      NextToken: 'same',
    })
    emulator.faults.fail({ status: 200, body: page }, { times: Number.POSITIVE_INFINITY })
    const error = await failure(provider({ retry: { retries: 0 } }).getSecret(PATH))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(emulator.callCount('GetParametersByPath')).toBe(2)
  })

  it('an empty page that still carries a NextToken is followed (results are best effort)', async () => {
    // "MA" is the emulator's token for "from the first parameter": the next request starts over.
    emulator.faults.fail(
      { status: 200, body: '{"Parameters":[],"NextToken":"MA"}' },
      { operation: 'GetParametersByPath' },
    )
    const tree = JSON.parse(await provider().getSecret(PATH)) as Record<string, string>
    expect(Object.keys(tree)).toHaveLength(12)
    expect(emulator.calls('GetParametersByPath').map((c) => c.fault ?? c.status)).toEqual([
      'custom',
      200,
      200,
    ])
  })

  it('a GetParameters reply that leaves names out: they are loaded one by one', async () => {
    const other = '/app/failures-other'
    emulator.putParameter(other, canary('other'))
    emulator.faults.fail(
      { status: 200, body: '{"Parameters":[],"InvalidParameters":[]}' },
      { operation: 'GetParameters' },
    )
    const p = provider()
    await p.preload([NAME, other])
    expect(emulator.callCount('GetParameters')).toBe(1)
    expect(
      emulator
        .calls('GetParameter')
        .map((c) => c.names[0])
        .sort(),
    ).toEqual([NAME, other].sort())
    expect(await p.getSecret(NAME)).toBe(value)
  })
})

describe('options and the optional SDK', () => {
  it.each([
    [{ withDecryption: 'yes' }, 'withDecryption'],
    [{ client: {} }, 'client'],
    [{ client: { send: async () => ({}) }, region: 'us-east-1' }, 'region'],
    [{ endpoint: 'not a url' }, 'endpoint'],
    [{ sdkRetries: 1 }, 'sdkRetries'],
    [{ clientConfig: { maxAttempts: 3 } }, 'maxAttempts'],
    [{ credentials: 'AKIA' }, 'credentials'],
  ])('%o → ERR_SECRET_INVALID_OPTIONS naming %s', (options, named) => {
    expect(() => new AwsParameterStoreSource(options as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: expect.stringContaining(named) }),
    )
  })

  it('sdkRetries: true lets the built client retry on its own (3 attempts)', async () => {
    emulator.faults.fail('throttling')
    const source = new AwsParameterStoreSource({ ...emulator.clientConfig, sdkRetries: true })
    expect((await source.load(NAME, { signal: new AbortController().signal })).value).toBe(value)
    expect(emulator.calls('GetParameter').map((c) => [c.status, c.sdkRequest])).toEqual([
      [400, 'attempt=1; max=3'],
      [200, 'attempt=2; max=3'],
    ])
    await source.close()
  })

  it('uses a client you pass, as it is, and leaves it open on close()', async () => {
    const { SSMClient } = await import('@aws-sdk/client-ssm')
    const client = new SSMClient({ ...emulator.clientConfig, maxAttempts: 1 })
    const destroy = vi.spyOn(client, 'destroy')
    const source = new AwsParameterStoreSource({ client })
    expect((await source.load(NAME, { signal: new AbortController().signal })).value).toBe(value)
    await source.close()
    expect(destroy).not.toHaveBeenCalled()
    client.destroy()
  })

  it('without @aws-sdk/client-ssm installed, a load fails once with ERR_SECRET_INVALID_OPTIONS saying what to install', async () => {
    vi.resetModules()
    vi.doMock('@aws-sdk/client-ssm', () => {
      throw Object.assign(new Error("Cannot find package '@aws-sdk/client-ssm'"), {
        code: 'ERR_MODULE_NOT_FOUND',
      })
    })
    try {
      const { AwsParameterStoreSource: Fresh } = await import('./source.js')
      const p = new CachedSecretProvider(new Fresh({ region: 'us-east-1' }), {
        retry: { retries: 3, baseDelay: 1, maxDelay: 5 },
        logger: { warn: () => undefined },
      })
      providers.push(p)
      const error = await failure(p.getSecret(NAME))
      expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
      expect(error.transient).toBe(false)
      expect(error.message).toContain('npm install @aws-sdk/client-ssm')
    } finally {
      vi.doUnmock('@aws-sdk/client-ssm')
      vi.resetModules()
    }
  })
})
