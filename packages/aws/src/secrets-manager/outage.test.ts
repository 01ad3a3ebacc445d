import { inspect } from 'node:util'
import {
  CachedSecretProvider,
  ErrorCode,
  type ErrorEvent,
  type RotateEvent,
  type SecretEvents,
  type StaleEvent,
} from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import {
  type SecretsManagerEmulator,
  type SecretsManagerFaultKind,
  startSecretsManagerEmulator,
} from '@latchkey/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AwsSecretsManagerSource } from '../index.js'

const TTL = 1_000
const MAX_STALE = 60_000

let emulator: SecretsManagerEmulator
let provider: CachedSecretProvider
let now: number

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator()
})
afterAll(() => emulator.close())
beforeEach(() => {
  now = 0
  emulator.faults.reset()
  emulator.resetCalls()
  provider = outageProvider()
})
afterEach(() => provider.close())

/** `confirmDenial` aside, every test here uses the same provider settings. */
function outageProvider(extra: { confirmDenial?: number } = {}): CachedSecretProvider {
  // These tests count GetSecretValue requests through an outage; the DescribeSecret version check
  // has its own outage test in version-check.test.ts
  const source = new AwsSecretsManagerSource({ ...emulator.clientConfig, versionCheck: false })
  return new CachedSecretProvider(source, {
    ...extra,
    clock: () => now,
    ttl: TTL,
    refreshAhead: 0,
    jitter: 0,
    maxStale: MAX_STALE,
    minRefreshInterval: 1_000,
    retry: { retries: 2, baseDelay: 1, maxDelay: 2 },
    random: () => 0.5,
    logger: { warn: () => undefined },
  })
}

/**
 * Creates `name` holding a canary, reads it into the cache, then makes every request fail with
 * `fault` and moves the clock past the TTL: the next read has only the cached value to fall back on.
 */
async function cachedThenExpiredUnder(name: string, label: string, fault: SecretsManagerFaultKind) {
  const value = canary(label)
  emulator.createSecret(name, value)
  expect(await provider.getSecret(name)).toBe(value)
  emulator.faults.fail(fault, { times: Number.POSITIVE_INFINITY })
  now += TTL
  return { name, value }
}

function next<K extends keyof SecretEvents>(event: K): Promise<SecretEvents[K]> {
  return new Promise((resolve) => {
    const off = provider.on(event, (payload) => {
      off()
      resolve(payload)
    })
  })
}

describe('stale-if-error through an outage', () => {
  it('serves the last value while Secrets Manager is down, without hammering it, and recovers by itself', async () => {
    const name = 'app/outage'
    const first = canary('before-outage')
    const { versionId: v1 } = emulator.createSecret(name, first)
    expect(await provider.getSecret(name)).toBe(first)

    // Outage: every connection is dropped. The caller that finds the value expired waits for one
    // load (with its retries) and then gets the last good value.
    emulator.faults.drop({ times: Number.POSITIVE_INFINITY })
    const stale = next('stale')
    now += TTL
    expect(await provider.getSecret(name)).toBe(first)
    const staleEvent: StaleEvent = await stale
    expect(staleEvent.name).toBe(name)
    expect(staleEvent.staleUntil).toBe(TTL + MAX_STALE)
    expect((staleEvent.error as { code?: string }).code).toBe(ErrorCode.UNAVAILABLE)
    assertNoCanary(inspect(staleEvent, { depth: 8 }), 'the stale event')
    expect(provider.describe(name)).toMatchObject({ stale: true, version: v1 })
    expect(emulator.callCount('GetSecretValue')).toBe(1 + 3)

    // Within the back-off window (minRefreshInterval) callers are served without any request.
    now += 500
    expect(await provider.getSecret(name)).toBe(first)
    expect(emulator.callCount('GetSecretValue')).toBe(1 + 3)

    // After it, a caller still gets the value at once while one background reload (with retries) runs.
    const backgroundError = next('error')
    now += 500
    expect(await provider.getSecret(name)).toBe(first)
    const failed: ErrorEvent = await backgroundError
    expect(failed.name).toBe(name)
    // a failure no caller saw: the event carries the name and the error, nothing else
    expect(Object.keys(failed)).toEqual(['name', 'error'])
    assertNoCanary(inspect(failed, { depth: 8 }), 'the background error event')
    expect(emulator.callCount('GetSecretValue')).toBe(1 + 3 + 3)
    expect(provider.stats().staleServed).toBeGreaterThanOrEqual(3)

    // The secret rotates during the outage; once the service is back the rotation is picked up.
    const second = canary('after-outage')
    const { versionId: v2 } = emulator.rotate(name, second)
    emulator.faults.reset()
    const rotated = next('rotate')
    now += 1_000
    expect(await provider.getSecret(name)).toBe(first)
    const rotation: RotateEvent = await rotated
    expect(rotation).toEqual({ name, oldVersion: v1, newVersion: v2 })
    expect(await provider.getSecret(name)).toBe(second)
    expect(provider.describe(name)).toMatchObject({ stale: false, version: v2 })
  })

  it('stops serving the stale value after maxStale and then reports the outage', async () => {
    const { name, value } = await cachedThenExpiredUnder('app/long-outage', 'long-outage', 'unavailable')
    expect(await provider.getSecret(name)).toBe(value)
    now = TTL + MAX_STALE
    const error = await provider.getSecret(name).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      secretName: name,
      source: 'aws-secrets-manager',
    })
    assertNoCanary(inspect(error, { depth: 8 }), 'the error after maxStale')
  })

  it('a malformed 200 answer (HTML page, truncated JSON, no value) is transient: value and handle survive within maxStale', async () => {
    const name = 'app/malformed'
    const value = canary('malformed')
    const { versionId } = emulator.createSecret(name, value)
    const handle = provider.handle(name)
    await handle.ready()
    const malformed = [
      { status: 200, body: '<html><body>Sign in to the proxy</body></html>', contentType: 'text/html' },
      {
        status: 200,
        body: `{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-abcdef","Name":"`,
      },
      { status: 200, body: '{}' },
      { status: 200, body: '' },
    ]
    for (const fault of malformed) {
      emulator.faults.reset()
      emulator.faults.fail(fault, { times: Number.POSITIVE_INFINITY })
      // The first failure marks the entry stale; later ones fail a background reload.
      const failed = Promise.race([next('stale'), next('error')])
      now += TTL
      expect(await provider.getSecret(name)).toBe(value)
      expect((await failed).error).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
      expect(handle.reveal()).toBe(value)
      expect(provider.describe(name)).toMatchObject({ stale: true, version: versionId })
      now += 1_000
    }
    expect(
      emulator.calls('GetSecretValue').filter((c) => c.fault === 'custom').length,
    ).toBeGreaterThanOrEqual(malformed.length)
    emulator.faults.reset()
    now += 1_000
    await provider.refresh(name)
    expect(provider.describe(name)).toMatchObject({ stale: false, version: versionId })
  })

  it('with confirmDenial: 0, a permanent error during the outage is never hidden by the stale value', async () => {
    // the default confirms a denial before dropping a held value (test/auth-blip.test.ts)
    await provider.close()
    provider = outageProvider({ confirmDenial: 0 })
    const { name } = await cachedThenExpiredUnder('app/revoked', 'revoked', 'accessDenied')
    const error = await provider.getSecret(name).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: ErrorCode.ACCESS_DENIED })
    expect(emulator.callCount('GetSecretValue')).toBe(2)
  })
})
