import { inspect } from 'node:util'
import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import {
  CachedSecretProvider,
  type CacheOptions,
  ErrorCode,
  type RotateEvent,
  type SecretError,
  SecretTimeoutError,
} from '@latchkey/core'
import { assertNoCanary, canary, emulatorHooks, steadyCacheOptions } from '@latchkey/test-support'
import { type GoogleSecretManagerEmulator, startGoogleSecretManagerEmulator } from '@latchkey/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { emulatorSource, tokenAuth } from '../../test/support.js'
import { GoogleSecretManagerSource } from '../index.js'
import { crc32c } from './crc32c.js'
import type { GoogleSecretManagerSourceOptions } from './options.js'

// Per-file state as module variables on purpose (tests move `now`); the shared hooks are emulatorHooks().
let emulator: GoogleSecretManagerEmulator
let now: number
const providers: CachedSecretProvider[] = []
const sources: GoogleSecretManagerSource[] = []
let counter = 0
/** A latchkey name with a "/", and the secret id it maps to. */
const unique = (label: string) => {
  const name = `app/${label}-${++counter}`
  return { name, id: name.replace('/', '__') }
}

// registered first so it runs after the providers are closed (after-hooks run in reverse)
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()))
})
emulatorHooks(startGoogleSecretManagerEmulator, {
  started: (started) => {
    emulator = started
  },
  reset: () => {
    now = 1_700_000_000_000
  },
  providers,
})

function source(options: Omit<GoogleSecretManagerSourceOptions, 'client'> = {}) {
  const built = emulatorSource(emulator, options)
  sources.push(built)
  return built
}

function setup(
  options: CacheOptions = {},
  sourceOptions: Omit<GoogleSecretManagerSourceOptions, 'client'> = {},
) {
  const src = source(sourceOptions)
  const provider = new CachedSecretProvider(src, {
    ...steadyCacheOptions(() => now),
    retry: { retries: 0 },
    ...options,
  })
  providers.push(provider)
  return { source: src, provider }
}

const signal = () => new AbortController().signal

async function loadError(
  src: GoogleSecretManagerSource,
  name: string,
  abort = signal(),
): Promise<SecretError> {
  try {
    await src.load(name, { signal: abort })
  } catch (error) {
    return error as SecretError
  }
  throw new Error('expected the load to fail')
}

/** Everything a log line could show of an error: message, inspect output (with causes) and JSON. */
function rendered(error: unknown): string {
  return `${String((error as Error).message)}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`
}

describe('reading', () => {
  it('reads latest with one AccessSecretVersion, maps "/" to "__", and reports the version name', async () => {
    const { name, id } = unique('read')
    const value = canary('read')
    const { version } = emulator.createSecret(id, value)
    const { provider } = setup()
    expect(await provider.getSecret(name)).toBe(value)
    expect(await provider.getSecret(name)).toBe(value)
    expect(emulator.calls().map((call) => [call.rpc, call.resource])).toEqual([
      ['AccessSecretVersion', `projects/${emulator.project}/secrets/${id}/versions/latest`],
    ])
    expect(provider.describe(name)).toMatchObject({ version: version?.name, source: 'google-secret-manager' })
    expect(version?.name).toBe(`projects/${emulator.project}/secrets/${id}/versions/1`)
  })

  it('pins a version with name@N or the version option; name@latest overrides the option', async () => {
    const { name, id } = unique('pinned')
    const first = canary('p1')
    const second = canary('p2')
    emulator.createSecret(id, first)
    emulator.addVersion(id, second)
    const latest = source()
    const pinned = source({ version: '1' })
    expect((await latest.load(name, { signal: signal() })).value).toBe(second)
    expect(await latest.load(`${name}@1`, { signal: signal() })).toEqual({
      value: first,
      version: `projects/${emulator.project}/secrets/${id}/versions/1`,
    })
    expect((await pinned.load(name, { signal: signal() })).value).toBe(first)
    expect((await pinned.load(`${name}@latest`, { signal: signal() })).value).toBe(second)
  })

  it('loads UTF-8 payloads as text and other bytes as a Uint8Array', async () => {
    const { name, id } = unique('bytes')
    const text = canary('utf8', ' ünïcödé ✓')
    emulator.createSecret(id, text)
    expect((await source().load(name, { signal: signal() })).value).toBe(text)
    const bytes = new Uint8Array([0xff, 0x00, 0xfe, 0x80])
    emulator.addVersion(id, bytes)
    const loaded = await source().load(name, { signal: signal() })
    expect(loaded.value).toBeInstanceOf(Uint8Array)
    expect([...(loaded.value as Uint8Array)]).toEqual([...bytes])
  })

  it('accepts a version stored without a checksum', async () => {
    const { name, id } = unique('no-crc')
    const value = canary('no-crc')
    emulator.createSecret(id)
    emulator.addVersion(id, value, { checksum: false })
    expect((await source().load(name, { signal: signal() })).value).toBe(value)
  })

  it('works with a client you pass (never closed by the source) and a JSON field selector', async () => {
    const { name, id } = unique('own-client')
    const password = canary('field')
    emulator.createSecret(id, JSON.stringify({ username: 'app', password }))
    const client = new SecretManagerServiceClient({
      ...emulator.clientOptions,
      authClient: tokenAuth(emulator.token),
    })
    let closed = 0
    const close = client.close.bind(client)
    client.close = () => {
      closed++
      return close()
    }
    const src = new GoogleSecretManagerSource({ project: emulator.project, client })
    const provider = new CachedSecretProvider(src)
    expect(await provider.getSecret(`${name}#password`)).toBe(password)
    await provider.close()
    expect(closed).toBe(0)
    await close()
  })

  it('reads from the project given, not another one', async () => {
    const { name, id } = unique('project')
    emulator.createSecret(id, canary('other'), { project: 'other-project' })
    const error = await loadError(source(), name)
    expect(error.code).toBe(ErrorCode.NOT_FOUND)
    expect((await source({ project: 'other-project' }).load(name, { signal: signal() })).version).toBe(
      `projects/other-project/secrets/${id}/versions/1`,
    )
  })
})

