import { inspect } from 'node:util'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import {
  ErrorCode,
  SecretAccessDeniedError,
  SecretError,
  SecretNotFoundError,
  SecretThrottledError,
  SecretUnavailableError,
} from './errors.js'
import { MemorySource } from './sources/memory.js'
import type { CacheOptions, LoadedSecret, SecretLogger } from './types.js'

const quietLogger: SecretLogger = { warn: () => undefined }
const noJitter: CacheOptions = { random: () => 0.5, jitter: 0, logger: quietLogger }

function provider(source: ConstructorParameters<typeof CachedSecretProvider>[0], options: CacheOptions = {}) {
  return new CachedSecretProvider(source, { ...noJitter, ...options })
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

// Each test builds its own source and provider on purpose, so it reads alone.
describe('TTL', () => {
  it('serves from cache until the TTL passes, then loads again', async () => {
    const source = new MemorySource({ 'db/password': canary('ttl') })
    const p = provider(source, { ttl: 10_000, refreshAhead: 0 })
    await p.getSecret('db/password')
    await p.getSecret('db/password')
    expect(source.loads).toBe(1)
    vi.advanceTimersByTime(9_999)
    await p.getSecret('db/password')
    expect(source.loads).toBe(1)
    vi.advanceTimersByTime(1)
    await p.getSecret('db/password')
    expect(source.loads).toBe(2)
    expect(p.stats()).toMatchObject({ hits: 2, misses: 2, loads: 2 })
  })

  it('lets a source ttlMs shorten the TTL', async () => {
    const source = new ScriptedSource().always('lease', {
      value: canary('lease'),
      version: 'l1',
      ttlMs: 2_000,
    })
    const p = provider(source, { ttl: 60_000, refreshAhead: 0 })
    await p.getSecret('lease')
    vi.advanceTimersByTime(2_000)
    await p.getSecret('lease')
    expect(source.count('lease')).toBe(2)
  })

  it('spreads refresh times with jitter so instances do not refresh in lockstep', async () => {
    const source = new MemorySource({ a: canary('jitter') })
    const early = new CachedSecretProvider(source, {
      ttl: 100_000,
      jitter: 0.1,
      random: () => 0.99,
      logger: quietLogger,
    })
    const late = new CachedSecretProvider(source, {
      ttl: 100_000,
      jitter: 0.1,
      random: () => 0,
      logger: quietLogger,
    })
    await early.getSecret('a')
    await late.getSecret('a')
    vi.advanceTimersByTime(71_000)
    await early.getSecret('a')
    await late.getSecret('a')
    // the first provider's refresh point was ~70.1 s, the second's 80 s
    expect(source.loads).toBe(3)
  })
})

describe('refresh-ahead', () => {
  it('reloads an entry in use in the background before it expires; callers never wait', async () => {
    const source = new ScriptedSource()
    let n = 0
    source.always('k', async () => {
      await new Promise((resolve) => setTimeout(resolve, 500))
      return { value: canary(`v${++n}`), version: `v${n}` }
    })
    const p = provider(source, { ttl: 10_000, refreshAhead: 0.8 })
    const first = p.getSecret('k')
    await vi.advanceTimersByTimeAsync(500)
    await first
    vi.advanceTimersByTime(8_000)
    const before = await p.getSecret('k') // triggers the background reload, answers at once
    expect(p.describe('k')?.version).toBe('v1')
    await vi.advanceTimersByTimeAsync(500)
    expect(p.describe('k')?.version).toBe('v2')
    expect(await p.getSecret('k')).not.toBe(before)
    expect(source.count('k')).toBe(2)
  })

  it('keeps pinned entries (handles) fresh with a timer even when nobody reads them', async () => {
    const source = new MemorySource({ k: canary('pinned') })
    const p = provider(source, { ttl: 10_000, refreshAhead: 0.5 })
    await p.handle('k').ready()
    expect(source.loads).toBe(1)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(source.loads).toBe(2)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(source.loads).toBe(3)
    await p.close()
  })

  it('is off with refreshAhead: 0', async () => {
    const source = new MemorySource({ k: canary('off') })
    const p = provider(source, { ttl: 10_000, refreshAhead: 0 })
    await p.getSecret('k')
    vi.advanceTimersByTime(9_000)
    await p.getSecret('k')
    await vi.advanceTimersByTimeAsync(100)
    expect(source.loads).toBe(1)
  })
})

describe('single-flight', () => {
  it('shares one load among 10,000 concurrent cold callers', async () => {
    const source = new ScriptedSource().always('hot', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return { value: canary('hot'), version: '1' }
    })
    const p = provider(source)
    const all = Promise.all(Array.from({ length: 10_000 }, () => p.getSecret('hot')))
    await vi.advanceTimersByTimeAsync(20)
    const values = await all
    expect(new Set(values).size).toBe(1)
    expect(source.count('hot')).toBe(1)
  })

  it('loads many names at once without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    const source = new ScriptedSource()
    for (let i = 0; i < 30; i++) {
      source.always(`n${i}`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        return { value: canary(`n${i}`), version: '1' }
      })
    }
    const p = provider(source)
    const all = Promise.all(Array.from({ length: 30 }, (_, i) => p.getSecret(`n${i}`)))
    await vi.advanceTimersByTimeAsync(20)
    await all
    await new Promise((resolve) => process.nextTick(resolve))
    process.off('warning', onWarning)
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
  })

  it('shares a forced refresh with a concurrent miss', async () => {
    const source = new ScriptedSource().always('x', async () => {
      await new Promise((resolve) => setTimeout(resolve, 10))
      return { value: canary('x'), version: '1' }
    })
    const p = provider(source)
    const a = p.getSecret('x')
    const b = p.refresh('x')
    await vi.advanceTimersByTimeAsync(10)
    await Promise.all([a, b])
    expect(source.count('x')).toBe(1)
  })
})

