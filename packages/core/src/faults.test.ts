/**
 * Fault suite: the core against a source that flaps, hangs (ignoring its AbortSignal), returns
 * garbage, throws non-errors (also synchronously), with a throwing logger and throwing listeners
 * on every event and handle. No caller may ever see an error, or wait, while a good value is
 * within maxStale.
 */

import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { ErrorCode, SecretAccessDeniedError } from './errors.js'
import type { LoadContext, LoadedSecret, SecretSource } from './types.js'

type Mode = 'ok' | 'flap' | 'hang' | 'garbage' | 'non-errors' | 'sync-throw' | 'deny-blips' | 'deny'

const garbage: unknown[] = [
  null,
  undefined,
  42,
  'a bare string',
  [],
  {},
  { value: 5 },
  { value: {} },
  { value: null },
  { value: 'looks-fine-but', version: 7 },
  { value: 'looks-fine-but', ttlMs: 'soon' },
]
const nonErrors: unknown[] = [42, 'a thrown string', undefined, null, { code: 'ECONNRESET' }, Symbol('odd')]

class FaultySource implements SecretSource {
  readonly name = 'faulty'
  mode: Mode = 'ok'
  calls = 0
  readonly good = new Map<string, string>()
  #version = 0
  #n = 0

  /** A new good value (a rotation) for the next 'ok' answers. */
  rotate(): void {
    this.#version++
    const password = canary(`pw${this.#version}`)
    this.good.set(`v${this.#version}`, password)
  }

  get current(): { value: string; version: string } {
    const version = `v${this.#version}`
    return { value: JSON.stringify({ username: 'app', password: this.good.get(version) }), version }
  }

  load(_name: string, _ctx: LoadContext): Promise<LoadedSecret> {
    this.calls++
    const n = this.#n++
    switch (this.mode) {
      case 'ok':
        return Promise.resolve(this.current)
      case 'flap':
        return n % 2 === 0 ? Promise.resolve(this.current) : Promise.reject(new Error('connection reset'))
      case 'hang':
        return new Promise<LoadedSecret>(() => undefined)
      case 'garbage':
        return Promise.resolve(garbage[n % garbage.length] as LoadedSecret)
      case 'non-errors':
        return Promise.reject(nonErrors[n % nonErrors.length])
      case 'sync-throw':
        throw nonErrors[n % nonErrors.length]
      // one-off denials (IAM / token propagation): every third load is denied, never two in a row
      case 'deny-blips':
        return n % 3 === 0
          ? Promise.reject(new SecretAccessDeniedError({ secretName: _name, source: this.name }))
          : Promise.resolve(this.current)
      case 'deny':
        return Promise.reject(new SecretAccessDeniedError({ secretName: _name, source: this.name }))
    }
  }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve()
}