describe('errors', () => {
  it('NOT_FOUND (secret or version) is a permanent ERR_SECRET_NOT_FOUND after one request', async () => {
    const { name, id } = unique('missing')
    expect(await loadError(source(), name)).toMatchObject({
      code: ErrorCode.NOT_FOUND,
      transient: false,
      secretName: name,
      source: 'google-secret-manager',
      message: `secret "${name}" (source google-secret-manager) was not found (NOT_FOUND)`,
    })
    emulator.createSecret(id, canary('v1'))
    expect(await loadError(source(), `${name}@9`)).toMatchObject({
      code: ErrorCode.NOT_FOUND,
      transient: false,
    })
    expect(emulator.callCount()).toBe(2)
  })

  it('a DISABLED or DESTROYED version (FAILED_PRECONDITION) is permanent and named', async () => {
    const { name, id } = unique('states')
    emulator.createSecret(id, canary('s1'))
    emulator.addVersion(id, canary('s2'))
    emulator.disableVersion(id, 2)
    const disabled = await loadError(source(), name)
    expect(disabled).toMatchObject({ code: ErrorCode.NOT_FOUND, transient: false })
    expect(disabled.message).toBe(
      `secret "${name}" (source google-secret-manager) cannot be read (FAILED_PRECONDITION: the version is DISABLED)`,
    )
    emulator.destroyVersion(id, 1)
    const destroyed = await loadError(source(), `${name}@1`)
    expect(destroyed).toMatchObject({ code: ErrorCode.NOT_FOUND, transient: false })
    expect(destroyed.message).toContain('the version is DESTROYED')
  })

  it.each([
    ['permissionDenied', ErrorCode.ACCESS_DENIED, false, 'PERMISSION_DENIED'],
    ['unauthenticated', ErrorCode.ACCESS_DENIED, false, 'UNAUTHENTICATED'],
    ['resourceExhausted', ErrorCode.THROTTLED, true, 'RESOURCE_EXHAUSTED'],
    ['unavailable', ErrorCode.UNAVAILABLE, true, 'UNAVAILABLE'],
    ['internal', ErrorCode.UNAVAILABLE, true, 'INTERNAL'],
    ['deadlineExceeded', ErrorCode.UNAVAILABLE, true, 'DEADLINE_EXCEEDED'],
    ['proxyUnavailable', ErrorCode.UNAVAILABLE, true, 'UNAVAILABLE'],
  ] as const)(
    '%s → %s (transient %s), one request: the client does not retry',
    async (fault, code, transient, status) => {
      const { name, id } = unique(fault)
      emulator.createSecret(id, canary(fault))
      emulator.faults.fail(fault)
      const error = await loadError(source(), name)
      expect(error).toMatchObject({ code, transient, secretName: name })
      expect(error.message).toContain(`(${status})`)
      expect(emulator.callCount()).toBe(1)
    },
  )

  it('INVALID_ARGUMENT from the service is a permanent ERR_SECRET_INVALID_NAME', async () => {
    const { name } = unique('invalid')
    emulator.faults.fail({
      status: 400,
      code: 'INVALID_ARGUMENT',
      message: 'Invalid resource field value in the request.',
    })
    expect(await loadError(source(), name)).toMatchObject({ code: ErrorCode.INVALID_NAME, transient: false })
  })

  it('a name Secret Manager cannot hold is refused before any request', async () => {
    const error = await loadError(source(), 'db.password')
    expect(error).toMatchObject({ code: ErrorCode.INVALID_NAME, transient: false })
    expect(error.message).toContain('A-Z a-z 0-9 _ -')
    expect(emulator.callCount()).toBe(0)
  })

  it('a dropped connection and an unreachable endpoint are transient ERR_SECRET_UNAVAILABLE', async () => {
    const { name, id } = unique('network')
    emulator.createSecret(id, canary('network'))
    emulator.faults.drop()
    expect(await loadError(source(), name)).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
    const gone = await startGoogleSecretManagerEmulator()
    const { port } = gone.clientOptions
    await gone.close()
    const unreachable = new GoogleSecretManagerSource({
      project: emulator.project,
      clientOptions: { ...emulator.clientOptions, port, authClient: tokenAuth(emulator.token) },
    })
    sources.push(unreachable)
    expect(await loadError(unreachable, name)).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
  })

  it('with clientRetries the client retries UNAVAILABLE itself', async () => {
    const { name, id } = unique('client-retries')
    const value = canary('client-retries')
    emulator.createSecret(id, value)
    emulator.faults.fail('unavailable')
    expect((await source({ clientRetries: true }).load(name, { signal: signal() })).value).toBe(value)
    expect(emulator.calls().map((call) => call.status)).toEqual([503, 200])
  })
})

