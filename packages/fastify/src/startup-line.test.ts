import { CachedSecretProvider, InvalidOptionsError, MemorySource } from '@latchkey/core'
import { canary, printed, rejectionOf } from '@latchkey/test-support'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { latchkey } from './index.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** A real Fastify app whose pino logger writes every line into `lines`. */
function appWithLog(lines: string[]) {
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } })
  apps.push(app)
  return app
}

const startupLines = (lines: string[]) =>
  lines
    .map((line) => JSON.parse(line))
    .filter(
      (entry) => String(entry.msg).includes('secrets loaded') || String(entry.msg).includes('secret loaded'),
    )

describe('the startup line (@latchkey/fastify)', () => {
  it('logs once at info through fastify.log: how many secrets, the source kind, how long; no value, no name', async () => {
    const lines: string[] = []
    const name = `tenant-${canary('name')}/db`
    const value = canary('value')
    const app = appWithLog(lines)
    await app.register(latchkey, {
      source: new MemorySource({ [name]: value, 'prod/key': canary('key') }),
      preload: [name, 'prod/key'],
    })
    app.get('/len', async () => ({ length: (await app.secrets.getSecret(name)).length }))
    const response = await app.inject({ method: 'GET', url: '/len' })
    expect(response.json()).toEqual({ length: value.length })
    const found = startupLines(lines)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ level: 30, secrets: 2, source: 'memory' })
    expect(found[0].msg).toMatch(/^@latchkey\/fastify: 2 secrets loaded from memory in \d+ ms$/)
    expect(printed(lines)).not.toContain(value)
    expect(printed(lines)).not.toContain(name)
  })

  it('is off with startupLog: false and absent with nothing to preload', async () => {
    const lines: string[] = []
    const off = appWithLog(lines)
    await off.register(latchkey, {
      source: new MemorySource({ a: canary('a') }),
      preload: ['a'],
      startupLog: false,
    })
    await off.ready()
    const none = appWithLog(lines)
    await none.register(latchkey, { source: new MemorySource({ a: canary('a') }) })
    await none.ready()
    expect(startupLines(lines)).toEqual([])
  })

  it('goes to a startupLog logger instead (with { provider }), and a throwing one does not fail startup', async () => {
    const own: string[] = []
    const provider = new CachedSecretProvider(new MemorySource({ a: canary('a') }))
    const app = appWithLog([])
    await app.register(latchkey, {
      provider,
      preload: ['a'],
      startupLog: { info: (m: string) => own.push(m) },
    })
    await app.ready()
    expect(own).toEqual([
      expect.stringMatching(/^@latchkey\/fastify: 1 secret loaded from memory in \d+ ms$/),
    ])

    const throwing = appWithLog([])
    await throwing.register(latchkey, {
      provider,
      decorator: 'other',
      preload: ['a'],
      startupLog: {
        info: () => {
          throw new Error('logger down')
        },
      },
    })
    await expect(throwing.ready()).resolves.toBeDefined()
    await provider.close()
  })
})

describe('unknown option names (@latchkey/fastify)', () => {
  it.each([
    [{ source: new MemorySource(), decorater: 'x' }, 'decorater', 'decorator'],
    [{ source: new MemorySource(), prelaod: ['a'] }, 'prelaod', 'preload'],
    [
      { provider: new CachedSecretProvider(new MemorySource()), preloadTimout: 5 },
      'preloadTimout',
      'preloadTimeout',
    ],
    [{ source: new MemorySource(), tll: 5 }, 'tll', 'ttl'],
  ])('%o is ERR_SECRET_INVALID_OPTIONS naming %s → %s', async (options, key, nearest) => {
    const app = appWithLog([])
    app.register(latchkey, options as never)
    const error = await rejectionOf(app.ready(), InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`@latchkey/fastify: unknown option "${key}"; did you mean "${nearest}"?`)
  })

  it("accepts Fastify's own register options (prefix, logLevel)", async () => {
    const app = appWithLog([])
    await app.register(latchkey, { source: new MemorySource(), prefix: '/v1', logLevel: 'warn' } as never)
    await expect(app.ready()).resolves.toBeDefined()
  })
})
