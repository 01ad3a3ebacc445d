import { createRequire } from 'node:module'
import {
  CachedSecretProvider,
  ErrorCode,
  type LoadedSecret,
  MemorySource,
  SecretError,
  SecretPreloadError,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import express5, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express'
import request from 'supertest'
import { afterEach, describe, expect, test, vi } from 'vitest'
import {
  requireSecrets,
  SecretServiceUnavailableError,
  type SecretsMiddleware,
  secrets,
  secretsErrorHandler,
  UNAVAILABLE_BODY,
} from './index.js'

const express4 = createRequire(import.meta.url)('express4') as typeof express5

const versions = [
  { label: 'Express 4', express: express4, major: '4' },
  { label: 'Express 5', express: express5, major: '5' },
] as const

const middlewares: SecretsMiddleware[] = []

afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(middlewares.splice(0).map((middleware) => middleware.close()))
})

function track(middleware: SecretsMiddleware): SecretsMiddleware {
  middlewares.push(middleware)
  return middleware
}

/** A source whose loads wait until `release()`; counts calls. */
function gatedSource(values: Record<string, string>) {
  const memory = new MemorySource(values)
  let open: () => void = () => undefined
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const calls: string[] = []
  const source: SecretSource = {
    name: 'gated',
    async load(name): Promise<LoadedSecret> {
      calls.push(name)
      await gate
      return memory.load(name)
    },
  }
  return { source, calls, release: () => open() }
}

/** The final handler a test app mounts last, recording what reached it. */
function recordingHandler(seen: unknown[]): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    seen.push(error)
    res.status(500).json({ handledBy: 'app', code: (error as { code?: string }).code ?? null })
  }
}

function assertBodyClean(text: string, where: string): void {
  assertNoCanary(text, where)
}