describe('checksums and malformed replies (transient, never quoting the reply)', () => {
  it('a CRC-32C mismatch is a transient ERR_SECRET_UNAVAILABLE, and the next attempt succeeds', async () => {
    const { name, id } = unique('mismatch')
    const value = canary('mismatch')
    emulator.createSecret(id, value)
    emulator.faults.fail('checksumMismatch')
    const error = await loadError(source(), name)
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
    expect(error.message).toContain('CRC-32C')
    assertNoCanary(rendered(error))
    emulator.faults.fail('checksumMismatch')
    const { provider } = setup({ retry: { retries: 1, baseDelay: 1, maxDelay: 1 } })
    expect(await provider.getSecret(name)).toBe(value)
    expect(emulator.callCount()).toBe(3)
  })

  it.each([
    [
      'a 200 cut off mid-payload',
      (n: string, v: string) => `{"name":"${n}","payload":{"data":"${Buffer.from(v).toString('base64')}`,
    ],
    ['a 200 that is not JSON', (_n: string, v: string) => `<html>${v}</html>`],
    [
      'a 200 with bad JSON after the payload',
      (n: string, v: string) =>
        `{"name":"${n}","payload":{"data":"${Buffer.from(v).toString('base64')}"}} ${v}`,
    ],
    [
      // The client decodes base64 leniently (it skips characters outside the alphabet), so only the
      // checksum tells such a payload apart from the bytes it should have been.
      'a 200 whose payload is not base64 (with the checksum of the real bytes)',
      (n: string, v: string) =>
        `{"name":"${n}","payload":{"data":"${v}!!","dataCrc32c":"${crc32c(Buffer.from(v))}"}}`,
    ],
    // V8 quotes the start of the text it could not parse: here, the value itself.
    ['a 200 that is the bare value', (_n: string, v: string) => v],
    ['a 200 without a payload', (n: string) => `{"name":"${n}"}`],
    [
      'a 200 without a version name',
      (_n: string, v: string) => `{"payload":{"data":"${Buffer.from(v).toString('base64')}"}}`,
    ],
    [
      'a 200 with a checksum that is not a number',
      (n: string, v: string) =>
        `{"name":"${n}","payload":{"data":"${Buffer.from(v).toString('base64')}","dataCrc32c":"x${v}"}}`,
    ],
    ['an empty 200', () => ''],
  ])('%s → transient ERR_SECRET_UNAVAILABLE without the value', async (_label, body) => {
    const { name, id } = unique('malformed')
    const value = canary('malformed')
    emulator.createSecret(id, canary('stored'))
    const versionName = `projects/${emulator.project}/secrets/${id}/versions/1`
    emulator.faults.fail({ status: 200, body: body(versionName, value) })
    const error = await loadError(source(), name)
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true, secretName: name })
    assertNoCanary(rendered(error), 'the error')
  })

  it('the checksum is verified against the bytes as received', async () => {
    const { name, id } = unique('crc-ok')
    const value = canary('crc-ok')
    emulator.createSecret(id, canary('stored'))
    const data = Buffer.from(value)
    const versionName = `projects/${emulator.project}/secrets/${id}/versions/1`
    emulator.faults.fail({
      status: 200,
      body: JSON.stringify({
        name: versionName,
        payload: { data: data.toString('base64'), dataCrc32c: String(crc32c(data)) },
      }),
    })
    expect((await source().load(name, { signal: signal() })).value).toBe(value)
  })
})

