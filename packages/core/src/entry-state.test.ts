/**
 * An entry's state (issue 23): one field with named states, moved only by `Entry.moveTo`, with
 * `CLOSED` final; the flags packed beside it never change it. And what the states mean to a
 * reader, seen through the provider: an invalidated value reloads at once, a closed provider
 * serves nothing (its health says so), and no time that leaves it is a sentinel.
 */
import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { ProviderClock } from './clock.js'
import { newEntry } from './entry.js'
import { EntryState } from './entry-state.js'
import { MemorySource } from './sources/memory.js'

describe('Entry.state', () => {
  it('starts EMPTY and moves only through moveTo; CLOSED is final', () => {
    const entry = newEntry('a')
    expect(entry.state).toBe(EntryState.EMPTY)
    for (const next of [EntryState.HELD, EntryState.RELOADING, EntryState.INVALIDATED, EntryState.FAILED]) {
      entry.moveTo(next)
      expect(entry.state).toBe(next)
    }
    entry.moveTo(EntryState.CLOSED)
    for (const next of Object.values(EntryState)) {
      entry.moveTo(next)
      expect(entry.state, `moveTo(${next}) after CLOSED`).toBe(EntryState.CLOSED)
    }
  })

  it('keeps state and flags apart in the one packed field', () => {
    const entry = newEntry('a')
    entry.moveTo(EntryState.RELOADING)
    entry.stale = true
    entry.used = true
    entry.pinned = true
    entry.forced = true
    entry.required = true
    expect(entry.state).toBe(EntryState.RELOADING)
    entry.moveTo(EntryState.HELD)
    expect([entry.stale, entry.used, entry.pinned, entry.forced, entry.required]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ])
    entry.stale = false
    entry.pinned = false
    expect(entry.state).toBe(EntryState.HELD)
    expect([entry.stale, entry.used, entry.pinned]).toEqual([false, true, false])
  })
})

describe('ProviderClock', () => {
  it('keeps times relative to its epoch and gives them back through wall()', () => {
    let now = 1_700_000_000_000
    const clock = new ProviderClock(() => now)
    expect(clock.epoch).toBe(now)
    now += 1_234
    expect(clock.now()).toBe(1_234)
    expect(clock.exact()).toBe(1_234)
    expect(clock.wall(clock.now())).toBe(now)
  })

  it('without an injected clock, reads Date.now coarsely until stopped', () => {
    const clock = new ProviderClock(undefined)
    const first = clock.now()
    expect(Math.abs(clock.wall(first) - Date.now())).toBeLessThan(50)
    clock.stop()
    expect(Math.abs(clock.wall(clock.exact()) - Date.now())).toBeLessThan(50)
  })
})

describe('what the states mean to a reader', () => {
  it('an invalidated value reloads on the next read, and its times stay real times', async () => {
    let now = 1_700_000_000_000
    const source = new MemorySource({ app: canary('invalidated') })
    const provider = new CachedSecretProvider(source, { clock: () => now, refreshAhead: 0, ttl: 60_000 })
    await provider.getSecret('app')
    const loads = provider.stats().loads
    now += 1_000
    provider.invalidate('app')
    const info = provider.describe('app')
    expect(info?.expiresAt).toBe(now)
    await provider.getSecret('app')
    expect(provider.stats().loads).toBe(loads + 1)
    expect(provider.describe('app')?.expiresAt).toBe(now + 60_000)
    await provider.close()
  })

  it('a closed provider serves nothing: reads reject, health says not servable, times stay finite', async () => {
    const now = 1_700_000_000_000
    const source = new MemorySource({ app: canary('closed') })
    const provider = new CachedSecretProvider(source, { clock: () => now, ttl: 60_000 })
    const handle = provider.handle('app')
    await handle.ready()
    await provider.close()
    await expect(provider.getSecret('app')).rejects.toMatchObject({ code: 'ERR_PROVIDER_CLOSED' })
    const health = provider.health()
    expect(health.secrets.map((s) => [s.name, s.servable])).toEqual([['app', false]])
    const info = provider.describe('app')
    expect(Number.isFinite(info?.expiresAt)).toBe(true)
    expect(info?.expiresAt).toBe(now + 60_000)
  })
})
