import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CachedSecretProvider, InvalidOptionsError, SecretError } from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf, thrownBy } from '@latchkey/test-support'
import { Compute } from 'google-auth-library'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudSqlIamAuthSource, type CloudSqlIamAuthSourceOptions, SQL_LOGIN_SCOPE } from '../index.js'

// A real HTTP server plays the GCE / Cloud Run / GKE metadata server, which Application Default
// Credentials use on Google Cloud; GCE_METADATA_HOST points google-auth-library at it.
const tokenRequests: URL[] = []
let status = 200
let issued = 0
let expiresIn = 3599
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://metadata')
  const headers = { 'metadata-flavor': 'Google', 'content-type': 'application/json' }
  if (req.headers['metadata-flavor'] !== 'Google') {
    res.writeHead(403, headers).end('{}')
  } else if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/token') {
    tokenRequests.push(url)
    if (status !== 200) {
      res.writeHead(status, headers).end(JSON.stringify({ error: 'access_denied' }))
      return
    }
    issued++
    res.writeHead(200, headers).end(
      JSON.stringify({
        access_token: canary(`ya29-${issued}`),
        expires_in: expiresIn,
        token_type: 'Bearer',
      }),
    )
  } else if (url.pathname === '/computeMetadata/v1/instance' || url.pathname === '/computeMetadata/v1/') {
    res.writeHead(200, { ...headers, 'content-type': 'text/plain' }).end('ok')
  } else {
    res.writeHead(404, headers).end('')
  }
})

const saved = { ...process.env }
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  process.env.GCE_METADATA_HOST = `127.0.0.1:${(server.address() as AddressInfo).port}`
  process.env.GOOGLE_APPLICATION_CREDENTIALS = ''
  process.env.CLOUDSDK_CONFIG = '/nonexistent-gcloud-config'
})
afterAll(async () => {
  process.env = saved
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('CloudSqlIamAuthSource with google-auth-library against a local metadata server', () => {
  it('by default uses Application Default Credentials with the sqlservice.login scope; TTL from the expiry', async () => {
    tokenRequests.length = 0
    status = 200
    const source = new CloudSqlIamAuthSource({ username: 'app-sa@my-project.iam' })
    const before = Date.now()
    const loaded = await source.load('cloudsql')
    expect(SQL_LOGIN_SCOPE).toBe('https://www.googleapis.com/auth/sqlservice.login')
    expect(tokenRequests.at(-1)?.searchParams.get('scopes')).toBe(SQL_LOGIN_SCOPE)
    const value = JSON.parse(String(loaded.value)) as Record<string, unknown>
    expect(Object.keys(value).sort()).toEqual(['password', 'username'])
    expect(value.username).toBe('app-sa@my-project.iam')
    expect(String(value.password)).toContain('ya29-')
    // expires_in 3599 s, less the 300 s default margin (google-auth-library also takes its own eager margin).
    expect(loaded.ttlMs).toBeLessThanOrEqual(3_299_000)
    expect(loaded.ttlMs).toBeGreaterThan(3_299_000 - (Date.now() - before) - 2_000)
  })

  it('a new token means a new version, and the provider scrubs it', async () => {
    status = 200
    expiresIn = 1
    // A token with 1 s left is already "expired" for google-auth-library's eager refresh, so each load fetches.
    const source = new CloudSqlIamAuthSource({
      username: 'u',
      auth: new Compute({ scopes: [SQL_LOGIN_SCOPE] }),
    })
    const provider = new CachedSecretProvider(source, { minRefreshInterval: 0 })
    const first = await provider.getSecret('cloudsql#password')
    const v1 = provider.describe('cloudsql')?.version
    await provider.refresh('cloudsql')
    const second = await provider.getSecret('cloudsql#password')
    expiresIn = 3599
    expect(second).not.toBe(first)
    expect(provider.describe('cloudsql')?.version).not.toBe(v1)
    expect(provider.redactor.redact(`token ${second}`)).toBe('token [REDACTED]')
    await provider.close()
  })

  it('a token request refused (403) is permanent ERR_SECRET_ACCESS_DENIED with no token in the error', async () => {
    status = 403
    const source = new CloudSqlIamAuthSource({
      username: 'u',
      auth: new Compute({ scopes: [SQL_LOGIN_SCOPE] }),
    })
    const error = await rejectionOf(source.load('cloudsql'), SecretError)
    status = 200
    expect(error.code).toBe('ERR_SECRET_ACCESS_DENIED')
    expect(error.transient).toBe(false)
    assertNoCanary(printed(error))
  })

  it('a metadata server answering 503 is transient ERR_SECRET_UNAVAILABLE', async () => {
    status = 503
    const source = new CloudSqlIamAuthSource({
      username: 'u',
      auth: new Compute({ scopes: [SQL_LOGIN_SCOPE] }),
    })
    const error = await rejectionOf(source.load('cloudsql'), SecretError)
    status = 200
    expect(error.code).toBe('ERR_SECRET_UNAVAILABLE')
    expect(error.transient).toBe(true)
  })

  const good: CloudSqlIamAuthSourceOptions = { username: 'u' }
  const cases: [string, unknown, string][] = [
    ['username of the wrong type', { username: { name: 'u' } }, 'username'],
    ['empty username', { username: '' }, 'username'],
    ['auth that is no client', { ...good, auth: 'adc' }, 'auth'],
    ['unknown option', { ...good, scopes: [SQL_LOGIN_SCOPE] }, 'scopes'],
    ['margin too large', { ...good, expiryMarginMs: 10 ** 9 }, 'expiryMarginMs'],
  ]
  it.each(cases)('%s: ERR_SECRET_INVALID_OPTIONS naming it', (_label, options, named) => {
    const error = thrownBy(
      () => new CloudSqlIamAuthSource(options as CloudSqlIamAuthSourceOptions),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toContain(named)
  })
})
