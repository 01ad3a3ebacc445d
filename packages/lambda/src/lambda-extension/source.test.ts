import { CachedSecretProvider, ErrorCode, SecretError } from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf, thrownBy } from '@latchkey/test-support'
import { type LambdaExtensionEmulator, startLambdaExtensionEmulator } from '@latchkey/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LambdaExtensionSource } from '../index.js'

const signal = () => new AbortController().signal
let extension: LambdaExtensionEmulator

beforeAll(async () => {
  extension = await startLambdaExtensionEmulator({ cacheTtl: 0 })
})
afterAll(() => extension.close())
beforeEach(() => {
  extension.faults.reset()
  extension.resetCalls()
})

function source(extra: ConstructorParameters<typeof LambdaExtensionSource>[0] = {}) {
  return new LambdaExtensionSource({ env: extension.env, ...extra })
}

describe('LambdaExtensionSource over HTTP against the extension emulator', () => {
  it('reads a Secrets Manager secret with the token header, AWSCURRENT by default, version = VersionId', async () => {
    const value = canary('ext-secret')
    const { versionId } = extension.putSecret('prod/db', value)
    const loaded = await source().load('prod/db', { signal: signal() })
    expect(loaded).toEqual({ value, version: versionId })
    const [call] = extension.calls('GetSecretValue')
    expect(call).toMatchObject({ name: 'prod/db', versionStage: 'AWSCURRENT', authorized: true, status: 200 })
  })

  it('asks for versionStage or versionId as configured', async () => {
    const first = extension.putSecret('staged', canary('v1'))
    const second = extension.rotate('staged', canary('v2'))
    expect(second.previousVersionId).toBe(first.versionId)
    const previous = await source({ versionStage: 'AWSPREVIOUS' }).load('staged', { signal: signal() })
    expect(previous.version).toBe(first.versionId)
    const byId = await source({ versionId: second.versionId }).load('staged', { signal: signal() })
    expect(byId.version).toBe(second.versionId)
    expect(extension.calls('GetSecretValue').at(-1)).toMatchObject({ versionId: second.versionId })
  })

  it('reads binary secrets as bytes', async () => {
    const bytes = new Uint8Array(Buffer.from(canary('binary')))
    extension.putSecret('bin', bytes)
    const loaded = await source().load('bin', { signal: signal() })
    expect(Buffer.from(loaded.value as Uint8Array).equals(Buffer.from(bytes))).toBe(true)
  })

  it("reads 'ssm:' names from Parameter Store with decryption, selectors passed through", async () => {
    const one = canary('param-1')
    const two = canary('param-2')
    extension.putParameter('/app/key', one, { type: 'SecureString' })
    extension.putParameter('/app/key', two)
    expect(await source().load('ssm:/app/key', { signal: signal() })).toEqual({ value: two, version: '2' })
    expect(await source().load('ssm:/app/key:1', { signal: signal() })).toEqual({ value: one, version: '1' })
    expect(extension.calls('GetParameter')[0]).toMatchObject({ name: '/app/key', withDecryption: true })
  })

  it.each([
    ['a missing secret', 'nope', ErrorCode.NOT_FOUND, undefined],
    ['a missing parameter', 'ssm:/nope', ErrorCode.NOT_FOUND, undefined],
    ['throttling', 'prod/db', ErrorCode.THROTTLED, 'throttling'],
    ['IAM access denied', 'prod/db', ErrorCode.ACCESS_DENIED, 'accessDenied'],
    ['a refused token (401)', 'prod/db', ErrorCode.ACCESS_DENIED, 'unauthorized'],
    ['not ready (init phase)', 'prod/db', ErrorCode.UNAVAILABLE, 'notReady'],
    ['a 500', 'prod/db', ErrorCode.UNAVAILABLE, 'internal'],
    ['a 502 from the service', 'prod/db', ErrorCode.UNAVAILABLE, 'unavailable'],
  ] as const)('maps %s to %s', async (_what, name, code, fault) => {
    extension.putSecret('prod/db', canary('mapped'))
    if (fault !== undefined) extension.faults.fail(fault)
    const error = await rejectionOf(source().load(name, { signal: signal() }), SecretError)
    expect(error.code).toBe(code)
    expect(error.secretName).toBe(name)
    expect(error.source).toBe('aws-lambda-extension')
    assertNoCanary(printed(error))
  })

  it('treats a dropped connection, a non-JSON 200 and a 200 without a value as unavailable', async () => {
    extension.putSecret('prod/db', canary('dropped'))
    extension.faults.drop()
    expect((await rejectionOf(source().load('prod/db', { signal: signal() }), SecretError)).code).toBe(
      ErrorCode.UNAVAILABLE,
    )
    extension.faults.fail({ status: 200, body: `not json ${canary('echo')}` })
    const garbled = await rejectionOf(source().load('prod/db', { signal: signal() }), SecretError)
    expect(garbled.code).toBe(ErrorCode.UNAVAILABLE)
    assertNoCanary(printed(garbled))
    extension.faults.fail({ status: 200, body: '{"Name":"prod/db"}' })
    expect((await rejectionOf(source().load('prod/db', { signal: signal() }), SecretError)).code).toBe(
      ErrorCode.UNAVAILABLE,
    )
  })

  it('a request sent with the wrong token is refused and maps to access denied', async () => {
    extension.putSecret('prod/db', canary('wrong-token'))
    const error = await rejectionOf(
      source({ token: 'not-the-token' }).load('prod/db', { signal: signal() }),
      SecretError,
    )
    expect(error.code).toBe(ErrorCode.ACCESS_DENIED)
    expect(extension.calls()[0]).toMatchObject({ authorized: false, status: 401 })
  })

  it('a hung extension is cut off by the cache timeout (the AbortSignal reaches the request)', async () => {
    extension.putSecret('slow', canary('slow'))
    extension.faults.setLatency(5_000)
    const provider = new CachedSecretProvider(source(), { timeout: 100, retry: { retries: 0 } })
    const started = Date.now()
    const error = await rejectionOf(provider.getSecret('slow'), SecretError)
    expect(error.code).toBe(ErrorCode.TIMEOUT)
    expect(Date.now() - started).toBeLessThan(2_000)
    await provider.close()
  })

  it('a hostile name cannot add query parameters or change the path', async () => {
    const hostile = 'x&versionId=evil/../../systemsmanager?name=%2F#'
    const error = await rejectionOf(source().load(hostile, { signal: signal() }), SecretError)
    expect(error.code).toBe(ErrorCode.NOT_FOUND)
    const [call] = extension.calls()
    expect(call).toMatchObject({ operation: 'GetSecretValue', name: hostile, versionStage: 'AWSCURRENT' })
    expect(call?.versionId).toBeUndefined()
  })

  it('a huge answer is refused, not buffered', async () => {
    extension.faults.fail({ status: 200, body: `{"SecretString":"${'x'.repeat(2_000_000)}"}` })
    const error = await rejectionOf(source().load('prod/db', { signal: signal() }), SecretError)
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
  })

  it('the extension cache serves an old value until its TTL, as the real one does', async () => {
    const cached = await startLambdaExtensionEmulator({ cacheTtl: 60_000 })
    try {
      const first = canary('cached-1')
      cached.putSecret('c', first)
      const s = new LambdaExtensionSource({ env: cached.env })
      await s.load('c', { signal: signal() })
      cached.rotate('c', canary('cached-2'))
      expect((await s.load('c', { signal: signal() })).value).toBe(first)
      expect(cached.calls().map((c) => c.cached)).toEqual([false, true])
      await s.close()
    } finally {
      await cached.close()
    }
  })
})

