import { inspect } from 'node:util'
import { CachedSecretProvider, type RotateEvent, SecretError, type StaleEvent } from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf } from '@latchkey/test-support'
import { startVaultEmulator, type VaultEmulator } from '@latchkey/testing'
import vault from 'node-vault'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { VaultKvSource, type VaultKvSourceOptions, VaultRequestError } from './index.js'

let emulator: VaultEmulator
const providers: CachedSecretProvider[] = []

/** Retries are fast so transient failures can be counted without waiting. */
const FAST_RETRY = { retries: 2, baseDelay: 1, maxDelay: 2 }

function kv(
  options: Partial<VaultKvSourceOptions> = {},
  cache: ConstructorParameters<typeof CachedSecretProvider>[1] = {},
) {
  const source = new VaultKvSource({
    endpoint: emulator.endpoint,
    auth: { type: 'token', token: emulator.token },
    ...options,
  })
  const provider = new CachedSecretProvider(source, { retry: FAST_RETRY, ...cache })
  providers.push(provider)
  return { source, provider }
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, SecretError)

beforeAll(async () => {
  emulator = await startVaultEmulator()
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  emulator.faults.reset()
  emulator.unseal()
})
afterAll(async () => {
  await emulator.close()
})

describe('VaultKvSource reads', () => {
  it('reads KV v2 through node-vault, unwraps { value }, and reports the KV version', async () => {
    const secret = canary('kv2-value')
    emulator.kv.write('app/api-key', { value: secret })
    const { provider } = kv()
    expect(await provider.getSecret('app/api-key')).toBe(secret)
    expect(provider.describe('app/api-key')).toMatchObject({ source: 'vault-kv', version: '1' })
    expect(emulator.calls.log.at(-1)).toMatchObject({
      method: 'GET',
      path: 'secret/data/app/api-key',
      status: 200,
    })
  })

  it('returns any other map as JSON, so name#key selects one key', async () => {
    const password = canary('kv2-password')
    emulator.kv.write('app/db', { username: 'app', password, port: 5432 })
    emulator.kv.write('app/value-and-more', { value: 'not alone', note: 'x' })
    const { provider } = kv()
    expect(await provider.getSecret('app/db#password')).toBe(password)
    expect(await provider.getSecret('app/db#port')).toBe('5432')
    expect(await provider.getJson('app/db')).toEqual({ username: 'app', password, port: 5432 })
    expect(JSON.parse(await provider.getSecret('app/value-and-more'))).toEqual({
      value: 'not alone',
      note: 'x',
    })
  })

  it('reads KV v1 mounts with no version of their own, so the cache versions them by content', async () => {
    const first = canary('kv1-first')
    emulator.kv.write('legacy/token', { value: first }, { mount: 'kv' })
    const { source, provider } = kv({ mount: 'kv', kvVersion: 1 })
    const loaded = await source.load('legacy/token', { signal: new AbortController().signal })
    expect(loaded).toEqual({ value: first })
    const rotations: RotateEvent[] = []
    provider.on('rotate', (e) => rotations.push(e))
    expect(await provider.getSecret('legacy/token')).toBe(first)
    expect(emulator.calls.log.at(-1)).toMatchObject({ path: 'kv/legacy/token', status: 200 })
    const oldVersion = provider.describe('legacy/token')?.version
    const second = canary('kv1-second')
    emulator.kv.write('legacy/token', { value: second }, { mount: 'kv' })
    await provider.refresh('legacy/token')
    expect(await provider.getSecret('legacy/token')).toBe(second)
    const newVersion = provider.describe('legacy/token')?.version
    expect(newVersion).not.toBe(oldVersion)
    expect(rotations).toEqual([{ name: 'legacy/token', oldVersion, newVersion }])
    for (const version of [oldVersion, newVersion]) assertNoCanary(String(version), 'a content version')
  })

  it('emits rotate when a new KV version is written', async () => {
    emulator.kv.write('rotating', { value: canary('rot-1') })
    const { provider } = kv()
    const rotations: RotateEvent[] = []
    provider.on('rotate', (e) => rotations.push(e))
    await provider.getSecret('rotating')
    const next = canary('rot-2')
    emulator.kv.rotate('rotating', { value: next })
    await provider.refresh('rotating')
    expect(await provider.getSecret('rotating')).toBe(next)
    expect(rotations).toEqual([{ name: 'rotating', oldVersion: '1', newVersion: '2' }])
  })

  it('uses a given client without touching its token, and sends the namespace header', async () => {
    emulator.kv.write('ns/app', { value: canary('ns') }, { namespace: 'team-a/' })
    const client = vault({ endpoint: emulator.endpoint, token: 'hvs.someone-else' })
    const { provider } = kv({ client, endpoint: undefined, namespace: 'team-a/' })
    await provider.getSecret('ns/app')
    expect(client.token).toBe('hvs.someone-else')
    expect(emulator.calls.log.at(-1)).toMatchObject({
      path: 'secret/data/ns/app',
      namespace: 'team-a/',
      status: 200,
    })
  })

  it('refuses names that would leave the mount, without calling Vault', async () => {
    const { provider } = kv()
    emulator.calls.reset()
    for (const name of ['../sys/leases/lookup', 'a/../../b', 'a//b', '/']) {
      expect((await failure(provider.getSecret(name))).code).toBe('ERR_SECRET_INVALID_NAME')
    }
    expect(emulator.calls.count()).toBe(0)
  })

  it('refuses options that cannot work', () => {
    const auth = { type: 'token', token: 't' } as const
    expect(() => new VaultKvSource({ auth: { type: 'token' } as never })).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
    expect(() => new VaultKvSource({ auth: { type: 'ldap' } as never })).toThrow(/auth must be/)
    expect(() => new VaultKvSource({ auth, endpoint: emulator.endpoint, client: vault() })).toThrow(
      /not both/,
    )
    expect(() => new VaultKvSource({ auth, kvVersion: 3 as never })).toThrow(/kvVersion/)
    expect(() => new VaultKvSource({ auth, mount: '/' })).toThrow(/mount/)
  })
})

