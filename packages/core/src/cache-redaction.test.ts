/**
 * What providers register with the process-wide redactor, and for how long: every string a
 * provider can hand out is scrubbed while anything holds it, and for the retention after.
 */

import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { SecretRedactor, sharedRedactor } from './redactor.js'
import { MemorySource } from './sources/memory.js'
import type { CacheOptions } from './types.js'

const HOUR = 3_600_000
const quiet: CacheOptions = { logger: { warn: () => undefined }, jitter: 0, minRefreshInterval: 0 }

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Lets 25 hours pass (past the default 24 h retention) and lets the redactor prune. */
function twentyFiveHoursLater(): void {
  vi.setSystemTime(Date.now() + 25 * HOUR)
  sharedRedactor().prune()
}

describe('the process-wide redactor', () => {
  it('scrubs the values of every provider, whoever made it, with no provider passed around', async () => {
    const a = canary('first', ' "quoted"')
    const b = canary('second', "!'()*")
    const one = new CachedSecretProvider(new MemorySource({ a }), quiet)
    const two = new CachedSecretProvider(new MemorySource({ b }), quiet)
    await one.getSecret('a')
    await two.getSecret('b')
    expect(one.redactor).toBe(sharedRedactor())
    expect(two.redactor).toBe(sharedRedactor())
    const line = JSON.stringify({ msg: `a=${a} b=${encodeURIComponent(b)} ${new URLSearchParams({ b })}` })
    assertNoCanary(sharedRedactor().redact(line))
  })

  it('keeps a provider built with its own redactor out of the shared one', async () => {
    const value = canary('own')
    const own = new SecretRedactor()
    const p = new CachedSecretProvider(new MemorySource({ x: value }), { ...quiet, redactor: own })
    await p.getSecret('x')
    expect(p.redactor).toBe(own)
    expect(own.contains(value)).toBe(true)
    expect(sharedRedactor().contains(value)).toBe(false)
  })

  it('rejects a redactor option that is not a redactor, with a typed error', () => {
    expect(
      () =>
        new CachedSecretProvider(new MemorySource(), {
          redactor: {} as unknown as SecretRedactor,
        }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }))
  })
})

describe('what is registered', () => {
  it('scrubs every field getSecret can return: numbers, nested objects, deep strings', async () => {
    const deep = canary('deep')
    const pin = 482913 + Math.floor(Math.random() * 1_000)
    const value = JSON.stringify({
      pin,
      nested: { a: { b: { c: { d: { e: { token: deep } } } } } },
      engine: 'postgres',
    })
    const p = new CachedSecretProvider(new MemorySource({ cfg: value }), quiet)
    const pinText = await p.getSecret('cfg#pin')
    const nestedText = await p.getSecret('cfg#nested')
    const r = sharedRedactor()
    expect(r.redact(`pin=${pinText}`)).toBe('pin=[REDACTED]')
    expect(r.redact(`nested=${nestedText}`)).toBe('nested=[REDACTED]')
    expect(r.redact(`token ${deep}`)).toBe('token [REDACTED]')
    // not secret in the RDS rotation format, and would shred ordinary words
    expect(r.redact('engine postgres')).toBe('engine postgres')
  })

  it('scrubs a short value where it stands whole and reports its name once, never the value', async () => {
    const warn = vi.fn()
    const short = `k${Math.random().toString(36).slice(2, 6)}`
    const p = new CachedSecretProvider(new MemorySource({ 'short/pin': short }), {
      ...quiet,
      logger: { warn },
    })
    await p.getSecret('short/pin')
    await p.refresh('short/pin')
    const r = sharedRedactor()
    expect(r.redact(JSON.stringify({ pin: short }))).toBe('{"pin":"[REDACTED]"}')
    expect(r.redact(`postgres://app:${short}@db/app`)).toBe('postgres://app:[REDACTED]@db/app')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toContain('short/pin')
    expect(JSON.stringify(warn.mock.calls)).not.toContain(short)
  })
})

