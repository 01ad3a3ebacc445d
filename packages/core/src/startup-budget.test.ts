import { canary } from '@latchkey/test-support'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import {
  ErrorCode,
  InvalidOptionsError,
  InvalidSecretNameError,
  SecretNotFoundError,
  SecretPreloadError,
} from './errors.js'
import { checkBudget, checkPreload, preloadWithin, startupMargin } from './startup-budget.js'

afterEach(() => {
  vi.useRealTimers()
})

const never = () => new Promise<never>(() => undefined)

describe('preloadWithin', () => {
  it('resolves as preload() does when every secret loads within the budget', async () => {
    const source = new ScriptedSource()
      .always('a', { value: canary('a') })
      .always('b', { value: canary('b') })
    const provider = new CachedSecretProvider(source)
    await preloadWithin(provider, ['a', 'b', 'a'], 10_000, 'preloadTimeout')
    expect(source.count('a')).toBe(1)
    expect(source.count('b')).toBe(1)
    await provider.close()
  })

  it('rejects when the budget runs out, naming a hung secret (timeout) and a failed one (its own error)', async () => {
    vi.useFakeTimers()
    const source = new ScriptedSource()
      .always('hung', never)
      .always('gone', new SecretNotFoundError({ secretName: 'gone', source: 'scripted' }))
    const provider = new CachedSecretProvider(source, { timeout: 60_000 })
    const outcome = preloadWithin(provider, ['hung', 'gone'], 300, 'preloadTimeout').then(
      () => undefined,
      (error: unknown) => error,
    )
    await vi.advanceTimersByTimeAsync(300)
    const error = await outcome
    expect(error).toBeInstanceOf(SecretPreloadError)
    const errors = (error as SecretPreloadError).errors
    expect(errors.map((e) => [e.secretName, e.code])).toEqual([
      ['hung', ErrorCode.TIMEOUT],
      ['gone', ErrorCode.NOT_FOUND],
    ])
    expect((errors[0]?.cause as Error | undefined)?.message).toBe(
      'the preloadTimeout (300 ms) ran out while the secret was still loading',
    )
    await provider.close()
  })

  it('has no bound without a budget', async () => {
    const source = new ScriptedSource().always('a', { value: canary('a') })
    const provider = new CachedSecretProvider(source)
    await expect(preloadWithin(provider, ['a'], undefined, 'preloadTimeout')).resolves.toBeUndefined()
    await provider.close()
  })
})

describe('checkBudget', () => {
  it('accepts a whole number of ms from 1 to the maximum', () => {
    expect(checkBudget('@latchkey/x', 'preloadTimeout', 1, 10)).toBe(1)
    expect(checkBudget('@latchkey/x', 'preloadTimeout', 10, 10)).toBe(10)
  })

  it.each([0, 11, 1.5, '5', undefined])('rejects %s, naming the option, the type and the range', (value) => {
    const error = (() => {
      try {
        checkBudget('@latchkey/x', 'preloadTimeout', value, 10, ' (less than pluginTimeout)')
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect((error as InvalidOptionsError).message).toBe(
      `@latchkey/x: { preloadTimeout } must be a whole number of milliseconds from 1 to 10 (less than pluginTimeout); got ${typeof value === 'number' ? `number ${value}` : typeof value}`,
    )
  })
})

describe('startupMargin', () => {
  it('keeps back a tenth of the limit, at most one second', () => {
    expect(startupMargin(500)).toBe(50)
    expect(startupMargin(10_001)).toBe(1_000)
    expect(startupMargin(60_000)).toBe(1_000)
  })
})

describe('checkPreload', () => {
  it('returns the names (none when undefined)', () => {
    expect(checkPreload('@latchkey/x', undefined)).toEqual([])
    expect(checkPreload('@latchkey/x', ['a', 'db/creds#password'])).toEqual(['a', 'db/creds#password'])
  })

  it('rejects a non-array naming the option and the type, and a bad name with its own error', () => {
    expect(() => checkPreload('@latchkey/x', 'a')).toThrow(
      new InvalidOptionsError('@latchkey/x: { preload } must be an array of secret names; got string'),
    )
    expect(() => checkPreload('@latchkey/x', null)).toThrow('got null')
    expect(() => checkPreload('@latchkey/x', ['ok', ''])).toThrow(InvalidSecretNameError)
  })
})

describe('checkBudget without a maximum', () => {
  it('allows up to the longest timer Node.js accepts', () => {
    expect(checkBudget('@latchkey/x', 'preloadTimeout', 2_147_483_647)).toBe(2_147_483_647)
    expect(() => checkBudget('@latchkey/x', 'preloadTimeout', 2_147_483_648)).toThrow('from 1 to 2147483647')
  })
})
