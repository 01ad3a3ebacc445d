/**
 * The core under throwing listeners, failing backends, bursts, odd options, close() with a source
 * that ignores its signal, leases and hostile JSON (issue 11).
 */

import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import { ErrorCode, InvalidSecretJsonError, SecretError, SecretUnavailableError } from './errors.js'
import { MemorySource } from './sources/memory.js'
import type { CacheOptions, LoadedSecret, SecretLogger, SecretSource } from './types.js'

const quietLogger: SecretLogger = { warn: () => undefined }
const noJitter: CacheOptions = { random: () => 0.5, jitter: 0, logger: quietLogger }

function provider(source: SecretSource, options: CacheOptions = {}) {
  return new CachedSecretProvider(source, { ...noJitter, ...options })
}

/** Lets every pending promise callback run, without moving (fake) time. */
async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve()
}

/** Follows a promise's state without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'fulfilled' | 'rejected'; value?: T; error?: unknown } = {
    status: 'pending',
  }
  promise.then(
    (value) => {
      state.status = 'fulfilled'
      state.value = value
    },
    (error: unknown) => {
      state.status = 'rejected'
      state.error = error
    },
  )
  return state
}

/** A promise that never settles and ignores its AbortSignal: a hung backend. */
const hang = (): Promise<LoadedSecret> => new Promise<LoadedSecret>(() => undefined)

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('listener errors are isolated', () => {
  it("a throwing 'rotate' listener neither fails refresh() nor stops later listeners", async () => {
    const source = new MemorySource({ db: canary('v1') })
    const warnings: string[] = []
    const p = provider(source, {
      logger: { warn: (message, meta) => warnings.push(message + JSON.stringify(meta)) },
    })
    await p.getSecret('db')
    const seen: string[] = []
    p.on('rotate', () => {
      throw new Error('listener bug')
    })
    p.on('rotate', (e) => seen.push(e.newVersion))
    const next = canary('v2')
    source.set('db', next)
    await expect(p.refresh('db')).resolves.toBeUndefined()
    expect(seen).toEqual(['v2'])
    expect(await p.getSecret('db')).toBe(next)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain("'rotate' listener")
    assertNoCanary(warnings.join('\n'))
  })

  it('a throwing handle.onChange listener neither fails refresh() nor keeps sibling handles on the old value', async () => {
    const first = canary('pw1')
    const source = new MemorySource({ db: JSON.stringify({ username: 'app', password: first }) })
    const warnings: string[] = []
    const p = provider(source, {
      logger: { warn: (message, meta) => warnings.push(message + JSON.stringify(meta)) },
    })
    const whole = p.handle('db')
    const password = p.handle('db#password')
    await p.preload(['db'])
    const later: string[] = []
    whole.onChange(() => {
      throw new Error(`listener bug while holding ${whole.reveal()}`)
    })
    whole.onChange((e) => later.push(e.newVersion))
    password.onChange((e) => later.push(`field ${e.newVersion}`))
    const second = canary('pw2')
    source.set('db', JSON.stringify({ username: 'app', password: second }))
    await expect(p.refresh('db')).resolves.toBeUndefined()
    expect(password.reveal()).toBe(second)
    expect(JSON.parse(whole.reveal()).password).toBe(second)
    expect(later.sort()).toEqual(['field v2', 'v2'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('onChange listener')
    assertNoCanary(warnings.join('\n'))
  })

  it("throwing 'refresh', 'stale' and 'error' listeners change nothing", async () => {
    const value = canary('same')
    const source = new ScriptedSource()
      .queue('a', { value, version: '1' }, { value, version: '1' })
      .always('a', new SecretUnavailableError())
    const p = provider(source, { ttl: 10_000, retry: { retries: 0 }, logger: quietLogger })
    for (const event of ['refresh', 'stale', 'error'] as const) {
      p.on(event, () => {
        throw new Error(`${event} listener bug`)
      })
    }
    const events: string[] = []
    p.on('refresh', () => events.push('refresh'))
    p.on('stale', () => events.push('stale'))
    p.on('error', () => events.push('error'))
    await p.getSecret('a')
    await expect(p.refresh('a')).resolves.toBeUndefined() // same version: 'refresh'
    vi.advanceTimersByTime(8_000)
    await expect(p.getSecret('a')).resolves.toBe(value) // refresh-ahead starts and fails: 'error'
    await flush()
    vi.advanceTimersByTime(2_000)
    await expect(p.getSecret('a')).resolves.toBe(value) // expired, served stale at once: 'stale'
    await flush() // the reload it started fails too: 'stale' again, then 'error'
    expect(events).toEqual(['refresh', 'error', 'stale', 'stale', 'error'])
  })

  it('a logger whose warn() throws breaks nothing; the warning goes to process.emitWarning', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const source = new MemorySource({ db: canary('v1') })
    const p = provider(source, {
      logger: {
        warn() {
          throw new Error('logger down')
        },
      },
    })
    const handle = p.handle('db')
    await handle.ready()
    handle.onChange(() => {
      throw new Error('listener bug')
    })
    p.on('rotate', () => {
      throw new Error('listener bug')
    })
    const next = canary('v2')
    source.set('db', next)
    await expect(p.refresh('db')).resolves.toBeUndefined()
    expect(handle.reveal()).toBe(next)
    expect(emitted).toHaveBeenCalledTimes(2)
    assertNoCanary(JSON.stringify(emitted.mock.calls))
  })
})

describe('stale-if-error starts at once', () => {
  it('after a failed refresh-ahead, readers at expiry get the stale value at once while a reload runs', async () => {
    const value = canary('stale')
    let failing = false
    const source = new ScriptedSource().always('db', () =>
      failing ? Promise.reject(new SecretUnavailableError()) : Promise.resolve({ value, version: '1' }),
    )
    const p = provider(source, { ttl: 10_000, maxStale: 60_000, retry: { retries: 1, baseDelay: 100 } })
    await p.getSecret('db')
    failing = true
    vi.advanceTimersByTime(8_000)
    await p.getSecret('db') // refresh-ahead starts in the background and fails (after one retry)
    await vi.advanceTimersByTimeAsync(500)
    expect(source.count('db')).toBe(3)
    // from now on the backend hangs
    source.always('db', hang)
    vi.advanceTimersByTime(1_500) // at expiry
    const readers = Array.from({ length: 20 }, () => track(p.getSecret('db')))
    await flush()
    expect(readers.filter((r) => r.status !== 'fulfilled')).toHaveLength(0)
    expect(readers.every((r) => r.value === value)).toBe(true)
    expect(p.describe('db')?.stale).toBe(true)
    // one background reload was started (and hangs); no reader waits for it
    expect(source.count('db')).toBe(4)
    vi.advanceTimersByTime(20_000)
    const later = track(p.getSecret('db'))
    await flush()
    expect(later.status).toBe('fulfilled')
  })

  it('readers at expiry do not wait on a background reload that is still in flight (a hung backend)', async () => {
    const value = canary('hung')
    const source = new ScriptedSource().queue('db', { value, version: '1' }).always('db', hang)
    const p = provider(source, { ttl: 10_000, timeout: 5_000, retry: { retries: 0 } })
    await p.getSecret('db')
    vi.advanceTimersByTime(8_000)
    await p.getSecret('db') // refresh-ahead starts and hangs
    vi.advanceTimersByTime(2_000) // expired; the reload is still in flight
    const readers = Array.from({ length: 20 }, () => track(p.getSecret('db')))
    await flush()
    expect(readers.filter((r) => r.status !== 'fulfilled')).toHaveLength(0)
    expect(source.count('db')).toBe(2)
  })
})

describe('options outside their range are rejected', () => {
  const cases: Array<[string, CacheOptions, RegExp]> = [
    ['ttl', { ttl: Number.POSITIVE_INFINITY }, /"ttl".*2147483647.*number Infinity/],
    ['ttl', { ttl: 2 ** 31 }, /"ttl".*2147483647.*number 2147483648/],
    ['ttl', { ttl: 0 }, /"ttl".*above 0.*number 0/],
    ['ttl', { ttl: Number.NaN }, /"ttl".*number NaN/],
    ['ttl', { ttl: '5000' as unknown as number }, /"ttl".*\(got string\)/],
    ['timeout', { timeout: Number.POSITIVE_INFINITY }, /"timeout".*2147483647.*number Infinity/],
    ['timeout', { timeout: 2 ** 31 }, /"timeout".*number 2147483648/],
    ['minRedactLength', { minRedactLength: Number.NaN }, /"minRedactLength".*whole number.*number NaN/],
    ['minRedactLength', { minRedactLength: 0 }, /"minRedactLength".*number 0/],
    ['minRedactLength', { minRedactLength: 2.5 }, /"minRedactLength".*number 2.5/],
    ['redactRetention', { redactRetention: -1 }, /"redactRetention".*from 0.*number -1/],
    ['redactRetention', { redactRetention: Number.POSITIVE_INFINITY }, /"redactRetention".*finite/],
    ['maxEntries', { maxEntries: 0 }, /"maxEntries".*from 1.*number 0/],
    ['maxEntries', { maxEntries: 1.5 }, /"maxEntries".*number 1.5/],
    ['retry.retries', { retry: { retries: -1 } }, /"retry.retries".*from 0.*number -1/],
    ['retry.retries', { retry: { retries: 1.5 } }, /"retry.retries".*number 1.5/],
    ['retry.baseDelay', { retry: { baseDelay: -1 } }, /"retry.baseDelay".*number -1/],
    ['retry.maxDelay', { retry: { maxDelay: Number.POSITIVE_INFINITY } }, /"retry.maxDelay".*2147483647/],
    ['retry', { retry: 3 as unknown as CacheOptions['retry'] }, /"retry".*\(got number 3\)/],
    ['minRefreshInterval', { minRefreshInterval: -5 }, /"minRefreshInterval".*number -5/],
    ['maxStale', { maxStale: -1 }, /"maxStale".*number -1/],
    ['refreshAhead', { refreshAhead: 1 }, /"refreshAhead".*below 1.*number 1/],
    ['jitter', { jitter: Number.NaN }, /"jitter".*number NaN/],
    ['clock', { clock: 5 as unknown as () => number }, /"clock".*a function.*number 5/],
    ['logger', { logger: {} as SecretLogger }, /"logger".*warn.*\(got object\)/],
  ]
  it.each(cases)('%s: %o', (_name, options, message) => {
    const make = () => new CachedSecretProvider(new MemorySource(), options)
    expect(make).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }))
    expect(make).toThrow(message)
  })

  it('accepts every value in range, edges included', async () => {
    const ok: CacheOptions[] = [
      { ttl: 2 ** 31 - 1, timeout: 2 ** 31 - 1 },
      { ttl: 1, timeout: 1 },
      { maxStale: 0 },
      { maxStale: Number.POSITIVE_INFINITY },
      { maxEntries: 1 },
      { maxEntries: Number.POSITIVE_INFINITY },
      { retry: { retries: 0, baseDelay: 0, maxDelay: 0 } },
      { minRefreshInterval: 0 },
      { minRedactLength: 1, redactRetention: 0 },
      { refreshAhead: 0, jitter: 0.99 },
      { clock: () => 1, random: () => 0, logger: quietLogger },
    ]
    for (const options of ok) await new CachedSecretProvider(new MemorySource(), options).close()
  })

  it('the largest ttl keeps a pinned secret loaded once, not reloaded back to back', async () => {
    const source = new MemorySource({ a: canary('pinned') })
    const p = provider(source, { ttl: 2 ** 31 - 1 })
    await p.handle('a').ready()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(source.loads).toBe(1)
    await p.close()
  })
})

