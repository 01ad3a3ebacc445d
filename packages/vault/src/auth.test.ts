import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CachedSecretProvider, SecretError } from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf } from '@latchkey/test-support'
import { startVaultEmulator, type VaultEmulator } from '@latchkey/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext, vi } from 'vitest'
import { type VaultAuth, VaultKvSource } from './index.js'

const FAST_RETRY = { retries: 2, baseDelay: 1, maxDelay: 2 }
let dir: string

/** Registers cleanup for the current test (the test context's hook also works for concurrent tests). */
type Finish = TestContext['onTestFinished']

async function emulatorWith(finish: Finish, secrets: Record<string, string>): Promise<VaultEmulator> {
  const emulator = await startVaultEmulator()
  finish(() => emulator.close())
  for (const [path, value] of Object.entries(secrets)) emulator.kv.write(path, { value })
  return emulator
}

function provider(finish: Finish, emulator: VaultEmulator, auth: VaultAuth): CachedSecretProvider {
  const source = new VaultKvSource({ endpoint: emulator.endpoint, auth })
  const created = new CachedSecretProvider(source, { retry: FAST_RETRY })
  finish(() => created.close())
  return created
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, SecretError)

/** Waits (polling every 50 ms, up to `timeout` ms) until the emulator has seen `count` calls to `path`. */
async function untilCount(
  emulator: VaultEmulator,
  path: string,
  count: number,
  timeout: number,
): Promise<void> {
  await vi.waitFor(() => expect(emulator.calls.count(path)).toBe(count), { timeout, interval: 50 })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-vault-'))
})
afterEach(() => {
  vi.useRealTimers()
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

// The tests below share a shape (emulator, role, provider, read) on purpose: each spells out its own auth steps.
describe('AppRole', () => {
  it('logs in once and reuses the token; the secret_id never shows in inspect output or errors', async ({
    onTestFinished,
  }) => {
    const first = canary('approle-a')
    const emulator = await emulatorWith(onTestFinished, {
      'app/a': first,
      'app/b': canary('approle-b'),
      'other/c': canary('c'),
    })
    const secretId = canary('secret-id')
    const { roleId } = emulator.addAppRole({
      roleName: 'app',
      secretId,
      token: { ttl: 300, allow: ['secret/data/app/*'] },
    })
    const source = new VaultKvSource({
      endpoint: emulator.endpoint,
      auth: { type: 'approle', roleId, secretId },
    })
    const cache = new CachedSecretProvider(source, { retry: FAST_RETRY })
    onTestFinished(() => cache.close())
    expect(await cache.getSecret('app/a')).toBe(first)
    await cache.getSecret('app/b')
    expect(emulator.calls.count('auth/approle/login')).toBe(1)
    const denied = await failure(cache.getSecret('other/c'))
    expect(denied.code).toBe('ERR_SECRET_ACCESS_DENIED')
    for (const text of [printed(source), printed(cache), printed(denied)])
      assertNoCanary(text, 'inspect output')
  })

  it('maps refused credentials to ERR_SECRET_ACCESS_DENIED without retrying', async ({ onTestFinished }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('a') })
    const { roleId } = emulator.addAppRole({ roleName: 'app' })
    const secretId = canary('wrong-secret-id')
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId, secretId })
    const error = await failure(cache.getSecret('app/a'))
    expect(error).toMatchObject({ code: 'ERR_SECRET_ACCESS_DENIED', transient: false })
    expect(error.message).toContain('auth/approle/login was refused with status 400')
    expect(error.cause).toMatchObject({ statusCode: 400, errors: ['invalid role or secret ID'] })
    expect(emulator.calls.count('auth/approle/login')).toBe(1)
    assertNoCanary(printed(error), 'a login error')
  })

  it('maps a sealed Vault at login to ERR_SECRET_UNAVAILABLE and retries the login', async ({
    onTestFinished,
  }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('a') })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      token: { allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId, secretId })
    emulator.seal()
    const error = await failure(cache.getSecret('app/a'))
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(emulator.calls.count('auth/approle/login')).toBe(FAST_RETRY.retries + 1)
    emulator.unseal()
    await cache.refresh('app/a')
    expect(emulator.calls.count('auth/approle/login')).toBe(FAST_RETRY.retries + 2)
  })

  it('logs in again when Vault rejects an expired token with 403, and retries the read once', async ({
    onTestFinished,
  }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('before') })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      token: { ttl: 300, allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId, secretId })
    await cache.getSecret('app/a')
    expect(emulator.expireTokens({ path: 'auth/approle/login' })).toBe(1)
    const after = canary('after')
    emulator.kv.rotate('app/a', { value: after })
    await cache.refresh('app/a')
    expect(await cache.getSecret('app/a')).toBe(after)
    expect(emulator.calls.count('auth/approle/login')).toBe(2)
    expect(emulator.calls.log.filter((c) => c.path === 'secret/data/app/a').map((c) => c.status)).toEqual([
      200, 403, 200,
    ])
  })

  it('re-authenticates only once for a path outside the policy, then reports access denied', async ({
    onTestFinished,
  }) => {
    const emulator = await emulatorWith(onTestFinished, { 'other/x': canary('x') })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      token: { allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId, secretId })
    const error = await failure(cache.getSecret('other/x'))
    expect(error.code).toBe('ERR_SECRET_ACCESS_DENIED')
    expect(emulator.calls.count('auth/approle/login')).toBe(2)
    expect(emulator.calls.count('secret/data/other/x')).toBe(2)
  })

  it('logs in without a secretId when the role has bind_secret_id = false (the README’s "secretId may be omitted")', async ({
    onTestFinished,
  }) => {
    const value = canary('unbound-role')
    const emulator = await emulatorWith(onTestFinished, { 'app/a': value })
    const { roleId } = emulator.addAppRole({
      roleName: 'unbound',
      bindSecretId: false,
      token: { ttl: 300, allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId })
    expect(await cache.getSecret('app/a')).toBe(value)
    expect(emulator.calls.log.filter((c) => c.path === 'auth/approle/login').map((c) => c.status)).toEqual([
      200,
    ])
    // A role that binds a secret_id still refuses the login without one: access denied, not retried.
    const bound = emulator.addAppRole({ roleName: 'bound', token: { allow: ['secret/data/app/*'] } })
    const refused = provider(onTestFinished, emulator, { type: 'approle', roleId: bound.roleId })
    emulator.calls.reset()
    const error = await failure(refused.getSecret('app/a'))
    expect(error.code).toBe('ERR_SECRET_ACCESS_DENIED')
    expect(error.cause).toMatchObject({ statusCode: 400, errors: ['missing secret_id'] })
    expect(emulator.calls.count('auth/approle/login')).toBe(1)
  })

  it('uses a custom mount', async ({ onTestFinished }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('mount') })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      mount: 'ci',
      token: { allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId, secretId, mount: 'ci' })
    await cache.getSecret('app/a')
    expect(emulator.calls.count('auth/ci/login')).toBe(1)
  })
})

