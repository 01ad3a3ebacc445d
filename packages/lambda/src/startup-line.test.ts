import { CachedSecretProvider, InvalidOptionsError, MemorySource } from '@latchkey/core'
import { canary, capturingLogger, printed, thrownBy } from '@latchkey/test-support'
import { startLambdaExtensionEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { LambdaExtensionSource, secrets, withSecrets } from './index.js'

const lambdaContext = () => {
  const deadline = Date.now() + 3_000
  return { getRemainingTimeInMillis: () => deadline - Date.now(), awsRequestId: 'test' }
}

describe('the startup line (withSecrets, secrets())', () => {
  it('says once how many secrets came from which source in how many ms, through the logger option', async () => {
    const name = `tenant-${canary('name')}/db`
    const value = canary('value')
    const { lines, logger } = capturingLogger()
    const handler = withSecrets(async (_e: unknown, ctx) => ctx.secrets.db.reveal().length, {
      source: new MemorySource({ [name]: value, 'prod/key': canary('key') }),
      secrets: { db: name, key: 'prod/key' },
      logger,
    })
    expect(await handler({}, lambdaContext())).toBe(value.length)
    expect(await handler({}, lambdaContext())).toBe(value.length)
    expect(lines.map((l) => l.message)).toEqual([
      expect.stringMatching(/^@latchkey\/lambda: 2 secrets loaded from memory in \d+ ms$/),
    ])
    expect(lines[0]?.meta).toMatchObject({ secrets: 2, source: 'memory' })
    expect(printed(lines)).not.toContain(value)
    expect(printed(lines)).not.toContain(name)
    await handler.provider.close()
  })

  it('with LambdaExtensionSource comes from the first invocation (nothing loads at init)', async () => {
    const extension = await startLambdaExtensionEmulator({ cacheTtl: 0 })
    try {
      extension.putSecret('prod/api', canary('ext'))
      extension.setPhase('init')
      const { lines, logger } = capturingLogger()
      const handler = withSecrets(async (_e: unknown, ctx) => ctx.secrets.api.reveal().length, {
        source: new LambdaExtensionSource({ env: extension.env }),
        secrets: { api: 'prod/api' },
        logger,
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(lines).toEqual([])
      extension.setPhase('invoke')
      await handler({}, lambdaContext())
      expect(lines.map((l) => l.message)).toEqual([
        expect.stringMatching(/^@latchkey\/lambda: 1 secret loaded from aws-lambda-extension in \d+ ms$/),
      ])
      await handler.provider.close()
    } finally {
      await extension.close()
    }
  })

  it('is off with startupLog: false, goes to a startupLog logger (also with { provider }), and survives one that throws', async () => {
    const off = capturingLogger()
    const quiet = secrets({
      source: new MemorySource({ a: canary('a') }),
      secrets: { a: 'a' },
      logger: off.logger,
      startupLog: false,
    })
    await quiet.before({ context: lambdaContext() })
    expect(off.lines).toEqual([])
    await quiet.provider.close()

    const own = capturingLogger()
    const provider = new CachedSecretProvider(new MemorySource({ a: canary('a') }))
    const middleware = secrets({ provider, secrets: { a: 'a' }, startupLog: own.logger })
    await middleware.before({ context: lambdaContext() })
    expect(own.lines.map((l) => l.message)).toEqual([
      expect.stringMatching(/^@latchkey\/lambda: 1 secret loaded from memory in \d+ ms$/),
    ])

    const throwing = {
      info: () => {
        throw new Error('logger down')
      },
    }
    const handler = withSecrets(async () => 'ok', { provider, secrets: { a: 'a' }, startupLog: throwing })
    expect(await handler({}, lambdaContext())).toBe('ok')
    await provider.close()
  })

  it('a logger with only warn() gets no startup line (it is not a warning)', async () => {
    const lines: string[] = []
    const handler = withSecrets(async () => 'ok', {
      source: new MemorySource({ a: canary('a') }),
      secrets: { a: 'a' },
      logger: { warn: (m: string) => lines.push(m) },
    })
    expect(await handler({}, lambdaContext())).toBe('ok')
    expect(lines).toEqual([])
    await handler.provider.close()
  })

  it('rejects a startupLog that is not true, false or a logger, naming it', () => {
    const error = thrownBy(
      () =>
        withSecrets(async () => 1, {
          source: new MemorySource(),
          secrets: { a: 'a' },
          startupLog: 'yes',
        } as never),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toContain('{ startupLog }')
  })
})

describe('unknown option names (lambda)', () => {
  it.each([
    [
      '@latchkey/lambda: withSecrets(handler, options)',
      () =>
        withSecrets(async () => 1, {
          source: new MemorySource(),
          secrets: { a: 'a' },
          startuplog: false,
        } as never),
      'startuplog',
      'startupLog',
    ],
    [
      '@latchkey/lambda: secrets(options)',
      () => secrets({ source: new MemorySource(), secret: { a: 'a' } } as never),
      'secret',
      'secrets',
    ],
    [
      '@latchkey/lambda: LambdaExtensionSource',
      () => new LambdaExtensionSource({ token: 't', versionStag: 'AWSPENDING' } as never),
      'versionStag',
      'versionStage',
    ],
  ])('%s is ERR_SECRET_INVALID_OPTIONS naming the nearest option to { %s }', (owner, build, key, nearest) => {
    const error = thrownBy(build, InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`${owner}: unknown option "${key}"; did you mean "${nearest}"?`)
  })
})