describe.each(versions)('@latchkey/express on $label', ({ express, major }) => {
  test('the installed Express major is the one under test', () => {
    const version = createRequire(import.meta.url)(
      major === '4' ? 'express4/package.json' : 'express/package.json',
    ) as { version: string }
    expect(version.version.split('.')[0]).toBe(major)
  })

  test('a guarded route reads a secret through req.secrets over real HTTP', async () => {
    const apiKey = canary(`api-key-${major}`)
    const middleware = track(secrets({ source: new MemorySource({ 'api/key': apiKey }) }))
    const app: Express = express()
    app.use(middleware)
    app.get('/check', requireSecrets('api/key'), (req, res) => {
      res.json({ authorized: req.get('x-api-key') === req.secrets.handle('api/key').reveal() })
    })

    const good = await request(app).get('/check').set('x-api-key', apiKey)
    const bad = await request(app).get('/check').set('x-api-key', 'not-the-key')

    expect(good.status).toBe(200)
    expect(good.body).toEqual({ authorized: true })
    expect(bad.body).toEqual({ authorized: false })
    assertBodyClean(good.text, 'the response body')
    expect(middleware.provider).toBeInstanceOf(CachedSecretProvider)
  })

  test('the first requests wait for preload instead of failing, and share its one load', async () => {
    const dbPassword = canary(`db-${major}`)
    const { source, calls, release } = gatedSource({ 'db/password': dbPassword })
    const middleware = track(secrets({ source, preload: ['db/password'] }))
    const order: string[] = []
    const app = express()
    app.use((_req, _res, next) => {
      order.push('arrived')
      next()
    })
    app.use(middleware)
    app.get('/db', (req, res) => {
      order.push('route')
      res.json({ loaded: req.secrets.handle('db/password').loaded })
    })

    const server = app.listen(0)
    try {
      const first = request(server)
        .get('/db')
        .then((response) => response)
      const second = request(server)
        .get('/db')
        .then((response) => response)
      await vi.waitFor(() => expect(order).toEqual(['arrived', 'arrived']))
      expect(calls).toEqual(['db/password'])
      order.push('released')
      release()
      const responses = await Promise.all([first, second])

      expect(responses.map((r) => r.status)).toEqual([200, 200])
      expect(responses.map((r) => r.body)).toEqual([{ loaded: true }, { loaded: true }])
      expect(order).toEqual(['arrived', 'arrived', 'released', 'route', 'route'])
      expect(calls).toEqual(['db/password'])
      for (const response of responses) assertBodyClean(response.text, 'the response body')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('a failed preload answers 503 through next(err), and a later request retries it', async () => {
    const source = new MemorySource({ 'api/key': canary(`present-${major}`) })
    const middleware = track(secrets({ source, preload: ['api/key', 'db/password'], minRefreshInterval: 0 }))
    const seen: unknown[] = []
    const app = express()
    app.use(middleware)
    app.get('/', (_req, res) => {
      res.json({ ok: true })
    })
    app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
      seen.push(error)
      next(error)
    })

    const failed = await request(app).get('/')

    expect(failed.status).toBe(503)
    assertBodyClean(failed.text, 'the 503 body')
    expect(seen).toHaveLength(1)
    const error = seen[0] as SecretServiceUnavailableError
    expect(error).toBeInstanceOf(SecretServiceUnavailableError)
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.status).toBe(503)
    expect(error.cause).toBeInstanceOf(SecretPreloadError)
    expect((error.cause as SecretPreloadError).errors.map((e) => e.secretName)).toEqual(['db/password'])
    assertNoCanary(`${error.message}\n${error.stack}`, 'the error passed to next()')

    source.set('db/password', canary(`db-late-${major}`))
    const recovered = await request(app).get('/')
    expect(recovered.status).toBe(200)
    expect(recovered.body).toEqual({ ok: true })
  })

  test("Express's default handler in production answers 503 with no secret, name or stack", async () => {
    const apiKey = canary(`prod-${major}`)
    const logged: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '))
    })
    const source = new MemorySource({ 'api/key': apiKey })
    const app = express()
    app.set('env', 'production')
    app.use(track(secrets({ source })))
    app.get('/needs-key', requireSecrets('api/key'), (_req, res) => {
      res.json({ ok: true })
    })
    app.get('/needs-db', requireSecrets('db/password'), (_req, res) => {
      res.json({ ok: true })
    })

    const ok = await request(app).get('/needs-key')
    const failed = await request(app).get('/needs-db')

    expect(ok.status).toBe(200)
    expect(failed.status).toBe(503)
    expect(failed.text).toContain('<pre>Service Unavailable</pre>')
    expect(failed.text).not.toContain('db/password')
    expect(failed.text).not.toContain('SecretServiceUnavailableError')
    expect(failed.text).not.toContain('ERR_SECRET')
    expect(failed.text).not.toMatch(/\bat .+:\d+:\d+/)
    assertBodyClean(failed.text, 'the default handler body')
    await vi.waitFor(() => expect(logged.join('\n')).toContain(ErrorCode.NOT_FOUND))
    assertNoCanary(logged.join('\n'), 'what Express logged')
  })

  test("Express's default handler outside production shows the stack, which holds names but no values", async () => {
    const app = express()
    app.set('env', 'test')
    app.use(track(secrets({ source: new MemorySource({ 'api/key': canary(`dev-${major}`) }) })))
    app.get('/bad-field', requireSecrets('api/key#owner'), (_req, res) => {
      res.json({ ok: true })
    })

    const failed = await request(app).get('/bad-field')

    expect(failed.status).toBe(503)
    expect(failed.text).toContain('SecretServiceUnavailableError')
    expect(failed.text).toContain(ErrorCode.INVALID_JSON)
    assertBodyClean(failed.text, 'the development error page')
  })

  test('requireSecrets + secretsErrorHandler answer 503 with the generic JSON body', async () => {
    const app = express()
    app.use(track(secrets({ source: new MemorySource({ 'api/key': canary(`json-${major}`) }) })))
    app.get('/needs', requireSecrets('api/key', 'db/password', 'db/user'), (_req, res) => {
      res.json({ ok: true })
    })
    app.use(secretsErrorHandler())

    const failed = await request(app).get('/needs')

    expect(failed.status).toBe(503)
    expect(failed.headers['content-type']).toMatch(/^application\/json/)
    expect(failed.body).toEqual({ error: 'Service Unavailable', code: 'ERR_SECRET_UNAVAILABLE' })
    expect(failed.body).toEqual(UNAVAILABLE_BODY)
    assertBodyClean(failed.text, 'the 503 JSON body')
  })

  test('secretsErrorHandler logs the failure to req.log when present, else to the logger option', async () => {
    const value = canary(`logged-${major}`)
    const fromRequest: Array<[object, string]> = []
    const fromOption: Array<[object, string]> = []
    const logger = { error: (object: object, message: string) => void fromOption.push([object, message]) }
    const app = express()
    app.use(track(secrets({ source: new MemorySource({ 'api/key': value }) })))
    app.use('/with-log', (req, _res, next) => {
      ;(req as Request & { log?: unknown }).log = {
        error: (object: object, message: string) => void fromRequest.push([object, message]),
      }
      next()
    })
    const route = requireSecrets('api/key', 'db/password')
    app.get('/with-log', route, (_req, res) => {
      res.json({ ok: true })
    })
    app.get('/without-log', route, (_req, res) => {
      res.json({ ok: true })
    })
    app.use(secretsErrorHandler({ logger }))

    const first = await request(app).get('/with-log')
    expect(first.status).toBe(503)
    expect(fromRequest).toHaveLength(1)
    expect(fromOption).toHaveLength(0)
    const second = await request(app).get('/without-log')
    expect(second.status).toBe(503)
    expect(second.body).toEqual(UNAVAILABLE_BODY)
    expect(fromOption).toHaveLength(1)
    for (const [object, message] of [...fromRequest, ...fromOption]) {
      const { err } = object as { err: SecretError }
      expect(err).toBeInstanceOf(SecretServiceUnavailableError)
      expect(err.message).toContain('db/password')
      expect(message).toMatch(/unavailable/)
      assertNoCanary(`${message} ${err.message} ${String(err.cause)}`, 'the logged error')
    }
  })

  test('secretsErrorHandler rejects a logger without an error method', () => {
    for (const logger of [{}, { error: 'x' }, null]) {
      expect(() => secretsErrorHandler({ logger } as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
      )
    }
  })

  test('requireSecrets loads once, pins the secrets, and answers later requests without a load', async () => {
    const source = new MemorySource({ 'api/key': canary(`pinned-${major}`) })
    const middleware = track(secrets({ source }))
    const app = express()
    app.use(middleware)
    app.get('/', requireSecrets('api/key'), (_req, res) => {
      res.json({ ok: true })
    })

    for (let i = 0; i < 3; i++) expect((await request(app).get('/')).status).toBe(200)

    expect(source.loads).toBe(1)
    expect(middleware.provider.describe('api/key')?.pinned).toBe(true)
  })

  test('errors that are not secret failures go to next(err) unchanged', async () => {
    const seen: unknown[] = []
    const app = express()
    app.get('/unmounted', requireSecrets('api/key'), (_req, res) => {
      res.json({ ok: true })
    })
    app.get('/throws', (_req, _res, next) => {
      next(new TypeError('route bug'))
    })
    app.use(secretsErrorHandler())
    app.use(recordingHandler(seen))

    const unmounted = await request(app).get('/unmounted')
    const thrown = await request(app).get('/throws')

    expect(unmounted.status).toBe(500)
    expect(unmounted.body).toEqual({ handledBy: 'app', code: ErrorCode.INVALID_OPTIONS })
    expect(thrown.body).toEqual({ handledBy: 'app', code: null })
    expect(seen[1]).toBeInstanceOf(TypeError)
  })

  test('a non-secret error from the provider reaches next(err) unchanged', async () => {
    class BrokenProvider extends CachedSecretProvider {
      override preload(): Promise<void> {
        return Promise.reject(new RangeError('provider bug'))
      }
    }
    const seen: unknown[] = []
    const app = express()
    app.use(track(secrets({ provider: new BrokenProvider(new MemorySource()) })))
    app.get('/', requireSecrets('api/key'), (_req, res) => {
      res.json({ ok: true })
    })
    app.use(secretsErrorHandler())
    app.use(recordingHandler(seen))

    const response = await request(app).get('/')

    expect(response.status).toBe(500)
    expect(seen[0]).toBeInstanceOf(RangeError)
  })

  test('close() closes a provider built from { source } and leaves a passed-in one open', async () => {
    const owned = secrets({ source: new MemorySource({ 'api/key': canary(`owned-${major}`) }) })
    const shared = new CachedSecretProvider(new MemorySource({ 'api/key': canary(`shared-${major}`) }))
    const borrowed = secrets({ provider: shared })

    await owned.close()
    await borrowed.close()

    expect(owned.provider.closed).toBe(true)
    expect(borrowed.provider).toBe(shared)
    expect(shared.closed).toBe(false)
    await shared.close()

    const app = express()
    app.use(owned)
    app.get('/', requireSecrets('api/key'), (_req, res) => {
      res.json({ ok: true })
    })
    app.use(secretsErrorHandler())
    const response = await request(app).get('/')
    expect(response.status).toBe(503)
    expect(response.body).toEqual(UNAVAILABLE_BODY)
  })
})

