import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { assertNoCanary, canary } from '@latchkey/test-support'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { captureStream, lastLine, loadedProvider } from '../test/support.js'
import { redactSecrets } from './redact-secrets.js'
import { createHttpSerializers, serializeRequest, serializeResponse } from './serialize-http.js'

const R = '[REDACTED]'

const CREDENTIALS = {
  Authorization: 'Bearer abc',
  cookie: 'sid=1',
  'x-api-key': 'k',
  'Proxy-Authorization': 'Basic x',
  'X-Auth-Token': 't',
  'x-csrf-token': 'c',
  'x-session-id': 's',
  'x-hub-signature-256': 'sha256=1',
  'x-client-secret': 'cs',
  'x-db-password': 'pw',
}
const CREDENTIAL_NAMES = Object.keys(CREDENTIALS)

describe('serializeRequest', () => {
  it('logs what Fastify logs by default and no headers', () => {
    const out = serializeRequest({
      id: 'req-1',
      method: 'POST',
      url: '/login',
      headers: { ...CREDENTIALS, host: 'api.test', accept: 'application/json' },
      ip: '127.0.0.1',
      socket: { remotePort: 50_000 },
    })
    expect(out).toEqual({
      id: 'req-1',
      method: 'POST',
      url: '/login',
      host: 'api.test',
      remoteAddress: '127.0.0.1',
      remotePort: 50_000,
    })
  })

  it('logs allow-listed headers, censoring credential headers even when they are listed', () => {
    const { req } = createHttpSerializers({ headers: ['Accept', 'x-forwarded-for', ...CREDENTIAL_NAMES] })
    const out = req({
      method: 'GET',
      url: '/',
      headers: { ...CREDENTIALS, accept: 'application/json', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] },
    }) as { headers: Record<string, unknown> }
    expect(out.headers).toEqual({
      accept: 'application/json',
      'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
      ...Object.fromEntries(CREDENTIAL_NAMES.map((name) => [name.toLowerCase(), R])),
    })
  })

  it("prefers Express's originalUrl and reads fetch Headers", () => {
    const { req } = createHttpSerializers({ headers: ['accept', 'authorization'] })
    const out = req({
      method: 'GET',
      url: '/',
      originalUrl: '/api/orders',
      headers: new Headers({ authorization: 'Bearer x', accept: '*/*', host: 'h.test' }),
    })
    expect(out).toEqual({
      method: 'GET',
      url: '/api/orders',
      host: 'h.test',
      headers: { accept: '*/*', authorization: R },
    })
  })

  it('never throws on weird input', () => {
    for (const value of [null, undefined, 'GET /', 42]) expect(serializeRequest(value)).toBe(value)
    const hostile = {
      get method(): string {
        throw new Error('no method')
      },
      url: '/x',
      headers: {
        get authorization(): string {
          throw new Error('no header')
        },
        accept: 'a',
      },
    }
    const { req } = createHttpSerializers({ headers: ['authorization', 'accept'] })
    expect(req(hostile)).toEqual({ url: '/x', headers: { accept: 'a' } })
    const { proxy, revoke } = Proxy.revocable({ url: '/' }, {})
    revoke()
    expect(serializeRequest(proxy)).toEqual({})
    const cyclic: Record<string, unknown> = { method: 'GET', url: '/' }
    cyclic.headers = { self: cyclic }
    expect(req(cyclic)).toMatchObject({ method: 'GET', url: '/' })
  })
})

describe('serializeResponse', () => {
  it('logs the status code and, when allow-listed, headers with set-cookie censored', () => {
    const headers = { 'set-cookie': ['sid=1', 'csrf=2'], 'content-type': 'text/plain' }
    expect(serializeResponse({ statusCode: 201, getHeaders: () => headers })).toEqual({ statusCode: 201 })
    const { res } = createHttpSerializers({ headers: ['set-cookie', 'content-type'] })
    expect(res({ statusCode: 201, getHeaders: () => headers })).toEqual({
      statusCode: 201,
      headers: { 'set-cookie': R, 'content-type': 'text/plain' },
    })
    expect(res({ statusCode: 204, headers })).toEqual({
      statusCode: 204,
      headers: { 'set-cookie': R, 'content-type': 'text/plain' },
    })
  })

  it('never throws on weird input', () => {
    for (const value of [null, 'ok', 200]) expect(serializeResponse(value)).toBe(value)
    const failing = {
      statusCode: 500,
      getHeaders(): never {
        throw new Error('headers already gone')
      },
    }
    expect(createHttpSerializers({ headers: ['content-type'] }).res(failing)).toEqual({ statusCode: 500 })
    expect(serializeResponse(failing)).toEqual({ statusCode: 500 })
  })
})

describe('req and res serializers on a real Node server', () => {
  it('log a request and response without credentials or secrets', async () => {
    const secret = canary('http', ' +/&"')
    const { provider } = await loadedProvider({ 'session/key': secret })
    const capture = captureStream()
    const log = pino(
      redactSecrets({ latchkey: { provider, headers: ['authorization', 'x-request-note', 'set-cookie'] } }),
      capture.stream,
    )
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('set-cookie', `session=${encodeURIComponent(secret)}`)
      res.statusCode = 202
      res.end('ok', () => log.info({ req, res }, 'handled'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          path: `/items?sig=${encodeURIComponent(secret)}`,
          headers: { authorization: `Bearer ${secret}`, 'x-request-note': encodeURIComponent(secret) },
        },
        (res) => {
          res.resume()
          res.on('end', resolve)
        },
      )
      req.on('error', reject)
      req.end()
    })
    await new Promise<void>((resolve) => server.close(() => resolve()))
    expect(lastLine(capture)).toMatchObject({
      req: {
        method: 'GET',
        url: `/items?sig=${R}`,
        headers: { authorization: R, 'x-request-note': R },
        remoteAddress: '127.0.0.1',
      },
      res: { statusCode: 202, headers: { 'set-cookie': R } },
    })
    assertNoCanary(capture.text(), 'the pino output')
    await provider.close()
  })
})
