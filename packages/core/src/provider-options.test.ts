import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { ErrorCode } from './errors.js'
import { resolveProvider } from './provider-options.js'
import { MemorySource } from './sources/memory.js'

describe('resolveProvider', () => {
  it('uses a given provider without owning it', () => {
    const provider = new CachedSecretProvider(new MemorySource())
    expect(resolveProvider({ provider }, 'test')).toEqual({ provider, owned: false })
  })

  it('builds and owns a provider from a source and cache options', () => {
    const resolved = resolveProvider({ source: new MemorySource(), ttl: 1_000 }, 'test')
    expect(resolved.owned).toBe(true)
    expect(resolved.provider).toBeInstanceOf(CachedSecretProvider)
  })

  it('explains what to pass when neither, both, or a wrong provider is given', () => {
    const source = new MemorySource()
    const provider = new CachedSecretProvider(source)
    expect(() => resolveProvider(undefined, '@latchkey/x')).toThrow(/@latchkey\/x: pass \{ provider \}/)
    expect(() => resolveProvider({ provider, source } as never, 'x')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
    expect(() => resolveProvider({ provider: { getSecret: async () => '' } } as never, 'x')).toThrow(
      /CachedSecretProvider/,
    )
  })
})