describe('reference counting across rotations', () => {
  it('keeps an unchanged field of a rotated JSON secret scrubbed long after the retention', async () => {
    const username = 'app'
    const apiKey = canary('kept')
    const oldPassword = canary('old')
    const newPassword = canary('new')
    const source = new MemorySource({
      db: JSON.stringify({ username, password: oldPassword, apiKey }),
    })
    const p = new CachedSecretProvider(source, quiet)
    await p.getSecret('db')
    source.set('db', JSON.stringify({ username, password: newPassword, apiKey }))
    await p.refresh('db')
    const r = sharedRedactor()
    expect(r.contains(oldPassword)).toBe(true)
    twentyFiveHoursLater()
    expect(r.contains(apiKey)).toBe(true)
    expect(r.contains(newPassword)).toBe(true)
    expect(r.contains(oldPassword)).toBe(false)
  })

  it('keeps a value that another name still holds scrubbed after one name rotates', async () => {
    const sharedValue = canary('twice')
    const source = new MemorySource({ 'a/key': sharedValue, 'b/key': sharedValue })
    const p = new CachedSecretProvider(source, quiet)
    await p.getSecret('a/key')
    await p.getSecret('b/key')
    source.set('a/key', canary('rotated'))
    await p.refresh('a/key')
    twentyFiveHoursLater()
    expect(sharedRedactor().contains(`x ${sharedValue} y`)).toBe(true)
  })

  it('keeps a value two providers hold scrubbed while either holds it', async () => {
    const value = canary('both')
    const one = new CachedSecretProvider(new MemorySource({ k: value }), quiet)
    const two = new CachedSecretProvider(new MemorySource({ k: value }), quiet)
    await one.getSecret('k')
    await two.getSecret('k')
    await one.close()
    twentyFiveHoursLater()
    expect(sharedRedactor().contains(value)).toBe(true)
    await two.close()
    expect(sharedRedactor().contains(value)).toBe(true)
    twentyFiveHoursLater()
    expect(sharedRedactor().contains(value)).toBe(false)
  })

  it('lets go of every field of an evicted JSON secret, and only after the retention', async () => {
    const password = canary('evicted-field')
    const apiKey = canary('evicted-key')
    const source = new MemorySource({ db: JSON.stringify({ password, apiKey }), other: canary('other') })
    const p = new CachedSecretProvider(source, { ...quiet, maxEntries: 1 })
    const whole = await p.getSecret('db')
    await p.getSecret('other')
    expect(p.stats().evictions).toBe(1)
    const r = sharedRedactor()
    for (const part of [whole, password, apiKey]) expect(r.contains(part)).toBe(true)
    // closed first, so that no retention outlives the test (the redactor prunes in release order)
    await p.close()
    twentyFiveHoursLater()
    for (const part of [whole, password, apiKey]) expect(r.contains(part)).toBe(false)
  })

  it('holds and lets go exactly when a value turns from JSON to plain text and back', async () => {
    const jsonPassword = canary('json-then')
    const plain = canary('plain-now')
    const laterPassword = canary('json-again')
    const first = JSON.stringify({ password: jsonPassword })
    const source = new MemorySource({ k: first })
    const p = new CachedSecretProvider(source, quiet)
    await p.getSecret('k')
    source.set('k', plain)
    await p.refresh('k')
    twentyFiveHoursLater()
    const r = sharedRedactor()
    expect(r.contains(first)).toBe(false)
    expect(r.contains(jsonPassword)).toBe(false)
    expect(r.contains(plain)).toBe(true)
    const later = JSON.stringify({ password: laterPassword })
    source.set('k', later)
    await p.refresh('k')
    twentyFiveHoursLater()
    expect(r.contains(plain)).toBe(false)
    expect(r.contains(later)).toBe(true)
    expect(r.contains(laterPassword)).toBe(true)
    await p.close()
    twentyFiveHoursLater()
    expect(r.contains(laterPassword)).toBe(false)
  })

  it('starts the retention when an entry is evicted, and honours redactRetention', async () => {
    const values = [canary('e0'), canary('e1'), canary('e2')]
    const source = new MemorySource(Object.fromEntries(values.map((v, i) => [`n${i}`, v])))
    const p = new CachedSecretProvider(source, { ...quiet, maxEntries: 2, redactRetention: HOUR })
    for (let i = 0; i < 3; i++) {
      await p.getSecret(`n${i}`)
      vi.advanceTimersByTime(10)
    }
    expect(p.stats().evictions).toBe(1)
    expect(sharedRedactor().contains(values[0] as string)).toBe(true)
    vi.setSystemTime(Date.now() + HOUR + 1)
    sharedRedactor().prune()
    expect(sharedRedactor().contains(values[0] as string)).toBe(false)
    expect(sharedRedactor().contains(values[1] as string)).toBe(true)
  })
})