describe('@latchkey/express on Express 5 only', () => {
  test('a rejected await in an async route reaches secretsErrorHandler as a 503', async () => {
    const app = express5()
    app.use(track(secrets({ source: new MemorySource() })))
    app.get('/', async (req, res) => {
      res.json({ value: await req.secrets.getSecret('missing/secret') })
    })
    app.use(secretsErrorHandler())

    const response = await request(app).get('/')

    expect(response.status).toBe(503)
    expect(response.body).toEqual(UNAVAILABLE_BODY)
  })
})

describe('@latchkey/express options', () => {
  test('a malformed name is rejected when the app is built, not on a request', () => {
    expect(() => secrets({ source: new MemorySource(), preload: [''] })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_NAME }),
    )
    expect(() => requireSecrets('ok', '')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_NAME }))
    expect(() => requireSecrets()).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }))
  })

  test('neither or both of provider and source is an InvalidOptionsError', () => {
    expect(() => secrets({} as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }))
    expect(() => secrets({ source: new MemorySource(), preload: 'db/password' } as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
    const provider = new CachedSecretProvider(new MemorySource())
    expect(() => secrets({ provider, source: new MemorySource() } as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
  })

  test('ready() rejects with the preload error so an app can fail at startup', async () => {
    const middleware = track(secrets({ source: new MemorySource(), preload: ['db/password'] }))
    await expect(middleware.ready()).rejects.toBeInstanceOf(SecretPreloadError)
  })

  test('the 503 error is a SecretError with code ERR_SECRET_UNAVAILABLE and keeps the cause', () => {
    const cause = new SecretUnavailableError({ secretName: 'db/password', source: 'memory' })
    const error = new SecretServiceUnavailableError(cause)
    expect(error).toBeInstanceOf(SecretError)
    expect(error).toBeInstanceOf(SecretServiceUnavailableError)
    expect(cause).not.toBeInstanceOf(SecretServiceUnavailableError)
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE, status: 503, statusCode: 503, expose: false })
    expect(error.transient).toBe(true)
    expect(error.secretName).toBe('db/password')
    expect(error.cause).toBe(cause)
  })
})
