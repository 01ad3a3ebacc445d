/**
 * secretsHealthAnswer, the health endpoints' shared answer (issue 21): the status only by default,
 * the whole report only with `details`, named secrets never loaded loaded within `timeout`, and
 * `preload(names, { required: false })` pinning without requiring.
 */
import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { ErrorCode } from './errors.js'
import { secretsHealthAnswer } from './health-answer.js'
import { MemorySource } from './sources/memory.js'

const quiet = { logger: { warn: () => undefined }, retry: { retries: 0 } }

describe('secretsHealthAnswer', () => {
  it('answers the status only by default, the whole report with details', async () => {
    const secrets = new CachedSecretProvider(new MemorySource({ 'tenant-1/db': canary('db') }), quiet)
    await secrets.preload(['tenant-1/db'])
    expect(await secretsHealthAnswer(secrets)).toEqual({ statusCode: 200, body: { status: 'ok' } })
    const detailed = await secretsHealthAnswer(secrets, { details: true })
    expect(detailed.body).toMatchObject({ status: 'ok', secrets: [{ name: 'tenant-1/db', status: 'fresh' }] })
    await secrets.close()
  })

  it('loads named secrets never loaded; one that cannot be had is down (503), status only', async () => {
    const source = new MemorySource({ a: canary('a') })
    const secrets = new CachedSecretProvider(source, quiet)
    expect(await secretsHealthAnswer(secrets, { names: ['a'] })).toEqual({
      statusCode: 200,
      body: { status: 'ok' },
    })
    expect(source.loads).toBe(1)
    expect(await secretsHealthAnswer(secrets, { names: ['a', 'nope'] })).toEqual({
      statusCode: 503,
      body: { status: 'down' },
    })
    await secrets.close()
  })

  it('waits at most timeout for a hung load, then answers', async () => {
    const hung = { name: 'hung', load: () => new Promise<never>(() => undefined) }
    const secrets = new CachedSecretProvider(hung, { ...quiet, timeout: 60_000 })
    const started = Date.now()
    const answer = await secretsHealthAnswer(secrets, { names: ['x'], timeout: 50 })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(answer).toEqual({ statusCode: 503, body: { status: 'down' } })
    await secrets.close()
  })

  it('refuses bad options and a non-provider, naming the option', async () => {
    const secrets = new CachedSecretProvider(new MemorySource({}), quiet)
    for (const [options, option] of [
      [{ details: 1 }, 'details'],
      [{ timeout: 2 ** 31 }, 'timeout'],
      [{ timeout: 0 }, 'timeout'],
      [{ names: 'a' }, 'names'],
    ] as const) {
      await expect(secretsHealthAnswer(secrets, options as never)).rejects.toMatchObject({
        code: ErrorCode.INVALID_OPTIONS,
        message: expect.stringContaining(`option "${option}"`),
      })
    }
    await expect(secretsHealthAnswer({} as never)).rejects.toMatchObject({ code: ErrorCode.INVALID_OPTIONS })
    await secrets.close()
  })
})

describe('preload(names, { required })', () => {
  it('requires preloaded names by default; required: false pins without requiring', async () => {
    const source = new MemorySource({ a: canary('a'), b: canary('b') })
    const secrets = new CachedSecretProvider(source, quiet)
    await secrets.preload(['a'])
    await secrets.preload(['b'], { required: false })
    source.delete('b')
    await secrets.refresh('b').catch(() => undefined)
    const report = secrets.health()
    expect(report.secrets.map((s) => [s.name, s.required, s.servable])).toEqual([
      ['a', true, true],
      ['b', false, false],
    ])
    expect(report.status).toBe('degraded')
    await expect(secrets.preload(['a'], { required: 'no' as never })).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
      message: expect.stringContaining('"required"'),
    })
    await secrets.close()
  })
})
