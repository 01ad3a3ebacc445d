import { CachedSecretProvider, InvalidOptionsError, MemorySource } from '@latchkey/core'
import { describe, expect, it } from 'vitest'
import { RotatingPool, type RotatingPoolOptions } from './index.js'

const source = () =>
  new MemorySource({ 'db/creds': JSON.stringify({ username: 'app', password: 'unused-here' }) })

function build(options: Record<string, unknown>): RotatingPool {
  return new RotatingPool(options as unknown as RotatingPoolOptions)
}

describe('RotatingPool options', () => {
  it.each([
    ['neither secret nor passwordSecret', { source: source() }, /"secret".*"passwordSecret"/],
    [
      'both secret and passwordSecret',
      { source: source(), secret: 'a', passwordSecret: 'b', user: 'u' },
      /not both/,
    ],
    [
      'passwordSecret without user',
      { source: source(), passwordSecret: 'db/password' },
      /needs a fixed "user"/,
    ],
    ['an empty secret name', { source: source(), secret: '' }, /"secret" must be/],
    ['a password', { source: source(), secret: 'db/creds', password: 'x' }, /do not pass "password"/],
    ['neither provider nor source', { secret: 'db/creds' }, /provider.*source/],
    [
      'a non-boolean retireOnRotate',
      { source: source(), secret: 'db/creds', retireOnRotate: 'yes' },
      /retireOnRotate/,
    ],
    [
      'a negative maxLifetimeMillis',
      { source: source(), secret: 'db/creds', maxLifetimeMillis: -1 },
      /maxLifetimeMillis/,
    ],
    [
      'both lifetimes',
      { source: source(), secret: 'db/creds', maxLifetimeMillis: 1_000, maxLifetimeSeconds: 1 },
      /not both/,
    ],
    ['a bad authRetry', { source: source(), secret: 'db/creds', authRetry: 5 }, /authRetry/],
    [
      'a zero authRetry.timeout',
      { source: source(), secret: 'db/creds', authRetry: { timeout: 0 } },
      /authRetry.timeout/,
    ],
  ])('throws InvalidOptionsError at construction for %s', (_, options, message) => {
    let error: unknown
    try {
      build(options)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect(error).toMatchObject({ code: 'ERR_SECRET_INVALID_OPTIONS' })
    expect(String((error as Error).message)).toMatch(message)
  })

  it('passes pg options to pg and keeps its own and the cache options out of them', async () => {
    const pool = build({
      source: source(),
      secret: 'db/creds',
      ttl: 60_000,
      minRefreshInterval: 0,
      max: 7,
      idleTimeoutMillis: 1_234,
      maxLifetimeMillis: 2_500,
      application_name: 'latchkey-test',
    })
    expect(pool.options).toMatchObject({ max: 7, idleTimeoutMillis: 1_234, maxLifetimeSeconds: 2.5 })
    expect(pool.options).toMatchObject({ application_name: 'latchkey-test' })
    for (const key of ['secret', 'source', 'ttl', 'minRefreshInterval', 'maxLifetimeMillis', 'authRetry']) {
      expect(pool.options).not.toHaveProperty(key)
    }
    await pool.end()
  })

  it('uses a given provider without closing it on end()', async () => {
    const provider = new CachedSecretProvider(source())
    const pool = new RotatingPool({ provider, secret: 'db/creds' })
    expect(pool.provider).toBe(provider)
    await pool.end()
    expect(provider.closed).toBe(false)
    await provider.close()
  })

  it('end() with a callback calls it once the pool has ended', async () => {
    const pool = build({ source: source(), secret: 'db/creds' })
    await new Promise<void>((resolve) => pool.end(resolve))
    expect(pool.ended).toBe(true)
    expect(pool.provider.closed).toBe(true)
    await expect(pool.end()).rejects.toThrow(/more than once/)
  })
})
