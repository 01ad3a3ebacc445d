/**
 * secretsHealthHandler over real HTTP on Express 4 and 5: the report's content, 200 while every
 * required secret can be served (fresh or stale), 503 when one cannot, and no value anywhere.
 */

import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { CachedSecretProvider, MemorySource, SecretUnavailableError } from '@latchkey/core'
import {
  canary,
  flakyLoads,
  HEALTH_START,
  healthProviderOptions,
  healthReportScenario,
  reportRows,
} from '@latchkey/test-support'
import express5 from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { secrets, secretsHealthHandler } from './index.js'

const express4 = createRequire(import.meta.url)('express4') as typeof express5

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function listen(app: express5.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe.each([
  { label: 'Express 4', express: express4 },
  { label: 'Express 5', express: express5 },
])('secretsHealthHandler on $label', ({ express }) => {
  it('reports fresh, then stale (200, degraded, since when), then nothing servable (503), never a value', async () => {
    const clock = { now: HEALTH_START }
    const source = new MemorySource({ 'db/password': canary('db') })
    // its loads fail transiently once fail() is called
    const fail = flakyLoads(
      source,
      (name) => new SecretUnavailableError({ secretName: name }, 'backend down'),
    )
    const provider = new CachedSecretProvider(source, healthProviderOptions(clock))
    cleanups.push(() => provider.close())
    const app = express()
    app.use(secrets({ provider, preload: ['db/password'] }))
    app.get('/health/secrets', secretsHealthHandler({ names: ['db/password'] }))
    const url = `${await listen(app)}/health/secrets`
    await provider.preload(['db/password'])

    await healthReportScenario({ url, clock, fail, read: () => provider.getSecret('db/password') })
  })

  it('without names reports every cached secret; an unrequired failure is degraded, not down', async () => {
    const provider = new CachedSecretProvider(new MemorySource({ a: canary('a') }), {
      logger: { warn: () => undefined },
      retry: { retries: 0 },
    })
    cleanups.push(() => provider.close())
    await provider.preload(['a'])
    await expect(provider.getSecret('missing')).rejects.toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' })
    const app = express()
    app.get('/health', secretsHealthHandler({ provider }))
    const res = await fetch(`${await listen(app)}/health`)
    const { status, rows } = await reportRows(res)
    expect(res.status).toBe(200)
    expect(status).toBe('degraded')
    expect(rows).toEqual([
      ['a', 'fresh', true],
      ['missing', 'failing', false],
    ])
  })
})

describe('secretsHealthHandler options', () => {
  it('refuses bad options with InvalidOptionsError naming the option and the type', () => {
    expect(() => secretsHealthHandler({ names: 'db' as never })).toThrow(
      'secretsHealthHandler: option "names" must be an array of secret names (got string)',
    )
    expect(() => secretsHealthHandler({ provider: {} as never })).toThrow(
      'secretsHealthHandler: option "provider" must be a CachedSecretProvider (got object)',
    )
  })
})
