import {
  CachedSecretProvider,
  type CacheOptions,
  ErrorCode,
  type RotateEvent,
  SecretPreloadError,
} from '@latchkey/core'
import { canary, emulatorHooks, steadyCacheOptions } from '@latchkey/test-support'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AwsSecretsManagerSource } from '../index.js'

// Per-file state as module variables on purpose (tests move `now`); the shared hooks are emulatorHooks().
let emulator: SecretsManagerEmulator
let now: number
const providers: CachedSecretProvider[] = []
let counter = 0
const unique = (label: string) => `app/${label}-${++counter}`

emulatorHooks(startSecretsManagerEmulator, {
  started: (started) => {
    emulator = started
  },
  reset: () => {
    now = 1_700_000_000_000
  },
  providers,
})

function setup(options: CacheOptions = {}, versionStage?: string) {
  const source = new AwsSecretsManagerSource({
    ...emulator.clientConfig,
    ...(versionStage ? { versionStage } : {}),
  })
  const provider = new CachedSecretProvider(source, {
    ...steadyCacheOptions(() => now),
    retry: { baseDelay: 1, maxDelay: 5 },
    ...options,
  })
  providers.push(provider)
  return { source, provider }
}

describe('reading through CachedSecretProvider', () => {
  it('reads a string secret with one GetSecretValue and serves it from cache afterwards', async () => {
    const name = unique('read')
    const value = canary('read')
    const { versionId } = emulator.createSecret(name, value)
    const { provider } = setup()
    expect(await provider.getSecret(name)).toBe(value)
    expect(await provider.getSecret(name)).toBe(value)
    expect(emulator.callCount('GetSecretValue')).toBe(1)
    expect(provider.describe(name)).toMatchObject({
      version: versionId,
      source: 'aws-secrets-manager',
      stale: false,
    })
  })

  it('reads by ARN', async () => {
    const name = unique('arn')
    const value = canary('arn')
    const { arn } = emulator.createSecret(name, value)
    const { provider } = setup()
    expect(await provider.getSecret(arn)).toBe(value)
  })

  it('selects a JSON field with name#field and parses with getJson', async () => {
    const name = unique('db')
    const password = canary('db-password')
    emulator.createSecret(name, JSON.stringify({ username: 'app', password, port: 5432 }))
    const { provider } = setup()
    expect(await provider.getSecret(`${name}#password`)).toBe(password)
    expect(await provider.getSecret(`${name}#port`)).toBe('5432')
    expect(await provider.getJson<{ username: string }>(name)).toMatchObject({ username: 'app' })
    expect(emulator.callCount('GetSecretValue')).toBe(1)
  })

  it('loads binary secrets as bytes (the provider hands them out as base64)', async () => {
    const name = unique('binary')
    const bytes = new Uint8Array([0, 1, 2, 3, 250, 251, 252, 253, 254, 255])
    const { versionId } = emulator.createSecret(name, bytes)
    const { source, provider } = setup()
    const loaded = await source.load(name, { signal: new AbortController().signal })
    expect(loaded.value).toBeInstanceOf(Uint8Array)
    expect([...(loaded.value as Uint8Array)]).toEqual([...bytes])
    expect(loaded.version).toBe(versionId)
    expect(Buffer.from(await provider.getSecret(name), 'base64')).toEqual(Buffer.from(bytes))
  })

  it('reads the configured versionStage', async () => {
    const name = unique('stage')
    emulator.createSecret(name, canary('current'))
    const pending = canary('pending')
    const { versionId } = emulator.putSecretValue(name, pending, ['AWSPENDING'])
    const { provider } = setup({}, 'AWSPENDING')
    expect(await provider.getSecret(name)).toBe(pending)
    expect(provider.describe(name)?.version).toBe(versionId)
  })
})