describe('Kubernetes', () => {
  it('logs in at auth/kubernetes/login with the JWT read from jwtPath, and again after a 403', async ({
    onTestFinished,
  }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('k8s') })
    const { role, jwt } = emulator.addKubernetesRole({
      role: 'api',
      token: { ttl: 300, allow: ['secret/data/app/*'] },
    })
    const jwtPath = join(dir, 'token')
    await writeFile(jwtPath, `${jwt}\n`)
    const cache = provider(onTestFinished, emulator, { type: 'kubernetes', role, jwtPath })
    await cache.getSecret('app/a')
    expect(emulator.calls.log[0]).toMatchObject({
      method: 'POST',
      path: 'auth/kubernetes/login',
      status: 200,
    })
    emulator.expireTokens()
    await cache.refresh('app/a')
    expect(emulator.calls.count('auth/kubernetes/login')).toBe(2)
    expect(emulator.calls.count('auth//login')).toBe(0)
  })

  it('maps a rejected JWT (403) and an unreadable jwtPath to ERR_SECRET_ACCESS_DENIED', async ({
    onTestFinished,
  }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('k8s-denied') })
    emulator.addKubernetesRole({ role: 'api', mount: 'k8s' })
    const rejected = provider(onTestFinished, emulator, {
      type: 'kubernetes',
      role: 'api',
      jwt: 'not.the.jwt',
      mount: 'k8s',
    })
    const error = await failure(rejected.getSecret('app/a'))
    expect(error).toMatchObject({ code: 'ERR_SECRET_ACCESS_DENIED', transient: false })
    expect(emulator.calls.count('auth/k8s/login')).toBe(1)
    const missing = provider(onTestFinished, emulator, {
      type: 'kubernetes',
      role: 'api',
      jwtPath: join(dir, 'missing'),
      mount: 'k8s',
    })
    const unreadable = await failure(missing.getSecret('app/a'))
    expect(unreadable.code).toBe('ERR_SECRET_ACCESS_DENIED')
    expect(unreadable.message).toContain('ENOENT')
    expect(emulator.calls.count('auth/k8s/login')).toBe(1)
  })
})

