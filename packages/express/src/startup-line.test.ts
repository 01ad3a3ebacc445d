import { CachedSecretProvider, InvalidOptionsError, MemorySource } from '@latchkey/core'
import { canary, capturingLogger, printed, thrownBy } from '@latchkey/test-support'
import express from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { secrets } from './index.js'

describe('the startup line (@latchkey/express)', () => {
  it('is logged once through the logger option after preload: count, source kind, ms; no value, no name', async () => {
    const name = `tenant-${canary('name')}/db`
    const value = canary('value')
    const { lines, logger } = capturingLogger()
    const middleware = secrets({
      source: new MemorySource({ [name]: value, 'prod/key': canary('key') }),
      preload: [name, 'prod/key'],
      logger,
    })
    const app = express()
    app.use(middleware)
    app.get('/len', async (req, res) => {
      res.json({ length: (await req.secrets.getSecret(name)).length })
    })
    const server = app.listen(0)
    try {
      const first = await request(server).get('/len')
      const second = await request(server).get('/len')
      expect(first.body).toEqual({ length: value.length })
      expect(second.body).toEqual({ length: value.length })
    } finally {
      server.close()
      await middleware.close()
    }
    expect(lines.map((l) => l.message)).toEqual([
      expect.stringMatching(/^@latchkey\/express: 2 secrets loaded from memory in \d+ ms$/),
    ])
    expect(lines[0]?.meta).toMatchObject({ secrets: 2, source: 'memory' })
    expect(printed(lines)).not.toContain(value)
    expect(printed(lines)).not.toContain(name)
  })

  it('is off with startupLog: false, and a logger with only warn() gets nothing', async () => {
    const off = capturingLogger()
    const quiet = secrets({
      source: new MemorySource({ a: canary('a') }),
      preload: ['a'],
      logger: off.logger,
      startupLog: false,
    })
    await quiet.ready()
    await quiet.close()
    const warnings: string[] = []
    const warnOnly = secrets({
      source: new MemorySource({ a: canary('a') }),
      preload: ['a'],
      logger: { warn: (m: string) => warnings.push(m) },
    })
    await warnOnly.ready()
    await warnOnly.close()
    expect(off.lines).toEqual([])
    expect(warnings).toEqual([])
  })

  it('goes to a startupLog logger with { provider }; one that throws does not fail ready()', async () => {
    const provider = new CachedSecretProvider(new MemorySource({ a: canary('a') }))
    const own = capturingLogger()
    await secrets({ provider, preload: ['a'], startupLog: own.logger }).ready()
    expect(own.lines.map((l) => l.message)).toEqual([
      expect.stringMatching(/^@latchkey\/express: 1 secret loaded from memory in \d+ ms$/),
    ])
    const throwing = {
      info: () => {
        throw new Error('logger down')
      },
    }
    await expect(secrets({ provider, preload: ['a'], startupLog: throwing }).ready()).resolves.toBeUndefined()
    await provider.close()
  })
})

describe('unknown option names (@latchkey/express)', () => {
  it.each([
    [{ source: new MemorySource(), prelaod: ['a'] }, 'prelaod', 'preload'],
    [
      { provider: new CachedSecretProvider(new MemorySource()), preloadTimout: 5 },
      'preloadTimout',
      'preloadTimeout',
    ],
    [{ source: new MemorySource(), startuplog: false }, 'startuplog', 'startupLog'],
    [{ source: new MemorySource(), maxstale: 5 }, 'maxstale', 'maxStale'],
  ])('%o is ERR_SECRET_INVALID_OPTIONS naming %s → %s', (options, key, nearest) => {
    const error = thrownBy(() => secrets(options as never), InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`@latchkey/express: unknown option "${key}"; did you mean "${nearest}"?`)
  })
})
