import { canary } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import type { HeldSecret, LoadContext, RefreshEvent, RotateEvent } from './types.js'

const quiet = { warn: () => undefined }

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('LoadContext.current', () => {
  it('is absent on a first load and carries the held version and value on a reload', async () => {
    const first = canary('held-first')
    const seen: Array<HeldSecret | undefined> = []
    const signals: unknown[] = []
    const source = new ScriptedSource().always('db', async (_name, ctx: LoadContext) => {
      seen.push(ctx.current === undefined ? undefined : { ...ctx.current })
      signals.push(ctx.signal)
      return { value: first, version: 'v1' }
    })
    const p = new CachedSecretProvider(source, { logger: quiet, minRefreshInterval: 0 })
    await p.getSecret('db')
    await p.refresh('db')
    expect(seen).toEqual([undefined, { version: 'v1', value: first }])
    // the attempt's signal is still there (and live) on a reload's context
    expect(signals.map((s) => s instanceof AbortSignal && !s.aborted)).toEqual([true, true])
    await p.close()
  })

  it('a source that answers "unchanged" with ctx.current keeps the value and emits refresh, not rotate', async () => {
    const value = canary('held-unchanged')
    const source = new ScriptedSource()
      .queue('db', { value, version: 'v1' })
      .always('db', async (_name, ctx: LoadContext) => ctx.current as HeldSecret)
    const p = new CachedSecretProvider(source, { logger: quiet, minRefreshInterval: 0 })
    const rotations: RotateEvent[] = []
    const refreshes: RefreshEvent[] = []
    p.on('rotate', (e) => rotations.push(e))
    p.on('refresh', (e) => refreshes.push(e))
    await p.getSecret('db')
    await p.refresh('db')
    expect(await p.getSecret('db')).toBe(value)
    expect(rotations).toEqual([])
    expect(refreshes).toEqual([{ name: 'db', version: 'v1', forced: true }])
    await p.close()
  })

  it('a refresh() of a secret never loaded announces nothing, and the next reload is not reported as forced', async () => {
    const value = canary('first-forced')
    const source = new ScriptedSource()
      .queue('db', { value, version: 'v1' })
      .always('db', async (_name, ctx: LoadContext) => ctx.current as HeldSecret)
    const p = new CachedSecretProvider(source, { logger: quiet, minRefreshInterval: 0, ttl: 60_000 })
    const refreshes: RefreshEvent[] = []
    p.on('refresh', (e) => refreshes.push(e))
    await p.refresh('db')
    expect(refreshes).toEqual([])
    p.invalidate('db')
    expect(await p.getSecret('db')).toBe(value)
    expect(refreshes).toEqual([{ name: 'db', version: 'v1', forced: false }])
    await p.close()
  })

  it('binary values are passed back as the base64 the cache holds', async () => {
    const bytes = Buffer.from(canary('held-binary'))
    const seen: Array<HeldSecret | undefined> = []
    const source = new ScriptedSource().always('bin', async (_name, ctx: LoadContext) => {
      seen.push(ctx.current)
      return { value: new Uint8Array(bytes), version: 'b1' }
    })
    const p = new CachedSecretProvider(source, { logger: quiet, minRefreshInterval: 0 })
    await p.getSecret('bin')
    await p.refresh('bin')
    expect(seen[1]).toEqual({ version: 'b1', value: bytes.toString('base64') })
    await p.close()
  })
})

describe('first refresh after preload', () => {
  it('is jittered: pinned entries loaded together are reloaded at spread-out times', async () => {
    const source = new ScriptedSource()
    const names = Array.from({ length: 10 }, (_, i) => `s${i}`)
    for (const name of names) source.always(name, { value: canary(`jit-${name}`), version: 'v1' })
    // a random source that steps through [0, 1): each entry gets a different jitter draw
    let draw = 0
    const p = new CachedSecretProvider(source, {
      logger: quiet,
      ttl: 100_000,
      refreshAhead: 0.8,
      jitter: 0.1,
      random: () => (draw++ % 10) / 10,
    })
    await p.preload(names)
    expect(source.calls).toHaveLength(10)
    const reloadTimes: number[] = []
    // refreshAhead at 80 s, spread down to 70 s by jitter: step through the window in 1 s steps
    for (let t = 0; t <= 81; t++) {
      const before = source.calls.length
      await vi.advanceTimersByTimeAsync(1_000)
      for (let i = before; i < source.calls.length; i++) reloadTimes.push(t + 1)
    }
    expect(reloadTimes).toHaveLength(10)
    // 10 draws of 0.0 … 0.9 spread 10 s of jitter over 10 distinct seconds
    expect(new Set(reloadTimes).size).toBe(10)
    expect(Math.min(...reloadTimes)).toBeGreaterThanOrEqual(70)
    expect(Math.max(...reloadTimes)).toBeLessThanOrEqual(81)
    await p.close()
  })
})
