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
import { requireSecrets, secrets, secretsHealthHandler } from './index.js'

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
    app.get('/health/secrets', secretsHealthHandler({ names: ['db/password'], details: true }))
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
    app.get('/health', secretsHealthHandler({ provider, details: true }))
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

describe.each([
  { label: 'Express 4', express: express4 },
  { label: 'Express 5', express: express5 },
])('secretsHealthHandler defaults on $label (issue 21)', ({ express }) => {
  it('answers the status only: no names, versions, codes or times for a stranger', async () => {
    const name = `tenant-${canary('t').slice(-8)}/db`
    const provider = new CachedSecretProvider(new MemorySource({ [name]: canary('v') }), {
      logger: { warn: () => undefined },
    })
    cleanups.push(() => provider.close())
    await provider.preload([name])
    await provider.getSecret('other').catch(() => undefined)
    const app = express()
    app.get('/health', secretsHealthHandler({ provider }))
    app.get('/health/named', secretsHealthHandler({ provider, names: [name] }))
    const base = await listen(app)
    // 'other' failed (not found): the whole report is degraded; the named check only sees `name`
    for (const [path, status] of [
      ['/health', 'degraded'],
      ['/health/named', 'ok'],
    ]) {
      const res = await fetch(`${base}${path}`)
      const text = await res.text()
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(JSON.parse(text)).toEqual({ status })
      expect(text).not.toContain('tenant-')
    }
  })

  it('loads a named secret never loaded (bounded by timeout) instead of answering missing', async () => {
    const source = new MemorySource({ 'db/password': canary('db') })
    const provider = new CachedSecretProvider(source, { logger: { warn: () => undefined } })
    cleanups.push(() => provider.close())
    const app = express()
    app.get('/health', secretsHealthHandler({ provider, names: ['db/password'], details: true }))
    const res = await fetch(`${await listen(app)}/health`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; secrets: Array<{ status: string }> }
    expect(body.status).toBe('ok')
    expect(body.secrets[0]?.status).toBe('fresh')
    expect(source.loads).toBe(1)
  })

  it('answers within timeout when the named secret hangs: down (503), the route never hangs', async () => {
    const hanging = { name: 'hang', load: () => new Promise<never>(() => undefined) }
    const provider = new CachedSecretProvider(hanging, { logger: { warn: () => undefined }, timeout: 60_000 })
    cleanups.push(() => provider.close())
    const app = express()
    app.get('/health', secretsHealthHandler({ provider, names: ['db'], timeout: 100 }))
    const started = Date.now()
    const res = await fetch(`${await listen(app)}/health`)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ status: 'down' })
  })

  it('a secret only a requireSecrets() guard pins does not make the default check 503', async () => {
    const source = new MemorySource({ 'app/key': canary('k') })
    const provider = new CachedSecretProvider(source, {
      logger: { warn: () => undefined },
      retry: { retries: 0 },
    })
    cleanups.push(() => provider.close())
    const app = express()
    app.use(secrets({ provider, preload: ['app/key'] }))
    app.get('/billing', requireSecrets('billing/key'), (_req, res) => {
      res.send('ok')
    })
    app.use((error: { status?: number }, _req: unknown, res: express5.Response, _next: unknown) => {
      res.status(error.status ?? 500).end()
    })
    app.get('/health', secretsHealthHandler({ provider }))
    const base = await listen(app)
    await provider.preload(['app/key'])
    // the guard's secret does not exist: its route answers 503 …
    expect((await fetch(`${base}/billing`)).status).toBe(503)
    // … but the instance stays in: the preloaded secret is served
    const res = await fetch(`${base}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'degraded' })
    expect(provider.health().secrets.find((s) => s.name === 'billing/key')?.required).toBe(false)
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
    expect(() => secretsHealthHandler({ details: 'yes' as never })).toThrow(
      /option "details" must be true or false/,
    )
    for (const timeout of [0, 2 ** 31, 1.5, Number.NaN]) {
      expect(() => secretsHealthHandler({ timeout })).toThrow(
        /option "timeout" must be a whole number of milliseconds from 1 to 2147483647/,
      )
    }
  })
})
