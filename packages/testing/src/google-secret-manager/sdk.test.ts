/**
 * Wire facts, checked with the real `@google-cloud/secret-manager` client over its REST transport
 * (`fallback: 'rest'`) and real HTTP against the emulator. See docs/wire-facts.md.
 */
import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { canary, rejectionOf } from '@latchkey/test-support'
import { OAuth2Client } from 'google-auth-library'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { crc32c } from './crc32c.js'
import { type GoogleSecretManagerEmulator, startGoogleSecretManagerEmulator } from './index.js'

let emulator: GoogleSecretManagerEmulator
let client: SecretManagerServiceClient
let counter = 0
const unique = (label: string) => `wire-${label}-${++counter}`
const NO_RETRY = { retry: null }

/** An auth client holding a fixed access token: no metadata server, no token endpoint. */
function tokenAuth(token: string): OAuth2Client {
  const auth = new OAuth2Client()
  auth.setCredentials({ access_token: token })
  return auth
}

interface GaxError extends Error {
  code?: number
  httpStatusCode?: number
}

const rejection = (promise: Promise<unknown>) => rejectionOf<GaxError>(promise)

beforeAll(async () => {
  emulator = await startGoogleSecretManagerEmulator()
  client = new SecretManagerServiceClient({
    ...emulator.clientOptions,
    authClient: tokenAuth(emulator.token),
  })
})
afterAll(async () => {
  await client.close()
  await emulator.close()
})
beforeEach(() => {
  emulator.faults.reset()
  emulator.resetCalls()
})

const versionName = (id: string, version: string | number) =>
  `projects/${emulator.project}/secrets/${id}/versions/${version}`

describe('the REST transport', () => {
  it('creates, adds and accesses through the client, with the payload as bytes and its CRC-32C as a decimal string', async () => {
    const id = unique('roundtrip')
    const value = canary('roundtrip')
    const bytes = Buffer.from(value)
    await client.createSecret({
      parent: `projects/${emulator.project}`,
      secretId: id,
      secret: { replication: { automatic: {} } },
    })
    const [added] = await client.addSecretVersion({
      parent: `projects/${emulator.project}/secrets/${id}`,
      payload: { data: bytes, dataCrc32c: crc32c(bytes) },
    })
    expect(added.name).toBe(versionName(id, 1))
    expect(added.state).toBe('ENABLED')
    expect(added.clientSpecifiedPayloadChecksum).toBe(true)
    const [reply] = await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    expect(reply.name).toBe(versionName(id, 1))
    expect(Buffer.isBuffer(reply.payload?.data)).toBe(true)
    expect(Buffer.from(reply.payload?.data as Uint8Array).toString()).toBe(value)
    expect(reply.payload?.dataCrc32c).toBe(String(crc32c(bytes)))
  })

  it('sends GET …/versions/<v>:access with numeric enums, the routing header and the bearer token', async () => {
    const id = unique('request')
    emulator.createSecret(id, canary('request'))
    await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    const [call] = emulator.calls('AccessSecretVersion')
    expect(call).toMatchObject({
      rpc: 'AccessSecretVersion',
      request: `GET /v1/projects/${emulator.project}/secrets/${id}/versions/latest:access`,
      resource: versionName(id, 'latest'),
      status: 200,
      numericEnums: true,
      authorized: true,
      requestParams: `name=${encodeURIComponent(versionName(id, 'latest'))}`,
    })
    expect(call?.apiClient).toMatch(/\brest\//)
  })

  it('reads enum states as names although the wire carries numbers', async () => {
    const id = unique('state')
    emulator.createSecret(id, canary('state'))
    emulator.disableVersion(id, 1)
    const [version] = await client.getSecretVersion({ name: versionName(id, 1) }, NO_RETRY)
    expect(version.state).toBe('DISABLED')
  })

  it('CRC-32C is the Castagnoli checksum (RFC 3720 check value)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
  })
})

