import 'reflect-metadata'
import { CachedSecretProvider, InvalidOptionsError, MemorySource } from '@latchkey/core'
import { canary, rejectionOf } from '@latchkey/test-support'
import type { INestApplication } from '@nestjs/common'
import { afterEach, describe, expect, it } from 'vitest'
import { CapturingLogger, startApp } from '../test/support.js'
import { SecretsModule } from './index.js'

const apps: INestApplication[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

async function boot(module: unknown, logger: CapturingLogger) {
  const app = await startApp([module], logger)
  apps.push(app)
  return app
}

const startupLines = (logger: CapturingLogger) => logger.lines.filter((line) => / loaded from /.test(line))

describe('the startup line (@latchkey/nestjs SecretsModule)', () => {
  it("is logged once through Nest's logger: count, source kind, ms; no value, no name", async () => {
    const name = `tenant-${canary('name')}/db`
    const value = canary('value')
    const logger = new CapturingLogger()
    const app = await boot(
      SecretsModule.forRoot({
        source: new MemorySource({ [name]: value, 'prod/key': canary('key') }),
        preload: [name, 'prod/key', name],
      }),
      logger,
    )
    expect(await app.get(CachedSecretProvider).getSecret(name)).toBe(value)
    expect(startupLines(logger)).toEqual([
      expect.stringMatching(/^@latchkey\/nestjs: 2 secrets loaded from memory in \d+ ms SecretsModule$/),
    ])
    expect(logger.text).not.toContain(value)
    expect(logger.text).not.toContain(name)
  })

  it('is off with startupLog: false and goes to a startupLog logger instead', async () => {
    const quiet = new CapturingLogger()
    await boot(
      SecretsModule.forRoot({
        source: new MemorySource({ a: canary('a') }),
        preload: ['a'],
        startupLog: false,
      }),
      quiet,
    )
    expect(startupLines(quiet)).toEqual([])
    const own: string[] = []
    const logger = new CapturingLogger()
    await boot(
      SecretsModule.forRoot({
        source: new MemorySource({ a: canary('a') }),
        preload: ['a'],
        startupLog: { info: (m: string) => own.push(m) },
      }),
      logger,
    )
    expect(own).toEqual([expect.stringMatching(/^@latchkey\/nestjs: 1 secret loaded from memory in \d+ ms$/)])
    expect(startupLines(logger)).toEqual([])
  })

  it('a startupLog logger that throws does not fail startup', async () => {
    const logger = new CapturingLogger()
    const app = await boot(
      SecretsModule.forRoot({
        source: new MemorySource({ a: canary('a') }),
        preload: ['a'],
        startupLog: {
          info: () => {
            throw new Error('logger down')
          },
        },
      }),
      logger,
    )
    expect(app.get(CachedSecretProvider).handle('a').loaded).toBe(true)
  })
})

describe('unknown option names (@latchkey/nestjs SecretsModule)', () => {
  it.each([
    [{ source: new MemorySource(), prelod: ['a'] }, 'prelod', 'preload'],
    [{ source: new MemorySource(), startuplog: false }, 'startuplog', 'startupLog'],
    [{ source: new MemorySource(), tll: 5 }, 'tll', 'ttl'],
  ])('%o fails startup with ERR_SECRET_INVALID_OPTIONS naming %s → %s', async (options, key, nearest) => {
    const error = await rejectionOf(
      startApp([SecretsModule.forRoot(options as never)], new CapturingLogger()),
    )
    const cause = error instanceof InvalidOptionsError ? error : (error as { cause?: unknown }).cause
    expect(cause).toBeInstanceOf(InvalidOptionsError)
    expect((cause as InvalidOptionsError).code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect((cause as InvalidOptionsError).message).toBe(
      `@latchkey/nestjs SecretsModule: unknown option "${key}"; did you mean "${nearest}"?`,
    )
  })
})