describe('batch preload', () => {
  it('uses BatchGetSecretValue in chunks of 20 and no GetSecretValue', async () => {
    const names = Array.from({ length: 25 }, (_, i) => unique(`batch${i}`))
    const values = names.map((name) => {
      const value = canary(name.replace(/\W/g, ''))
      emulator.createSecret(name, value)
      return value
    })
    const { provider } = setup()
    await provider.preload(names)
    const batches = emulator.calls('BatchGetSecretValue')
    expect(batches.map((c) => c.secretIds.length).sort((a, b) => a - b)).toEqual([5, 20])
    expect(emulator.callCount('GetSecretValue')).toBe(0)
    for (const [i, name] of names.entries()) expect(await provider.getSecret(name)).toBe(values[i])
    expect(emulator.callCount()).toBe(2)
  })

  it('preloads one secret asked for by name, full ARN and partial ARN with one batch call and no Gets', async () => {
    const value = canary('three-ids')
    const { arn, name } = emulator.createSecret(unique('three-ids'), value)
    const partial = arn.slice(0, -7)
    const { provider } = setup()
    await provider.preload([name, arn, partial])
    expect(emulator.callCount('BatchGetSecretValue')).toBe(1)
    expect(emulator.calls('BatchGetSecretValue')[0]?.secretIds).toEqual([name, arn, partial])
    expect(emulator.callCount('GetSecretValue')).toBe(0)
    for (const id of [name, arn, partial]) expect(await provider.getSecret(id)).toBe(value)
    expect(emulator.callCount()).toBe(1)
  })

  it('fills every requested id when two ids of one secret follow the id of another secret in a batch', async () => {
    const first = emulator.createSecret(unique('alike'), canary('alike-1'))
    const second = emulator.createSecret(`${first.name}-x`, canary('alike-2'))
    const { source } = setup()
    const loaded = await source.loadMany([second.name, first.arn, first.name], {
      signal: new AbortController().signal,
    })
    expect(emulator.callCount('BatchGetSecretValue')).toBe(1)
    expect(loaded.get(first.name)).toMatchObject({ version: first.versionId })
    expect(loaded.get(first.arn)).toMatchObject({ version: first.versionId })
    expect(loaded.get(second.name)).toMatchObject({ version: second.versionId })
  })

  // Arranged like the emulator's own BatchGetSecretValue test on purpose: each package's test sets up its own data.
  it('maps per-secret Errors of a partly failed batch, naming each failure once', async () => {
    const good = unique('good')
    const deleted = unique('deleted')
    emulator.createSecret(good, canary('good'))
    emulator.createSecret(deleted, canary('deleted'))
    emulator.deleteSecret(deleted)
    const missing = unique('missing')
    const { provider } = setup()
    const error = await provider.preload([good, missing, deleted]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretPreloadError)
    const failures = (error as SecretPreloadError).errors
    expect(failures.map((e) => [e.secretName, e.code])).toEqual([
      [missing, ErrorCode.NOT_FOUND],
      [deleted, ErrorCode.NOT_FOUND],
    ])
    expect(failures[0]?.cause).toMatchObject({ name: 'ResourceNotFoundException' })
    expect(failures[1]?.cause).toMatchObject({ name: 'InvalidRequestException' })
    expect(emulator.callCount('BatchGetSecretValue')).toBe(1)
    expect(emulator.callCount('GetSecretValue')).toBe(0)
    expect(provider.describe(good)).toBeDefined()
  })

  it('falls back to GetSecretValue per secret when the batch call is denied (no BatchGetSecretValue permission)', async () => {
    const names = [unique('fb1'), unique('fb2'), unique('fb3')]
    for (const name of names) emulator.createSecret(name, canary('fallback'))
    emulator.faults.fail('accessDenied', { operation: 'BatchGetSecretValue' })
    const { provider } = setup()
    await provider.preload(names)
    expect(emulator.callCount('BatchGetSecretValue')).toBe(1)
    expect(emulator.callCount('GetSecretValue')).toBe(3)
  })

  it('retries a throttled batch call as a batch', async () => {
    const names = [unique('tb1'), unique('tb2')]
    for (const name of names) emulator.createSecret(name, canary('throttled-batch'))
    emulator.faults.fail('throttling', { operation: 'BatchGetSecretValue' })
    const { provider } = setup()
    await provider.preload(names)
    expect(emulator.calls('BatchGetSecretValue').map((c) => c.status)).toEqual([400, 200])
    expect(emulator.callCount('GetSecretValue')).toBe(0)
  })

  for (const fault of ['internal', 'accessDenied'] as const) {
    it(`when one of several chunks fails (${fault}), loads only that chunk one by one`, async () => {
      const names = Array.from({ length: 25 }, (_, i) => unique(`chunk${i}`))
      for (const name of names) emulator.createSecret(name, canary('chunk'))
      emulator.faults.fail(fault, { operation: 'BatchGetSecretValue' })
      const { provider } = setup()
      await provider.preload(names)
      const failedChunk = emulator.calls('BatchGetSecretValue').find((c) => c.status !== 200)
      expect(failedChunk).toBeDefined()
      const singles = emulator.calls('GetSecretValue')
      expect(singles.flatMap((c) => c.secretIds).sort()).toEqual([...(failedChunk?.secretIds ?? [])].sort())
      expect(emulator.callCount('BatchGetSecretValue')).toBe(2)
    })
  }

  it('loads one by one when versionStage is not AWSCURRENT (the batch API reads AWSCURRENT only)', async () => {
    const names = [unique('ps1'), unique('ps2')]
    for (const name of names) {
      emulator.createSecret(name, canary('cur'))
      emulator.putSecretValue(name, canary('pend'), ['AWSPENDING'])
    }
    const { provider } = setup({}, 'AWSPENDING')
    await provider.preload(names)
    expect(emulator.callCount('BatchGetSecretValue')).toBe(0)
    expect(
      emulator
        .calls('GetSecretValue')
        .map((c) => c.secretIds[0])
        .sort(),
    ).toEqual([...names].sort())
  })
})