describe('versions', () => {
  it('latest is the newest version; older ones stay readable by number', async () => {
    const id = unique('versions')
    const first = canary('v1')
    const second = canary('v2')
    emulator.createSecret(id, first)
    const rotated = emulator.addVersion(id, second)
    expect(rotated).toEqual({ name: versionName(id, 2), version: 2, state: 'ENABLED' })
    const [latest] = await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    expect(latest.name).toBe(versionName(id, 2))
    expect(Buffer.from(latest.payload?.data as Uint8Array).toString()).toBe(second)
    const [pinned] = await client.accessSecretVersion({ name: versionName(id, 1) }, NO_RETRY)
    expect(Buffer.from(pinned.payload?.data as Uint8Array).toString()).toBe(first)
  })

  it('a disabled or destroyed version answers FAILED_PRECONDITION (9, HTTP 400) naming its state, latest included', async () => {
    const id = unique('disabled')
    emulator.createSecret(id, canary('d1'))
    emulator.addVersion(id, canary('d2'))
    await client.disableSecretVersion({ name: versionName(id, 2) }, NO_RETRY)
    const disabled = await rejection(
      client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY),
    )
    expect(disabled.code).toBe(9)
    expect(disabled.httpStatusCode).toBe(400)
    expect(disabled.message).toContain('is in DISABLED state')
    const [destroyed] = await client.destroySecretVersion({ name: versionName(id, 1) }, NO_RETRY)
    expect(destroyed.state).toBe('DESTROYED')
    expect(destroyed.destroyTime).toBeDefined()
    const gone = await rejection(client.accessSecretVersion({ name: versionName(id, 1) }, NO_RETRY))
    expect(gone.code).toBe(9)
    expect(gone.message).toContain('is in DESTROYED state')
    await client.enableSecretVersion({ name: versionName(id, 2) }, NO_RETRY)
    const [back] = await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    expect(back.name).toBe(versionName(id, 2))
  })

  it('a missing secret or version is NOT_FOUND (5, HTTP 404); a malformed id INVALID_ARGUMENT (3, HTTP 400)', async () => {
    const missing = await rejection(
      client.accessSecretVersion({ name: versionName('nope', 'latest') }, NO_RETRY),
    )
    expect([missing.code, missing.httpStatusCode]).toEqual([5, 404])
    const id = unique('missing-version')
    emulator.createSecret(id, canary('mv'))
    const version = await rejection(client.accessSecretVersion({ name: versionName(id, 7) }, NO_RETRY))
    expect([version.code, version.httpStatusCode]).toEqual([5, 404])
    const invalid = await rejection(
      client.accessSecretVersion({ name: versionName('a.b', 'latest') }, NO_RETRY),
    )
    expect([invalid.code, invalid.httpStatusCode]).toEqual([3, 400])
  })

  it('refuses a payload over 64 KiB and an AddSecretVersion whose checksum does not match', async () => {
    const id = unique('limits')
    emulator.createSecret(id)
    const big = await rejection(
      client.addSecretVersion({
        parent: `projects/${emulator.project}/secrets/${id}`,
        payload: { data: Buffer.alloc(65_537) },
      }),
    )
    expect(big.code).toBe(3)
    const bytes = Buffer.from(canary('crc'))
    const wrong = await rejection(
      client.addSecretVersion({
        parent: `projects/${emulator.project}/secrets/${id}`,
        payload: { data: bytes, dataCrc32c: (crc32c(bytes) + 1) % 2 ** 32 },
      }),
    )
    expect(wrong.code).toBe(3)
    expect(emulator.versions(id)).toEqual([])
  })

  it('a version stored without a checksum is accessed without dataCrc32c', async () => {
    const id = unique('no-crc')
    emulator.createSecret(id)
    emulator.addVersion(id, canary('no-crc'), { checksum: false })
    const [reply] = await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    expect(reply.payload?.dataCrc32c ?? null).toBeNull()
  })
})

