import { type CachedSecretProvider, MemorySource, type SecretHandle } from '@latchkey/core'
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express'
import { describe, expectTypeOf, test } from 'vitest'
import {
  type ExpressSecretsOptions,
  requireSecrets,
  type SecretHandleLike,
  type SecretProviderLike,
  type SecretsMiddleware,
  secrets,
  secretsErrorHandler,
} from './index.js'

describe('@latchkey/express types', () => {
  test('declaration merging types req.secrets as the provider API (an interface, the same in both builds)', () => {
    expectTypeOf<Request['secrets']>().toEqualTypeOf<SecretProviderLike>()
    expectTypeOf<CachedSecretProvider>().toExtend<SecretProviderLike>()
    expectTypeOf<SecretHandle>().toExtend<SecretHandleLike>()
    const app = express()
    app.get('/', (req, res) => {
      expectTypeOf(req.secrets.getSecret('api/key')).toEqualTypeOf<Promise<string>>()
      expectTypeOf(req.secrets.handle('api/key').reveal()).toEqualTypeOf<string>()
      res.end()
    })
  })

  test('the middleware, guard and error handler are Express handlers', () => {
    const middleware = secrets({
      source: new MemorySource(),
      preload: ['api/key'],
      ttl: 60_000,
      preloadTimeout: 5_000,
    })
    expectTypeOf(middleware).toEqualTypeOf<SecretsMiddleware>()
    expectTypeOf(middleware).toExtend<RequestHandler>()
    expectTypeOf(middleware.provider).toEqualTypeOf<SecretProviderLike>()
    expectTypeOf(middleware.close).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf(requireSecrets('api/key')).toEqualTypeOf<RequestHandler>()
    expectTypeOf(secretsErrorHandler()).toEqualTypeOf<ErrorRequestHandler>()
    express().use(middleware, requireSecrets('a', 'b'), secretsErrorHandler())
  })

  test('options take { provider } or { source, ...CacheOptions }, never both', () => {
    expectTypeOf<{ provider: CachedSecretProvider; preload: string[] }>().toExtend<ExpressSecretsOptions>()
    expectTypeOf<{ source: MemorySource; maxStale: number }>().toExtend<ExpressSecretsOptions>()
    expectTypeOf<{
      provider: CachedSecretProvider
      source: MemorySource
    }>().not.toExtend<ExpressSecretsOptions>()
    expectTypeOf<{ preload: string[] }>().not.toExtend<ExpressSecretsOptions>()
  })
})
