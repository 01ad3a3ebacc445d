import { inspect } from 'node:util'
import {
  CachedSecretProvider,
  type CacheOptions,
  ErrorCode,
  type RotateEvent,
  SecretError,
} from '@latchkey/core'
import { assertNoCanary, canary, emulatorHooks, steadyCacheOptions } from '@latchkey/test-support'
import { type KeyVaultEmulator, startKeyVaultEmulator } from '@latchkey/testing'
import { describe, expect, it, vi } from 'vitest'
import {
  AzureKeyVaultSource,
  type AzureKeyVaultSourceOptions,
  fromKeyVaultName,
  toKeyVaultName,
} from '../index.js'

// Per-file state as module variables on purpose (tests move `now`); the shared hooks are emulatorHooks().
let kv: KeyVaultEmulator
let now: number
let counter = 0
const unique = (label: string) => `${label}-${++counter}`
const providers: CachedSecretProvider[] = []

emulatorHooks(startKeyVaultEmulator, {
  started: (started) => {
    kv = started
  },
  reset: () => {
    now = Date.now()
  },
  providers,
})

function source(options: Partial<AzureKeyVaultSourceOptions> = {}) {
  return new AzureKeyVaultSource({
    vaultUrl: kv.vaultUrl,
    credential: kv.credential,
    clientOptions: kv.clientOptions,
    clock: () => now,
    ...options,
  })
}

function setup(options: CacheOptions = {}, sourceOptions: Partial<AzureKeyVaultSourceOptions> = {}) {
  const src = source(sourceOptions)
  const provider = new CachedSecretProvider(src, {
    ...steadyCacheOptions(() => now),
    minRefreshInterval: 0,
    retry: { retries: 0 },
    ...options,
  })
  providers.push(provider)
  return { source: src, provider }
}

async function failure(promise: Promise<unknown>): Promise<SecretError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SecretError)
  const secretError = error as SecretError
  assertNoCanary(
    `${secretError.message} ${String(secretError.cause)} ${JSON.stringify(secretError)}`,
    'the error',
  )
  return secretError
}

const authorizedGets = () => kv.calls('getSecret').filter((call) => call.authorized).length

describe('reading', () => {
  it('reads the latest version through the challenge flow, reporting the version id', async () => {
    const name = unique('latest')
    const value = canary('latest')
    const { version } = kv.setSecret(name, value)
    const { provider } = setup()
    expect(await provider.getSecret(name)).toBe(value)
    expect(provider.describe(name)?.version).toBe(version)
    expect(provider.describe(name)?.source).toBe('azure-key-vault')
    // one challenged request, one with the token; the token was asked for the challenge's resource
    expect(kv.calls('getSecret').map((c) => [c.authorized, c.status])).toEqual([
      [false, 401],
      [true, 200],
    ])
    expect(kv.tokenRequests()).toEqual([{ scopes: [`${kv.resource}/.default`], tenantId: kv.tenantId }])
  })

  it('pins a version with name@version and with the version option', async () => {
    const name = unique('pinned')
    const first = canary('v1')
    const { version: v1 } = kv.setSecret(name, first)
    kv.setSecret(name, canary('v2'))
    const { provider } = setup()
    expect(await provider.getSecret(`${name}@${v1}`)).toBe(first)
    expect(provider.describe(`${name}@${v1}`)?.version).toBe(v1)
    const byOption = setup({}, { version: { [name]: v1 } }).provider
    expect(await byOption.getSecret(name)).toBe(first)
    const single = setup({}, { version: v1 }).provider
    expect(await single.getSecret(name)).toBe(first)
    expect(
      kv
        .calls('getSecret')
        .filter((c) => c.authorized)
        .map((c) => c.version),
    ).toEqual([v1, v1, v1])
  })

  it('maps db/password to the Key Vault name db--password', async () => {
    const value = canary('mapped')
    const base = unique('app')
    kv.setSecret(`${base}--db--password`, value)
    const { provider } = setup()
    expect(await provider.getSecret(`${base}/db/password`)).toBe(value)
    expect(kv.calls('getSecret').at(-1)?.secretName).toBe(`${base}--db--password`)
  })

  it('selects a JSON field with # on a mapped name', async () => {
    const base = unique('json')
    const password = canary('field')
    kv.setSecret(`${base}--creds`, JSON.stringify({ username: 'app', password }))
    const { provider } = setup()
    expect(await provider.getSecret(`${base}/creds#password`)).toBe(password)
  })

  it('keeps contentType, expiresOn and the version in properties(), never the value', async () => {
    const name = unique('props')
    const value = canary('props')
    const expiresOn = new Date(now + 3_600_000)
    const { version } = kv.setSecret(name, value, {
      contentType: 'application/json',
      expiresOn,
      tags: { team: 'a' },
    })
    const { provider, source: src } = setup()
    await provider.getSecret(name)
    const props = src.properties(name)
    expect(props).toMatchObject({
      keyVaultName: name,
      version,
      contentType: 'application/json',
      tags: { team: 'a' },
    })
    expect(props?.expiresOn?.getTime()).toBe(Math.floor(expiresOn.getTime() / 1000) * 1000)
    assertNoCanary(JSON.stringify(props), 'properties()')
    expect(src.properties('never-loaded')).toBeUndefined()
    const info = provider.describe(name)
    expect(info?.contentType).toBe('application/json')
    assertNoCanary(JSON.stringify(info), 'describe()')
  })

  it('shows no contentType in describe() for a secret that has none', async () => {
    const name = unique('plain')
    kv.setSecret(name, canary('plain'))
    const { provider } = setup()
    await provider.getSecret(name)
    expect(provider.describe(name)).not.toHaveProperty('contentType')
  })
})