describe('stale-if-error', () => {
  it('serves the last good value through a transient outage, emits stale, and recovers by itself', async () => {
    const good = canary('stale')
    const source = new ScriptedSource().queue('db', { value: good, version: '1' })
    source.always('db', new SecretUnavailableError({ secretName: 'db' }))
    const p = provider(source, {
      ttl: 1_000,
      refreshAhead: 0,
      maxStale: 60_000,
      retry: { retries: 1, baseDelay: 10 },
    })
    const stale = vi.fn()
    p.on('stale', stale)
    await p.getSecret('db')
    vi.advanceTimersByTime(1_000)
    const during = p.getSecret('db')
    await vi.advanceTimersByTimeAsync(50)
    expect(await during).toBe(good)
    expect(stale).toHaveBeenCalledTimes(1)
    expect(stale.mock.calls[0]?.[0]).toMatchObject({ name: 'db' })
    expect(p.describe('db')?.stale).toBe(true)
    // while stale, callers answer at once, and reads do not hammer the failing backend
    const callsBefore = source.count('db')
    for (let i = 0; i < 100; i++) expect(await p.getSecret('db')).toBe(good)
    await vi.advanceTimersByTimeAsync(500)
    expect(source.count('db')).toBe(callsBefore)
    expect(p.stats().staleServed).toBeGreaterThanOrEqual(101)

    const fresh = canary('fresh')
    source.always('db', { value: fresh, version: '2' })
    await vi.advanceTimersByTimeAsync(1_100)
    await p.getSecret('db') // kicks the background reload once the back-off passed
    await vi.advanceTimersByTimeAsync(10)
    expect(await p.getSecret('db')).toBe(fresh)
    expect(p.describe('db')?.stale).toBe(false)
  })

  it('stops serving a stale value after maxStale', async () => {
    const source = new ScriptedSource().queue('db', { value: canary('old'), version: '1' })
    source.always('db', new SecretUnavailableError({ secretName: 'db' }))
    const p = provider(source, { ttl: 1_000, refreshAhead: 0, maxStale: 5_000, retry: { retries: 0 } })
    await p.getSecret('db')
    vi.advanceTimersByTime(6_001)
    await expect(p.getSecret('db')).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE })
  })

  it('never hides a permanent error behind stale data', async () => {
    const source = new ScriptedSource().queue('db', { value: canary('gone'), version: '1' })
    source.always('db', new SecretNotFoundError({ secretName: 'db' }))
    const p = provider(source, { ttl: 1_000, refreshAhead: 0, maxStale: 60_000 })
    await p.getSecret('db')
    vi.advanceTimersByTime(1_000)
    await expect(p.getSecret('db')).rejects.toBeInstanceOf(SecretNotFoundError)
    expect(source.count('db')).toBe(2)
  })

  it('does not serve stale past a source-imposed lifetime (a lease)', async () => {
    const source = new ScriptedSource().queue('creds', {
      value: canary('lease'),
      version: 'l1',
      ttlMs: 1_000,
    })
    source.always('creds', new SecretUnavailableError({ secretName: 'creds' }))
    const p = provider(source, { maxStale: 60_000, refreshAhead: 0, retry: { retries: 0 } })
    await p.getSecret('creds')
    vi.advanceTimersByTime(1_000)
    await expect(p.getSecret('creds')).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE })
  })
})

