import { type CachedSecretProvider, ErrorCode, MemorySource, SecretError } from '@latchkey/core'
import { canary, rejectionOf } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  configureDefaultProvider,
  DEFAULT_PROVIDER_KEY,
  defaultProvider,
  getJson,
  getSecret,
} from './index.js'

type Slot = { [DEFAULT_PROVIDER_KEY]?: unknown }

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
})
afterEach(async () => {
  vi.useRealTimers()
  const slot = (globalThis as Slot)[DEFAULT_PROVIDER_KEY] as { provider: CachedSecretProvider } | undefined
  await slot?.provider.close()
  delete (globalThis as Slot)[DEFAULT_PROVIDER_KEY]
})

describe('getSecret / getJson on the process-wide default provider', () => {
  it('caches, selects #field, parses JSON', async () => {
    const password = canary('pw')
    const source = new MemorySource({ db: JSON.stringify({ password, port: 5432 }) })
    configureDefaultProvider({ source })
    expect(await getSecret('db#password')).toBe(password)
    expect(await getJson<{ port: number }>('db')).toMatchObject({ port: 5432 })
    expect(source.loads).toBe(1)
  })

  it('maxAge (seconds, as in Powertools) reloads an older value; forceFetch always does; concurrent calls share one load', async () => {
    const source = new MemorySource({ k: canary('one') })
    configureDefaultProvider({ source })
    await getSecret('k')
    vi.setSystemTime(Date.now() + 4_000)
    await getSecret('k', { maxAge: 5 })
    expect(source.loads).toBe(1)
    const rotated = canary('two')
    source.set('k', rotated)
    vi.setSystemTime(Date.now() + 2_000)
    expect(await getSecret('k', { maxAge: 5 })).toBe(rotated)
    expect(source.loads).toBe(2)
    await Promise.all(Array.from({ length: 100 }, () => getSecret('k', { forceFetch: true })))
    expect(source.loads).toBe(3)
  })

  it('serves the last good value when a maxAge reload fails transiently', async () => {
    const value = canary('kept')
    const source = new MemorySource({ k: value })
    configureDefaultProvider({ source, retry: { retries: 0 } })
    await getSecret('k')
    source.load = async () => {
      throw new SecretError(ErrorCode.UNAVAILABLE, 'store down', true)
    }
    vi.setSystemTime(Date.now() + 10_000)
    expect(await getSecret('k', { maxAge: 5 })).toBe(value)
  })

  it('is shared through Symbol.for, so a second copy of the package sees the same provider', async () => {
    const provider = configureDefaultProvider({ source: new MemorySource({ k: canary('copy') }) })
    const slot = (globalThis as Record<symbol, { provider: unknown } | undefined>)[
      Symbol.for('@latchkey/lambda.defaultProvider.v1')
    ]
    expect(slot?.provider).toBe(provider)
    expect(defaultProvider()).toBe(provider)
    // a second copy of the module (as a second bundled copy of the package would be) sees it too
    vi.resetModules()
    const copy = await import('./default-provider.js')
    expect(copy.getSecret).not.toBe(getSecret)
    expect(copy.defaultProvider()).toBe(provider)
  })

  it('without configuration builds one over the extension, which needs AWS_SESSION_TOKEN', async () => {
    const saved = process.env.AWS_SESSION_TOKEN
    delete process.env.AWS_SESSION_TOKEN
    try {
      const error = await rejectionOf(getSecret('k'), SecretError)
      expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
      expect(error.message).toContain('AWS_SESSION_TOKEN')
    } finally {
      if (saved !== undefined) process.env.AWS_SESSION_TOKEN = saved
    }
  })

  it.each([
    [{ maxAge: -1 }, 'maxAge'],
    [{ maxAge: '5' }, 'maxAge'],
    [{ forceFetch: 1 }, 'forceFetch'],
    [{ transform: 'json' }, 'transform'],
  ])('refuses %o naming %s', async (options, named) => {
    configureDefaultProvider({ source: new MemorySource({ k: canary('opts') }) })
    const error = await rejectionOf(getSecret('k', options as never), SecretError)
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toContain(named)
  })
})
