import { Writable } from 'node:stream'
import { ErrorCode, MemorySource } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, test } from 'vitest'
import { latchkey, secretsErrorHandler, UNAVAILABLE_BODY } from './index.js'

const apps: FastifyInstance[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((instance) => instance.close()))
})

/** A Fastify app on a real port whose log lines are kept; `withHandler` installs secretsErrorHandler. */
async function start(
  withHandler: boolean,
): Promise<{ url: string; lines: () => Array<Record<string, unknown>> }> {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  const app = Fastify({ logger: { level: 'info', stream } })
  apps.push(app)
  await app.register(latchkey, { source: new MemorySource({ 'api/key': canary('fastify-errors') }) })
  if (withHandler) app.setErrorHandler(secretsErrorHandler())
  app.get('/missing', async () => ({ value: (await app.secrets.getSecret('db/password')).length }))
  app.get('/bad-name', async () => ({ value: (await app.secrets.getSecret('')).length }))
  app.get('/bug', async () => {
    throw new TypeError('route bug')
  })
  app.get('/teapot', async () => {
    throw Object.assign(new Error('short and stout'), { statusCode: 418 })
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  return { url, lines }
}

async function get(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url)
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
}

describe('secretsErrorHandler (Fastify)', () => {
  test('answers a secret failure with 503 and the generic body, and logs the error first', async () => {
    const { url, lines } = await start(true)
    const response = await get(`${url}/missing`)
    expect(response.status).toBe(503)
    expect(response.type).toMatch(/^application\/json/)
    expect(JSON.parse(response.text)).toEqual(UNAVAILABLE_BODY)
    expect(response.text).not.toContain('db/password')
    expect(response.text).not.toContain('DB_PASSWORD')

    const logged = lines().find((line) => line.level === 50) as {
      err: { code: string; message: string }
      msg: string
    }
    expect(logged.msg).toMatch(/unavailable/)
    expect(logged.err.code).toBe(ErrorCode.NOT_FOUND)
    expect(logged.err.message).toContain('db/password')
    assertNoCanary(JSON.stringify(lines()), 'the Fastify log')
  })

  test("leaves every other error to Fastify's default handling", async () => {
    const plain = await start(false)
    const handled = await start(true)
    const statuses: number[] = []
    for (const path of ['/bug', '/teapot', '/bad-name']) {
      const expected = await get(`${plain.url}${path}`)
      const actual = await get(`${handled.url}${path}`)
      expect(actual).toEqual(expected)
      statuses.push(actual.status)
    }
    expect(statuses).toEqual([500, 418, 500])
    // Fastify logs these itself, the same way with or without the handler.
    const logged = (log: typeof plain) =>
      log
        .lines()
        .filter((line) => Number(line.level) >= 40 || line.msg === 'short and stout')
        .map((line) => [line.level, (line.err as { message?: string } | undefined)?.message])
    expect(logged(handled)).toEqual(logged(plain))
    expect(logged(handled)).toHaveLength(3)
  })
})