describe('errors and retries', () => {
  it('retries transient errors with backoff, then succeeds', async () => {
    const source = new ScriptedSource().queue(
      'x',
      new SecretThrottledError({ secretName: 'x' }),
      new SecretUnavailableError({ secretName: 'x' }),
      { value: canary('retry'), version: '1' },
    )
    const p = provider(source, { retry: { retries: 3, baseDelay: 100, maxDelay: 2_000 } })
    const got = p.getSecret('x')
    await vi.advanceTimersByTimeAsync(1_000)
    await expect(got).resolves.toContain('retry')
    expect(source.count('x')).toBe(3)
  })

  it('gives up after the configured retries with the last transient error', async () => {
    const source = new ScriptedSource().always('x', new SecretUnavailableError({ secretName: 'x' }))
    const p = provider(source, { retry: { retries: 2, baseDelay: 10 } })
    const got = p.getSecret('x')
    const assertion = expect(got).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
    await vi.advanceTimersByTimeAsync(1_000)
    await assertion
    expect(source.count('x')).toBe(3)
  })

  it('never retries permanent errors', async () => {
    const source = new ScriptedSource().always('x', new SecretAccessDeniedError({ secretName: 'x' }))
    const p = provider(source)
    await expect(p.getSecret('x')).rejects.toMatchObject({ code: ErrorCode.ACCESS_DENIED, transient: false })
    expect(source.count('x')).toBe(1)
  })

  it('wraps anything else a source throws as a transient SecretUnavailableError with the cause', async () => {
    const boom = new TypeError('socket hang up')
    const source = new ScriptedSource().always('x', boom)
    const p = provider(source, { retry: { retries: 0 } })
    const error = await p.getSecret('x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect(error).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      secretName: 'x',
      source: 'scripted',
      cause: boom,
    })
  })

  it('times out a slow attempt through the AbortSignal and retries it', async () => {
    const source = new ScriptedSource()
    source.queue(
      'slow',
      (_name, ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    )
    source.queue('slow', { value: canary('slow'), version: '1' })
    const p = provider(source, { timeout: 1_000, retry: { retries: 1, baseDelay: 1 } })
    const got = p.getSecret('slow')
    await vi.advanceTimersByTimeAsync(1_010)
    await expect(got).resolves.toContain('slow')
    expect(source.signals[0]?.aborted).toBe(true)
    expect(source.count('slow')).toBe(2)
  })

  it('reports SecretTimeoutError when every attempt times out', async () => {
    const source = new ScriptedSource().always('slow', () => new Promise(() => undefined))
    const p = provider(source, { timeout: 100, retry: { retries: 1, baseDelay: 1 } })
    const got = p.getSecret('slow')
    const assertion = expect(got).rejects.toMatchObject({ code: ErrorCode.TIMEOUT, transient: true })
    await vi.advanceTimersByTimeAsync(300)
    await assertion
  })

  it('rejects values over 64 KiB with ERR_SECRET_TOO_LARGE and never the value', async () => {
    const source = new MemorySource({ big: canary('big').padEnd(70_000, 'x') })
    const p = provider(source)
    const error = (await p.getSecret('big').catch((e: unknown) => e)) as SecretError
    expect(error.code).toBe(ErrorCode.TOO_LARGE)
    assertNoCanary(`${error.message} ${error.stack} ${inspect(error)}`)
  })

  it('rejects bad names with ERR_SECRET_INVALID_NAME', async () => {
    const p = provider(new MemorySource())
    for (const bad of ['', 'a\nb', 'x#', '#x', 'a#b#c', 'x'.repeat(3000), 42 as unknown as string]) {
      await expect(p.getSecret(bad)).rejects.toMatchObject({ code: ErrorCode.INVALID_NAME })
    }
  })
})