describe('abort and timeout', () => {
  it("the cache's timeout cancels the HTTP request and fails with a transient ERR_SECRET_TIMEOUT", async () => {
    const { name, id } = unique('timeout')
    emulator.createSecret(id, canary('timeout'))
    emulator.faults.setLatency(10_000)
    const { provider } = setup({ timeout: 200 })
    const error = await provider.getSecret(name).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretTimeoutError)
    expect(error).toMatchObject({ code: ErrorCode.TIMEOUT, transient: true })
    // The request was cancelled: the emulator never got to answer it.
    emulator.faults.reset()
    expect(emulator.calls().map((call) => call.status)).toEqual([0])
  })

  it('an aborted signal fails the load at once; one aborted before the call sends nothing', async () => {
    const { name, id } = unique('abort')
    emulator.createSecret(id, canary('abort'))
    emulator.faults.setLatency(10_000)
    const controller = new AbortController()
    const pending = loadError(source(), name, controller.signal)
    await expect.poll(() => emulator.callCount()).toBe(1)
    controller.abort()
    expect(await pending).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      message: expect.stringContaining('aborted'),
    })
    const before = new AbortController()
    before.abort()
    expect(await loadError(source(), name, before.signal)).toMatchObject({ code: ErrorCode.UNAVAILABLE })
    expect(emulator.callCount()).toBe(1)
  })
})

describe('rotation', () => {
  it("a new version is picked up by refresh() with a 'rotate' event naming both versions", async () => {
    const { name, id } = unique('rotate')
    const first = canary('r1')
    const second = canary('r2')
    const { version: v1 } = emulator.createSecret(id, first)
    const { provider } = setup({ minRefreshInterval: 0 })
    const handle = await provider.handle(name).ready()
    const rotations: RotateEvent[] = []
    provider.on('rotate', (event) => rotations.push(event))
    await provider.refresh(name)
    expect(rotations).toEqual([])
    const v2 = emulator.addVersion(id, second)
    await provider.refresh(name)
    expect(handle.reveal()).toBe(second)
    expect(rotations).toEqual([{ name, oldVersion: v1?.name, newVersion: v2.name }])
  })

  it('after the TTL a rotation is detected without refresh()', async () => {
    const { name, id } = unique('ttl')
    const first = canary('t1')
    const second = canary('t2')
    emulator.createSecret(id, first)
    const { provider } = setup({ ttl: 10_000, refreshAhead: 0 })
    expect(await provider.getSecret(name)).toBe(first)
    emulator.addVersion(id, second)
    now += 9_999
    expect(await provider.getSecret(name)).toBe(first)
    now += 1
    expect(await provider.getSecret(name)).toBe(second)
    expect(emulator.callCount('AccessSecretVersion')).toBe(2)
  })
})

describe('lifecycle', () => {
  it('close() closes a client the source built, once; later loads fail with ERR_PROVIDER_CLOSED', async () => {
    const { name, id } = unique('closing')
    emulator.createSecret(id, canary('closing'))
    const src = emulatorSource(emulator)
    let closed = 0
    const close = src.client.close.bind(src.client)
    src.client.close = () => {
      closed++
      return close()
    }
    await src.close()
    await src.close()
    expect(closed).toBe(1)
    expect(await loadError(src, name)).toMatchObject({ code: ErrorCode.PROVIDER_CLOSED })
  })
})

describe('credentials', () => {
  it('an unreadable key file is a typed transient error on every load, with no request and no unhandled rejection', async () => {
    const { name, id } = unique('no-credentials')
    emulator.createSecret(id, canary('no-credentials'))
    const src = new GoogleSecretManagerSource({
      project: emulator.project,
      clientOptions: { ...emulator.clientOptions, keyFilename: '/nonexistent/latchkey-key.json' },
    })
    sources.push(src)
    const first = src.client
    expect(await loadError(src, name)).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      transient: true,
      secretName: name,
    })
    // The client keeps a failed start for good, so the source built a new one for the next load.
    expect(src.client).not.toBe(first)
    expect(await loadError(src, name)).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
    expect(emulator.callCount()).toBe(0)
    await src.close()
  })

  it('a client you pass whose start failed gives the same typed error and is left as it is', async () => {
    const { name } = unique('own-broken')
    const client = new SecretManagerServiceClient({
      ...emulator.clientOptions,
      keyFilename: '/nonexistent/latchkey-key.json',
    })
    const src = new GoogleSecretManagerSource({ project: emulator.project, client })
    sources.push(src)
    expect(await loadError(src, name)).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
    expect(await loadError(src, name)).toMatchObject({ code: ErrorCode.UNAVAILABLE, transient: true })
    expect(src.client).toBe(client)
    expect(emulator.callCount()).toBe(0)
  })
})
