import {
  CachedSecretProvider,
  type CacheOptions,
  ErrorCode,
  type RotateEvent,
  SecretPreloadError,
} from '@latchkey/core'
import { canary, emulatorHooks, steadyCacheOptions } from '@latchkey/test-support'
import { type ParameterStoreEmulator, startParameterStoreEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AwsParameterStoreSource, type AwsParameterStoreSourceOptions } from '../index.js'

// Per-file state as module variables on purpose (tests move `now`); the shared hooks are emulatorHooks().
let emulator: ParameterStoreEmulator
let now: number
const providers: CachedSecretProvider[] = []
let counter = 0
const unique = (label: string) => `/app/${label}-${++counter}`
const signal = () => new AbortController().signal

emulatorHooks(startParameterStoreEmulator, {
  started: (started) => {
    emulator = started
  },
  reset: () => {
    now = 1_700_000_000_000
  },
  providers,
})

function setup(options: CacheOptions = {}, sourceOptions: AwsParameterStoreSourceOptions = {}) {
  const source = new AwsParameterStoreSource({ ...emulator.clientConfig, ...sourceOptions })
  const provider = new CachedSecretProvider(source, {
    ...steadyCacheOptions(() => now),
    minRefreshInterval: 0,
    retry: { baseDelay: 1, maxDelay: 5 },
    ...options,
  })
  providers.push(provider)
  return { source, provider }
}

describe('reading one parameter', () => {
  it('reads a SecureString decrypted with one GetParameter, version = parameter version, then from cache', async () => {
    const name = unique('secure')
    const value = canary('secure')
    emulator.putParameter(name, value, { type: 'SecureString' })
    const { provider } = setup()
    expect(await provider.getSecret(name)).toBe(value)
    expect(await provider.getSecret(name)).toBe(value)
    expect(emulator.callCount('GetParameter')).toBe(1)
    expect(provider.describe(name)).toMatchObject({
      version: '1',
      source: 'aws-parameter-store',
      stale: false,
    })
  })

  it('reads String parameters, JSON fields with #, and StringList as its comma-separated text', async () => {
    const name = unique('json')
    const password = canary('password')
    emulator.putParameter(name, JSON.stringify({ username: 'app', password }))
    const list = unique('list')
    emulator.putParameter(list, 'a,b,c', { type: 'StringList' })
    const { provider } = setup()
    expect(await provider.getSecret(`${name}#password`)).toBe(password)
    expect(await provider.getSecret(list)).toBe('a,b,c')
  })

  it('selects name:version and name:label; a label reports "<version>@<label>"', async () => {
    const name = unique('select')
    const first = canary('first')
    emulator.putParameter(name, first)
    const second = canary('second')
    emulator.rotate(name, second)
    emulator.labelParameterVersion(name, ['stable'], { version: 1 })
    const { provider } = setup()
    expect(await provider.getSecret(`${name}:1`)).toBe(first)
    expect(provider.describe(`${name}:1`)?.version).toBe('1')
    expect(await provider.getSecret(`${name}:stable`)).toBe(first)
    expect(provider.describe(`${name}:stable`)?.version).toBe('1@stable')
    expect(await provider.getSecret(name)).toBe(second)
    expect(emulator.calls('GetParameter').map((c) => c.names[0])).toEqual([
      `${name}:1`,
      `${name}:stable`,
      name,
    ])
  })

  it('reads by ARN', async () => {
    const name = unique('arn')
    const value = canary('arn')
    const { arn } = emulator.putParameter(name, value)
    const { provider } = setup()
    expect(await provider.getSecret(arn)).toBe(value)
  })

  it('a missing parameter, version or label → ERR_SECRET_NOT_FOUND after one request', async () => {
    const name = unique('missing')
    emulator.putParameter(name, canary('missing'))
    const { provider } = setup()
    for (const missing of [unique('never'), `${name}:7`, `${name}:nolabel`]) {
      emulator.resetCalls()
      await expect(provider.getSecret(missing)).rejects.toMatchObject({
        code: ErrorCode.NOT_FOUND,
        transient: false,
      })
      expect(emulator.callCount()).toBe(1)
    }
  })

  it('rejects names the service would refuse with ERR_SECRET_INVALID_NAME before any call', async () => {
    const { provider } = setup()
    for (const name of ['ssm-x', '/a//b', 'bad name', '/app/x:1:2', '/aws/reference/secretsmanager/']) {
      await expect(provider.getSecret(name)).rejects.toMatchObject({ code: ErrorCode.INVALID_NAME })
    }
    expect(emulator.callCount()).toBe(0)
  })

  it('with withDecryption: false reads String parameters, and refuses a SecureString instead of handing out ciphertext', async () => {
    const plain = unique('plain')
    emulator.putParameter(plain, 'not-secret-config')
    const secure = unique('sealed')
    emulator.putParameter(secure, canary('sealed'), { type: 'SecureString' })
    const { provider, source } = setup({}, { withDecryption: false })
    expect(source.withDecryption).toBe(false)
    expect(await provider.getSecret(plain)).toBe('not-secret-config')
    await expect(provider.getSecret(secure)).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
      transient: false,
    })
    expect(emulator.calls('GetParameter').map((c) => c.names[0])).toEqual([plain, secure])
    await expect(provider.getSecret('/aws/reference/secretsmanager/x')).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
    })
    expect(emulator.callCount('GetParameter')).toBe(2)
    const root = unique('sealed-tree')
    emulator.putParameter(`${root}/plain`, 'config')
    emulator.putParameter(`${root}/secret`, canary('sealed-child'), { type: 'SecureString' })
    await expect(provider.getSecret(`${root}/`)).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
      secretName: `${root}/`,
      message: expect.stringContaining(`"${root}/secret" under "${root}/"`),
    })
  })
})