describe('JSON fields', () => {
  it('selects a field with name#field and parses with getJson', async () => {
    const password = canary('pw')
    const source = new MemorySource({ 'db/creds': JSON.stringify({ username: 'app', password, port: 5432 }) })
    const p = provider(source)
    expect(await p.getSecret('db/creds#password')).toBe(password)
    expect(await p.getSecret('db/creds#port')).toBe('5432')
    expect(await p.getJson<{ username: string }>('db/creds')).toMatchObject({ username: 'app' })
    expect(source.loads).toBe(1)
  })

  it('says where JSON parsing failed without quoting the text', async () => {
    const secret = canary('notjson')
    const p = provider(new MemorySource({ raw: `{"a": ${secret}` }))
    const error = (await p.getSecret('raw#a').catch((e: unknown) => e)) as SecretError
    expect(error.code).toBe(ErrorCode.INVALID_JSON)
    expect(error.message).toMatch(/character \d+/)
    assertNoCanary(`${error.message} ${error.stack} ${inspect(error, { depth: 5 })} ${JSON.stringify(error)}`)
  })

  it('names a missing field', async () => {
    const p = provider(new MemorySource({ creds: JSON.stringify({ username: 'app' }) }))
    await expect(p.getSecret('creds#password')).rejects.toMatchObject({
      code: ErrorCode.INVALID_JSON,
      field: 'password',
    })
  })
})

describe('rotation', () => {
  it("emits 'rotate' with old and new versions, and handles see the new value", async () => {
    const source = new MemorySource({ db: canary('r1') })
    const p = provider(source, { ttl: 1_000, refreshAhead: 0 })
    const handle = p.handle('db')
    await handle.ready()
    const rotations: unknown[] = []
    p.on('rotate', (event) => rotations.push(event))
    const changed = vi.fn()
    handle.onChange(changed)
    const next = canary('r2')
    source.set('db', next)
    await p.refresh('db')
    expect(rotations).toEqual([{ name: 'db', oldVersion: 'v1', newVersion: 'v2' }])
    expect(handle.reveal()).toBe(next)
    expect(handle.version).toBe('v2')
    expect(changed).toHaveBeenCalledWith({ name: 'db', oldVersion: 'v1', newVersion: 'v2' })
    expect(p.stats().rotations).toBe(1)
  })

  it('detects rotation by content hash when the source has no versions', async () => {
    let value = canary('h1')
    const source = new ScriptedSource().always('x', async () => ({ value }))
    const p = provider(source)
    const rotate = vi.fn()
    p.on('rotate', rotate)
    await p.getSecret('x')
    await p.refresh('x')
    expect(rotate).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1_000)
    value = canary('h2')
    await p.refresh('x')
    expect(rotate).toHaveBeenCalledTimes(1)
    expect(rotate.mock.calls[0]?.[0].newVersion).toMatch(/^hmac:[0-9a-f]{16}$/)
  })
})

describe('forced refresh', () => {
  it('is rate-limited per name', async () => {
    const source = new MemorySource({ x: canary('rl') })
    const p = provider(source, { minRefreshInterval: 1_000 })
    await p.getSecret('x')
    await p.refresh('x')
    await p.refresh('x')
    await p.refresh('x')
    expect(source.loads).toBe(2)
    vi.advanceTimersByTime(1_000)
    await p.refresh('x')
    expect(source.loads).toBe(3)
  })

  it('rejects when the forced reload fails', async () => {
    const source = new ScriptedSource().always('x', new SecretAccessDeniedError({ secretName: 'x' }))
    const p = provider(source)
    await expect(p.refresh('x')).rejects.toMatchObject({ code: ErrorCode.ACCESS_DENIED })
  })
})

describe('preload', () => {
  it('uses loadMany when the source has it and pins the names', async () => {
    const source = new MemorySource({ a: canary('a'), b: canary('b') })
    const loadMany = vi.fn(async (names: string[]) => {
      const out = new Map<string, LoadedSecret | Error>()
      for (const name of names) out.set(name, await source.load(name))
      return out
    })
    const batching = Object.assign(Object.create(source), {
      name: 'memory',
      loadMany,
      load: source.load.bind(source),
    })
    const p = provider(batching)
    await p.preload(['a', 'b'])
    expect(loadMany).toHaveBeenCalledTimes(1)
    expect(p.describe('a')?.pinned).toBe(true)
    await p.getSecret('a')
    await p.getSecret('b')
    expect(source.loads).toBe(2)
  })

  it('rejects once, naming every failure', async () => {
    const source = new MemorySource({ ok: canary('ok'), json: '{"user":"x"}' })
    const p = provider(source)
    const error = (await p
      .preload(['ok', 'missing', 'also/missing', 'json#password', 'bad\u0000name'])
      .catch((e: unknown) => e)) as SecretError & { errors: SecretError[] }
    expect(error.code).toBe(ErrorCode.PRELOAD)
    expect(error.errors.map((e) => [e.secretName, e.code]).sort()).toEqual(
      [
        ['missing', ErrorCode.NOT_FOUND],
        ['also/missing', ErrorCode.NOT_FOUND],
        ['json#password', ErrorCode.INVALID_JSON],
        ['bad\u0000name', ErrorCode.INVALID_NAME],
      ].sort(),
    )
    expect(error.message).toContain('also/missing')
  })
})