describe('rotation', () => {
  it("detects PutSecretValue after the TTL as 'rotate' with the old and new VersionIds", async () => {
    const name = unique('rotate')
    const first = canary('v1')
    const second = canary('v2')
    const { versionId: v1 } = emulator.createSecret(name, first)
    const { provider } = setup({ ttl: 10_000, refreshAhead: 0 })
    const rotations: RotateEvent[] = []
    provider.on('rotate', (event) => rotations.push(event))
    expect(await provider.getSecret(name)).toBe(first)
    const { versionId: v2, previousVersionId } = emulator.rotate(name, second)
    expect(previousVersionId).toBe(v1)
    now += 9_999
    expect(await provider.getSecret(name)).toBe(first)
    expect(rotations).toEqual([])
    now += 1
    expect(await provider.getSecret(name)).toBe(second)
    expect(rotations).toEqual([{ name, oldVersion: v1, newVersion: v2 }])
    expect(emulator.callCount('GetSecretValue')).toBe(2)
  })

  it("refresh() picks a rotation up at once and the handle follows it; an unchanged reload is a 'refresh'", async () => {
    const name = unique('refresh')
    const { versionId: v1 } = emulator.createSecret(name, canary('v1'))
    const { provider } = setup({ minRefreshInterval: 0 })
    const handle = await provider.handle(name).ready()
    const changes: RotateEvent[] = []
    handle.onChange((event) => changes.push(event))
    const refreshes: string[] = []
    provider.on('refresh', (event) => refreshes.push(event.version))
    await provider.refresh(name)
    expect(refreshes).toEqual([v1])
    const second = canary('v2')
    const { versionId: v2 } = emulator.rotate(name, second)
    await provider.refresh(name)
    expect(handle.reveal()).toBe(second)
    expect(handle.version).toBe(v2)
    expect(changes).toEqual([{ name, oldVersion: v1, newVersion: v2 }])
  })
})

describe('lifecycle', () => {
  it('close() destroys a client the source built, and later loads fail with ERR_PROVIDER_CLOSED', async () => {
    const name = unique('closing')
    emulator.createSecret(name, canary('closing'))
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig })
    let destroyed = 0
    const destroy = source.client.destroy.bind(source.client)
    source.client.destroy = () => {
      destroyed++
      destroy()
    }
    await source.close()
    await source.close()
    expect(destroyed).toBe(1)
    await expect(source.load(name, { signal: new AbortController().signal })).rejects.toMatchObject({
      code: ErrorCode.PROVIDER_CLOSED,
    })
  })
})
