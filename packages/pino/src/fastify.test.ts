import { assertNoCanary, canary } from '@latchkey/test-support'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { ADVERSARIAL, captureStream, loadedProvider } from '../test/support.js'
import { redactSecrets } from './redact-secrets.js'

const R = '[REDACTED]'

describe("redactSecrets as Fastify's logger option", () => {
  let app: FastifyInstance | undefined

  afterEach(async () => {
    await app?.close()
  })

  it('keeps a header, a body and a query value out of the request logs', async () => {
    const secret = canary('fastify', ADVERSARIAL.everything)
    const rotatedOut = canary('fastify-old', ADVERSARIAL['url-reserved'])
    // Header values cannot hold newlines or non-Latin-1 characters.
    const headerSecret = canary('fastify-header', ' "+/=&%')
    const { provider, source } = await loadedProvider({ 'api/key': rotatedOut, 'upstream/key': headerSecret })
    source.set('api/key', secret)
    await provider.refresh('api/key')
    const capture = captureStream()
    app = Fastify({
      logger: { ...redactSecrets({ level: 'info', latchkey: { provider } }), stream: capture.stream },
    })
    app.post('/login', async (request) => {
      request.log.info({ headers: request.headers, body: request.body }, 'login attempt')
      request.log.warn(`upstream key ${rotatedOut} was rejected`)
      return { ok: true }
    })

    const response = await app.inject({
      method: 'POST',
      url: `/login?key=${encodeURIComponent(secret)}`,
      headers: { authorization: `Bearer ${headerSecret}`, 'x-upstream-key': headerSecret },
      payload: { user: 'ada', password: 'hunter2', note: secret },
    })
    expect(response.statusCode).toBe(200)

    const lines = capture.lines()
    const incoming = lines.find((line) => line.msg === 'incoming request') as { req: Record<string, unknown> }
    expect(incoming.req).toMatchObject({ method: 'POST', url: `/login?key=${R}`, host: 'localhost:80' })
    expect(incoming.req.headers).toBeUndefined()
    const attempt = lines.find((line) => line.msg === 'login attempt')
    expect(attempt).toMatchObject({
      headers: { authorization: R, 'x-upstream-key': R },
      body: { user: 'ada', password: R, note: R },
    })
    expect(lines.find((line) => line.level === 40)?.msg).toBe(`upstream key ${R} was rejected`)
    const completed = lines.find((line) => line.msg === 'request completed') as {
      res: { statusCode: number }
    }
    expect(completed.res.statusCode).toBe(200)
    assertNoCanary(capture.text(), 'the Fastify log')
    await provider.close()
  })

  it('logs a failing route through the err serializer without the secret', async () => {
    const secret = canary('fastify-err', ADVERSARIAL.quotes)
    const { provider } = await loadedProvider({ 'db/password': secret })
    const capture = captureStream()
    app = Fastify({ logger: { ...redactSecrets({ latchkey: { provider } }), stream: capture.stream } })
    app.get('/boom', async () => {
      throw new Error('query failed', { cause: new Error(`password authentication failed: ${secret}`) })
    })
    const response = await app.inject({ method: 'GET', url: '/boom' })
    expect(response.statusCode).toBe(500)
    const failed = capture.lines().find((line) => line.level === 50) as {
      err: { type: string; message: string; cause: { message: string } }
    }
    expect(failed.err).toMatchObject({
      type: 'Error',
      message: 'query failed',
      cause: { message: `password authentication failed: ${R}` },
    })
    assertNoCanary(capture.text(), 'the Fastify log')
    await provider.close()
  })
})