// These wait for real token lifetimes of a few seconds; each has its own emulator, so they run together.
describe.concurrent('token lifetime', () => {
  it('renews a renewable token with renew-self before it expires, without logging in again', async ({
    onTestFinished,
  }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('renew') })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      token: { ttl: 3, maxTtl: 60, allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId, secretId })
    await cache.getSecret('app/a')
    const loggedIn = Date.now()
    await untilCount(emulator, 'auth/token/renew-self', 1, 4_000)
    expect(Date.now() - loggedIn).toBeLessThan(3_000)
    await untilCount(emulator, 'auth/token/renew-self', 2, 4_000)
    // Past the first token TTL: the same token still reads, no new login, no 403.
    expect(Date.now() - loggedIn).toBeGreaterThan(3_000)
    await cache.refresh('app/a')
    expect(emulator.calls.count('auth/approle/login')).toBe(1)
    expect(emulator.calls.log.filter((c) => c.status === 403)).toEqual([])
  })

  it('logs in again before a non-renewable token expires', async ({ onTestFinished }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('non-renewable') })
    const { role, jwt } = emulator.addKubernetesRole({
      role: 'api',
      token: { ttl: 3, renewable: false, allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'kubernetes', role, jwt })
    await cache.getSecret('app/a')
    const loggedIn = Date.now()
    await untilCount(emulator, 'auth/kubernetes/login', 2, 4_000)
    expect(Date.now() - loggedIn).toBeLessThan(3_000)
    expect(emulator.calls.count('auth/token/renew-self')).toBe(0)
    await vi.waitFor(() => expect(Date.now() - loggedIn).toBeGreaterThan(3_100), {
      timeout: 2_000,
      interval: 50,
    })
    await cache.refresh('app/a')
    expect(emulator.calls.log.filter((c) => c.status === 403)).toEqual([])
  })

  it('logs in again when renewal reaches the max TTL', async ({ onTestFinished }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('max-ttl') })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      token: { ttl: 3, maxTtl: 4, allow: ['secret/data/app/*'] },
    })
    const cache = provider(onTestFinished, emulator, { type: 'approle', roleId, secretId })
    await cache.getSecret('app/a')
    const loggedIn = Date.now()
    await untilCount(emulator, 'auth/approle/login', 2, 5_000)
    expect(Date.now() - loggedIn).toBeLessThan(4_000)
    expect(emulator.calls.count('auth/token/renew-self')).toBe(1)
    await cache.refresh('app/a')
    expect(emulator.calls.log.filter((c) => c.status === 403)).toEqual([])
  })

  it('looks a fixed token up and renews it when it is renewable', async ({ onTestFinished }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('fixed') })
    const token = emulator.createToken({ ttl: 3, allow: ['secret/data/app/*'] })
    const cache = provider(onTestFinished, emulator, { type: 'token', token })
    await cache.getSecret('app/a')
    const started = Date.now()
    expect(emulator.calls.count('auth/token/lookup-self')).toBe(1)
    await untilCount(emulator, 'auth/token/renew-self', 1, 4_000)
    expect(Date.now() - started).toBeLessThan(3_000)
  })
})

describe('timers', () => {
  it('a token TTL past the Node.js timer range (~24.8 days) does not renew in a loop', async ({
    onTestFinished,
  }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('long-ttl') })
    const token = emulator.createToken({ allow: ['secret/data/app/*'] })
    // 40 days: 2/3 of it is 2.3e9 ms, over 2^31 − 1; an unclamped setTimeout would fire after 1 ms.
    const ttl = 40 * 86_400
    emulator.faults.fail(
      { status: 200, body: JSON.stringify({ data: { ttl, creation_ttl: ttl, renewable: true } }) },
      { path: 'auth/token/lookup-self' },
    )
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.name)
    process.on('warning', onWarning)
    onTestFinished(() => {
      process.off('warning', onWarning)
    })
    const cache = provider(onTestFinished, emulator, { type: 'token', token })
    await cache.getSecret('app/a')
    await untilCount(emulator, 'auth/token/lookup-self', 1, 1_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(emulator.calls.count('auth/token/renew-self')).toBe(0)
    expect(warnings).not.toContain('TimeoutOverflowWarning')
  })

  it('close() stops the renewal timer', async ({ onTestFinished }) => {
    const emulator = await emulatorWith(onTestFinished, { 'app/a': canary('timers') })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      token: { ttl: 600, allow: ['secret/data/app/*'] },
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const source = new VaultKvSource({
      endpoint: emulator.endpoint,
      auth: { type: 'approle', roleId, secretId },
    })
    const cache = new CachedSecretProvider(source, { retry: FAST_RETRY })
    await cache.getSecret('app/a')
    // The core's coarse clock keeps a reading for 1 ms on a timer of its own; let it lapse so
    // only the renewal timer is left to count.
    vi.advanceTimersByTime(1)
    expect(vi.getTimerCount()).toBe(1)
    await cache.close()
    vi.advanceTimersByTime(1)
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(600_000)
    expect(emulator.calls.count('auth/token/renew-self')).toBe(0)
    await expect(source.load('app/a')).rejects.toMatchObject({ code: 'ERR_PROVIDER_CLOSED' })
  })
})
