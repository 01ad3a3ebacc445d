import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { CACHE_OPTION_KEYS } from './cache-options.js'
import { InvalidOptionsError } from './errors.js'
import { checkOptionNames, nearestOptionName } from './option-names.js'
import { resolveProvider } from './provider-options.js'
import { MemorySource } from './sources/memory.js'

const source = () => new MemorySource({ a: 'value-a' })

describe('unknown option names', () => {
  it('are an ERR_SECRET_INVALID_OPTIONS at construction naming the nearest known option', () => {
    const error = thrownBy(
      () => new CachedSecretProvider(source(), { tll: 1_000 } as never),
      InvalidOptionsError,
    )
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe('CachedSecretProvider: unknown option "tll"; did you mean "ttl"?')
  })

  it('suggest by case, swaps and small edits; list every option when nothing is close', () => {
    expect(nearestOptionName('maxstale', CACHE_OPTION_KEYS)).toBe('maxStale')
    expect(nearestOptionName('refrehsAhead', CACHE_OPTION_KEYS)).toBe('refreshAhead')
    expect(nearestOptionName('timout', CACHE_OPTION_KEYS)).toBe('timeout')
    expect(nearestOptionName('zzzzzz', CACHE_OPTION_KEYS)).toBeUndefined()
    const error = thrownBy(
      () => new CachedSecretProvider(source(), { colour: 'blue' } as never),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    for (const key of CACHE_OPTION_KEYS) expect(error.message).toContain(`"${key}"`)
  })

  it('are checked inside retry too, and with an undefined value', () => {
    const retry = thrownBy(
      () => new CachedSecretProvider(source(), { retry: { retires: 2 } } as never),
      InvalidOptionsError,
    )
    expect(retry.message).toBe(
      'CachedSecretProvider { retry }: unknown option "retires"; did you mean "retries"?',
    )
    const undefinedValue = thrownBy(
      () => new CachedSecretProvider(source(), { maxStal: undefined } as never),
      InvalidOptionsError,
    )
    expect(undefinedValue.message).toContain('did you mean "maxStale"?')
  })

  it('cut a huge hostile key in the message and stay fast', () => {
    const key = 'x'.repeat(1_000_000)
    const started = performance.now()
    const error = thrownBy(
      () => checkOptionNames({ [key]: 1 }, CACHE_OPTION_KEYS, 'Owner'),
      InvalidOptionsError,
    )
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message.length).toBeLessThan(400)
    expect(error.message).toContain('(1000000 characters)')
  })

  it('accept every known option and return the options unchanged', () => {
    const options = { ttl: 1_000, retry: { retries: 1, baseDelay: 1, maxDelay: 2 } }
    expect(checkOptionNames(options, CACHE_OPTION_KEYS, 'Owner')).toBe(options)
    expect(() => new CachedSecretProvider(source(), options)).not.toThrow()
  })
})

describe('cache options given together with { provider }', () => {
  it('are an error naming them: the provider the app built has its own', () => {
    const provider = new CachedSecretProvider(source())
    const error = thrownBy(
      () => resolveProvider({ provider, ttl: 5 } as never, '@latchkey/example'),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(
      '@latchkey/example: cache options ("ttl") apply only with { source }; with { provider }, set them where you build the CachedSecretProvider',
    )
  })

  it('with { source }, a misspelled cache option is caught by the provider the integration builds', () => {
    const error = thrownBy(
      () => resolveProvider({ source: source(), tll: 5 } as never, '@latchkey/example'),
      InvalidOptionsError,
    )
    expect(error.message).toContain('unknown option "tll"; did you mean "ttl"?')
  })
})