describe('errors and the client', () => {
  it('maps HTTP statuses to gRPC codes: 429→8, 500→13, 503→14, 504→4, 403→7, 401→16', async () => {
    const id = unique('codes')
    emulator.createSecret(id, canary('codes'))
    const name = versionName(id, 'latest')
    const seen: Array<[number | undefined, number | undefined]> = []
    for (const fault of [
      'resourceExhausted',
      'internal',
      'unavailable',
      'deadlineExceeded',
      'permissionDenied',
      'unauthenticated',
    ] as const) {
      emulator.faults.fail(fault)
      const error = await rejection(client.accessSecretVersion({ name }, NO_RETRY))
      seen.push([error.code, error.httpStatusCode])
    }
    expect(seen).toEqual([
      [8, 429],
      [13, 500],
      [14, 503],
      [4, 504],
      [7, 403],
      [16, 401],
    ])
    expect(emulator.callCount('AccessSecretVersion')).toBe(6)
  })

  it('a wrong token is answered 401 once: a static-token auth client does not refresh and retry', async () => {
    const other = new SecretManagerServiceClient({
      ...emulator.clientOptions,
      authClient: tokenAuth('wrong-token'),
    })
    const id = unique('token')
    emulator.createSecret(id, canary('token'))
    const error = await rejection(other.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY))
    await other.close()
    expect(error.code).toBe(16)
    expect(emulator.calls().map((call) => [call.status, call.authorized])).toEqual([[401, false]])
  })

  it('without { retry: null } the client retries UNAVAILABLE on its own; with it, one request', async () => {
    const id = unique('retry')
    emulator.createSecret(id, canary('retry'))
    emulator.faults.fail('unavailable')
    await client.accessSecretVersion({ name: versionName(id, 'latest') })
    expect(emulator.calls().map((call) => call.status)).toEqual([503, 200])
    emulator.resetCalls()
    emulator.faults.fail('resourceExhausted')
    const error = await rejection(client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY))
    expect(error.code).toBe(8)
    expect(emulator.callCount()).toBe(1)
  })

  it('an HTML 503, a dropped connection and a cut-off 200 all reach the caller as UNAVAILABLE (14)', async () => {
    const id = unique('broken')
    emulator.createSecret(id, canary('broken'))
    const name = versionName(id, 'latest')
    emulator.faults.fail('proxyUnavailable')
    const html = await rejection(client.accessSecretVersion({ name }, NO_RETRY))
    expect([html.code, html.httpStatusCode]).toEqual([14, 503])
    emulator.faults.drop()
    const dropped = await rejection(client.accessSecretVersion({ name }, NO_RETRY))
    expect(dropped.code).toBe(14)
    emulator.faults.fail({ status: 200, body: `{"name":"${name}","payload":{"data":"` })
    const cut = await rejection(client.accessSecretVersion({ name }, NO_RETRY))
    expect(cut.code).toBe(14)
    expect(cut.httpStatusCode).toBeUndefined()
    expect(cut.cause).toBeInstanceOf(SyntaxError)
  })

  it('checksumMismatch answers 200 with the payload and a dataCrc32c that does not match it', async () => {
    const id = unique('mismatch')
    emulator.createSecret(id, canary('mismatch'))
    emulator.faults.fail('checksumMismatch')
    const [reply] = await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    const data = reply.payload?.data as Uint8Array
    expect(reply.payload?.dataCrc32c).not.toBe(String(crc32c(data)))
    expect(emulator.calls()[0]?.fault).toBe('checksumMismatch')
  })

  it('the method returns a plain promise (no cancel()); the signal call option aborts the request (CANCELLED, 1)', async () => {
    const id = unique('abort')
    emulator.createSecret(id, canary('abort'))
    emulator.faults.setLatency(5_000)
    const controller = new AbortController()
    const call = client.accessSecretVersion({ name: versionName(id, 'latest') }, {
      retry: null,
      signal: controller.signal,
    } as never)
    expect('cancel' in call).toBe(false)
    await expect.poll(() => emulator.callCount()).toBe(1)
    controller.abort()
    const error = await rejection(call)
    expect(error.code).toBe(1)
    emulator.faults.reset()
    await expect.poll(() => emulator.calls()[0]?.status).toBe(0)
  })
})

describe('faults and helpers', () => {
  it('checks faults when they are added', () => {
    expect(() => emulator.faults.fail('nope' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
    expect(() => emulator.faults.fail({ status: 99 })).toThrow(/status/)
    expect(() => emulator.faults.fail({ status: 400, code: 'WHATEVER' as never })).toThrow(/code/)
    expect(() => emulator.faults.drop({ rpc: 'Nope' as never })).toThrow(/rpc/)
    expect(() => emulator.faults.setLatency(-1)).toThrow(/setLatency/)
  })

  it('scopes a fault to one RPC and counts it down', async () => {
    const id = unique('scoped')
    emulator.createSecret(id, canary('scoped'))
    emulator.faults.fail('internal', { rpc: 'GetSecretVersion', times: 2 })
    expect(emulator.faults.pending).toBe(2)
    await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    expect((await rejection(client.getSecretVersion({ name: versionName(id, 1) }, NO_RETRY))).code).toBe(13)
    expect(emulator.faults.pending).toBe(1)
  })

  it('keeps projects apart and deletes secrets', async () => {
    const id = unique('projects')
    emulator.createSecret(id, canary('p1'))
    emulator.createSecret(id, canary('p2'), { project: 'other-project' })
    const [other] = await client.accessSecretVersion(
      { name: `projects/other-project/secrets/${id}/versions/latest` },
      NO_RETRY,
    )
    expect(other.name).toBe(`projects/other-project/secrets/${id}/versions/1`)
    emulator.deleteSecret(id)
    const error = await rejection(client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY))
    expect(error.code).toBe(5)
  })

  it('records resource names, never payloads', async () => {
    const id = unique('log')
    const value = canary('log')
    emulator.createSecret(id, value)
    await client.accessSecretVersion({ name: versionName(id, 'latest') }, NO_RETRY)
    expect(JSON.stringify(emulator.calls())).not.toContain(value)
  })
})
