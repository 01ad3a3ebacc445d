import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CachedSecretProvider, InvalidOptionsError, SecretError } from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf, thrownBy } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EntraDatabaseTokenSource, type EntraDatabaseTokenSourceOptions, OSS_RDBMS_SCOPE } from '../index.js'

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const requests: URLSearchParams[] = []
let status = 200
let issued = 0
let base = ''
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => {
    body += chunk
  })
  req.on('end', () => {
    const url = new URL(req.url ?? '/', base)
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          token_endpoint: `${base}/${TENANT}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/${TENANT}/oauth2/v2.0/authorize`,
          issuer: `${base}/${TENANT}/v2.0`,
          jwks_uri: `${base}/${TENANT}/discovery/v2.0/keys`,
          end_session_endpoint: `${base}/${TENANT}/oauth2/v2.0/logout`,
        }),
      )
      return
    }
    requests.push(new URLSearchParams(body))
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: status === 401 ? 'invalid_client' : 'temporarily_unavailable',
          error_description: 'AADSTS7000215',
        }),
      )
      return
    }
    issued++
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: canary(`entra-${issued}`) }),
      )
  })
})

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/**
 * A TokenCredential speaking the client-credentials grant over real HTTP to the local token
 * endpoint. (`ClientSecretCredential` refuses an authorityHost that is not https, so the test
 * plays its wire part itself: the same form fields, and a failed answer as an error carrying
 * `statusCode`, as `@azure/identity`'s AuthenticationError does.)
 */
function credential() {
  const secret = canary('client-secret')
  return {
    async getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }) {
      const form = new URLSearchParams({
        client_id: 'app-client-id',
        client_secret: secret,
        grant_type: 'client_credentials',
        scope: ([] as string[]).concat(scopes).join(' '),
      })
      const res = await fetch(`${base}/${TENANT}/oauth2/v2.0/token`, {
        method: 'POST',
        body: form,
        ...(options?.abortSignal ? { signal: options.abortSignal } : {}),
      })
      const body = (await res.json()) as { access_token?: string; expires_in?: number; error?: string }
      if (!res.ok) {
        throw Object.assign(new Error(`token request failed: ${body.error}`), {
          name: 'AuthenticationError',
          statusCode: res.status,
        })
      }
      return {
        token: String(body.access_token),
        expiresOnTimestamp: Date.now() + Number(body.expires_in) * 1000,
      }
    },
  }
}

describe('EntraDatabaseTokenSource against a real local token endpoint (client-credentials grant)', () => {
  it('requests the OSS RDBMS scope and hands out { username, password } with a TTL from expiresOnTimestamp', async () => {
    requests.length = 0
    status = 200
    const source = new EntraDatabaseTokenSource({ username: 'app-identity', credential: credential() })
    const before = Date.now()
    const loaded = await source.load('entra')
    const form = requests.at(-1)
    expect(form?.get('grant_type')).toBe('client_credentials')
    expect(form?.get('scope')?.split(' ')).toContain(OSS_RDBMS_SCOPE)
    expect(OSS_RDBMS_SCOPE).toBe('https://ossrdbms-aad.database.windows.net/.default')
    const value = JSON.parse(String(loaded.value)) as Record<string, unknown>
    expect(Object.keys(value).sort()).toEqual(['password', 'username'])
    expect(value.username).toBe('app-identity')
    expect(String(value.password)).toContain('entra-')
    // expires_in 3599 s less the 300 s default margin.
    expect(loaded.ttlMs).toBeLessThanOrEqual(3_299_000)
    expect(loaded.ttlMs).toBeGreaterThan(3_299_000 - (Date.now() - before) - 2_000)
  })

  it('a new version per token; the provider scrubs the token', async () => {
    status = 200
    const source = new EntraDatabaseTokenSource({
      username: 'u',
      credential: credential(),
      scope: 'api://custom/.default',
    })
    const provider = new CachedSecretProvider(source, { minRefreshInterval: 0 })
    requests.length = 0
    const first = await provider.getSecret('entra#password')
    const v1 = provider.describe('entra')?.version
    expect(requests.at(-1)?.get('scope')?.split(' ')).toContain('api://custom/.default')
    expect(provider.redactor.redact(`password=${first}`)).toBe('password=[REDACTED]')
    const other = new EntraDatabaseTokenSource({ username: 'u', credential: credential() })
    const loaded = await other.load('entra')
    expect(loaded.version).not.toBe(v1)
    await provider.close()
  })

  it('a refused client secret (401) is permanent ERR_SECRET_ACCESS_DENIED, with no secret in the error', async () => {
    status = 401
    const source = new EntraDatabaseTokenSource({ username: 'u', credential: credential() })
    const error = await rejectionOf(source.load('entra'), SecretError)
    status = 200
    expect(error.code).toBe('ERR_SECRET_ACCESS_DENIED')
    expect(error.transient).toBe(false)
    assertNoCanary(printed(error))
  })

  it('a token endpoint answering 503 is transient ERR_SECRET_UNAVAILABLE', async () => {
    status = 503
    const source = new EntraDatabaseTokenSource({ username: 'u', credential: credential() })
    const error = await rejectionOf(source.load('entra'), SecretError)
    status = 200
    expect(error.code).toBe('ERR_SECRET_UNAVAILABLE')
    expect(error.transient).toBe(true)
    assertNoCanary(printed(error))
  })

  it('a credential that answers null or no expiry is refused as transient', async () => {
    const source = new EntraDatabaseTokenSource({ username: 'u', credential: { getToken: async () => null } })
    expect((await rejectionOf(source.load('entra'), SecretError)).code).toBe('ERR_SECRET_UNAVAILABLE')
  })

  const good: EntraDatabaseTokenSourceOptions = { username: 'u', credential: { getToken: async () => null } }
  const cases: [string, unknown, string][] = [
    ['username of the wrong type', { ...good, username: 7 }, 'username'],
    ['missing username', { credential: good.credential }, 'username'],
    ['empty scope', { ...good, scope: '' }, 'scope'],
    ['credential without getToken', { ...good, credential: {} }, 'credential'],
    ['unknown option', { ...good, host: 'db' }, 'host'],
    ['margin not an integer', { ...good, expiryMarginMs: 1.5 }, 'expiryMarginMs'],
  ]
  it.each(cases)('%s: ERR_SECRET_INVALID_OPTIONS naming it', (_label, options, named) => {
    const error = thrownBy(
      () => new EntraDatabaseTokenSource(options as EntraDatabaseTokenSourceOptions),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toContain(named)
  })
})
