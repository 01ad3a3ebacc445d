import {
  CachedSecretProvider,
  ErrorCode,
  MemorySource,
  SecretError,
  SecretNotFoundError,
  SecretPreloadError,
  type SecretSource,
} from '@latchkey/core'
import { assertNoCanary, canary, rejectionOf } from '@latchkey/test-support'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, test } from 'vitest'
import { latchkey } from './index.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((instance) => instance.close()))
})

/**
 * A store that never answers `db/password` (and ignores the abort signal, like a hung TCP peer), has
 * no `api/key`, and answers `app/token` at once.
 */
function hungStore(token: string): SecretSource & { calls: string[] } {
  const calls: string[] = []
  return {
    name: 'hung-store',
    calls,
    load: async (name) => {
      calls.push(name)
      if (name === 'api/key') throw new SecretNotFoundError({ secretName: name, source: 'hung-store' })
      if (name === 'app/token') return { value: token, version: 'v1' }
      return new Promise(() => undefined)
    },
  }
}

describe('@latchkey/fastify startup budget', () => {
  test('a hung store fails ready() with a SecretPreloadError naming each secret and its cause, before pluginTimeout', async () => {
    // Default cache options: 5 s per attempt × 4 attempts, far beyond this app's 1.5 s pluginTimeout.
    const instance = Fastify({ pluginTimeout: 1_500 })
    apps.push(instance)
    const source = hungStore(canary('token'))
    instance.register(latchkey, { source, preload: ['db/password', 'api/key', 'app/token'] })

    const error = await rejectionOf(instance.ready())

    // Before the fix this was avvio's AVV_ERR_PLUGIN_EXEC_TIMEOUT ("forgotten to call 'done'").
    expect((error as { code?: string }).code).toBe(ErrorCode.PRELOAD)
    expect(error).toBeInstanceOf(SecretPreloadError)
    const preloadError = error as SecretPreloadError
    expect(preloadError.errors.map((e) => [e.secretName, e.code, e.source])).toEqual([
      ['db/password', ErrorCode.TIMEOUT, 'hung-store'],
      ['api/key', ErrorCode.NOT_FOUND, 'hung-store'],
    ])
    expect(preloadError.message).toBe(
      'failed to load 2 secrets: db/password (ERR_SECRET_TIMEOUT), api/key (ERR_SECRET_NOT_FOUND)',
    )
    // 1_500 ms less a tenth of it.
    expect(preloadError.errors[0]?.message).toBe(
      'loading secret "db/password" (source hung-store) timed out after 1350 ms',
    )
    const [first] = preloadError.errors as [SecretError]
    expect(first.cause).toBeInstanceOf(Error)
    expect((first.cause as Error).message).toBe(
      "the plugin's startup budget (1350 ms) ran out while the secret was still loading",
    )
    assertNoCanary(`${preloadError.message}\n${preloadError.stack}`, 'the preload error')
    // The provider the plugin built is closed, which stops the loads still in flight.
    expect(instance.secrets.closed).toBe(true)
  })

  test('listen() rejects with the same error and the server never listens', async () => {
    const instance = Fastify({ pluginTimeout: 1_000 })
    apps.push(instance)
    instance.register(latchkey, { source: hungStore(canary('token')), preload: ['db/password'] })

    const error = await rejectionOf(instance.listen({ port: 0, host: '127.0.0.1' }))

    expect((error as SecretPreloadError).errors.map((e) => [e.secretName, e.code])).toEqual([
      ['db/password', ErrorCode.TIMEOUT],
    ])
    expect(instance.server.listening).toBe(false)
  })

  test('a provider the app passed in is left open when the budget runs out', async () => {
    const provider = new CachedSecretProvider(hungStore(canary('token')))
    const instance = Fastify({ pluginTimeout: 1_000 })
    apps.push(instance)
    instance.register(latchkey, { provider, preload: ['db/password'] })

    expect(await rejectionOf(instance.ready())).toBeInstanceOf(SecretPreloadError)
    expect(provider.closed).toBe(false)
    await provider.close()
  })

  test('preloadTimeout bounds the preload when pluginTimeout is off', async () => {
    const instance = Fastify({ pluginTimeout: 0 })
    apps.push(instance)
    instance.register(latchkey, {
      source: hungStore(canary('token')),
      preload: ['db/password'],
      preloadTimeout: 200,
    })

    const error = (await rejectionOf(instance.ready())) as SecretPreloadError

    expect(error.errors.map((e) => e.message)).toEqual([
      'loading secret "db/password" (source hung-store) timed out after 200 ms',
    ])
  })

  test('a store that answers inside the budget starts the app as before', async () => {
    const token = canary('slow-token')
    const memory = new MemorySource({ 'app/token': token })
    const source: SecretSource = {
      name: 'slow-store',
      load: async (name, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 50))
        return memory.load(name, ctx)
      },
    }
    const instance = Fastify({ pluginTimeout: 5_000 })
    apps.push(instance)
    await instance.register(latchkey, { source, preload: ['app/token'] })
    await instance.ready()

    expect(instance.secrets.handle('app/token').reveal() === token).toBe(true)
  })

  test.each([
    ['inside the margin before pluginTimeout', { preloadTimeout: 901 }, 'number 901'],
    ['a string', { preloadTimeout: '500' }, 'string'],
    ['zero', { preloadTimeout: 0 }, 'number 0'],
  ])(
    'preloadTimeout %s is refused with ERR_SECRET_INVALID_OPTIONS naming the range',
    async (_label, extra, got) => {
      const instance = Fastify({ pluginTimeout: 1_000 })
      apps.push(instance)
      instance.register(latchkey, { source: new MemorySource(), ...extra } as never)

      const error = (await rejectionOf(instance.ready())) as SecretError

      expect(error).toBeInstanceOf(SecretError)
      expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
      expect(error.message).toBe(
        `@latchkey/fastify: { preloadTimeout } must be a whole number of milliseconds from 1 to 900 (Fastify's pluginTimeout of 1000 ms less a 100 ms margin, so this error comes first); got ${got}`,
      )
    },
  )
})