describe('maxEntries after a burst', () => {
  it('2,000 concurrent new names with maxEntries 100 settle back to at most 100 entries', async () => {
    let open: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    const source: SecretSource = {
      name: 'gated',
      load: async (name) => {
        await gate
        return { value: `value-${name}-abcdefgh`, version: '1' }
      },
    }
    const p = provider(source, { maxEntries: 100 })
    const all = Promise.all(Array.from({ length: 2_000 }, (_, i) => p.getSecret(`n${i}`)))
    expect(p.stats().size).toBe(2_000)
    open()
    const values = await all
    expect(values[1_999]).toBe('value-n1999-abcdefgh')
    expect(p.stats().size).toBeLessThanOrEqual(100)
    await p.close()
  })
})

describe('close()', () => {
  it('rejects calls in flight with ERR_PROVIDER_CLOSED at once when the source ignores its signal', async () => {
    const source = new ScriptedSource().always('x', hang)
    const p = provider(source, { timeout: 5_000 })
    const got = track(p.getSecret('x'))
    const refreshed = track(p.refresh('y'))
    await flush()
    await p.close()
    await flush()
    expect(got.status).toBe('rejected')
    expect(got.error).toMatchObject({ code: ErrorCode.PROVIDER_CLOSED, secretName: 'x' })
    expect(refreshed.status).toBe('rejected')
    expect(refreshed.error).toMatchObject({ code: ErrorCode.PROVIDER_CLOSED })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('also cuts a retry sleep short', async () => {
    const source = new ScriptedSource().always('x', new SecretUnavailableError())
    const p = provider(source, {
      retry: { retries: 3, baseDelay: 10_000, maxDelay: 10_000 },
      random: () => 0.99,
    })
    const got = track(p.getSecret('x'))
    await flush()
    await p.close()
    await flush()
    expect(got.error).toMatchObject({ code: ErrorCode.PROVIDER_CLOSED })
    expect(source.count('x')).toBe(1)
  })
})

describe('leases on handles', () => {
  it('reveal() stops serving a leased value when its ttlMs ends and no new value has arrived', async () => {
    const value = canary('lease')
    const next = canary('lease2')
    let release: ((loaded: LoadedSecret) => void) | undefined
    const source = new ScriptedSource()
      .queue('creds', { value, version: 'lease-1', ttlMs: 2_000 })
      .always('creds', () => new Promise<LoadedSecret>((resolve) => (release = resolve)))
    const p = provider(source, { ttl: 60_000 })
    const handle = await p.handle('creds').ready()
    vi.advanceTimersByTime(1_999)
    expect(handle.reveal()).toBe(value) // the refresh at 80 % is in flight and hangs
    expect(source.count('creds')).toBe(2)
    vi.advanceTimersByTime(1)
    expect(handle.loaded).toBe(false)
    let error: unknown
    try {
      handle.reveal()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE, secretName: 'creds', transient: true })
    assertNoCanary(String((error as Error).message))
    release?.({ value: next, version: 'lease-2', ttlMs: 2_000 })
    await flush()
    expect(handle.reveal()).toBe(next)
    await p.close()
  })
})

describe('hostile JSON', () => {
  it('a field of very deeply nested JSON fails with a typed error, not a RangeError', async () => {
    const depth = 20_000
    const text = `{"deep":${'['.repeat(depth)}${']'.repeat(depth)},"password":"${canary('deep')}"}`
    const p = provider(new MemorySource({ s: text }))
    const error = await p.getSecret('s#deep').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidSecretJsonError)
    expect(error).toMatchObject({ code: ErrorCode.INVALID_JSON, field: 'deep' })
    assertNoCanary(String((error as Error).message))
    const handle = p.handle('s#deep')
    await flush()
    expect(() => handle.reveal()).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JSON }))
  })

  it('a number outside the range of a double never becomes "null"', async () => {
    const p = provider(new MemorySource({ s: '{"big":1e999,"nested":{"n":-1e999},"ok":1.5e3}' }))
    await expect(p.getSecret('s#big')).rejects.toMatchObject({ code: ErrorCode.INVALID_JSON, field: 'big' })
    await expect(p.getSecret('s#nested')).rejects.toMatchObject({
      code: ErrorCode.INVALID_JSON,
      field: 'nested',
    })
    await expect(p.getSecret('s#ok')).resolves.toBe('1500')
  })

  it('handle.json() returns a deeply frozen object: one caller cannot change what others see', async () => {
    const password = canary('frozen')
    const p = provider(
      new MemorySource({ db: JSON.stringify({ user: 'app', password, hosts: [{ h: 'a' }] }) }),
    )
    const handle = await p.handle('db').ready()
    const json = handle.json<{ user: string; password: string; hosts: Array<{ h: string }> }>()
    expect(() => {
      json.user = 'root'
    }).toThrow(TypeError)
    expect(() => {
      const first = json.hosts[0] as { h: string }
      first.h = 'evil'
    }).toThrow(TypeError)
    expect(() => json.hosts.push({ h: 'b' })).toThrow(TypeError)
    expect(handle.json()).toEqual({ user: 'app', password, hosts: [{ h: 'a' }] })
  })
})

describe('malformed answers from a source', () => {
  it('are transient: the last good value is kept within maxStale', async () => {
    const value = canary('good')
    const source = new ScriptedSource()
      .queue('a', { value, version: '1' })
      .always('a', () => Promise.resolve({ value: 42 } as unknown as LoadedSecret))
    const p = provider(source, { ttl: 1_000, retry: { retries: 0 } })
    await p.getSecret('a')
    vi.advanceTimersByTime(1_000)
    await expect(p.getSecret('a')).resolves.toBe(value)
    const fresh = provider(source)
    const error = await fresh.getSecret('a').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretError)
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
  })
})
