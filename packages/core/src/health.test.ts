/**
 * `provider.health()` / `secretsHealth()` (issue 16): fresh, stale (since when), expired, failing and
 * missing, which secrets are required, and that no value is ever in a report.
 */
import { inspect } from 'node:util'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import { InvalidOptionsError, SecretAccessDeniedError, SecretUnavailableError } from './errors.js'
import { secretsHealth } from './health.js'
import type { CacheOptions } from './types.js'

const START = 1_700_000_000_000

function setup() {
  const clock = { now: START }
  const source = new ScriptedSource()
  const provider = new CachedSecretProvider(source, {
    logger: { warn: () => undefined },
    jitter: 0,
    random: () => 0.5,
    retry: { retries: 0 },
    ttl: 60_000,
    maxStale: 600_000,
    refreshAhead: 0,
    clock: () => clock.now,
  } satisfies CacheOptions)
  return { clock, source, provider }
}

function assertNoValue(report: unknown): void {
  assertNoCanary(JSON.stringify(report), 'a health report (JSON)')
  assertNoCanary(inspect(report, { depth: 10 }), 'a health report (inspect)')
}

// The report entries are spelled out in full in each test on purpose: the report's shape is the contract.
describe('secretsHealth', () => {
  it('reports a fresh value with its version and age, and is ok', async () => {
    const { clock, source, provider } = setup()
    source.always('db', { value: canary('db'), version: 'v1' })
    await provider.preload(['db'])
    clock.now += 5_000
    const report = secretsHealth(provider)
    expect(report).toEqual({
      status: 'ok',
      source: 'scripted',
      checkedAt: START + 5_000,
      secrets: [
        {
          name: 'db',
          status: 'fresh',
          servable: true,
          required: true,
          loading: false,
          version: 'v1',
          loadedAt: START,
          ageMs: 5_000,
          expiresAt: START + 60_000,
        },
      ],
    })
    assertNoValue(report)
    await provider.close()
  })

  it('a value served past expiry because reloads fail is stale since its expiry: degraded, not down', async () => {
    const { clock, source, provider } = setup()
    source
      .queue('db', { value: canary('db'), version: 'v1' })
      .always('db', new SecretUnavailableError({ secretName: 'db' }, 'backend down'))
    await provider.getSecret('db')
    clock.now += 90_000
    await provider.getSecret('db') // the reload fails; the value is served stale
    const report = provider.health(['db'])
    expect(report.status).toBe('degraded')
    expect(report.secrets).toEqual([
      {
        name: 'db',
        status: 'stale',
        servable: true,
        required: true,
        loading: false,
        version: 'v1',
        loadedAt: START,
        ageMs: 90_000,
        expiresAt: START + 60_000,
        staleSince: START + 60_000,
        staleUntil: START + 660_000,
        errorCode: 'ERR_SECRET_UNAVAILABLE',
      },
    ])
    assertNoValue(report)
    // past maxStale nothing can be served: a required secret makes the report down
    clock.now = START + 700_000
    expect(provider.health(['db'])).toMatchObject({
      status: 'down',
      secrets: [{ name: 'db', status: 'failing', servable: false, errorCode: 'ERR_SECRET_UNAVAILABLE' }],
    })
    await provider.close()
  })

  it('a secret whose first load failed is failing with its code; one never loaded is missing; both are down', async () => {
    const { source, provider } = setup()
    source.always('api', new SecretUnavailableError({ secretName: 'api' }, 'down'))
    source.always('denied', new SecretAccessDeniedError({ secretName: 'denied' }))
    await expect(provider.getSecret('api')).rejects.toThrow()
    await expect(provider.getSecret('denied')).rejects.toThrow()
    const report = provider.health(['api', 'denied', 'never'])
    expect(report.status).toBe('down')
    expect(report.secrets).toEqual([
      {
        name: 'api',
        status: 'failing',
        servable: false,
        required: true,
        loading: false,
        errorCode: 'ERR_SECRET_UNAVAILABLE',
      },
      {
        name: 'denied',
        status: 'failing',
        servable: false,
        required: true,
        loading: false,
        errorCode: 'ERR_SECRET_ACCESS_DENIED',
      },
      { name: 'never', status: 'missing', servable: false, required: true, loading: false },
    ])
    await provider.close()
  })

  it('without names, only pinned secrets are required; an idle value past its TTL is expired, not stale', async () => {
    const { clock, source, provider } = setup()
    source.always('pinned', { value: canary('p'), version: 'p1' })
    source.always('idle', { value: canary('i'), version: 'i1' })
    source.always('broken', new SecretUnavailableError({ secretName: 'broken' }, 'down'))
    await provider.preload(['pinned'])
    await provider.getSecret('idle')
    await expect(provider.getSecret('broken')).rejects.toThrow()
    clock.now += 61_000
    source.queue('pinned', { value: canary('p2'), version: 'p2' })
    await provider.refresh('pinned')
    const report = provider.health()
    // 'broken' failing is not required: degraded, not down
    expect(report.status).toBe('degraded')
    expect(report.secrets.map((s) => [s.name, s.status, s.required, s.version])).toEqual([
      ['pinned', 'fresh', true, 'p2'],
      ['idle', 'expired', false, 'i1'],
      ['broken', 'failing', false, undefined],
    ])
    assertNoValue(report)
    await provider.close()
  })

  it('a field name reports its secret; bad arguments throw InvalidOptionsError', async () => {
    const { source, provider } = setup()
    source.always('db', { value: JSON.stringify({ password: canary('pw') }), version: 'v1' })
    await provider.getSecret('db#password')
    expect(provider.health(['db#password']).secrets[0]).toMatchObject({
      name: 'db#password',
      status: 'fresh',
    })
    expect(() => secretsHealth({} as never)).toThrow(InvalidOptionsError)
    expect(() => provider.health('db' as never)).toThrow(/iterable of secret names \(got string\)/)
    await provider.close()
  })
})