describe('Secrets Manager references', () => {
  it('reads /aws/reference/secretsmanager/<id> with the secret VersionId as version, and a stage selector', async () => {
    const id = `db/ref-${++counter}`
    const first = canary('ref1')
    const v1 = emulator.putReferencedSecret(id, first)
    const second = canary('ref2')
    const v2 = emulator.putReferencedSecret(id, second)
    const { provider } = setup()
    const name = `/aws/reference/secretsmanager/${id}`
    expect(await provider.getSecret(name)).toBe(second)
    expect(provider.describe(name)?.version).toBe(v2.versionId)
    expect(await provider.getSecret(`${name}:AWSPREVIOUS`)).toBe(first)
    expect(provider.describe(`${name}:AWSPREVIOUS`)?.version).toBe(v1.versionId)
  })

  it("a rotated referenced secret emits 'rotate' on refresh()", async () => {
    const id = `db/ref-rotate-${++counter}`
    const v1 = emulator.putReferencedSecret(id, canary('before'))
    const { provider } = setup()
    const name = `/aws/reference/secretsmanager/${id}`
    await provider.getSecret(name)
    const events: RotateEvent[] = []
    provider.on('rotate', (event) => events.push(event))
    const after = canary('after')
    const v2 = emulator.putReferencedSecret(id, after)
    await provider.refresh(name)
    expect(await provider.getSecret(name)).toBe(after)
    expect(events).toEqual([
      expect.objectContaining({ name, oldVersion: v1.versionId, newVersion: v2.versionId }),
    ])
  })
})

describe('hierarchies (a name ending in /)', () => {
  it('reads every parameter under the path, recursively and paged, into one JSON object of relative names', async () => {
    const root = unique('tree')
    const expected: Record<string, string> = {}
    for (let i = 0; i < 23; i++) {
      const relative =
        i % 2 === 0 ? `leaf${String(i).padStart(2, '0')}` : `nested/deeper/leaf${String(i).padStart(2, '0')}`
      expected[relative] = canary(`leaf${i}`)
      emulator.putParameter(`${root}/${relative}`, expected[relative] as string, { type: 'SecureString' })
    }
    emulator.putParameter(`${root}-sibling/outside`, canary('outside'))
    const { provider } = setup()
    expect(await provider.getJson<Record<string, string>>(`${root}/`)).toEqual(expected)
    expect(Object.keys(JSON.parse(await provider.getSecret(`${root}/`)))).toEqual(
      Object.keys(expected).sort(),
    )
    expect(await provider.getSecret(`${root}/#nested/deeper/leaf01`)).toBe(expected['nested/deeper/leaf01'])
    expect(emulator.calls('GetParametersByPath').map((c) => c.names)).toEqual([[root], [root], [root]])
    expect(provider.describe(`${root}/`)?.version).toMatch(/^[0-9a-f]{16}$/)
  })

  it("changes its version when any parameter under it changes, and refresh() emits 'rotate'", async () => {
    const root = unique('rotating-tree')
    emulator.putParameter(`${root}/a`, canary('a'))
    emulator.putParameter(`${root}/b`, canary('b'))
    const { provider } = setup()
    const name = `${root}/`
    await provider.getSecret(name)
    const before = provider.describe(name)?.version
    const events: RotateEvent[] = []
    provider.on('rotate', (event) => events.push(event))
    emulator.rotate(`${root}/b`, canary('b2'))
    await provider.refresh(name)
    const after = provider.describe(name)?.version
    expect(after).not.toBe(before)
    expect(events).toEqual([expect.objectContaining({ name, oldVersion: before, newVersion: after })])
  })

  it('an empty path → ERR_SECRET_NOT_FOUND', async () => {
    const { provider } = setup()
    await expect(provider.getSecret(`${unique('empty')}/`)).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    })
    expect(emulator.callCount('GetParametersByPath')).toBe(1)
  })
})