describe('fault suite', () => {
  it('no caller ever sees an error or waits while a good value is within maxStale', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const source = new FaultySource()
    source.rotate()
    const ttl = 5_000
    const maxStale = 60_000
    const p = new CachedSecretProvider(source, {
      ttl,
      maxStale,
      timeout: 1_000,
      retry: { retries: 2, baseDelay: 100, maxDelay: 1_000 },
      logger: {
        warn() {
          throw new Error('logger down')
        },
      },
    })
    for (const event of ['rotate', 'refresh', 'stale', 'error'] as const) {
      p.on(event, () => {
        throw new Error(`${event} listener bug`)
      })
    }
    const whole = p.handle('db')
    const password = p.handle('db#password')
    whole.onChange(() => {
      throw new Error('onChange bug')
    })
    password.onChange(() => {
      throw 'onChange threw a string'
    })
    await p.preload(['db'])

    // phases in seconds; an 'ok' phase starts with a rotation. No run of faulty phases is longer
    // than maxStale, so a good value is always within maxStale.
    const plan: Array<[Mode, number]> = [
      ['ok', 20],
      ['flap', 30],
      ['hang', 40],
      ['ok', 10],
      ['garbage', 30],
      ['non-errors', 30],
      ['ok', 10],
      ['sync-throw', 30],
      ['hang', 25],
      ['ok', 10],
      ['flap', 20],
      ['ok', 10],
      ['deny-blips', 60],
    ]
    const goodPasswords = () => new Set(source.good.values())
    let reads = 0
    const failures: string[] = []
    let waited = 0
    for (const [mode, seconds] of plan) {
      if (mode === 'ok') source.rotate()
      source.mode = mode
      for (let step = 0; step < seconds * 4; step++) {
        await vi.advanceTimersByTimeAsync(250)
        const pending = [p.getSecret('db#password'), p.getSecret('db'), p.getJson<{ password: string }>('db')]
        const results = pending.map((promise) => {
          const state: { done: boolean; value?: unknown; error?: unknown } = { done: false }
          promise.then(
            (value) => Object.assign(state, { done: true, value }),
            (error: unknown) => Object.assign(state, { done: true, error }),
          )
          return state
        })
        await flush()
        for (const state of results) {
          reads++
          if (!state.done) waited++
          else if (state.error !== undefined) failures.push(`${mode}: ${(state.error as Error).name}`)
        }
        const [field, text, json] = results.map((r) => r.value)
        const good = goodPasswords()
        const at = `${mode} step ${step}`
        if (!good.has(field as string)) failures.push(`${at}: getSecret('db#password') gave no good value`)
        if (typeof text !== 'string' || !good.has(JSON.parse(text).password))
          failures.push(`${at}: getSecret('db') gave no good value`)
        if (!good.has((json as { password: string } | undefined)?.password ?? ''))
          failures.push(`${at}: getJson('db') gave no good value`)
        try {
          if (!good.has(password.reveal())) failures.push(`${at}: handle db#password has no good value`)
          if (!good.has(JSON.parse(whole.reveal()).password))
            failures.push(`${at}: handle db has no good value`)
        } catch (error) {
          failures.push(`${at}: a handle threw ${(error as Error).name}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(waited).toBe(0)
    expect(reads).toBe(3 * 4 * plan.reduce((sum, [, s]) => sum + s, 0))
    // the last rotation reached every reader
    expect(password.reveal()).toBe(source.good.get(source.current.version))
    // listener and logger failures were reported (through process.emitWarning, the logger threw), never with a value
    expect(warnings).toHaveBeenCalled()
    assertNoCanary(JSON.stringify(warnings.mock.calls.map((call) => String(call[0]))))
    await p.close()
  })
})

describe('fault suite: access denials of a held value', () => {
  it('a denial that persists drops the value within confirmDenial, surfaced in events and health first', async () => {
    const source = new FaultySource()
    source.rotate()
    const confirmDenial = 3_000
    const p = new CachedSecretProvider(source, {
      ttl: 5_000,
      confirmDenial,
      logger: { warn: () => undefined },
    })
    const errors: Array<{ code: unknown; heldUnderDenial: unknown }> = []
    p.on('error', (event) =>
      errors.push({ code: (event.error as { code?: unknown }).code, heldUnderDenial: event.heldUnderDenial }),
    )
    const handle = p.handle('db')
    await p.preload(['db'])
    source.mode = 'deny'
    // let the refresh-ahead reload run into the denial
    let deniedAt: number | undefined
    for (let t = 0; t < 10_000 && deniedAt === undefined; t += 50) {
      await vi.advanceTimersByTimeAsync(50)
      if (p.health().secrets[0]?.deniedSince !== undefined) deniedAt = Date.now()
    }
    expect(deniedAt).toBeDefined()
    // served under the denial, and said so
    expect(JSON.parse(await p.getSecret('db')).password).toBe(source.good.get('v1'))
    expect(handle.reveal()).toBe(source.current.value)
    const health = p.health()
    expect(health.status).toBe('degraded')
    expect(health.secrets[0]).toMatchObject({ errorCode: ErrorCode.ACCESS_DENIED, servable: true })
    expect(errors[0]).toEqual({ code: ErrorCode.ACCESS_DENIED, heldUnderDenial: true })
    // dropped once the window has passed (plus one reload), never later
    let droppedAfter: number | undefined
    for (let t = 0; t <= confirmDenial + 1_000 && droppedAfter === undefined; t += 50) {
      await vi.advanceTimersByTimeAsync(50)
      try {
        handle.reveal()
      } catch (error) {
        expect((error as { code?: unknown }).code).toBe(ErrorCode.ACCESS_DENIED)
        droppedAfter = Date.now() - (deniedAt as number)
      }
    }
    expect(droppedAfter).toBeDefined()
    expect(droppedAfter as number).toBeLessThanOrEqual(confirmDenial + 100)
    expect(droppedAfter as number).toBeGreaterThanOrEqual(confirmDenial - 100)
    await expect(p.getSecret('db')).rejects.toMatchObject({ code: ErrorCode.ACCESS_DENIED })
    expect(p.health().secrets[0]).toMatchObject({ status: 'failing', errorCode: ErrorCode.ACCESS_DENIED })
    expect(p.health().secrets[0]?.deniedSince).toBeUndefined()
    expect(errors.at(-1)).toEqual({ code: ErrorCode.ACCESS_DENIED, heldUnderDenial: undefined })
    await p.close()
  })

  it('with an injected clock that stands still, the four confirming reloads still bound the denial', async () => {
    const source = new FaultySource()
    source.rotate()
    const frozen = Date.now()
    const p = new CachedSecretProvider(source, {
      ttl: 5_000,
      confirmDenial: 2_000,
      clock: () => frozen,
      logger: { warn: () => undefined },
    })
    const handle = p.handle('db')
    await p.preload(['db'])
    source.mode = 'deny'
    const calls = source.calls
    await p.refresh('db').catch(() => undefined)
    expect(handle.reveal()).toBe(source.current.value)
    // one confirming reload every 500 ms of timer time; the fourth still denied drops the value
    await vi.advanceTimersByTimeAsync(1_900)
    expect(handle.reveal()).toBe(source.current.value)
    await vi.advanceTimersByTimeAsync(200)
    expect(() => handle.reveal()).toThrow(SecretAccessDeniedError)
    expect(source.calls - calls).toBe(5)
    await p.close()
  })

  it('confirmDenial is a timer: refused past 2^31 − 1 ms, negative or not a number, naming it', () => {
    for (const confirmDenial of [2 ** 31, -1, Number.NaN, Number.POSITIVE_INFINITY, '3000']) {
      expect(
        () => new CachedSecretProvider(new FaultySource(), { confirmDenial: confirmDenial as number }),
      ).toThrow(
        expect.objectContaining({
          code: ErrorCode.INVALID_OPTIONS,
          message: expect.stringContaining('confirmDenial'),
        }),
      )
    }
    expect(() => new CachedSecretProvider(new FaultySource(), { confirmDenial: 2 ** 31 - 1 })).not.toThrow()
  })

  it('a denial on a cold load is final at once', async () => {
    const source = new FaultySource()
    source.rotate()
    source.mode = 'deny'
    const p = new CachedSecretProvider(source, { logger: { warn: () => undefined } })
    await expect(p.getSecret('db')).rejects.toMatchObject({ code: ErrorCode.ACCESS_DENIED })
    expect(source.calls).toBe(1)
    expect(p.health().secrets[0]).toMatchObject({ status: 'failing', errorCode: ErrorCode.ACCESS_DENIED })
    await p.close()
  })

  it('confirmDenial: 0 drops the value at the first denial, as before', async () => {
    const source = new FaultySource()
    source.rotate()
    const p = new CachedSecretProvider(source, {
      ttl: 5_000,
      confirmDenial: 0,
      logger: { warn: () => undefined },
    })
    const handle = p.handle('db')
    await p.preload(['db'])
    source.mode = 'deny'
    await vi.advanceTimersByTimeAsync(5_000)
    expect(() => handle.reveal()).toThrow(SecretAccessDeniedError)
    await p.close()
  })
})
