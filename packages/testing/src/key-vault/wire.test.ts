import { request } from 'node:https'
import { canary } from '@latchkey/test-support'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type KeyVaultEmulator, startKeyVaultEmulator } from './index.js'

let kv: KeyVaultEmulator
let token: string

beforeAll(async () => {
  kv = await startKeyVaultEmulator()
  token = (await kv.credential.getToken(`${kv.resource}/.default`)).token
})
afterAll(() => kv.close())
beforeEach(() => {
  kv.faults.reset()
  kv.resetCalls()
})

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: () => Record<string, unknown>
}

/** One raw HTTPS request to the emulator, through the agent that trusts its certificate. */
function call(
  method: string,
  path: string,
  options: { body?: unknown; auth?: boolean; apiVersion?: string | null } = {},
): Promise<Answer> {
  const url = new URL(path, kv.vaultUrl)
  const apiVersion = options.apiVersion === undefined ? '2026-04-01' : options.apiVersion
  if (apiVersion !== null) url.searchParams.set('api-version', apiVersion)
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: kv.clientOptions.agent,
        headers: {
          accept: 'application/json',
          ...(options.auth === false ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('transport and authentication', () => {
  it('serves HTTPS on <vault>.vault.localhost with a certificate the agent trusts', () => {
    expect(kv.vaultUrl).toMatch(/^https:\/\/latchkey\.vault\.localhost:\d+$/)
    expect(kv.ca).toContain('BEGIN CERTIFICATE')
  })

  it('answers a request without a bearer token 401 with the challenge naming authority and resource', async () => {
    const answer = await call('GET', '/secrets/anything/', { auth: false })
    expect(answer.status).toBe(401)
    expect(answer.headers['www-authenticate']).toBe(
      `Bearer authorization="https://login.localhost/${kv.tenantId}", resource="https://vault.localhost"`,
    )
    expect(answer.json()).toEqual({
      error: { code: 'Unauthorized', message: 'Request is missing a Bearer or PoP token.' },
    })
    expect(kv.calls()).toMatchObject([{ operation: 'getSecret', authorized: false, status: 401 }])
  })

  it('checks api-version before the token: missing or unknown → 400 BadParameter', async () => {
    const missing = await call('GET', '/secrets/x/', { apiVersion: null, auth: false })
    expect(missing.status).toBe(400)
    expect((missing.json().error as { code: string }).code).toBe('BadParameter')
    const unknown = await call('GET', '/secrets/x/', { apiVersion: '1999-01-01' })
    expect(unknown.status).toBe(400)
    expect((unknown.json().error as { message: string }).message).toContain('1999-01-01')
    expect((await call('GET', '/secrets/x/', { apiVersion: '7.4' })).status).toBe(404)
  })
})

describe('secrets', () => {
  it('PUT creates a version; GET /secrets/{name}/ reads the latest with attributes in epoch seconds', async () => {
    const value = canary('wire')
    const put = await call('PUT', '/secrets/wire-put', {
      body: {
        value,
        contentType: 'text/plain',
        attributes: { enabled: true, exp: 2_000_000_000 },
        tags: { a: 'b' },
      },
    })
    expect(put.status).toBe(200)
    const created = put.json()
    expect(created.id).toMatch(new RegExp(`^${kv.vaultUrl}/secrets/wire-put/[0-9a-f]{32}$`))
    const got = (await call('GET', '/secrets/wire-put/')).json()
    expect(got).toMatchObject({ value, contentType: 'text/plain', id: created.id, tags: { a: 'b' } })
    const attributes = got.attributes as Record<string, unknown>
    expect(attributes).toMatchObject({
      enabled: true,
      exp: 2_000_000_000,
      recoveryLevel: 'Recoverable+Purgeable',
    })
    expect(Number.isInteger(attributes.created)).toBe(true)
    expect(attributes.created as number).toBeLessThan(Date.now() / 1000 + 5)
  })

  it('lists versions without values', async () => {
    kv.setSecret('wire-versions', canary('a'))
    kv.setSecret('wire-versions', canary('b'))
    const list = (await call('GET', '/secrets/wire-versions/versions')).json()
    const items = list.value as Array<Record<string, unknown>>
    expect(items).toHaveLength(2)
    for (const item of items) expect(item).not.toHaveProperty('value')
    expect(list.nextLink).toBeNull()
  })

  it('a missing name → 404 SecretNotFound with the recovery sentence; an invalid name → 400 BadParameter', async () => {
    const missing = await call('GET', '/secrets/wire-missing/')
    expect(missing.status).toBe(404)
    const error = missing.json().error as { code: string; message: string }
    expect(error.code).toBe('SecretNotFound')
    expect(error.message).toContain('A secret with (name/id) wire-missing was not found in this key vault.')
    expect(error.message).toContain('you may be able to recover it')
    const bad = await call('GET', '/secrets/bad_name/')
    expect(bad.status).toBe(400)
    expect((bad.json().error as { code: string }).code).toBe('BadParameter')
  })

  it('a disabled version → 403 Forbidden with inner code SecretDisabled', async () => {
    kv.setSecret('wire-disabled', canary('disabled'), { enabled: false })
    const answer = await call('GET', '/secrets/wire-disabled/')
    expect(answer.status).toBe(403)
    expect(answer.json()).toEqual({
      error: {
        code: 'Forbidden',
        message: 'Operation get is not allowed on a disabled secret.',
        innererror: { code: 'SecretDisabled' },
      },
    })
  })

  it('returns the value outside the notBefore/expiresOn window (the service does not enforce them)', async () => {
    const value = canary('window')
    kv.setSecret('wire-window', value, { notBefore: new Date(Date.now() + 86_400_000) })
    const answer = await call('GET', '/secrets/wire-window/')
    expect(answer.status).toBe(200)
    expect(answer.json().value).toBe(value)
  })

  it('delete soft-deletes (404 on read, 409 on PUT), recover restores, purge removes', async () => {
    kv.setSecret('wire-delete', canary('delete'))
    const deleted = await call('DELETE', '/secrets/wire-delete')
    expect(deleted.status).toBe(200)
    expect(deleted.json()).toMatchObject({ recoveryId: `${kv.vaultUrl}/deletedsecrets/wire-delete` })
    expect(deleted.json()).not.toHaveProperty('value')
    expect((await call('GET', '/secrets/wire-delete/')).status).toBe(404)
    const conflict = await call('PUT', '/secrets/wire-delete', { body: { value: canary('again') } })
    expect(conflict.status).toBe(409)
    expect((conflict.json().error as { message: string }).message).toContain('deleted but recoverable state')
    expect((await call('GET', '/deletedsecrets/wire-delete')).status).toBe(200)
    expect((await call('POST', '/deletedsecrets/wire-delete/recover')).status).toBe(200)
    expect((await call('GET', '/secrets/wire-delete/')).status).toBe(200)
    kv.deleteSecret('wire-delete')
    expect((await call('DELETE', '/deletedsecrets/wire-delete')).status).toBe(204)
    expect((await call('GET', '/deletedsecrets/wire-delete')).status).toBe(404)
  })
})

describe('faults', () => {
  it("'throttled' → 429 Throttled with Retry-After; faults skip the unauthenticated challenge", async () => {
    kv.faults.fail('throttled', { retryAfter: 9 })
    expect((await call('GET', '/secrets/x/', { auth: false })).status).toBe(401)
    const answer = await call('GET', '/secrets/x/')
    expect(answer.status).toBe(429)
    expect(answer.headers['retry-after']).toBe('9')
    expect((answer.json().error as { code: string }).code).toBe('Throttled')
    expect(kv.calls().map((c) => c.fault)).toEqual([undefined, 'throttled'])
  })

  it('drop destroys the socket without a reply', async () => {
    kv.faults.drop()
    await expect(call('GET', '/secrets/x/')).rejects.toThrow(/socket hang up|ECONNRESET/)
    expect(kv.calls()).toMatchObject([{ fault: 'drop', status: 0 }])
  })

  it('checks what it is given', () => {
    expect(() => kv.faults.fail('nope' as never)).toThrow(/faults.fail fault must be one of/)
    expect(() => kv.faults.fail('throttled', { retryAfter: -1 })).toThrow(/retryAfter must be an integer/)
    expect(() => kv.faults.fail('internal', { operation: 'getSecretValue' as never })).toThrow(
      /operation must be one of/,
    )
    expect(() => kv.setSecret('bad_name', 'x')).toThrow(/Key Vault name/)
  })
})