describe('names', () => {
  it.each([
    ['db_password', 'character other than'],
    ['db/', 'part that is empty'],
    ['/db', 'part that is empty'],
    ['db/-x', 'starts or ends with "-"'],
    ['db/a--b', 'holds "--"'],
    ['a'.repeat(128), '128 characters'],
    ['db@not-a-version', 'version after "@"'],
    ['db.password', 'character other than'],
  ])('rejects %s with ERR_SECRET_INVALID_NAME stating the rule, without a request', async (name, why) => {
    const { provider } = setup()
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.INVALID_NAME)
    expect(error.transient).toBe(false)
    expect(error.message).toContain(why)
    expect(error.message).toContain('"/" as "--"')
    expect(kv.callCount()).toBe(0)
  })

  it('maps and reads back reversibly', () => {
    expect(toKeyVaultName('db/password', 's')).toEqual({ secret: 'db--password', version: undefined })
    expect(toKeyVaultName('a/b-c/d@0123abcd', 's')).toEqual({ secret: 'a--b-c--d', version: '0123abcd' })
    expect(toKeyVaultName('plain-name', 's')).toEqual({ secret: 'plain-name', version: undefined })
    for (const name of ['db/password', 'a/b-c/d', 'plain-name', 'x']) {
      expect(fromKeyVaultName(toKeyVaultName(name, 's').secret)).toBe(name)
    }
  })
})

describe('attributes', () => {
  it('a disabled version → ERR_SECRET_ACCESS_DENIED (permanent), from the service 403 SecretDisabled', async () => {
    const name = unique('disabled')
    kv.setSecret(name, canary('disabled'), { enabled: false })
    const { provider } = setup()
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.ACCESS_DENIED)
    expect(error.transient).toBe(false)
    expect(error.message).toContain('disabled')
    expect(error.message).toContain('SecretDisabled')
  })

  it('notBefore in the future → ERR_SECRET_ACCESS_DENIED naming the date (the service itself returns the value)', async () => {
    const name = unique('nbf')
    const notBefore = new Date(now + 86_400_000)
    kv.setSecret(name, canary('nbf'), { notBefore })
    const { provider } = setup()
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.ACCESS_DENIED)
    expect(error.transient).toBe(false)
    expect(error.message).toContain('not valid yet')
    expect(error.message).toContain(new Date(Math.floor(notBefore.getTime() / 1000) * 1000).toISOString())
    expect(authorizedGets()).toBe(1)
  })

  it('an expired version → ERR_SECRET_ACCESS_DENIED', async () => {
    const name = unique('exp')
    kv.setSecret(name, canary('exp'), { expiresOn: new Date(now - 1000) })
    const error = await failure(setup().provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.ACCESS_DENIED)
    expect(error.message).toContain('has expired')
  })

  it('expiresOn caps the cache ttl: the entry expires at expiresOn, not after the 5 min default', async () => {
    const name = unique('ttl')
    const expiresOn = new Date(Math.floor((now + 60_000) / 1000) * 1000)
    kv.setSecret(name, canary('ttl'), { expiresOn })
    const { provider } = setup({ ttl: 300_000 })
    await provider.getSecret(name)
    expect(provider.describe(name)?.expiresAt).toBe(expiresOn.getTime())
    const loaded = await source().load(name, { signal: new AbortController().signal })
    expect(loaded.ttlMs).toBe(expiresOn.getTime() - now)
  })

  it('a version that expires later than the ttl keeps the configured ttl', async () => {
    const name = unique('ttl-long')
    kv.setSecret(name, canary('ttl-long'), { expiresOn: new Date(now + 86_400_000) })
    const { provider } = setup({ ttl: 300_000 })
    await provider.getSecret(name)
    expect(provider.describe(name)?.expiresAt).toBe(now + 300_000)
  })
})

