/**
 * The diagnostics channels (issue 16): every message's content, and that no value is ever in one.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { inspect } from 'node:util'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import { DIAGNOSTICS_CHANNELS, type LoadTraceContext, loadProbe } from './diagnostics.js'
import { SecretNotFoundError, SecretUnavailableError } from './errors.js'
import { MemorySource } from './sources/memory.js'
import type { CacheOptions, LoadedSecret, SecretSource } from './types.js'

const quiet: CacheOptions = {
  logger: { warn: () => undefined },
  jitter: 0,
  random: () => 0.5,
  retry: { retries: 2, baseDelay: 0, maxDelay: 0 },
}

type Received = { channel: string; message: unknown }

const subscriptions: Array<[string, (message: unknown, name: string | symbol) => void]> = []

/** Subscribes to the named channels; every message lands in the returned list. */
function listen(...channels: string[]): Received[] {
  const received: Received[] = []
  for (const name of channels) {
    const listener = (message: unknown) =>
      received.push({ channel: name, message: { ...(message as object) } })
    subscribe(name, listener)
    subscriptions.push([name, listener])
  }
  return received
}

afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) unsubscribe(name, listener)
})

/** Every form a subscriber could print a message in: no canary in any. */
function assertNoValue(received: unknown): void {
  assertNoCanary(JSON.stringify(received), 'a diagnostics message (JSON)')
  assertNoCanary(inspect(received, { depth: 10, showHidden: true }), 'a diagnostics message (inspect)')
}