describe('VaultKvSource errors', () => {
  it('maps a missing key and a soft-deleted or destroyed version to ERR_SECRET_NOT_FOUND, without retrying', async () => {
    const secret = canary('deleted')
    emulator.kv.write('errors/deleted', { value: secret })
    emulator.kv.delete('errors/deleted')
    emulator.kv.write('errors/destroyed', { value: canary('destroyed') })
    emulator.kv.destroy('errors/destroyed')
    const { provider } = kv()
    emulator.calls.reset()
    const missing = await failure(provider.getSecret('errors/missing'))
    expect(missing).toMatchObject({
      code: 'ERR_SECRET_NOT_FOUND',
      transient: false,
      source: 'vault-kv',
      secretName: 'errors/missing',
    })
    expect(missing.cause).toBeInstanceOf(VaultRequestError)
    expect(missing.cause).toMatchObject({ statusCode: 404, errors: [] })
    const deleted = await failure(provider.getSecret('errors/deleted'))
    expect(deleted.code).toBe('ERR_SECRET_NOT_FOUND')
    expect(deleted.message).toContain('version 1 was deleted')
    const destroyed = await failure(provider.getSecret('errors/destroyed'))
    expect(destroyed.message).toContain('version 1 was destroyed')
    expect(emulator.calls.count('errors/')).toBe(0)
    expect(emulator.calls.count('secret/data/errors/', 'GET')).toBe(3)
    for (const error of [missing, deleted, destroyed]) assertNoCanary(printed(error), 'a not-found error')
  })

  it('maps 403 to ERR_SECRET_ACCESS_DENIED without retrying; the error carries no token and no value', async () => {
    const secret = canary('denied')
    emulator.kv.write('errors/denied', { value: secret })
    const token = emulator.createToken({ allow: ['secret/data/errors/allowed'] })
    const { provider } = kv({ auth: { type: 'token', token } })
    emulator.calls.reset()
    const error = await failure(provider.getSecret('errors/denied'))
    expect(error).toMatchObject({ code: 'ERR_SECRET_ACCESS_DENIED', transient: false })
    expect(error.cause).toMatchObject({
      statusCode: 403,
      errors: ['permission denied'],
    })
    expect(emulator.calls.count('secret/data/errors/denied')).toBe(1)
    const text = printed(error)
    assertNoCanary(text, 'an access-denied error')
    expect(text).not.toContain(token)
  })

  it.each([
    ['rateLimited', 'ERR_SECRET_THROTTLED', 429],
    ['internal', 'ERR_SECRET_UNAVAILABLE', 500],
    ['sealed', 'ERR_SECRET_UNAVAILABLE', 503],
  ] as const)('maps %s to %s and retries it', async (fault, code, status) => {
    emulator.kv.write(`errors/${fault}`, { value: canary(fault) })
    const { provider } = kv()
    emulator.calls.reset()
    emulator.faults.fail(fault, { times: Number.POSITIVE_INFINITY, path: `secret/data/errors/${fault}` })
    const error = await failure(provider.getSecret(`errors/${fault}`))
    expect(error).toMatchObject({ code, transient: true })
    expect(error.cause).toMatchObject({ statusCode: status })
    expect(emulator.calls.count(`secret/data/errors/${fault}`)).toBe(FAST_RETRY.retries + 1)
    assertNoCanary(printed(error), `a ${fault} error`)
  })

  it('maps a dropped connection to ERR_SECRET_UNAVAILABLE (no response, a network code), retried', async () => {
    emulator.kv.write('errors/dropped', { value: canary('dropped') })
    const { provider } = kv()
    emulator.calls.reset()
    emulator.faults.drop({ times: 3, path: 'secret/data/errors/dropped' })
    const error = await failure(provider.getSecret('errors/dropped'))
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(error.cause).toMatchObject({ code: 'ERR_VAULT_REQUEST', networkCode: 'ECONNRESET' })
    expect((error.cause as VaultRequestError).statusCode).toBeUndefined()
    expect(emulator.calls.count('secret/data/errors/dropped')).toBe(3)
    expect(printed(error)).not.toContain(emulator.token)
  })

  it('recovers when a transient failure clears within the retries', async () => {
    const secret = canary('recovers')
    emulator.kv.write('errors/recovers', { value: secret })
    const { provider } = kv()
    emulator.calls.reset()
    emulator.faults.fail('sealed', { times: 2, path: 'secret/data/errors/recovers' })
    expect(await provider.getSecret('errors/recovers')).toBe(secret)
    expect(emulator.calls.count('secret/data/errors/recovers')).toBe(3)
  })

  it('maps an unreachable Vault to ERR_SECRET_UNAVAILABLE', async () => {
    const closed = await startVaultEmulator()
    const endpoint = closed.endpoint
    await closed.close()
    const source = new VaultKvSource({ endpoint, auth: { type: 'token', token: 't' } })
    const provider = new CachedSecretProvider(source, { retry: { retries: 0 } })
    providers.push(provider)
    const error = await failure(provider.getSecret('anything'))
    expect(error.code).toBe('ERR_SECRET_UNAVAILABLE')
    expect(error.cause).toMatchObject({ code: 'ERR_VAULT_REQUEST', networkCode: 'ECONNREFUSED' })
  })
})