describe('errors', () => {
  it('a missing name → ERR_SECRET_NOT_FOUND with the soft-delete recovery hint', async () => {
    const error = await failure(setup().provider.getSecret('app/never-created'))
    expect(error.code).toBe(ErrorCode.NOT_FOUND)
    expect(error.transient).toBe(false)
    expect(error.message).toContain('SecretNotFound')
    expect(error.message).toContain(
      'az keyvault secret recover --vault-name latchkey --name app--never-created',
    )
  })

  it('a soft-deleted secret → ERR_SECRET_NOT_FOUND with the hint; recovered, it reads again', async () => {
    const name = unique('deleted')
    const value = canary('deleted')
    kv.setSecret(name, value)
    kv.deleteSecret(name)
    const { provider } = setup()
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.NOT_FOUND)
    expect(error.message).toContain('soft-deleted and recoverable')
    kv.recoverSecret(name)
    provider.invalidate(name)
    expect(await provider.getSecret(name)).toBe(value)
  })

  it.each([
    ['forbidden', ErrorCode.ACCESS_DENIED, false, 'Forbidden'],
    [{ status: 401, code: 'Unauthorized', message: 'bad token' }, ErrorCode.ACCESS_DENIED, false, 'HTTP 401'],
    ['internal', ErrorCode.UNAVAILABLE, true, 'InternalServerError'],
    ['unavailable', ErrorCode.UNAVAILABLE, true, 'HTTP 503'],
    [
      { status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' },
      ErrorCode.UNAVAILABLE,
      true,
      'HTTP 502',
    ],
  ] as const)('%j → %s (transient %s)', async (fault, code, transient, text) => {
    const name = unique('fault')
    kv.setSecret(name, canary('fault'))
    const { provider } = setup()
    kv.faults.fail(fault, { operation: 'getSecret' })
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(code)
    expect(error.transient).toBe(transient)
    expect(error.message).toContain(text)
  })

  it("429 → ERR_SECRET_THROTTLED with the service's Retry-After in the message; the SDK does not retry", async () => {
    const name = unique('throttled')
    kv.setSecret(name, canary('throttled'))
    const { provider } = setup()
    kv.faults.fail('throttled', { retryAfter: 17 })
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.THROTTLED)
    expect(error.transient).toBe(true)
    expect(error.message).toContain('retry after 17 s')
    expect(authorizedGets()).toBe(1)
  })

  it('core retries a transient failure (one policy): 503 then success is two authorized requests', async () => {
    const name = unique('retry')
    const value = canary('retry')
    kv.setSecret(name, value)
    const { provider } = setup({ retry: { retries: 2, baseDelay: 1, maxDelay: 2 } })
    kv.faults.fail('unavailable')
    expect(await provider.getSecret(name)).toBe(value)
    expect(authorizedGets()).toBe(2)
  })

  it('a dropped connection → ERR_SECRET_UNAVAILABLE (transient)', async () => {
    const name = unique('drop')
    kv.setSecret(name, canary('drop'))
    const { provider } = setup()
    kv.faults.drop()
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.transient).toBe(true)
  })

  it('a cut-off 200 reply → ERR_SECRET_UNAVAILABLE, quoting none of the body', async () => {
    const name = unique('cut')
    const value = canary('cut')
    kv.setSecret(name, value)
    const { provider } = setup()
    kv.faults.fail({ status: 200, body: `{"value":"${value.slice(0, 20)}` })
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.transient).toBe(true)
    const cause = error.cause as Error & { statusCode?: number }
    expect(cause.statusCode).toBe(200)
    expect(cause.message).toBe(
      `${cause.name}, ${(cause as { code?: string }).code === undefined ? '' : `${(cause as { code?: string }).code}, `}HTTP 200`,
    )
    assertNoCanary(inspect(cause, { showHidden: true, depth: 8 }), 'the cause of a cut-off reply')
  })

  it('a 200 without a value → ERR_SECRET_UNAVAILABLE (malformed)', async () => {
    const name = unique('novalue')
    kv.setSecret(name, canary('novalue'))
    const { provider } = setup()
    kv.faults.fail({
      status: 200,
      body: JSON.stringify({
        id: `${kv.vaultUrl}/secrets/${name}/0123456789abcdef0123456789abcdef`,
        attributes: { enabled: true },
      }),
    })
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.message).toContain('without a value')
  })

  it('a reply slower than the timeout → ERR_SECRET_TIMEOUT', async () => {
    const name = unique('slow')
    kv.setSecret(name, canary('slow'))
    const { provider } = setup({ timeout: 200 })
    kv.faults.setLatency(5_000, { operation: 'getSecret' })
    const error = await failure(provider.getSecret(name))
    expect(error.code).toBe(ErrorCode.TIMEOUT)
    expect(error.transient).toBe(true)
  })

  it('an aborted signal ends the request: ERR_SECRET_UNAVAILABLE, "aborted"', async () => {
    const name = unique('abort')
    kv.setSecret(name, canary('abort'))
    const controller = new AbortController()
    kv.faults.setLatency(5_000)
    const loading = source().load(name, { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('stop')), 50)
    const error = await failure(loading)
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.message).toContain('aborted')
  })

  it('an unreachable vault → ERR_SECRET_UNAVAILABLE (transient), never a hang', async () => {
    const closed = await startKeyVaultEmulator({ vaultName: 'gone' })
    const url = closed.vaultUrl
    const options = closed.clientOptions
    await closed.close()
    const { provider } = setup({ timeout: 5_000 }, { vaultUrl: url, clientOptions: { ...options } })
    const error = await failure(provider.getSecret('anything'))
    expect(error.transient).toBe(true)
  })

  it('no credential given and none found by DefaultAzureCredential → ERR_SECRET_ACCESS_DENIED (permanent)', async () => {
    for (const name of [
      'AZURE_CLIENT_ID',
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_CLIENT_CERTIFICATE_PATH',
      'AZURE_USERNAME',
      'AZURE_FEDERATED_TOKEN_FILE',
      'IDENTITY_ENDPOINT',
      'MSI_ENDPOINT',
    ]) {
      vi.stubEnv(name, undefined)
    }
    try {
      const name = unique('no-credential')
      kv.setSecret(name, canary('no-credential'))
      const { provider } = setup({ timeout: 20_000 }, { credential: undefined })
      const error = await failure(provider.getSecret(name))
      expect(error.code).toBe(ErrorCode.ACCESS_DENIED)
      expect(error.transient).toBe(false)
      expect(error.message).toContain('pass { credential }')
      expect(kv.tokenRequests()).toEqual([])
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('a closed source rejects with ERR_PROVIDER_CLOSED', async () => {
    const src = source()
    await src.close()
    const error = await failure(src.load('x', { signal: new AbortController().signal }))
    expect(error.code).toBe(ErrorCode.PROVIDER_CLOSED)
  })
})

describe('rotation', () => {
  it("a new version set in the emulator → refresh() emits 'rotate' with the version ids", async () => {
    const name = unique('rotate')
    const { version: v1 } = kv.setSecret(name, canary('before'))
    const { provider } = setup()
    await provider.getSecret(name)
    const events: RotateEvent[] = []
    provider.on('rotate', (event) => events.push(event))
    const after = canary('after')
    const { version: v2 } = kv.setSecret(name, after)
    await provider.refresh(name)
    expect(events).toEqual([{ name, oldVersion: v1, newVersion: v2 }])
    expect(await provider.getSecret(name)).toBe(after)
  })
})
