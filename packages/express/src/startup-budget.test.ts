import { createRequire } from 'node:module'
import {
  ErrorCode,
  type SecretError,
  SecretNotFoundError,
  SecretPreloadError,
  type SecretSource,
} from '@latchkey/core'
import { assertNoCanary, canary, rejectionOf } from '@latchkey/test-support'
import express5 from 'express'
import request from 'supertest'
import { afterEach, describe, expect, test } from 'vitest'
import { type SecretsMiddleware, secrets } from './index.js'

const express4 = createRequire(import.meta.url)('express4') as typeof express5

const middlewares: SecretsMiddleware[] = []
afterEach(async () => {
  await Promise.all(middlewares.splice(0).map((middleware) => middleware.close()))
})

/** A store that never answers `db/password` (ignoring the abort signal, like a hung peer) and has no `api/key`. */
function hungStore(): SecretSource {
  return {
    name: 'hung-store',
    load: async (name) => {
      if (name === 'api/key') throw new SecretNotFoundError({ secretName: name, source: 'hung-store' })
      return new Promise(() => undefined)
    },
  }
}

describe('@latchkey/express startup budget', () => {
  test('ready() against a hung store rejects within preloadTimeout, naming each secret and its cause', async () => {
    const middleware = secrets({
      source: hungStore(),
      preload: ['db/password', 'api/key'],
      preloadTimeout: 300,
    })
    middlewares.push(middleware)

    const error = await rejectionOf(middleware.ready())

    expect(error).toBeInstanceOf(SecretPreloadError)
    const errors = (error as SecretPreloadError).errors
    expect(errors.map((e) => [e.secretName, e.code])).toEqual([
      ['db/password', ErrorCode.TIMEOUT],
      ['api/key', ErrorCode.NOT_FOUND],
    ])
    expect(errors[0]?.message).toBe('loading secret "db/password" (source hung-store) timed out after 300 ms')
  })

  test('without preloadTimeout, the provider retry policy bounds ready() and names the timeouts', async () => {
    const middleware = secrets({
      source: hungStore(),
      preload: ['db/password'],
      timeout: 100,
      retry: { retries: 1, baseDelay: 1, maxDelay: 1 },
    })
    middlewares.push(middleware)

    const error = (await rejectionOf(middleware.ready())) as SecretPreloadError

    expect(error.code).toBe(ErrorCode.PRELOAD)
    expect(error.errors.map((e) => e.message)).toEqual([
      'loading secret "db/password" (source hung-store) timed out after 100 ms',
    ])
  })

  test.each([
    ['Express 4', express4],
    ['Express 5', express5],
  ])(
    '%s: a request waiting on a hung preload gets a 503 once preloadTimeout runs out',
    async (_label, express) => {
      const middleware = secrets({ source: hungStore(), preload: ['db/password'], preloadTimeout: 200 })
      middlewares.push(middleware)
      const app = express()
      app.use(middleware)
      app.get('/', (_req, res) => {
        res.send('never')
      })

      const response = await request(app).get('/')

      expect(response.status).toBe(503)
      assertNoCanary(response.text, 'the 503 body')
    },
  )

  test.each([
    ['a string', '500', 'string'],
    ['zero', 0, 'number 0'],
    ['a fraction', 2.5, 'number 2.5'],
  ])('preloadTimeout as %s is refused naming the option, type and range', (_label, value, got) => {
    let thrown: unknown
    try {
      secrets({ source: hungStore(), preloadTimeout: value as number })
    } catch (error) {
      thrown = error
    }
    expect((thrown as SecretError).code).toBe(ErrorCode.INVALID_OPTIONS)
    expect((thrown as Error).message).toBe(
      `@latchkey/express: { preloadTimeout } must be a whole number of milliseconds from 1 to 2147483647; got ${got}`,
    )
  })

  test('a value loaded inside the budget serves requests as before', async () => {
    const token = canary('express-token')
    const middleware = secrets({
      source: {
        name: 'slow-store',
        load: async () => {
          await new Promise((resolve) => setTimeout(resolve, 30))
          return { value: token, version: 'v1' }
        },
      },
      preload: ['app/token'],
      preloadTimeout: 5_000,
    })
    middlewares.push(middleware)
    await middleware.ready()
    expect(middleware.provider.handle('app/token').reveal() === token).toBe(true)
  })
})