describe('bounds and lifecycle', () => {
  it('evicts the least recently used unpinned entry past maxEntries', async () => {
    const source = new MemorySource({ a: canary('a'), b: canary('b'), c: canary('c'), d: canary('d') })
    const p = provider(source, { maxEntries: 3 })
    p.handle('a')
    await p.getSecret('a')
    await p.getSecret('b')
    vi.advanceTimersByTime(1)
    await p.getSecret('c')
    vi.advanceTimersByTime(1)
    await p.getSecret('d')
    expect(p.describe('a')).toBeDefined()
    expect(p.describe('b')).toBeUndefined()
    expect(p.stats()).toMatchObject({ size: 3, evictions: 1 })
  })

  it('rejects every call after close() with ERR_PROVIDER_CLOSED and stops timers', async () => {
    const source = new MemorySource({ a: canary('a') })
    const p = provider(source)
    const handle = p.handle('a')
    await handle.ready()
    await p.close()
    await expect(p.getSecret('a')).rejects.toMatchObject({ code: ErrorCode.PROVIDER_CLOSED })
    await expect(p.preload(['a'])).rejects.toMatchObject({ code: ErrorCode.PROVIDER_CLOSED })
    await expect(p.refresh('a')).rejects.toMatchObject({ code: ErrorCode.PROVIDER_CLOSED })
    expect(() => p.handle('b')).toThrow(expect.objectContaining({ code: ErrorCode.PROVIDER_CLOSED }))
    expect(vi.getTimerCount()).toBe(0)
  })

  it('aborts a load in flight on close()', async () => {
    const source = new ScriptedSource().always(
      'x',
      (_n, ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    )
    const p = provider(source)
    const got = p.getSecret('x')
    await p.close()
    await expect(got).rejects.toBeInstanceOf(SecretError)
    expect(source.signals[0]?.aborted).toBe(true)
  })

  it('validates options at construction', () => {
    const source = new MemorySource()
    expect(() => new CachedSecretProvider(source, { ttl: -1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
    expect(() => new CachedSecretProvider(source, { refreshAhead: 1.5 })).toThrow(/refreshAhead/)
    expect(() => new CachedSecretProvider({} as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
  })

  it('uses the injected clock', async () => {
    let now = 1_000_000
    vi.useRealTimers()
    const source = new MemorySource({ a: canary('clock') })
    const p = new CachedSecretProvider(source, {
      clock: () => now,
      ttl: 100,
      refreshAhead: 0,
      logger: quietLogger,
    })
    await p.getSecret('a')
    expect(p.describe('a')?.loadedAt).toBe(1_000_000)
    now += 100
    await p.getSecret('a')
    expect(source.loads).toBe(2)
    await p.close()
  })

  it('never shows values in inspect, JSON or describe output', async () => {
    const value = canary('inspect')
    const p = provider(new MemorySource({ a: value }))
    const handle = p.handle('a')
    await handle.ready()
    assertNoCanary(inspect(p, { depth: 10, showHidden: true }))
    assertNoCanary(JSON.stringify(p))
    assertNoCanary(JSON.stringify(p.describe('a')))
    assertNoCanary(inspect(handle, { depth: 10, showHidden: true }))
    assertNoCanary(`${handle} ${String(handle)} ${JSON.stringify({ handle })}`)
    expect(String(handle)).toBe('[REDACTED a]')
  })
})

describe('redaction of JSON secrets', () => {
  it('scrubs each secret field on its own (a password in a connection string) but not host or dbname', async () => {
    const password = canary('field', '"%+/&=')
    const source = new MemorySource({
      'db/creds': JSON.stringify({
        engine: 'postgres',
        host: 'db.internal',
        dbname: 'orders',
        username: 'app',
        password,
      }),
    })
    const p = provider(source, { minRefreshInterval: 0 })
    await p.getSecret('db/creds')
    const line = `connecting to postgres://app:${encodeURIComponent(password)}@db.internal/orders`
    const out = p.redactor.redact(line)
    assertNoCanary(out)
    expect(out).toBe('connecting to postgres://app:[REDACTED]@db.internal/orders')
    const next = canary('field2')
    source.set('db/creds', JSON.stringify({ username: 'app', password: next }))
    await p.refresh('db/creds')
    assertNoCanary(p.redactor.redact(`old ${password} new ${next}`))
  })
})
