import { canary } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import { ErrorCode, SecretPreloadError } from './errors.js'
import type { LoadedSecret } from './types.js'

const quiet = { warn: () => undefined }

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A source whose loads take `latency` ms and which records when each started and how many ran at once. */
function timedSource(names: string[], latency: number) {
  const source = new ScriptedSource()
  const started: Array<{ name: string; at: number }> = []
  let running = 0
  let most = 0
  const t0 = Date.now()
  for (const name of names) {
    source.always(name, async (): Promise<LoadedSecret> => {
      started.push({ name, at: Date.now() - t0 })
      running++
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, latency))
      running--
      return { value: canary(`pace-${name}`), version: 'v1' }
    })
  }
  const batched: string[][] = []
  Object.assign(source, {
    loadMany: async (batch: string[]) => {
      batched.push(batch)
      return new Map()
    },
  })
  return { source, started, most: () => most, batched }
}

describe('preload(names, { concurrency, ratePerSecond })', () => {
  it('starts names 1000 / ratePerSecond ms apart, in order, one load each (no loadMany)', async () => {
    const names = ['a', 'b', 'c', 'd', 'e']
    const { source, started, batched } = timedSource(names, 10)
    const p = new CachedSecretProvider(source, { logger: quiet })
    const done = p.preload(names, { ratePerSecond: 4 })
    await vi.advanceTimersByTimeAsync(2_000)
    await done
    expect(started).toEqual([
      { name: 'a', at: 0 },
      { name: 'b', at: 250 },
      { name: 'c', at: 500 },
      { name: 'd', at: 750 },
      { name: 'e', at: 1_000 },
    ])
    expect(batched).toEqual([])
    expect(p.describe('e')?.pinned).toBe(true)
    await p.close()
  })

  it('keeps at most `concurrency` loads in flight', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `n${i}`)
    const { source, started, most } = timedSource(names, 100)
    const p = new CachedSecretProvider(source, { logger: quiet })
    const done = p.preload(names, { concurrency: 3 })
    await vi.advanceTimersByTimeAsync(1_000)
    await done
    expect(most()).toBe(3)
    expect(started.map((s) => s.at)).toEqual([0, 0, 0, 100, 100, 100, 200, 200, 200, 300])
    await p.close()
  })

  it('rate and concurrency together: a slow load holds its slot, the rate spaces the rest', async () => {
    const names = ['a', 'b', 'c', 'd']
    const { source, started, most } = timedSource(names, 1_500)
    const p = new CachedSecretProvider(source, { logger: quiet })
    const done = p.preload(names, { concurrency: 2, ratePerSecond: 2 })
    await vi.advanceTimersByTimeAsync(5_000)
    await done
    expect(most()).toBe(2)
    // a at 0, b at 500; c waits for a's slot (1500); d for b's (2000)
    expect(started.map((s) => s.at)).toEqual([0, 500, 1_500, 2_000])
    await p.close()
  })

  it('without options it batches as before', async () => {
    const names = ['a', 'b']
    const { source, batched } = timedSource(names, 1)
    const p = new CachedSecretProvider(source, { logger: quiet })
    const done = p.preload(names)
    await vi.advanceTimersByTimeAsync(100)
    await done
    expect(batched).toEqual([['a', 'b']])
    await p.close()
  })

  it('still rejects once, naming every failure', async () => {
    const source = new ScriptedSource()
      .always('ok', { value: canary('pace-ok'), version: 'v1' })
      .always('bad', Object.assign(new Error('nope'), { name: 'Whatever' }))
    const p = new CachedSecretProvider(source, { logger: quiet, retry: { retries: 0 } })
    const done = p.preload(['ok', 'bad'], { ratePerSecond: 10 }).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(1_000)
    const error = await done
    expect(error).toBeInstanceOf(SecretPreloadError)
    expect((error as SecretPreloadError).errors.map((e) => e.secretName)).toEqual(['bad'])
    await p.close()
  })

  it('refuses bad options, naming the option, the type and the range', async () => {
    const p = new CachedSecretProvider(new ScriptedSource(), { logger: quiet })
    for (const [options, pattern] of [
      [{ concurrency: 0 }, /"concurrency" must be a whole number from 1, or Infinity \(got number 0\)/],
      [{ concurrency: 1.5 }, /"concurrency".*number 1\.5/],
      [{ concurrency: '2' }, /"concurrency".*got string/],
      [{ ratePerSecond: 0 }, /"ratePerSecond" must be a number above 0, or Infinity \(got number 0\)/],
      [{ ratePerSecond: Number.NaN }, /"ratePerSecond".*NaN/],
    ] as const) {
      const error = await p.preload(['x'], options as never).catch((e: unknown) => e)
      expect(error).toMatchObject({
        code: ErrorCode.INVALID_OPTIONS,
        message: expect.stringMatching(pattern),
      })
    }
    await p.close()
  })
})
