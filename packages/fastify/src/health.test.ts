/**
 * secretsHealthHandler over real HTTP: the report's content, 200 while every required secret can be
 * served (fresh or stale), 503 when one cannot, and no value in the response or the log.
 */
import { Writable } from 'node:stream'
import { CachedSecretProvider, MemorySource, SecretUnavailableError } from '@latchkey/core'
import {
  assertNoCanary,
  canary,
  flakyLoads,
  HEALTH_START,
  healthProviderOptions,
  healthReportScenario,
  reportRows,
} from '@latchkey/test-support'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { latchkey, secretsHealthHandler } from './index.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

function app(): { app: FastifyInstance; log: () => string } {
  let log = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      log += String(chunk)
      done()
    },
  })
  const instance = Fastify({ logger: { level: 'info', stream } })
  apps.push(instance)
  return { app: instance, log: () => log }
}

describe('secretsHealthHandler', () => {
  it('reports fresh, then stale (200, degraded, since when), then nothing servable (503), never a value', async () => {
    const clock = { now: HEALTH_START }
    const source = new MemorySource({ 'db/password': canary('db') })
    // its loads fail transiently once fail() is called
    const fail = flakyLoads(
      source,
      (name) => new SecretUnavailableError({ secretName: name }, 'backend down'),
    )
    const { app: server, log } = app()
    await server.register(latchkey, {
      source,
      preload: ['db/password'],
      ...healthProviderOptions(clock),
    })
    server.get('/health/secrets', secretsHealthHandler({ names: ['db/password'], details: true }))
    // the decorated provider's type (an interface, the same for both builds) fits the option
    server.get('/health/all', secretsHealthHandler({ provider: server.secrets }))
    const url = `${await server.listen({ host: '127.0.0.1', port: 0 })}/health/secrets`

    await healthReportScenario({ url, clock, fail, read: () => server.secrets.getSecret('db/password') })
    assertNoCanary(log(), 'the Fastify log')
  })

  it('takes a provider directly; without names reports every cached secret, pinned ones required', async () => {
    const provider = new CachedSecretProvider(new MemorySource({ a: canary('a'), b: canary('b') }), {
      logger: { warn: () => undefined },
    })
    await provider.preload(['a'])
    await provider.getSecret('b')
    const { app: server } = app()
    server.addHook('onClose', () => provider.close())
    server.get('/health', secretsHealthHandler({ provider, details: true }))
    const res = await fetch(`${await server.listen({ host: '127.0.0.1', port: 0 })}/health`)
    const { rows } = await reportRows(res)
    expect(res.status).toBe(200)
    expect(rows).toEqual([
      ['a', 'fresh', true],
      ['b', 'fresh', false],
    ])
  })

  it('answers the status only by default; a named secret never loaded is loaded by the check (issue 21)', async () => {
    const provider = new CachedSecretProvider(
      new MemorySource({ a: canary('a'), 'tenant-x/b': canary('b') }),
      {
        logger: { warn: () => undefined },
      },
    )
    await provider.preload(['a'])
    const { app: server } = app()
    server.addHook('onClose', () => provider.close())
    server.get('/health', secretsHealthHandler({ provider }))
    server.get('/health/b', secretsHealthHandler({ provider, names: ['tenant-x/b'], timeout: 1_000 }))
    const base = await server.listen({ host: '127.0.0.1', port: 0 })
    const res = await fetch(`${base}/health`)
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(JSON.parse(text)).toEqual({ status: 'ok' })
    const named = await fetch(`${base}/health/b`)
    expect(named.status).toBe(200)
    const body = await named.text()
    expect(JSON.parse(body)).toEqual({ status: 'ok' })
    expect(body).not.toContain('tenant-x')
    expect(provider.health(['tenant-x/b']).secrets[0]?.status).toBe('fresh')
  })

  it('a missing decorator is a 500 naming the fix; bad options throw InvalidOptionsError', async () => {
    const { app: server } = app()
    server.get('/health', secretsHealthHandler())
    const res = await fetch(`${await server.listen({ host: '127.0.0.1', port: 0 })}/health`)
    expect(res.status).toBe(500)
    expect(() => secretsHealthHandler({ decorator: '' })).toThrow(
      'secretsHealthHandler: option "decorator" must be a non-empty string (got string)',
    )
    expect(() => secretsHealthHandler({ names: [1] as never })).toThrow(
      'secretsHealthHandler: option "names" must be an array of secret names (got array)',
    )
  })
})