describe('VaultKvSource malformed answers', () => {
  const malformedBodies = (secret: string) => [
    {
      what: 'an HTML page',
      body: '<html><body>Sign in to the proxy</body></html>',
      contentType: 'text/html',
    },
    { what: 'truncated JSON', body: `{"request_id":"r","data":{"data":{"value":"${secret.slice(0, 12)}` },
    { what: 'an empty body', body: '' },
    { what: 'JSON without data', body: '{"request_id":"r","data":null}' },
    {
      what: 'a KV v2 envelope without data.data',
      body: '{"request_id":"r","data":{"metadata":{"version":3}}}',
    },
  ]

  it.each([2, 1] as const)(
    'maps a 200 that is not a KV v%s envelope to ERR_SECRET_UNAVAILABLE (transient, retried), never quoting it',
    async (kvVersion) => {
      const secret = canary(`malformed-v${kvVersion}`)
      const mount = kvVersion === 2 ? 'secret' : 'kv'
      emulator.kv.write('malformed/app', { value: secret }, { mount })
      const { provider } = kv({ kvVersion, mount })
      const path = kvVersion === 2 ? 'secret/data/malformed/app' : 'kv/malformed/app'
      for (const { what, body, contentType } of malformedBodies(secret).slice(
        0,
        kvVersion === 2 ? undefined : -1,
      )) {
        emulator.calls.reset()
        emulator.faults.reset()
        emulator.faults.fail(
          { status: 200, body, ...(contentType ? { contentType } : {}) },
          {
            times: Number.POSITIVE_INFINITY,
            path,
          },
        )
        provider.invalidate()
        const error = await failure(provider.getSecret('malformed/app'))
        expect(error, what).toMatchObject({
          code: 'ERR_SECRET_UNAVAILABLE',
          transient: true,
          source: 'vault-kv',
        })
        expect(error.cause, what).toMatchObject({ statusCode: 200 })
        expect(emulator.calls.count(path), what).toBe(FAST_RETRY.retries + 1)
        assertNoCanary(printed(error), `the error for ${what}`)
        expect(printed(error)).not.toContain(secret.slice(0, 12))
      }
    },
  )

  it('keeps serving the cached value and its handle within maxStale when Vault answers 200 with garbage', async () => {
    const secret = canary('malformed-stale')
    emulator.kv.write('malformed/stale', { value: secret })
    let now = 1_000_000
    const { provider } = kv(
      {},
      { ttl: 60_000, refreshAhead: 0, minRefreshInterval: 1_000, maxStale: 600_000, clock: () => now },
    )
    const handle = provider.handle('malformed/stale')
    await handle.ready()
    const stale: StaleEvent[] = []
    provider.on('stale', (e) => stale.push(e))
    for (const { what, body, contentType } of malformedBodies(secret)) {
      emulator.faults.reset()
      emulator.faults.fail(
        { status: 200, body, ...(contentType ? { contentType } : {}) },
        {
          times: Number.POSITIVE_INFINITY,
          path: 'secret/data/malformed/stale',
        },
      )
      now += 61_000
      expect(await provider.getSecret('malformed/stale'), what).toBe(secret)
      await provider.refresh('malformed/stale').catch(() => undefined)
      expect(handle.loaded, what).toBe(true)
      expect(handle.reveal(), what).toBe(secret)
      expect(provider.describe('malformed/stale'), what).toMatchObject({ stale: true, version: '1' })
    }
    expect(stale.length).toBeGreaterThanOrEqual(1)
    for (const event of stale) expect(event.error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE' })
    emulator.faults.reset()
    now += 1_000
    await provider.refresh('malformed/stale')
    expect(provider.describe('malformed/stale')).toMatchObject({ stale: false, version: '1' })
    expect(handle.reveal()).toBe(secret)
  })
})

describe('VaultKvSource through an outage', () => {
  it('serves the stale value while Vault is sealed, then recovers by itself', async () => {
    const secret = canary('outage')
    emulator.kv.write('outage/app', { value: secret })
    let now = 1_000_000
    const { provider } = kv({}, { ttl: 60_000, refreshAhead: 0, minRefreshInterval: 1_000, clock: () => now })
    const stale: StaleEvent[] = []
    provider.on('stale', (e) => stale.push(e))
    expect(await provider.getSecret('outage/app')).toBe(secret)

    emulator.seal()
    now += 61_000
    expect(await provider.getSecret('outage/app')).toBe(secret)
    expect(stale).toHaveLength(1)
    expect(stale[0]?.error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE' })
    expect(provider.describe('outage/app')?.stale).toBe(true)
    expect(provider.stats().staleServed).toBe(1)
    assertNoCanary(printed(stale[0]?.error), 'the stale event error')

    emulator.unseal()
    const rotated = canary('outage-after')
    emulator.kv.rotate('outage/app', { value: rotated })
    // After a failed reload the cache waits minRefreshInterval before trying again in the background.
    now += 1_000
    expect(await provider.getSecret('outage/app')).toBe(secret)
    await vi.waitFor(() => expect(provider.describe('outage/app')?.stale).toBe(false))
    expect(await provider.getSecret('outage/app')).toBe(rotated)
    expect(provider.describe('outage/app')?.version).toBe('2')
    assertNoCanary(inspect(provider, { depth: 10, showHidden: true }), 'the provider inspect output')
  })
})
