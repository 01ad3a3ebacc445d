import { inspect } from 'node:util'
import { CachedSecretProvider, type CacheOptions, ErrorCode, type RotateEvent } from '@latchkey/core'
import { assertNoCanary, canary, emulatorHooks, steadyCacheOptions } from '@latchkey/test-support'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AwsSecretsManagerSource } from '../index.js'

// Per-file state as module variables on purpose (tests move `now`); the shared hooks are emulatorHooks().
let emulator: SecretsManagerEmulator
let now: number
const providers: CachedSecretProvider[] = []
let counter = 0
const unique = (label: string) => `vc/${label}-${++counter}`

emulatorHooks(startSecretsManagerEmulator, {
  started: (started) => {
    emulator = started
  },
  reset: () => {
    now = 1_700_000_000_000
  },
  providers,
})

function setup(
  options: CacheOptions = {},
  source = new AwsSecretsManagerSource({ ...emulator.clientConfig }),
) {
  const provider = new CachedSecretProvider(source, {
    ...steadyCacheOptions(() => now),
    minRefreshInterval: 0,
    retry: { retries: 0 },
    ...options,
  })
  providers.push(provider)
  return { source, provider }
}

describe('version checks with DescribeSecret', () => {
  it('is on by default', () => {
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig })
    expect(source.versionCheck).toBe(true)
    expect(source.toJSON()).toMatchObject({ versionCheck: true })
    expect(inspect(source)).toContain('versionCheck: true')
  })

  it('a first load reads the value; a reload whose version is unchanged sends DescribeSecret and no GetSecretValue', async () => {
    const name = unique('same')
    const value = canary('vc-same')
    const { versionId } = emulator.createSecret(name, value)
    const { source, provider } = setup()
    const rotations: RotateEvent[] = []
    provider.on('rotate', (e) => rotations.push(e))
    expect(await provider.getSecret(name)).toBe(value)
    await provider.refresh(name)
    await provider.refresh(name)
    expect(await provider.getSecret(name)).toBe(value)
    expect(emulator.callCount('GetSecretValue')).toBe(1)
    expect(emulator.callCount('DescribeSecret')).toBe(2)
    expect(source.stats()).toEqual({
      getSecretValue: 1,
      batchGetSecretValue: 0,
      describeSecret: 2,
      unchanged: 2,
    })
    expect(provider.describe(name)?.version).toBe(versionId)
    expect(rotations).toEqual([])
  })

  it('a changed AWSCURRENT version sends GetSecretValue and emits rotate', async () => {
    const name = unique('changed')
    const first = canary('vc-first')
    const second = canary('vc-second')
    const { versionId: v1 } = emulator.createSecret(name, first)
    const { source, provider } = setup()
    const rotations: RotateEvent[] = []
    provider.on('rotate', (e) => rotations.push(e))
    expect(await provider.getSecret(name)).toBe(first)
    const { versionId: v2 } = emulator.rotate(name, second)
    await provider.refresh(name)
    expect(await provider.getSecret(name)).toBe(second)
    expect(rotations).toEqual([{ name, oldVersion: v1, newVersion: v2 }])
    expect(emulator.calls().map((c) => c.operation)).toEqual([
      'GetSecretValue',
      'DescribeSecret',
      'GetSecretValue',
    ])
    expect(source.stats()).toMatchObject({ getSecretValue: 2, describeSecret: 1, unchanged: 0 })
  })

  it('an AWSPENDING version staged beside the current one is no change: no GetSecretValue', async () => {
    const name = unique('pending')
    const value = canary('vc-pending-current')
    emulator.createSecret(name, value)
    const { provider } = setup()
    await provider.getSecret(name)
    emulator.putSecretValue(name, canary('vc-pending-new'), ['AWSPENDING'])
    await provider.refresh(name)
    expect(await provider.getSecret(name)).toBe(value)
    expect(emulator.callCount('GetSecretValue')).toBe(1)
  })

  it('refresh-ahead of a value in use checks the version in the background', async () => {
    const name = unique('ahead')
    const value = canary('vc-ahead')
    emulator.createSecret(name, value)
    const { source, provider } = setup({ ttl: 10_000, refreshAhead: 0.5 })
    await provider.getSecret(name)
    now += 6_000
    expect(await provider.getSecret(name)).toBe(value)
    await expect.poll(() => source.stats().describeSecret).toBe(1)
    expect(source.stats().getSecretValue).toBe(1)
  })

  it('binary secrets: an unchanged version keeps the bytes as the cache holds them', async () => {
    const name = unique('binary')
    const bytes = Buffer.from(canary('vc-binary'))
    emulator.createSecret(name, new Uint8Array(bytes))
    const { provider } = setup()
    const before = await provider.getSecret(name)
    await provider.refresh(name)
    expect(await provider.getSecret(name)).toBe(before)
    expect(Buffer.from(before, 'base64').equals(bytes)).toBe(true)
    expect(emulator.callCount('GetSecretValue')).toBe(1)
  })

  it('a configured versionStage is checked instead of AWSCURRENT', async () => {
    const name = unique('stage')
    emulator.createSecret(name, canary('vc-stage-current'))
    const pending = canary('vc-stage-pending')
    const { versionId } = emulator.putSecretValue(name, pending, ['AWSPENDING'])
    const { provider } = setup(
      {},
      new AwsSecretsManagerSource({ ...emulator.clientConfig, versionStage: 'AWSPENDING' }),
    )
    expect(await provider.getSecret(name)).toBe(pending)
    emulator.rotate(name, canary('vc-stage-rotated')) // AWSCURRENT moves; AWSPENDING stays
    await provider.refresh(name)
    expect(emulator.callCount('GetSecretValue')).toBe(1)
    expect(provider.describe(name)?.version).toBe(versionId)
  })

  it('versionCheck: false always reads the value', async () => {
    const name = unique('off')
    emulator.createSecret(name, canary('vc-off'))
    const { source, provider } = setup(
      {},
      new AwsSecretsManagerSource({ ...emulator.clientConfig, versionCheck: false }),
    )
    await provider.getSecret(name)
    await provider.refresh(name)
    expect(emulator.callCount('DescribeSecret')).toBe(0)
    expect(emulator.callCount('GetSecretValue')).toBe(2)
    expect(source.stats()).toMatchObject({ getSecretValue: 2, describeSecret: 0 })
  })

  it('DescribeSecret denied (a policy without secretsmanager:DescribeSecret) turns checks off and reads the value', async () => {
    const name = unique('denied')
    const value = canary('vc-denied')
    emulator.createSecret(name, value)
    const { source, provider } = setup()
    await provider.getSecret(name)
    emulator.faults.fail('accessDenied', { operation: 'DescribeSecret' })
    await provider.refresh(name)
    await provider.refresh(name)
    expect(await provider.getSecret(name)).toBe(value)
    expect(source.versionCheck).toBe(false)
    expect(emulator.calls().map((c) => c.operation)).toEqual([
      'GetSecretValue',
      'DescribeSecret',
      'GetSecretValue',
      'GetSecretValue',
    ])
  })

  it('a throttled DescribeSecret is a transient failure: the held value is served stale, with no value in the error', async () => {
    const name = unique('throttled')
    const value = canary('vc-throttled')
    emulator.createSecret(name, value)
    const { provider } = setup({ ttl: 1_000 })
    await provider.getSecret(name)
    emulator.faults.fail('throttling', { operation: 'DescribeSecret', times: Number.POSITIVE_INFINITY })
    const stale = new Promise<unknown>((resolve) => provider.on('stale', resolve))
    now += 1_000
    expect(await provider.getSecret(name)).toBe(value)
    const event = (await stale) as { error: { code: string } }
    expect(event.error.code).toBe(ErrorCode.THROTTLED)
    assertNoCanary(inspect(event, { depth: 8 }), 'the stale event')
    expect(emulator.callCount('GetSecretValue')).toBe(1)
  })

  it('a secret deleted since it was read: DescribeSecret shows DeletedDate, GetSecretValue gives the error', async () => {
    const name = unique('deleted')
    emulator.createSecret(name, canary('vc-deleted'))
    const { provider } = setup()
    await provider.getSecret(name)
    emulator.deleteSecret(name)
    const error = await provider.refresh(name).catch((e: unknown) => e)
    // what GetSecretValue answers for a secret scheduled for deletion (InvalidRequestException)
    expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND, secretName: name })
    expect(emulator.calls().map((c) => c.operation)).toEqual([
      'GetSecretValue',
      'DescribeSecret',
      'GetSecretValue',
    ])
  })

  it('a secret removed since it was read: DescribeSecret ResourceNotFound is not found', async () => {
    const name = unique('gone')
    emulator.createSecret(name, canary('vc-gone'))
    const { provider } = setup()
    await provider.getSecret(name)
    emulator.deleteSecret(name, { force: true })
    const error = await provider.refresh(name).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND, secretName: name })
  })

  it('refuses a versionCheck that is not a boolean, naming the option and the type', () => {
    expect(
      () =>
        new AwsSecretsManagerSource({ ...emulator.clientConfig, versionCheck: 'yes' as unknown as boolean }),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_OPTIONS,
        message: expect.stringMatching(/versionCheck.*string/),
      }),
    )
  })
})