describe('batch preload (loadMany)', () => {
  it('uses GetParameters in chunks of 10 and no GetParameter; selectors and ARNs are matched to their entries', async () => {
    const names = Array.from({ length: 23 }, (_, i) => unique(`batch${i}`))
    const values = names.map((name, i) => {
      const value = canary(`batch${i}`)
      emulator.putParameter(name, value, { type: i % 2 === 0 ? 'SecureString' : 'String' })
      return value
    })
    emulator.rotate(names[0] as string, canary('newer'))
    const { arn } = emulator.putParameter(unique('by-arn'), canary('by-arn'))
    const wanted = [...names, `${names[0]}:1`, arn]
    const { provider } = setup()
    await provider.preload(wanted)
    const batches = emulator.calls('GetParameters')
    expect(batches.map((c) => c.names.length).sort((a, b) => a - b)).toEqual([5, 10, 10])
    expect(emulator.callCount('GetParameter')).toBe(0)
    expect(await provider.getSecret(`${names[0]}:1`)).toBe(values[0])
    for (const [i, name] of names.entries()) if (i > 0) expect(await provider.getSecret(name)).toBe(values[i])
    expect(provider.describe(names[0] as string)?.version).toBe('2')
    expect(emulator.callCount()).toBe(3)
  })

  it('names in InvalidParameters and invalid names fail preload with their own codes, naming each', async () => {
    const good = unique('good')
    emulator.putParameter(good, canary('good'))
    const missing = unique('absent')
    const { provider } = setup()
    const error = await provider.preload([good, missing, 'ssm-bad']).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SecretPreloadError)
    const codes = Object.fromEntries((error as SecretPreloadError).errors.map((e) => [e.secretName, e.code]))
    expect(codes).toEqual({ [missing]: ErrorCode.NOT_FOUND, 'ssm-bad': ErrorCode.INVALID_NAME })
    expect(emulator.calls('GetParameters').map((c) => c.names)).toEqual([[good, missing]])
  })

  it('reads paths in a batch with GetParametersByPath', async () => {
    const root = unique('batch-tree')
    const leaf = canary('leaf')
    emulator.putParameter(`${root}/leaf`, leaf)
    const single = unique('single')
    emulator.putParameter(single, canary('single'))
    const { source } = setup()
    const results = await source.loadMany([`${root}/`, single], { signal: signal() })
    expect(JSON.parse((results.get(`${root}/`) as { value: string }).value)).toEqual({ leaf })
    expect(emulator.callCount('GetParametersByPath')).toBe(1)
    expect(emulator.callCount('GetParameters')).toBe(1)
  })
})

describe('rotation', () => {
  it("PutParameter with Overwrite, then refresh(), emits 'rotate' with old and new versions", async () => {
    const name = unique('rotate')
    emulator.putParameter(name, canary('v1'), { type: 'SecureString' })
    const { provider } = setup()
    await provider.getSecret(name)
    const events: RotateEvent[] = []
    provider.on('rotate', (event) => events.push(event))
    const next = canary('v2')
    emulator.rotate(name, next)
    await provider.refresh(name)
    expect(await provider.getSecret(name)).toBe(next)
    expect(events).toEqual([expect.objectContaining({ name, oldVersion: '1', newVersion: '2' })])
  })

  it('a label moved to a newer version is a rotation of name:label', async () => {
    const name = unique('label-move')
    emulator.putParameter(name, canary('one'))
    emulator.labelParameterVersion(name, ['live'])
    const { provider } = setup()
    await provider.getSecret(`${name}:live`)
    const events: RotateEvent[] = []
    provider.on('rotate', (event) => events.push(event))
    const two = canary('two')
    emulator.rotate(name, two)
    await provider.refresh(`${name}:live`)
    expect(events).toEqual([])
    emulator.labelParameterVersion(name, ['live'])
    await provider.refresh(`${name}:live`)
    expect(await provider.getSecret(`${name}:live`)).toBe(two)
    expect(events).toEqual([expect.objectContaining({ oldVersion: '1@live', newVersion: '2@live' })])
  })
})

describe('lifecycle', () => {
  it('builds its client on first use with SDK retries off, and close() makes later loads fail', async () => {
    const name = unique('lifecycle')
    emulator.putParameter(name, canary('lifecycle'))
    const source = new AwsParameterStoreSource({ ...emulator.clientConfig })
    await source.load(name, { signal: signal() })
    expect(emulator.calls('GetParameter')[0]?.sdkRequest).toBe('attempt=1; max=1')
    await source.close()
    await expect(source.load(name, { signal: signal() })).rejects.toMatchObject({
      code: ErrorCode.PROVIDER_CLOSED,
    })
    expect(JSON.stringify(source)).toBe('{"name":"aws-parameter-store","withDecryption":true,"closed":true}')
  })
})
