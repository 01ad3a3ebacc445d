import { inspect } from 'node:util'
import {
  CachedSecretProvider,
  ErrorCode,
  MemorySource,
  SecretError,
  SecretPreloadError,
  type SecretSource,
} from '@latchkey/core'
import { assertNoCanary, canary, rejectionOf } from '@latchkey/test-support'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, test } from 'vitest'
import latchkeyDefault, { latchkey } from './index.js'

const apps: FastifyInstance[] = []

function app(): FastifyInstance {
  const instance = Fastify()
  apps.push(instance)
  return instance
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((instance) => instance.close()))
})

/** A route that says whether the `x-api-key` header matches the secret, and never echoes it. */
function keyCheckRoute(instance: FastifyInstance): void {
  instance.get('/check', async (request) => {
    const key = await instance.secrets.getSecret('api/key')
    return { authorized: request.headers['x-api-key'] === key }
  })
}

describe('@latchkey/fastify', () => {
  test('the default export and the named export are the same plugin', () => {
    expect(latchkeyDefault).toBe(latchkey)
  })

  test('a route reads a secret through fastify.secrets (inject)', async () => {
    const apiKey = canary('api-key')
    const instance = app()
    await instance.register(latchkey, { source: new MemorySource({ 'api/key': apiKey }) })
    keyCheckRoute(instance)

    const good = await instance.inject({ method: 'GET', url: '/check', headers: { 'x-api-key': apiKey } })
    const bad = await instance.inject({
      method: 'GET',
      url: '/check',
      headers: { 'x-api-key': 'wrong-key-value' },
    })

    expect(good.statusCode).toBe(200)
    expect(good.json()).toEqual({ authorized: true })
    expect(bad.json()).toEqual({ authorized: false })
    assertNoCanary(good.body, 'the response body')
    expect(instance.secrets).toBeInstanceOf(CachedSecretProvider)
    assertNoCanary(inspect(instance.secrets), 'inspect(fastify.secrets)')
  })

  test('a real listening server answers over HTTP', async () => {
    const apiKey = canary('api-key-http')
    const instance = app()
    await instance.register(latchkey, { source: new MemorySource({ 'api/key': apiKey }) })
    keyCheckRoute(instance)
    const address = await instance.listen({ port: 0, host: '127.0.0.1' })

    const response = await fetch(`${address}/check`, { headers: { 'x-api-key': apiKey } })
    const body = await response.text()

    expect(response.status).toBe(200)
    expect(JSON.parse(body)).toEqual({ authorized: true })
    assertNoCanary(body, 'the HTTP response body')
  })

  test('preload loads every secret before ready, so handles reveal without waiting', async () => {
    const source = new MemorySource({ 'db/password': canary('db'), 'api/key': canary('api') })
    const instance = app()
    instance.register(latchkey, { source, preload: ['db/password', 'api/key'] })
    instance.get('/loaded', async () => ({
      db: instance.secrets.handle('db/password').loaded,
      api: instance.secrets.handle('api/key').loaded,
    }))

    expect(source.loads).toBe(0)
    await instance.ready()
    expect(source.loads).toBe(2)

    const response = await instance.inject({ method: 'GET', url: '/loaded' })
    expect(response.json()).toEqual({ db: true, api: true })
    expect(source.loads).toBe(2)
  })

  test('a failed preload makes ready() and listen() reject with one error naming every failure', async () => {
    const apiKey = canary('api-present')
    const source = new MemorySource({ 'api/key': apiKey })
    const instance = app()
    instance.register(latchkey, { source, preload: ['db/password', 'api/key', 'db/user'] })

    const error = await rejectionOf(instance.ready())

    expect(error).toBeInstanceOf(SecretPreloadError)
    const preloadError = error as SecretPreloadError
    expect(preloadError.code).toBe(ErrorCode.PRELOAD)
    expect(preloadError.errors.map((e) => [e.secretName, e.code])).toEqual([
      ['db/password', ErrorCode.NOT_FOUND],
      ['db/user', ErrorCode.NOT_FOUND],
    ])
    assertNoCanary(`${preloadError.message}\n${preloadError.stack}`, 'the preload error')
    expect(instance.secrets.closed).toBe(true)

    const second = app()
    second.register(latchkey, { source, preload: ['db/password'] })
    expect(await rejectionOf(second.listen({ port: 0, host: '127.0.0.1' }))).toBeInstanceOf(
      SecretPreloadError,
    )
    expect(second.server.listening).toBe(false)
  })

  test('onClose closes a provider the plugin built', async () => {
    let sourceClosed = false
    const memory = new MemorySource({ 'api/key': canary('owned') })
    const source: SecretSource = {
      name: 'closing',
      load: (name) => memory.load(name),
      close: async () => {
        sourceClosed = true
      },
    }
    const instance = Fastify()
    await instance.register(latchkey, { source })
    await instance.secrets.getSecret('api/key')

    await instance.close()

    expect(instance.secrets.closed).toBe(true)
    expect(sourceClosed).toBe(true)
    const error = await rejectionOf(instance.secrets.getSecret('api/key'))
    expect((error as SecretError).code).toBe(ErrorCode.PROVIDER_CLOSED)
  })

  test('onClose leaves a provider the app passed in open', async () => {
    const apiKey = canary('shared')
    const provider = new CachedSecretProvider(new MemorySource({ 'api/key': apiKey }))
    const instance = Fastify()
    await instance.register(latchkey, { provider })
    expect(instance.secrets).toBe(provider)

    await instance.close()

    expect(provider.closed).toBe(false)
    expect((await provider.getSecret('api/key')) === apiKey).toBe(true)
    await provider.close()
  })

  test('registering twice under one decorator name fails with a clear, typed error', async () => {
    const source = new MemorySource({ 'api/key': canary('twice') })
    const instance = app()
    instance.register(latchkey, { source })
    instance.register(latchkey, { source })

    const error = await rejectionOf(instance.ready())

    expect(error).toBeInstanceOf(SecretError)
    expect((error as SecretError).code).toBe(ErrorCode.INVALID_OPTIONS)
    expect((error as Error).message).toContain('fastify.secrets is already decorated')
    expect((error as Error).message).toContain('decorator')
  })

  test('a custom decorator name registers a second provider next to the first', async () => {
    const instance = app()
    const primary = canary('primary')
    const archive = canary('archive')
    await instance.register(latchkey, { source: new MemorySource({ token: primary }) })
    await instance.register(latchkey, {
      source: new MemorySource({ token: archive }),
      decorator: 'archiveSecrets',
    })
    const archiveSecrets = (instance as unknown as { archiveSecrets: CachedSecretProvider }).archiveSecrets
    instance.get('/tokens', async () => ({
      primary: (await instance.secrets.getSecret('token')) === primary,
      archive: (await archiveSecrets.getSecret('token')) === archive,
    }))

    const response = await instance.inject({ method: 'GET', url: '/tokens' })

    expect(archiveSecrets).toBeInstanceOf(CachedSecretProvider)
    expect(archiveSecrets).not.toBe(instance.secrets)
    expect(response.json()).toEqual({ primary: true, archive: true })
    assertNoCanary(response.body, 'the response body')
  })

  test('routes in an encapsulated child context see the decorator registered at the root', async () => {
    const apiKey = canary('child')
    const instance = app()
    await instance.register(latchkey, { source: new MemorySource({ 'api/key': apiKey }) })
    await instance.register(async (child) => {
      child.get('/child', async () => ({ same: child.secrets === instance.secrets }))
    })

    const response = await instance.inject({ method: 'GET', url: '/child' })

    expect(response.json()).toEqual({ same: true })
  })

  test.each([
    ['no provider or source', {}],
    ['an empty decorator name', { source: new MemorySource(), decorator: '' }],
    ['preload as a string', { source: new MemorySource(), preload: 'db/password' }],
  ])('%s is rejected with ERR_SECRET_INVALID_OPTIONS', async (_label, options) => {
    const instance = app()
    instance.register(latchkey, options as never)
    const error = await rejectionOf(instance.ready())
    expect((error as SecretError).code).toBe(ErrorCode.INVALID_OPTIONS)
  })

  test('a failing secret read ends in a 500 whose body and log lines hold no secret value', async () => {
    const lines: string[] = []
    const instance = Fastify({
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    })
    apps.push(instance)
    await instance.register(latchkey, { source: new MemorySource({ 'api/key': canary('not-json') }) })
    instance.get('/field', async () => ({ field: await instance.secrets.getSecret('api/key#owner') }))

    const response = await instance.inject({ method: 'GET', url: '/field' })

    expect(response.statusCode).toBe(500)
    expect(response.json()).toMatchObject({ code: ErrorCode.INVALID_JSON })
    assertNoCanary(response.body, 'the error response body')
    expect(lines.some((line) => line.includes(ErrorCode.INVALID_JSON))).toBe(true)
    assertNoCanary(lines.join('\n'), 'the Fastify log')
  })
})