describe('LambdaExtensionSource options', () => {
  it('without AWS_SESSION_TOKEN throws ERR_SECRET_INVALID_OPTIONS naming it', () => {
    const error = thrownBy(() => new LambdaExtensionSource({ env: {} }), SecretError)
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toContain('AWS_SESSION_TOKEN')
  })

  it.each([
    [{ endpoint: 'https://localhost:2773' }, 'endpoint'],
    [{ endpoint: 'not a url' }, 'endpoint'],
    [{ versionStage: 'AWSCURRENT', versionId: 'x' }, 'versionId'],
    [{ versionStage: '' }, 'versionStage'],
    [{ bogus: 1 }, 'bogus'],
    [{ token: 'a\nb' }, 'token'],
    [
      { env: { AWS_SESSION_TOKEN: 't', PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '99999' } },
      'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
    ],
  ])('refuses %o naming %s', (options, named) => {
    const error = thrownBy(
      () => new LambdaExtensionSource({ env: { AWS_SESSION_TOKEN: 't' }, ...(options as object) }),
      SecretError,
    )
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toContain(named)
  })

  it('defaults to http://localhost:<PARAMETERS_SECRETS_EXTENSION_HTTP_PORT>', async () => {
    const local = await startLambdaExtensionEmulator({ host: 'localhost', cacheTtl: 0 })
    try {
      const value = canary('port')
      local.putSecret('port', value)
      const viaEnv = new LambdaExtensionSource({ env: local.env })
      expect((await viaEnv.load('port', { signal: signal() })).value).toBe(value)
      expect(local.callCount('GetSecretValue')).toBe(1)
      await viaEnv.close()
    } finally {
      await local.close()
    }
  })
})