describe('diagnostics channels', () => {
  it('cost nothing with nobody subscribed: no probe is made', () => {
    expect(loadProbe(['a'], 'memory', false, false)).toBeUndefined()
    const received = listen(DIAGNOSTICS_CHANNELS.loadEnd)
    expect(loadProbe(['a'], 'memory', false, false)).toBeDefined()
    expect(received).toEqual([])
  })

  it('a load publishes start and end with the name, source, attempts and version, never the value', async () => {
    const value = canary('load')
    const received = listen(DIAGNOSTICS_CHANNELS.loadStart, DIAGNOSTICS_CHANNELS.loadEnd)
    const provider = new CachedSecretProvider(new MemorySource({ 'db/password': value }), quiet)
    await expect(provider.getSecret('db/password')).resolves.toBe(value)
    // Every message spelled out in full, here and below, on purpose: the channel payloads are the contract.
    expect(received).toEqual([
      {
        channel: 'latchkey:load:start',
        message: {
          name: 'db/password',
          names: ['db/password'],
          source: 'memory',
          batch: false,
          background: false,
        },
      },
      {
        channel: 'latchkey:load:end',
        message: {
          name: 'db/password',
          names: ['db/password'],
          source: 'memory',
          batch: false,
          background: false,
          attempts: 1,
          durationMs: expect.any(Number),
          version: 'v1',
        },
      },
    ])
    // a warm read is no load
    await provider.getSecret('db/password')
    expect(received).toHaveLength(2)
    assertNoValue(received)
    await provider.close()
  })

  it('a failing load publishes the attempts made and the error code after its retries', async () => {
    const source = new ScriptedSource().always(
      'api',
      new SecretUnavailableError({ secretName: 'api' }, 'down'),
    )
    const received = listen(DIAGNOSTICS_CHANNELS.loadError)
    const provider = new CachedSecretProvider(source, quiet)
    await expect(provider.getSecret('api')).rejects.toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE' })
    expect(received).toEqual([
      {
        channel: 'latchkey:load:error',
        message: {
          name: 'api',
          names: ['api'],
          source: 'scripted',
          batch: false,
          background: false,
          attempts: 3,
          durationMs: expect.any(Number),
          code: 'ERR_SECRET_UNAVAILABLE',
          transient: true,
        },
      },
    ])
    assertNoValue(received)
    await provider.close()
  })

  it('a permanent failure is one attempt, published as not transient', async () => {
    const source = new ScriptedSource().always('gone', new SecretNotFoundError({ secretName: 'gone' }))
    const received = listen(DIAGNOSTICS_CHANNELS.loadError)
    const provider = new CachedSecretProvider(source, quiet)
    await expect(provider.getSecret('gone')).rejects.toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' })
    expect(received.map((r) => r.message)).toMatchObject([
      { name: 'gone', attempts: 1, code: 'ERR_SECRET_NOT_FOUND', transient: false },
    ])
    await provider.close()
  })

  it('stale serves, rotations and evictions publish names, versions and times only', async () => {
    let now = 1_000_000
    const first = canary('first')
    const second = canary('second')
    const source = new ScriptedSource()
      .queue('db', { value: first, version: 'v1' }, new SecretUnavailableError({ secretName: 'db' }, 'down'))
      .queue('db', { value: second, version: 'v2' })
      .always('other', { value: canary('other'), version: 'o1' })
    const received = listen(
      DIAGNOSTICS_CHANNELS.stale,
      DIAGNOSTICS_CHANNELS.rotate,
      DIAGNOSTICS_CHANNELS.evict,
    )
    const provider = new CachedSecretProvider(source, {
      ...quiet,
      retry: { retries: 0 },
      ttl: 1_000,
      refreshAhead: 0,
      maxEntries: 1,
      clock: () => now,
    })
    await provider.getSecret('db')
    now += 1_500
    // the reload fails: the last good value is served stale
    await expect(provider.getSecret('db')).resolves.toBe(first)
    expect(received).toEqual([
      {
        channel: 'latchkey:stale',
        message: {
          name: 'db',
          source: 'scripted',
          version: 'v1',
          staleSince: 1_001_000,
          staleUntil: 1_001_000 + 3_600_000,
          code: 'ERR_SECRET_UNAVAILABLE',
        },
      },
    ])
    received.length = 0
    await provider.refresh('db')
    expect(received).toEqual([
      {
        channel: 'latchkey:rotate',
        message: { name: 'db', source: 'scripted', oldVersion: 'v1', newVersion: 'v2' },
      },
    ])
    received.length = 0
    // one entry at most: loading another evicts 'db'
    await provider.getSecret('other')
    expect(received).toEqual([
      { channel: 'latchkey:evict', message: { name: 'db', source: 'scripted', version: 'v2' } },
    ])
    assertNoValue(received)
    await provider.close()
  })

  it('a batch preload (loadMany) is one load naming every secret', async () => {
    const values: Record<string, string> = { a: canary('a'), b: canary('b') }
    const source: SecretSource = {
      name: 'batchy',
      async load(name): Promise<LoadedSecret> {
        return { value: values[name] as string, version: '1' }
      },
      async loadMany(names) {
        return new Map(names.map((n) => [n, { value: values[n] as string, version: '1' }]))
      },
    }
    const received = listen(DIAGNOSTICS_CHANNELS.loadStart, DIAGNOSTICS_CHANNELS.loadEnd)
    const provider = new CachedSecretProvider(source, quiet)
    await provider.preload(['a', 'b'])
    expect(received.map((r) => r.message)).toEqual([
      { name: 'a,b', names: ['a', 'b'], source: 'batchy', batch: true, background: false },
      {
        name: 'a,b',
        names: ['a', 'b'],
        source: 'batchy',
        batch: true,
        background: false,
        attempts: 1,
        durationMs: expect.any(Number),
        version: undefined,
      },
    ])
    assertNoValue(received)
    await provider.close()
  })

  it('the load tracing channel runs the source inside start (bindStore) and fills in the context, never the value', async () => {
    const value = canary('traced')
    const store = new AsyncLocalStorage<{ span: string }>()
    const trace = tracingChannel<unknown, LoadTraceContext>(DIAGNOSTICS_CHANNELS.loadTrace)
    trace.start.bindStore(store, (context) => ({ span: `span for ${context.name}` }))
    const contexts: Array<{ event: string; context: LoadTraceContext }> = []
    const handlers = {
      start: (context: LoadTraceContext) => contexts.push({ event: 'start', context: { ...context } }),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (context: LoadTraceContext) => contexts.push({ event: 'asyncEnd', context: { ...context } }),
      error: (context: LoadTraceContext) => contexts.push({ event: 'error', context: { ...context } }),
    }
    trace.subscribe(handlers)
    const seenInSource: Array<string | undefined> = []
    const source = new ScriptedSource()
      .queue('ok', async () => {
        seenInSource.push(store.getStore()?.span)
        return { value, version: 'v7' }
      })
      .queue('bad', new SecretUnavailableError({ secretName: 'bad' }, 'down'))
    const provider = new CachedSecretProvider(source, { ...quiet, retry: { retries: 0 } })
    try {
      await provider.getSecret('ok')
      await expect(provider.getSecret('bad')).rejects.toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE' })
      expect(seenInSource).toEqual(['span for ok'])
      expect(contexts.map((c) => [c.event, c.context.name])).toEqual([
        ['start', 'ok'],
        ['asyncEnd', 'ok'],
        ['start', 'bad'],
        ['error', 'bad'],
        ['asyncEnd', 'bad'],
      ])
      expect(contexts[1]?.context).toMatchObject({
        attempts: 1,
        version: 'v7',
        code: undefined,
        result: undefined,
      })
      expect(contexts[3]?.context).toMatchObject({ attempts: 1, code: 'ERR_SECRET_UNAVAILABLE' })
      expect(contexts[3]?.context.error).toBeInstanceOf(SecretUnavailableError)
      assertNoValue(contexts)
    } finally {
      trace.unsubscribe(handlers)
      trace.start.unbindStore(store)
      await provider.close()
    }
  })
})
