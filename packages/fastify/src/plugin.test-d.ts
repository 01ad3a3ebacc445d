import { type CachedSecretProvider, MemorySource, type SecretHandle } from '@latchkey/core'
import Fastify from 'fastify'
import { describe, expectTypeOf, test } from 'vitest'
import latchkeyDefault, {
  type LatchkeyFastifyOptions,
  latchkey,
  type SecretHandleLike,
  type SecretProviderLike,
} from './index.js'

describe('@latchkey/fastify types', () => {
  test('declaration merging types fastify.secrets as the provider API (an interface, the same in both builds)', () => {
    const app = Fastify()
    expectTypeOf(app.secrets).toEqualTypeOf<SecretProviderLike>()
    expectTypeOf(app.secrets.getSecret('db/password')).toEqualTypeOf<Promise<string>>()
    expectTypeOf(app.secrets.handle('db/password')).toEqualTypeOf<SecretHandleLike>()
    expectTypeOf(app.secrets.handle('db/password').reveal()).toEqualTypeOf<string>()
    app.get('/', async function (request) {
      expectTypeOf(this.secrets).toEqualTypeOf<SecretProviderLike>()
      expectTypeOf(request.server.secrets).toEqualTypeOf<SecretProviderLike>()
      return {}
    })
  })

  test('fastify.secrets takes every argument the provider takes (one declaration, no drift)', () => {
    const app = Fastify()
    expectTypeOf(app.secrets.preload(['db/password'], { concurrency: 4 })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(app.secrets.preload(['db/password'], { ratePerSecond: 10 })).toEqualTypeOf<Promise<void>>()
    expectTypeOf<Parameters<SecretProviderLike['preload']>>().toEqualTypeOf<
      Parameters<CachedSecretProvider['preload']>
    >()
  })

  test('core classes fit the interfaces', () => {
    expectTypeOf<CachedSecretProvider>().toExtend<SecretProviderLike>()
    expectTypeOf<SecretHandle>().toExtend<SecretHandleLike>()
  })

  test('the default and named exports are the same plugin', () => {
    expectTypeOf(latchkeyDefault).toEqualTypeOf(latchkey)
  })

  test('options take { provider } or { source, ...CacheOptions }, never both', () => {
    const app = Fastify()
    const source = new MemorySource()
    app.register(latchkey, {
      source,
      ttl: 60_000,
      preload: ['db/password'],
      decorator: 'vault',
      preloadTimeout: 5_000,
    })
    expectTypeOf<{ source: MemorySource; preload: string[] }>().toExtend<LatchkeyFastifyOptions>()
    expectTypeOf<{ provider: CachedSecretProvider; decorator: string }>().toExtend<LatchkeyFastifyOptions>()
    expectTypeOf<{
      provider: CachedSecretProvider
      source: MemorySource
    }>().not.toExtend<LatchkeyFastifyOptions>()
    expectTypeOf<{ source: MemorySource; decorator: number }>().not.toExtend<LatchkeyFastifyOptions>()
    expectTypeOf<{ preload: string[] }>().not.toExtend<LatchkeyFastifyOptions>()
  })
})
